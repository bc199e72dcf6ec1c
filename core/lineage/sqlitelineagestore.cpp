// SqliteLineageStore: opening a project's file, its checks (header, quick_check after an unclean
// end), read-only fallbacks and its connections' pragmas. What it shares with the team's store is
// SqlLineageStore (sqllineagestore*.cpp).
#include "sqlitelineagestore.h"

#include "pipeline/hostaccess.h"

#include "lineageschema.h"
#include "lineagesql.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>

namespace trainyard::core {

using namespace lineagesql;

SqliteLineageStore::SqliteLineageStore(QString path, Options options)
    : SqlLineageStore(std::move(path), options)
{}

QString SqliteLineageStore::driverName() const
{
    return QStringLiteral("QSQLITE");
}

void SqliteLineageStore::setConnectionParameters(QSqlDatabase &db) const
{
    db.setDatabaseName(m_path);
    if (m_openReadOnly)
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
}

Result<void> SqliteLineageStore::configureConnection(QSqlDatabase &db) const
{
    return LineageSchema::configure(db, m_openReadOnly, m_options.busyTimeoutMs);
}

Result<std::unique_ptr<LineageStore>> SqliteLineageStore::open(const QString &path, const Options &options)
{
    std::unique_ptr<SqliteLineageStore> store(new SqliteLineageStore(QFileInfo(path).absoluteFilePath(), options));
    if (auto ok = store->initialise(); !ok)
        return tl::unexpected(ok.error());
    return std::unique_ptr<LineageStore>(std::move(store));
}

Result<void> SqliteLineageStore::initialise()
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return tl::unexpected(
            Error::error(QStringLiteral("Qt's SQLite driver (QSQLITE) is not installed: lineage cannot be recorded")));
    const QFileInfo info(m_path);
    if (auto ok = checkStateFolder(info); !ok)
        return ok;
    const bool exists = info.exists();
    if (auto ok = prepareFile(info, exists); !ok)
        return ok;

    // Each step holds the connection only inside its block: it is closed and opened again
    // read-only (reopenReadOnly) when a step finds the file must not be written.
    // The cost of opening does not grow with the file: the whole of it is read only on demand
    // (IntegrityCheck::Full) or after an unclean end (a hot journal, a run whose process died).
    using Check = LineageStore::IntegrityCheck;
    const bool hotJournal = exists && QFileInfo(m_path + QStringLiteral("-journal")).size() > 0;
    // A header that counts more pages than the file holds: a copy cut short. Confirmed by
    // quick_check before it is called damage (another process checkpointing may have written the
    // new page 1 before the pages that follow it).
    QString header;
    if (exists && m_options.integrity != Check::None && !hotJournal)
        header = LineageSchema::headerProblem(m_path);
    if (auto ok = openConnection(exists); !ok)
        return ok;
    if (exists && (m_options.integrity == Check::Full ||
                   (m_options.integrity == Check::WhenUnclean && (hotJournal || !header.isEmpty())))) {
        if (auto ok = checkIntegrity(m_options.integrity != Check::Full, header); !ok)
            return ok;
    }
    if (auto ok = migrateFile(); !ok)
        return ok;
    if (!m_openReadOnly && m_options.recoverInterrupted) {
        // A process died in the middle of a run (or looking for one met a damaged page): what it
        // was writing is worth a look before anything is written.
        auto dead = deadRuns();
        if ((!dead || !dead->isEmpty()) && !hotJournal && m_options.integrity == Check::WhenUnclean) {
            if (auto ok = checkIntegrity(true); !ok)
                return ok;
            if (m_damaged)
                return {}; // read-only, saying why
        }
        if (!dead)
            return tl::unexpected(dead.error());
        auto marked = markInterrupted(*dead);
        if (!marked)
            return tl::unexpected(marked.error());
        m_interrupted = *marked;
    }
    return {};
}

Result<void> SqliteLineageStore::checkStateFolder(const QFileInfo &info) const
{
    if (info.absolutePath().endsWith(QLatin1String("/.trainyard"))) {
        if (auto state = HostAccess::checkStateFolder(QFileInfo(info.absolutePath()).absolutePath()); !state)
            return tl::unexpected(state.error());
    }
    return {};
}

Result<void> SqliteLineageStore::prepareFile(const QFileInfo &info, bool exists) const
{
    if (exists && info.size() == 0 && QFileInfo(m_path + QStringLiteral("-wal")).size() == 0) {
        // SQLite would make an empty file a new database: history would vanish without a word.
        const QDir state(info.absolutePath());
        const bool ranBefore = !QDir(state.filePath(QStringLiteral("runs")))
                                    .entryList({QStringLiteral("*.json")}, QDir::Files)
                                    .isEmpty() ||
                               QFileInfo::exists(state.filePath(QStringLiteral("logs"))) ||
                               QFileInfo::exists(state.filePath(QStringLiteral("artifacts")));
        if (ranBefore)
            return tl::unexpected(Error::error(
                QStringLiteral("the lineage database is empty (0 bytes), though this project has run before: it was "
                               "truncated, and what it recorded is gone from it. Nothing was changed. Rebuild it from "
                               "the run records that remain with `trainyard doctor --rebuild-db -C %1`, or move it "
                               "away to start an empty one")
                    .arg(QDir::toNativeSeparators(QFileInfo(state.absolutePath()).absolutePath())),
                SourceLocation{m_path}));
    }
    if (!exists && !QDir().mkpath(info.absolutePath()))
        return tl::unexpected(Error::error(
            QStringLiteral("cannot create the folder of the lineage database %1").arg(m_path), SourceLocation{m_path}));
    return {};
}

Result<void> SqliteLineageStore::reopenReadOnly(const QString &reason)
{
    closeConnection();
    m_openReadOnly = true;
    m_readOnlyReason = reason;
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    return {};
}

Result<void> SqliteLineageStore::openConnection(bool exists)
{
    QString openFailure;
    {
        auto db = database();
        if (!db) {
            if (!exists)
                return tl::unexpected(db.error());
            openFailure = db.error().message;
        }
    }
    if (!openFailure.isEmpty()) {
        // An existing database we may not write (permissions, read-only file system): read it.
        if (auto ok = reopenReadOnly(
                QStringLiteral("lineage database %1 cannot be opened for writing (%2): opened read-only, "
                               "nothing new is recorded")
                    .arg(m_path, openFailure));
            !ok)
            return ok;
    }
    return {};
}

Result<void> SqliteLineageStore::checkIntegrity(bool quick, const QString &header)
{
    QString problem;
    {
        auto db = database();
        auto check = LineageSchema::integrityCheck(*db, quick);
        if (!check)
            problem =
                check.error().message.section(QStringLiteral(": "), -1); // e.g. "database disk image is malformed"
        else if (*check != QLatin1String("ok"))
            problem = *check;
    }
    if (!problem.isEmpty()) {
        const QString check = quick ? QStringLiteral("quick_check") : QStringLiteral("integrity_check");
        return header.isEmpty()
                   ? damaged(check, problem)
                   : damaged(QStringLiteral("header"), QStringLiteral("%1; %2: %3").arg(header, check, problem));
    }
    return {};
}

Result<void> SqliteLineageStore::damaged(const QString &check, const QString &problem)
{
    m_damaged = true;
    return reopenReadOnly(QStringLiteral("lineage database %1 is damaged (%2: %3): opened read-only, nothing new is "
                                         "recorded. Move the file away to start a new one; it still holds what was "
                                         "recorded before (`trainyard doctor --rebuild-db` makes a new one from the "
                                         "run records).")
                              .arg(m_path, check, problem));
}

Result<void> SqliteLineageStore::migrateFile()
{
    if (auto ok = migrateSchema(); !ok) {
        if (!m_damaged)
            return ok;
        // Found damaged already, and said so: reads fail with SQLite's own words.
        m_schemaVersion = LineageSchema::latestVersion();
        return {};
    }
    if (m_schemaVersion > LineageSchema::latestVersion() && !m_openReadOnly) {
        if (auto ok = reopenReadOnly(
                QStringLiteral("lineage database %1 was written by a newer Trainyard (schema version %2; this "
                               "one knows up to %3): opened read-only")
                    .arg(m_path)
                    .arg(m_schemaVersion)
                    .arg(LineageSchema::latestVersion()));
            !ok)
            return ok;
    }
    return {};
}

} // namespace trainyard::core
