#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QStringList>

namespace trainyard::core {

/// A list of strings as a JSON array, and back (what is not a string reads as ""; what is not an
/// array as no list): the records, Docker's API and the exports share these.
namespace jsonlists {

inline QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

inline QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list.append(v.toString());
    return list;
}

} // namespace jsonlists

} // namespace trainyard::core
