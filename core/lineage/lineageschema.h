#pragma once

// The lineage database's schema, its migrations, and the few statements that must speak one
// database's dialect. Everything SQLite-specific lives here; LineageStore's own SQL is portable
// (PostgreSQL understands it too), so a team can later point Qt SQL at a shared server.

#include "common/error.h"

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <vector>

namespace trainyard::core {

/// One step of the schema: applied once, in its own transaction, recorded in `PRAGMA user_version`.
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

    /// `PRAGMA user_version`.
    static Result<int> userVersion(QSqlDatabase &db);
    /// Applies the migrations above the database's version up to `target` (default: all), each in
    /// one write transaction that re-reads the version first, so two processes opening an old
    /// database at once migrate it once. Returns the version reached.
    static Result<int> migrate(QSqlDatabase &db, int target = -1);

    /// Per-connection settings: WAL, foreign keys, busy timeout, synchronous=NORMAL (a committed
    /// transaction survives a killed process; only a power loss may drop the last ones).
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
    /// True when the last error of a statement was "database is locked/busy" (worth a retry).
    static bool isBusy(const QString &nativeErrorCode);
};

} // namespace trainyard::core
