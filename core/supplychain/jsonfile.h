#pragma once

// What the readers of scanners' and advisories' files share: a JSON object read from bytes, or an
// Error naming the file, the line and the column where the JSON stops being JSON.

#include "common/error.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QString>

namespace trainyard::core {

inline Result<QJsonObject> readJsonObject(const QByteArray &json, const QString &file)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return tl::make_unexpected(Error::error(QStringLiteral("not JSON: %1").arg(parseError.errorString()),
                                                SourceLocation::atOffset(file, json, parseError.offset)));
    return doc.object();
}

} // namespace trainyard::core
