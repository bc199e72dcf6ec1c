#include "safename.h"

#include <QCryptographicHash>

namespace trainyard::core {

QString safeName(const QString &name)
{
    constexpr qsizetype MaxLength = 100;
    QString safe;
    safe.reserve(name.size());
    for (const QChar c : name) {
        const bool allowed = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') ||
                             c == u'-' || c == u'_' || c == u'.';
        safe += allowed ? c : u'_';
    }
    if (safe.startsWith(u'.'))
        safe.prepend(u'_'); // never ".", ".." or a hidden file
    if (safe == name && !safe.isEmpty() && safe.size() <= MaxLength)
        return safe;
    const QByteArray hash = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex().left(8);
    return safe.left(MaxLength) + u'-' + QString::fromLatin1(hash);
}

} // namespace trainyard::core
