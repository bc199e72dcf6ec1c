// SqliteLineageStore: opening, schema migration, per-thread connections, transactions, settings and
// interrupted runs. Its other parts: sqlitelineagestore{writes,review,reads,graph,hashcache}.cpp.
#include "sqlitelineagestore.h"

#include "common/processidentity.h"
#include "pipeline/hostaccess.h"

#include "lineageschema.h"
#include "lineagesql.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSysInfo>
#include <QThread>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>
#include <unistd.h>

namespace trainyard::core {

using namespace lineagesql;

namespace {

std::atomic<quint64> g_serial{0};
thread_local bool t_lastBusy = false;

/// This thread's connections, one per store; closed when the thread ends.
struct ThreadConnections
{
    struct Entry
    {
        QString name;
        int depth = 0; ///< nesting of transaction() on this thread
    };
    QHash<quint64, Entry> byStore;

    ~ThreadConnections()
    {
        for (const Entry &e : std::as_const(byStore))
            QSqlDatabase::removeDatabase(e.name); // a no-op when the store removed it already
    }
};

thread_local ThreadConnections t_connections;

} // namespace

namespace lineagesql {

bool lastFailureWasBusy()
{
    return t_lastBusy;
}

void setLastFailureBusy(bool busy)
{
    t_lastBusy = busy;
}

Query::Query(const QSqlDatabase &db, const QString &sql)
    : m_sql(sql)
    , m_dbName(db.databaseName())
    , m_query(db)
{
    m_query.setForwardOnly(true);
    m_prepared = m_query.prepare(sql);
}

Error Query::failure(const QString &what) const
{
    const QSqlError e = m_query.lastError();
    setLastFailureBusy(LineageSchema::isBusy(e.nativeErrorCode()));
    // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26): a damaged page met on the way (opening does
    // not read the whole file); say what checks and what mends it.
    const int code = e.nativeErrorCode().toInt() & 0xff;
    const QString damage = code == 11 || code == 26
                               ? QStringLiteral(". The database is damaged: `trainyard doctor --check-db` checks all "
                                                "of it, `trainyard doctor --rebuild-db` makes a new one from the run "
                                                "records")
                               : QString();
    return Error::error(QStringLiteral("lineage database %1: %2 failed: %3 (in: %4)%5")
                            .arg(m_dbName, what, e.text(), m_sql.simplified().left(100), damage),
                        SourceLocation{m_dbName});
}

Result<void> Query::exec(std::initializer_list<QVariant> values)
{
    return execList(QVariantList(values));
}

Result<void> Query::execList(const QVariantList &values)
{
    if (!m_prepared)
        return tl::unexpected(failure(QStringLiteral("preparing a statement")));
    for (int i = 0; i < values.size(); ++i) {
        // Qt binds a null QString as NULL; our text columns mean "" by it (NULL is sqlNull()).
        const QVariant &v = values[i];
        if (v.metaType().id() == QMetaType::QString && v.toString().isNull())
            m_query.bindValue(i, QStringLiteral(""));
        else
            m_query.bindValue(i, v);
    }
    if (!m_query.exec())
        return tl::unexpected(failure(QStringLiteral("a statement")));
    return {};
}

} // namespace lineagesql

SqliteLineageStore::SqliteLineageStore(QString path, Options options)
    : m_path(std::move(path))
    , m_options(options)
    , m_serial(++g_serial)
{}

SqliteLineageStore::~SqliteLineageStore()
{
    // Connections of this thread and of threads still alive; theirs would otherwise be closed
    // when they end (ThreadConnections), which is harmless after this.
    t_connections.byStore.remove(m_serial);
    std::lock_guard lock(m_namesMutex);
    for (const QString &name : std::as_const(m_connectionNames))
        QSqlDatabase::removeDatabase(name);
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
    if (auto ok = migrateSchema(); !ok)
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

Result<void> SqliteLineageStore::migrateSchema()
{
    {
        auto db = database();
        if (!m_openReadOnly) {
            auto migrated = LineageSchema::migrate(*db, m_options.schemaVersion);
            if (!migrated)
                return tl::unexpected(migrated.error());
        }
        auto version = LineageSchema::userVersion(*db);
        if (!version && m_damaged) {
            // Found damaged already, and said so: reads fail with SQLite's own words.
            m_schemaVersion = LineageSchema::latestVersion();
            return {};
        }
        if (!version)
            return tl::unexpected(version.error());
        m_schemaVersion = *version;
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

Result<QSqlDatabase> SqliteLineageStore::database() const
{
    ThreadConnections::Entry &entry = t_connections.byStore[m_serial];
    if (entry.name.isEmpty()) {
        const QString name =
            QStringLiteral("trainyard-lineage-%1-%2").arg(m_serial).arg(quintptr(QThread::currentThreadId()), 0, 16);
        Result<void> opened;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(m_path);
            if (m_openReadOnly)
                db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
            if (!db.open())
                opened = tl::unexpected(Error::error(
                    QStringLiteral("cannot open the lineage database %1: %2").arg(m_path, db.lastError().text()),
                    SourceLocation{m_path}));
            else
                opened = LineageSchema::configure(db, m_openReadOnly, m_options.busyTimeoutMs);
        }
        if (!opened) {
            QSqlDatabase::removeDatabase(name);
            t_connections.byStore.remove(m_serial);
            return tl::unexpected(opened.error());
        }
        entry.name = name;
        std::lock_guard lock(m_namesMutex);
        if (!m_connectionNames.contains(name)) // a thread id comes back once its thread has ended
            m_connectionNames << name;
    }
    return QSqlDatabase::database(entry.name, false);
}

void SqliteLineageStore::closeConnection() const
{
    const QString name = t_connections.byStore.take(m_serial).name;
    if (name.isEmpty())
        return;
    QSqlDatabase::removeDatabase(name);
    std::lock_guard lock(m_namesMutex);
    m_connectionNames.removeAll(name);
}

Result<void> SqliteLineageStore::requireWritable() const
{
    if (isReadOnly())
        return tl::unexpected(Error::error(m_readOnlyReason, SourceLocation{m_path}));
    return {};
}

Result<void> SqliteLineageStore::transaction(const std::function<Result<void>()> &body)
{
    if (auto ok = requireWritable(); !ok)
        return ok;
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    ThreadConnections::Entry &entry = t_connections.byStore[m_serial];
    if (entry.depth > 0) { // inside an outer transaction: join it
        ++entry.depth;
        auto result = body();
        --entry.depth;
        return result;
    }
    // busy_timeout already waits for the lock; this retries what still fails on contention
    // (a checkpoint, a lock upgrade), so a concurrent writer never shows the user an error.
    constexpr int kAttempts = 20;
    for (int attempt = 1;; ++attempt) {
        setLastFailureBusy(false);
        Query begin(*db, LineageSchema::beginWriteStatement(*db));
        Result<void> result = begin.exec();
        if (result) {
            entry.depth = 1;
            result = body();
            entry.depth = 0;
            if (result) {
                Query commit(*db, QStringLiteral("COMMIT"));
                result = commit.exec();
                if (result)
                    return {};
            }
            const bool busy = lastFailureWasBusy();
            Query rollback(*db, QStringLiteral("ROLLBACK"));
            (void)rollback.exec();
            setLastFailureBusy(busy);
        }
        if (!lastFailureWasBusy() || attempt == kAttempts)
            return result;
        std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
    }
}

Result<QString> SqliteLineageStore::setting(const QString &key) const
{
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    Query q(*db, QStringLiteral("SELECT value FROM store_settings WHERE key = ?"));
    if (auto ok = q.exec({key}); !ok)
        return tl::unexpected(ok.error());
    return q.next() ? q.value(0).toString() : QString();
}

Result<void> SqliteLineageStore::setSetting(const QString &key, const QString &value)
{
    return transaction([&]() -> Result<void> {
        Query q(*database(), QStringLiteral("INSERT INTO store_settings (key, value) VALUES (?, ?) "
                                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
        return q.exec({key, value});
    });
}

Result<QStringList> SqliteLineageStore::deadRuns() const
{
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    const QString host = QSysInfo::machineHostName();
    QStringList dead;
    {
        // Before version 4 no start time was kept: the pid is all there is.
        Query q(*db,
                m_schemaVersion >= 4
                    ? QStringLiteral("SELECT id, pid, process_start FROM runs WHERE status = 'running' AND host = ?")
                    : QStringLiteral("SELECT id, pid, '' FROM runs WHERE status = 'running' AND host = ?"));
        if (auto ok = q.exec({host}); !ok)
            return tl::unexpected(ok.error());
        const QString self = ProcessIdentity::current();
        while (q.next()) {
            const qint64 pid = q.value(1).toLongLong();
            const QString start = q.value(2).toString();
            const bool thisProcess = pid == ::getpid() && (start.isEmpty() || start == self);
            if (!thisProcess && !ProcessIdentity::isAlive(pid, start))
                dead << q.value(0).toString();
        }
    }
    return dead;
}

Result<QStringList> SqliteLineageStore::markInterruptedRuns()
{
    auto dead = deadRuns();
    if (!dead)
        return dead;
    return markInterrupted(*dead);
}

Result<QStringList> SqliteLineageStore::markInterrupted(const QStringList &dead)
{
    if (dead.isEmpty())
        return dead;
    const QVariant now = fromTime(QDateTime::currentDateTimeUtc());
    auto ok = transaction([&]() -> Result<void> {
        auto d = database();
        // Only what is still running: another process may have marked it meanwhile.
        Query run(*d, QStringLiteral("UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) "
                                     "WHERE id = ? AND status = 'running'"));
        Query jobs(*d,
                   QStringLiteral(
                       "UPDATE jobs SET status = 'cancelled', reason = 'the run was interrupted', "
                       "finished_at = CASE WHEN started_at IS NULL THEN finished_at ELSE COALESCE(finished_at, ?) END "
                       "WHERE run_id = ? AND status IN ('pending', 'running', 'manual')"));
        for (const QString &id : std::as_const(dead)) {
            if (auto r = run.exec({now, id}); !r)
                return r;
            if (auto r = jobs.exec({now, id}); !r)
                return r;
        }
        return {};
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return dead;
}

} // namespace trainyard::core
