#include "jobscript.h"

#include <QRegularExpression>

namespace trainyard::core {

QString JobScript::shellQuote(const QString &text)
{
    QString out = text;
    out.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + out + u'\'';
}

QString JobScript::build(const QStringList &commands)
{
    // pipefail is not in every POSIX shell (busybox ash has it, dash does not): try it quietly.
    QString script = QStringLiteral("set -e\n(set -o pipefail) 2>/dev/null && set -o pipefail\n");
    for (const QString &command : commands) {
        // The echo goes to stdout, as the runner prints "$ command" lines in the job log.
        script += QStringLiteral("printf '%s\\n' ") + shellQuote(QStringLiteral("$ ") + command) + u'\n';
        script += command + u'\n';
    }
    return script;
}

std::optional<int> JobScript::parseDurationSeconds(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t.isEmpty())
        return std::nullopt;
    bool ok = false;
    const int plain = t.toInt(&ok);
    if (ok)
        return plain >= 0 ? std::optional<int>(plain) : std::nullopt;
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)\\s*([a-z]+)"));
    static const QRegularExpression allowed(QStringLiteral("^(\\s*\\d+(?:\\.\\d+)?\\s*[a-z]+\\s*(and|,)?\\s*)+$"));
    if (!allowed.match(t).hasMatch())
        return std::nullopt;
    double total = 0;
    auto it = part.globalMatch(t);
    while (it.hasNext()) {
        const auto m = it.next();
        const double n = m.captured(1).toDouble();
        const QString unit = m.captured(2);
        double factor = 0;
        if (unit == QLatin1String("s") || unit.startsWith(QLatin1String("sec")))
            factor = 1;
        else if (unit == QLatin1String("m") || unit.startsWith(QLatin1String("min")))
            factor = 60;
        else if (unit == QLatin1String("h") || unit.startsWith(QLatin1String("hour")) || unit == QLatin1String("hr") ||
                 unit == QLatin1String("hrs"))
            factor = 3600;
        else if (unit == QLatin1String("d") || unit.startsWith(QLatin1String("day")))
            factor = 86400;
        else if (unit == QLatin1String("w") || unit.startsWith(QLatin1String("week")))
            factor = 7 * 86400;
        else
            return std::nullopt;
        total += n * factor;
    }
    return static_cast<int>(total);
}

} // namespace trainyard::core
