#include "consoleevents.h"

namespace trainyard::app {

using namespace trainyard::core;

QString printableName(const QString &name)
{
    QString out;
    out.reserve(name.size());
    for (const QChar c : name) {
        if (c == u'\n')
            out += QStringLiteral("\\n");
        else if (c == u'\r')
            out += QStringLiteral("\\r");
        else if (c == u'\t')
            out += QStringLiteral("\\t");
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString jobDuration(const JobRecord &j)
{
    if (!j.started.isValid() || !j.finished.isValid())
        return QStringLiteral("-");
    return QString::number(j.started.msecsTo(j.finished) / 1000.0, 'f', 1) + u's';
}

SchedulerEvents consoleEvents(QTextStream &out, std::mutex &printMutex, bool tty)
{
    SchedulerEvents events;
    events.message = [&out, &printMutex](const QString &m) {
        std::lock_guard lock(printMutex);
        out << "trainyard: " << m << "\n" << Qt::flush;
    };
    events.jobChanged = [&out, &printMutex, tty](const JobRecord &j) {
        std::lock_guard lock(printMutex);
        QString line = QStringLiteral("[%1] %2").arg(printableName(j.name), jobStatusToString(j.status));
        if (isFinal(j.status) && j.started.isValid())
            line += QStringLiteral(" in %1").arg(jobDuration(j));
        if (!j.reason.isEmpty() && j.status != JobStatus::Running)
            line += QStringLiteral(" — ") + j.reason;
        if (tty) {
            const char *color = j.status == JobStatus::Success   ? "\x1b[32m"
                                : j.status == JobStatus::Failed  ? "\x1b[31m"
                                : j.status == JobStatus::Running ? "\x1b[36m"
                                                                 : "\x1b[33m";
            out << color << line << "\x1b[0m\n" << Qt::flush;
        } else {
            out << line << "\n" << Qt::flush;
        }
    };
    events.log = [&out, &printMutex, tty](const QString &job, const LogLine &l) {
        std::lock_guard lock(printMutex);
        const QString prefix =
            job.isEmpty() ? QStringLiteral("[trainyard] ") : QStringLiteral("[%1] ").arg(printableName(job));
        if (tty && l.stream == LogLine::Stream::Stderr)
            out << prefix << "\x1b[31m" << l.text << "\x1b[0m\n";
        else
            out << prefix << l.text << "\n";
        out << Qt::flush;
    };
    events.progress = [&out, &printMutex, tty](const QString &job, const QString &label, qint64 cur, qint64 total) {
        std::lock_guard lock(printMutex);
        const QString text = total > 0 ? QStringLiteral("%1 %2%").arg(label).arg(cur * 100 / total) : label;
        if (tty)
            out << "\r\x1b[K" << (job.isEmpty() ? QString() : QStringLiteral("[%1] ").arg(printableName(job))) << text
                << Qt::flush;
    };
    return events;
}

} // namespace trainyard::app
