#pragma once

#include "sqllineagestore.h"

#include <QUrl>

namespace trainyard::core {

/// A team's lineage on a PostgreSQL server, through Qt SQL's QPSQL driver: the same schema,
/// migrations and queries as a project's SQLite file (SqlLineageStore), so every view and command
/// reads it the same way.
///
/// Opened from a URL, `postgresql://USER@HOST:PORT/DATABASE?sslmode=…` (libpq's keywords as query
/// items). The password comes from libpq's usual places (PGPASSWORD, ~/.pgpass, PGSERVICE); one in
/// the URL is used but never shown: path() and every message name the URL without it.
///
/// What is machine-local stays on the machine: the stat cache of data hashes is kept in memory,
/// and runs left "running" are marked interrupted by the project's own store, not here.
class PostgresLineageStore final : public SqlLineageStore
{
public:
    /// True for `postgresql://` and `postgres://` URLs.
    static bool isUrl(const QString &location);
    /// See LineageStore::open. An Error, saying what to do, when the driver is missing, the URL is
    /// not one, or the server cannot be reached (within the URL's connect_timeout, 10 s by default).
    static Result<std::unique_ptr<LineageStore>> open(const QString &url, const Options &options);
    /// `url` without its password, as it may be shown.
    static QString displayUrl(const QUrl &url);

    /// The roles a team store's rights are given to: members of the first record runs,
    /// artifacts and reproductions; members of the second may also sign off a release.
    static constexpr const char *kEngineerRole = "trainyard_engineer";
    static constexpr const char *kLeadRole = "trainyard_lead";
    /// `trainyard store init`, by the person who runs the server (a role that may create tables
    /// and roles): creates or migrates the schema at `url`, the two roles if missing, and gives
    /// them their rights as GRANTs, so the server itself refuses what a role may not do (a
    /// modified client included); then makes `engineers` and `leads` (existing login roles)
    /// members. Safe to run again, e.g. after an upgrade. Returns what it did, a line each.
    static Result<QStringList> initialise(const QString &url, const QStringList &engineers, const QStringList &leads);

    std::unique_ptr<HashCache> hashCache() override;

protected:
    QString driverName() const override;
    void setConnectionParameters(QSqlDatabase &db) const override;
    Result<void> configureConnection(QSqlDatabase &db) const override;

private:
    PostgresLineageStore(QUrl url, QString connectOptions, const Options &options);

    QUrl m_url;               ///< with the password, if the URL had one: never shown
    QString m_connectOptions; ///< libpq keywords from the URL's query, "key=value;…"
};

} // namespace trainyard::core
