#include "containerspec.h"

#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace trainyard::core {

QString normalisedRepository(const QString &reference)
{
    QString name = reference.trimmed().section(u'@', 0, 0);
    const qsizetype slash = name.lastIndexOf(u'/');
    const qsizetype colon = name.indexOf(u':', slash + 1);
    if (colon >= 0)
        name.truncate(colon);
    QStringList parts = name.split(u'/');
    const QString first = parts.first();
    const bool host =
        parts.size() > 1 && (first.contains(u'.') || first.contains(u':') || first == QLatin1String("localhost"));
    if (!host)
        parts.prepend(QStringLiteral("docker.io"));
    else if (first == QLatin1String("index.docker.io") || first == QLatin1String("registry-1.docker.io"))
        parts[0] = QStringLiteral("docker.io");
    if (parts.first() == QLatin1String("docker.io") && parts.size() == 2)
        parts.insert(1, QStringLiteral("library"));
    return parts.join(u'/');
}

qint64 parseByteSize(const QString &text)
{
    // The grammar of Docker's go-units RAMInBytes: binary units, an optional "i" and "b"
    // ("512m", "512MiB", "512mb", "1.5 G"); a bare number is bytes.
    static const QRegularExpression re(QStringLiteral("^(\\d+(?:\\.\\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$"));
    const QRegularExpressionMatch match = re.match(text.trimmed());
    if (!match.hasMatch())
        return -1;
    bool ok = false;
    const double number = match.captured(1).toDouble(&ok);
    if (!ok)
        return -1;
    int shift = 0;
    if (match.capturedLength(2) > 0) {
        switch (match.captured(2).at(0).toLower().toLatin1()) {
        case 'k':
            shift = 10;
            break;
        case 'm':
            shift = 20;
            break;
        case 'g':
            shift = 30;
            break;
        case 't':
            shift = 40;
            break;
        case 'p':
            shift = 50;
            break;
        default:
            return -1;
        }
    }
    const double bytes = std::ldexp(number, shift);
    // 2^63 is exactly representable; anything at or above it does not fit a qint64.
    if (!std::isfinite(bytes) || bytes >= 9223372036854775808.0)
        return -1;
    return static_cast<qint64>(bytes);
}

} // namespace trainyard::core
