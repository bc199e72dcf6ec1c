#include "processidentity.h"

#include <QFile>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace trainyard::core {

namespace {

QString bootId()
{
    static const QString id = [] {
        QFile f(QStringLiteral("/proc/sys/kernel/random/boot_id"));
        return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll().trimmed()) : QString();
    }();
    return id;
}

} // namespace

QString ProcessIdentity::startOf(qint64 pid)
{
    if (pid <= 0)
        return {};
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return {};
    const QByteArray line = stat.readAll();
    // "PID (COMM) STATE PPID …": COMM may hold spaces and parentheses; fields restart after the last ')'.
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return {};
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    // After COMM, field 3 (STATE) is fields[0]; field 22 (starttime) is fields[19].
    if (fields.size() < 20)
        return {};
    return bootId() + u':' + QString::fromLatin1(fields.at(19));
}

QString ProcessIdentity::current()
{
    return startOf(::getpid());
}

bool ProcessIdentity::isAlive(qint64 pid, const QString &start)
{
    if (pid <= 0)
        return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)
        return false;
    if (start.isEmpty())
        return true; // recorded before start times were: the pid is all there is
    const QString now = startOf(pid);
    return now.isEmpty() || now == start; // unreadable /proc: believe the pid
}

} // namespace trainyard::core
