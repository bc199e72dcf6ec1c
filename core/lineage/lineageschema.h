#pragma once

// The lineage database's schema, its migrations, and the few statements that must speak one
// database's dialect: SQLite (a project's file) or PostgreSQL (a team's server, QPSQL). The
// migrations are written once, in SQLite's words; a table definition is said in PostgreSQL's
// when the connection is to a server (64-bit integers, double precision, byte-order text).

#include "common/error.h"

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <vector>

namespace trainyard::core {

/// One step of the schema: applied once, in its own transaction, recorded in the schema version
/// (LineageSchema::userVersion).
struct LineageMigration
{
    int version = 0; ///< the user_version after this step
    QString summary;
    std::function<Result<void>(QSqlDatabase &db)> apply;
};

class LineageSchema final
{
public:
    /// Every migration, oldest first: version 1 is the first schema. Never edit a released step;
    /// add a new one.
    static const std::vector<LineageMigration> &migrations();
    static int latestVersion();

    /// `PRAGMA user_version` (SQLite); the `trainyard_schema` table (PostgreSQL).
    static Result<int> userVersion(QSqlDatabase &db);
    static Result<void> setUserVersion(QSqlDatabase &db, int version);
    /// Applies the migrations above the database's version up to `target` (default: all), each in
    /// one write transaction that re-reads the version first, so two processes opening an old
    /// database at once migrate it once. Returns the version reached.
    static Result<int> migrate(QSqlDatabase &db, int target = -1);

    /// Per-connection settings. SQLite: WAL, foreign keys, busy timeout, synchronous=NORMAL (a
    /// committed transaction survives a killed process; only a power loss may drop the last ones).
    /// PostgreSQL: the lock timeout (as busy timeout).
    static Result<void> configure(QSqlDatabase &db, bool readOnly, int busyTimeoutMs);
    /// `PRAGMA integrity_check`, or `quick_check` (no index contents: several times faster):
    /// "ok", or the first problems found.
    static Result<QString> integrityCheck(QSqlDatabase &db, bool quick = false);
    /// What the first 100 bytes of an SQLite file say against its size, without SQLite: empty
    /// when they agree; else the damage, e.g. that the file is shorter than its pages (truncated).
    static QString headerProblem(const QString &path);
    /// The statement that starts a write transaction: SQLite's `BEGIN IMMEDIATE` takes the write
    /// lock up front (waiting out busy_timeout), so a transaction never fails half-way on a lock.
    static QString beginWriteStatement(const QSqlDatabase &db);
    /// What a write transaction runs after beginWriteStatement: on PostgreSQL a transaction-level
    /// advisory lock, so writers take turns as they do on SQLite. Empty for SQLite.
    static QString writeLockStatement(const QSqlDatabase &db);
    /// The advisory lock's key (any constant of our own: "TRNY").
    static constexpr qint64 kWriteLockKey = 0x54524e59;
    static bool isPostgres(const QSqlDatabase &db);
    /// True when the last error of a statement was "database is locked/busy" or, on PostgreSQL, a
    /// serialization failure, deadlock or lock timeout (worth a retry).
    static bool isBusy(const QString &nativeErrorCode);
    /// True when `nativeErrorCode` is PostgreSQL's (an SQLSTATE), not SQLite's number.
    static bool isSqlState(const QString &nativeErrorCode);
};

} // namespace trainyard::core
