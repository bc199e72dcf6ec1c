#include "urlsecrets.h"

#include <QUrl>
#include <QUrlQuery>

namespace trainyard::core {

bool urlCarriesPassword(const QString &text)
{
    if (!QUrl(text).password().isEmpty())
        return true;
    const QString afterScheme = text.section(QLatin1String("://"), 1);
    const QString login = afterScheme.section(u'@', 0, -2); // everything before the last '@'
    if (login.contains(u':'))
        return true;
    const QString query = text.section(u'?', 1).section(u'#', 0, 0);
    for (const auto &[key, value] : QUrlQuery(query).queryItems()) {
        if (key.contains(QLatin1String("password"), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace trainyard::core
