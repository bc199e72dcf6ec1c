// PostgresLineageStore: a team's lineage store on a PostgreSQL server (QPSQL).
#include "postgreslineagestore.h"

#include "lineageschema.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QUrlQuery>

namespace trainyard::core {

namespace {

constexpr int kDefaultConnectTimeoutSeconds = 10;

} // namespace

bool PostgresLineageStore::isUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

QString PostgresLineageStore::displayUrl(const QUrl &url)
{
    QUrl shown = url;
    QUrlQuery query(shown);
    if (query.hasQueryItem(QStringLiteral("password"))) {
        query.removeAllQueryItems(QStringLiteral("password"));
        shown.setQuery(query);
    }
    return shown.toString(QUrl::RemovePassword);
}

Result<std::unique_ptr<LineageStore>> PostgresLineageStore::open(const QString &location, const Options &options)
{
    const QUrl url(location, QUrl::StrictMode);
    const QString shown = displayUrl(url);
    if (!url.isValid() || !isUrl(location))
        return tl::unexpected(Error::error(
            QStringLiteral("'%1' is not a PostgreSQL URL: write postgresql://USER@HOST:PORT/DATABASE").arg(shown)));
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return tl::unexpected(Error::error(
            QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed, so the team store %1 cannot be opened: "
                           "install the package libqt6sql6-psql")
                .arg(shown)));
    // libpq's keywords from the query, as Qt passes them: "key=value;key=value". A keyword is
    // letters and underscores; a value may not hold the separator.
    static const QRegularExpression keyword(QStringLiteral("^[a-z_]+$"));
    QStringList connectOptions;
    bool timeoutGiven = false;
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        if (!keyword.match(key).hasMatch() || value.contains(u';'))
            return tl::unexpected(Error::error(
                QStringLiteral("the team store URL %1 has an option PostgreSQL does not take: '%2'").arg(shown, key)));
        if (key == QLatin1String("password"))
            return tl::unexpected(Error::error(
                QStringLiteral("the team store URL %1 carries a password as an option: put it in PGPASSWORD or "
                               "~/.pgpass instead")
                    .arg(shown)));
        timeoutGiven = timeoutGiven || key == QLatin1String("connect_timeout");
        connectOptions << QStringLiteral("%1=%2").arg(key, value);
    }
    if (!timeoutGiven) // an unreachable server is an error after a while, never a hang
        connectOptions << QStringLiteral("connect_timeout=%1").arg(kDefaultConnectTimeoutSeconds);
    connectOptions << QStringLiteral("application_name=trainyard");

    std::unique_ptr<PostgresLineageStore> store(new PostgresLineageStore(url, connectOptions.join(u';'), options));
    if (auto db = store->database(); !db)
        return tl::unexpected(db.error());
    if (auto ok = store->migrateSchema(); !ok)
        return tl::unexpected(ok.error());
    if (store->m_schemaVersion > LineageSchema::latestVersion())
        store->m_readOnlyReason = QStringLiteral("the team store %1 was written by a newer Trainyard (schema version "
                                                 "%2; this one knows up to %3): opened read-only")
                                      .arg(shown)
                                      .arg(store->m_schemaVersion)
                                      .arg(LineageSchema::latestVersion());
    return std::unique_ptr<LineageStore>(std::move(store));
}

PostgresLineageStore::PostgresLineageStore(QUrl url, QString connectOptions, const Options &options)
    : SqlLineageStore(displayUrl(url), options)
    , m_url(std::move(url))
    , m_connectOptions(std::move(connectOptions))
{}

QString PostgresLineageStore::driverName() const
{
    return QStringLiteral("QPSQL");
}

void PostgresLineageStore::setConnectionParameters(QSqlDatabase &db) const
{
    if (!m_url.host().isEmpty())
        db.setHostName(m_url.host());
    if (m_url.port() > 0)
        db.setPort(m_url.port());
    const QString name = m_url.path().mid(1);
    if (!name.isEmpty())
        db.setDatabaseName(name);
    if (!m_url.userName().isEmpty())
        db.setUserName(m_url.userName());
    if (!m_url.password().isEmpty())
        db.setPassword(m_url.password());
    db.setConnectOptions(m_connectOptions);
}

Result<void> PostgresLineageStore::configureConnection(QSqlDatabase &db) const
{
    return LineageSchema::configure(db, isReadOnly(), m_options.busyTimeoutMs);
}

std::unique_ptr<HashCache> PostgresLineageStore::hashCache()
{
    return std::make_unique<MemoryHashCache>();
}

} // namespace trainyard::core
