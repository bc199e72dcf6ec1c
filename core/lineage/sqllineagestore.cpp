// SqlLineageStore: per-thread connections, transactions, settings and runs left running; the
// statement helpers (lineagesql.h). Its queries: sqllineagestore{writes,review,reads,graph,hashcache}.cpp.
#include "sqllineagestore.h"

#include "common/processidentity.h"

#include "lineageschema.h"
#include "lineagesql.h"

#include <QHash>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSysInfo>
#include <QThread>

#include <atomic>
#include <chrono>
#include <limits>
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
    // A statement without parameters runs as it is (PostgreSQL cannot PREPARE BEGIN or COMMIT).
    // On PostgreSQL every statement does: its values are written into the text by the driver's
    // own quoting, one round trip where QPSQL's PREPARE, EXECUTE and DEALLOCATE take three (and
    // a DEALLOCATE after a failed statement of a transaction fails again, with a warning).
    m_direct = !sql.contains(u'?') || LineageSchema::isPostgres(db);
    m_prepared = m_direct || m_query.prepare(sql);
}

QString Query::withValues(const QVariantList &values) const
{
    const QSqlDriver *driver = m_query.driver();
    QString text;
    text.reserve(m_sql.size() + 24 * values.size());
    qsizetype next = 0;
    for (const QChar c : m_sql) {
        if (c != u'?' || next >= values.size()) {
            text += c;
            continue;
        }
        const QVariant &v = values[next++];
        QSqlField field(QString(), v.metaType());
        if (v.metaType().id() == QMetaType::QString && v.toString().isNull())
            field.setValue(QStringLiteral("")); // our text columns mean "" by a null QString, as when bound
        else if (v.isNull())
            field.clear();
        else
            field.setValue(v);
        text += driver->formatValue(field);
    }
    return text;
}

Error Query::failure(const QString &what) const
{
    const QSqlError e = m_query.lastError();
    setLastFailureBusy(LineageSchema::isBusy(e.nativeErrorCode()));
    // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26): a damaged page met on the way (opening does
    // not read the whole file); say what checks and what mends it.
    const bool sqlite = !LineageSchema::isSqlState(e.nativeErrorCode());
    const int code = e.nativeErrorCode().toInt() & 0xff;
    const QString damage = sqlite && (code == 11 || code == 26)
                               ? QStringLiteral(". The database is damaged: `trainyard doctor --check-db` checks all "
                                                "of it, `trainyard doctor --rebuild-db` makes a new one from the run "
                                                "records")
                               : QString();
    // PostgreSQL's insufficient_privilege: the team's server decides who may do what.
    QString refused;
    if (e.nativeErrorCode() == QLatin1String("42501")) {
        refused = m_sql.startsWith(QLatin1String("INSERT INTO signoffs"))
                      ? QStringLiteral(". Only leads may sign off in the team store: the person who runs it makes "
                                       "you one with `trainyard store init URL --lead USER`")
                      : QStringLiteral(". The team store does not let your role do this: the person who runs it "
                                       "gives rights with `trainyard store init URL --engineer USER`");
    }
    return Error::error(QStringLiteral("lineage database %1: %2 failed: %3 (in: %4)%5%6")
                            .arg(m_dbName, what, e.text(), m_sql.simplified().left(100), damage, refused),
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
    if (m_direct) {
        if (!m_query.exec(values.isEmpty() ? m_sql : withValues(values)))
            return tl::unexpected(failure(QStringLiteral("a statement")));
        return {};
    }
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

SqlLineageStore::SqlLineageStore(QString path, Options options)
    : m_path(std::move(path))
    , m_options(options)
    , m_serial(++g_serial)
{}

SqlLineageStore::~SqlLineageStore()
{
    // Connections of this thread and of threads still alive; theirs would otherwise be closed
    // when they end (ThreadConnections), which is harmless after this.
    t_connections.byStore.remove(m_serial);
    std::lock_guard lock(m_namesMutex);
    for (const QString &name : std::as_const(m_connectionNames))
        QSqlDatabase::removeDatabase(name);
}

Result<QSqlDatabase> SqlLineageStore::database() const
{
    ThreadConnections::Entry &entry = t_connections.byStore[m_serial];
    if (entry.name.isEmpty()) {
        const QString name =
            QStringLiteral("trainyard-lineage-%1-%2").arg(m_serial).arg(quintptr(QThread::currentThreadId()), 0, 16);
        Result<void> opened;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(driverName(), name);
            setConnectionParameters(db);
            if (!db.open())
                opened = tl::unexpected(Error::error(
                    QStringLiteral("cannot open the lineage database %1: %2").arg(m_path, db.lastError().text()),
                    SourceLocation{m_path}));
            else
                opened = configureConnection(db);
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

void SqlLineageStore::closeConnection() const
{
    const QString name = t_connections.byStore.take(m_serial).name;
    if (name.isEmpty())
        return;
    QSqlDatabase::removeDatabase(name);
    std::lock_guard lock(m_namesMutex);
    m_connectionNames.removeAll(name);
}

Result<void> SqlLineageStore::requireWritable() const
{
    if (isReadOnly())
        return tl::unexpected(Error::error(m_readOnlyReason, SourceLocation{m_path}));
    return {};
}

Result<void> SqlLineageStore::transaction(const std::function<Result<void>()> &body)
{
    if (auto ok = requireWritable(); !ok)
        return ok;
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    // The entry is looked up again after body(): a body that opens another store's connection on
    // this thread inserts into the same hash, which may move the entries.
    const auto depth = [this]() -> int & { return t_connections.byStore[m_serial].depth; };
    if (depth() > 0) { // inside an outer transaction: join it
        ++depth();
        auto result = body();
        --depth();
        return result;
    }
    // busy_timeout already waits for the lock; this retries what still fails on contention
    // (a checkpoint, a lock upgrade), so a concurrent writer never shows the user an error.
    constexpr int kAttempts = 20;
    for (int attempt = 1;; ++attempt) {
        setLastFailureBusy(false);
        Query begin(*db, LineageSchema::beginWriteStatement(*db));
        Result<void> result = begin.exec();
        if (const QString lock = LineageSchema::writeLockStatement(*db); result && !lock.isEmpty()) {
            Query take(*db, lock);
            if (result = take.exec(); !result) {
                const bool busy = lastFailureWasBusy();
                Query rollback(*db, QStringLiteral("ROLLBACK"));
                (void)rollback.exec();
                setLastFailureBusy(busy);
            }
        }
        if (result) {
            depth() = 1;
            result = body();
            depth() = 0;
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

Result<QString> SqlLineageStore::setting(const QString &key) const
{
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    Query q(*db, QStringLiteral("SELECT value FROM store_settings WHERE key = ?"));
    if (auto ok = q.exec({key}); !ok)
        return tl::unexpected(ok.error());
    return q.next() ? q.value(0).toString() : QString();
}

Result<void> SqlLineageStore::setSetting(const QString &key, const QString &value)
{
    return transaction([&]() -> Result<void> {
        Query q(*database(), QStringLiteral("INSERT INTO store_settings (key, value) VALUES (?, ?) "
                                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
        return q.exec({key, value});
    });
}

Result<QStringList> SqlLineageStore::deadRuns() const
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

Result<QStringList> SqlLineageStore::markInterruptedRuns()
{
    auto dead = deadRuns();
    if (!dead)
        return dead;
    return markInterrupted(*dead);
}

Result<QStringList> SqlLineageStore::markInterrupted(const QStringList &dead)
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
            // A run pushed while it ran must not stay "running" in the team's store.
            if (auto r = queueForTeam(id); !r)
                return r;
        }
        return {};
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return dead;
}

Result<void> SqlLineageStore::runTransaction(const QString &runId, const std::function<Result<void>()> &body)
{
    return transaction([&]() -> Result<void> {
        if (auto ok = body(); !ok)
            return ok;
        return queueForTeam(runId);
    });
}

Result<void> SqlLineageStore::queueForTeam(const QString &runId)
{
    if (onServer() || m_schemaVersion < 9 || runId.isEmpty())
        return {};
    Query queue(*database(), QStringLiteral("INSERT INTO team_outbox (run_id, revision) VALUES (?, 1) "
                                            "ON CONFLICT (run_id) DO UPDATE SET revision = team_outbox.revision + 1"));
    return queue.exec({runId});
}

Result<std::vector<LineageOutboxEntry>> SqlLineageStore::outbox(int limit) const
{
    if (m_schemaVersion < 9)
        return std::vector<LineageOutboxEntry>{};
    return selectAll<LineageOutboxEntry>(
        database(),
        QStringLiteral("SELECT o.run_id, o.revision FROM team_outbox o LEFT JOIN runs r ON r.id = o.run_id "
                       "ORDER BY r.started_at, o.run_id LIMIT ?"),
        {limit < 0 ? std::numeric_limits<qint64>::max() : qint64(limit)}, [](const Query &q) {
            return LineageOutboxEntry{q.value(0).toString(), q.value(1).toLongLong()};
        });
}

Result<bool> SqlLineageStore::markPushed(const LineageOutboxEntry &entry)
{
    bool taken = false;
    auto ok = transaction([&]() -> Result<void> {
        Query q(*database(), QStringLiteral("DELETE FROM team_outbox WHERE run_id = ? AND revision = ?"));
        if (auto r = q.exec({entry.runId, entry.revision}); !r)
            return r;
        taken = q.raw().numRowsAffected() > 0;
        return {};
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return taken;
}

Result<void> SqlLineageStore::migrateSchema()
{
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    if (!m_openReadOnly) {
        auto migrated = LineageSchema::migrate(*db, m_options.schemaVersion);
        if (!migrated)
            return tl::unexpected(migrated.error());
    }
    auto version = LineageSchema::userVersion(*db);
    if (!version)
        return tl::unexpected(version.error());
    m_schemaVersion = *version;
    return {};
}

} // namespace trainyard::core
