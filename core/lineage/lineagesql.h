#pragma once

// Internal to LineageStore: a prepared statement that reports errors as values, the
// conversions between record fields and portable column values (text times, integer booleans),
// and the helpers the SqlLineageStore queries share (selectAll, prefix ranges, IN lists).

#include "common/error.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <initializer_list>
#include <vector>

namespace trainyard::core::lineagesql {

/// Set by the last failed statement of this thread: was it lock contention (worth a retry)?
bool lastFailureWasBusy();
void setLastFailureBusy(bool busy);

/// Times are stored as ISO 8601 UTC text with milliseconds ("2024-05-01T12:00:00.123Z"):
/// portable, and they sort as text. An invalid time is NULL.
/// SQL NULL. (A null QString is bound as the empty string: Query::execList makes sure of it.)
inline QVariant sqlNull()
{
    return QVariant();
}

inline QVariant fromTime(const QDateTime &t)
{
    return t.isValid() ? QVariant(t.toUTC().toString(Qt::ISODateWithMs)) : sqlNull();
}

inline QDateTime toTime(const QVariant &v)
{
    if (v.isNull())
        return {};
    QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : t;
}

inline QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? sqlNull() : QVariant(s);
}

inline int fromBool(bool b)
{
    return b ? 1 : 0;
}

/// A list in one text column, one item a line.
inline QString fromList(const QStringList &list)
{
    return list.join(u'\n');
}

inline QStringList toList(const QVariant &v)
{
    return v.toString().split(u'\n', Qt::SkipEmptyParts);
}

/// A prepared statement on one connection.
class Query final
{
public:
    Query(const QSqlDatabase &db, const QString &sql);

    /// Binds `values` to the placeholders in order and executes.
    Result<void> exec(std::initializer_list<QVariant> values = {});
    Result<void> execList(const QVariantList &values);
    bool next() { return m_query.next(); }
    QVariant value(int i) const { return m_query.value(i); }
    QSqlQuery &raw() { return m_query; }

private:
    Error failure(const QString &what) const;
    /// The statement with each `?` replaced by the driver's literal of the value in its place.
    QString withValues(const QVariantList &values) const;

    QString m_sql;
    QString m_dbName;
    QSqlQuery m_query;
    bool m_prepared = false;
    bool m_direct = false; ///< executed as text (values written in by withValues), not prepared
};

/// Runs `sql` with `values` and maps every row.
template <typename T, typename Map>
Result<std::vector<T>> selectAll(const Result<QSqlDatabase> &db, const QString &sql, const QVariantList &values,
                                 Map map)
{
    if (!db)
        return tl::unexpected(db.error());
    Query q(*db, sql);
    if (auto ok = q.execList(values); !ok)
        return tl::unexpected(ok.error());
    std::vector<T> out;
    while (q.next())
        out.push_back(map(q));
    return out;
}

/// The smallest string greater than every string starting with `prefix` (for a prefix range).
inline QString prefixEnd(const QString &prefix)
{
    QString end = prefix;
    end.back() = QChar(end.back().unicode() + 1);
    return end;
}

/// "?, ?, …" for an IN list of `n` values.
inline QString placeholders(qsizetype n)
{
    QString s;
    s.reserve(n * 3);
    for (qsizetype i = 0; i < n; ++i)
        s += i ? QStringLiteral(", ?") : QStringLiteral("?");
    return s;
}

/// Splits `values` into IN lists small enough for any database's parameter limit.
inline constexpr qsizetype kInListChunk = 500;

} // namespace trainyard::core::lineagesql
