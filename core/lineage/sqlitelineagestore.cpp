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
    return Error::error(QStringLiteral("lineage database %1: %2 failed: %3 (in: %4)")
                            .arg(m_dbName, what, e.text(), m_sql.simplified().left(100)),
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
    if (info.absolutePath().endsWith(QLatin1String("/.trainyard"))) {
        if (auto state = HostAccess::checkStateFolder(QFileInfo(info.absolutePath()).absolutePath()); !state)
            return tl::unexpected(state.error());
    }
    const bool exists = info.exists();
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

    // Each step holds the connection only inside its block: it is closed and opened again
    // read-only when a step finds the file must not be written.
    const auto reopenReadOnly = [this](const QString &reason) -> Result<void> {
        closeConnection();
        m_openReadOnly = true;
        m_readOnlyReason = reason;
        auto db = database();
        if (!db)
            return tl::unexpected(db.error());
        return {};
    };

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

    if (m_options.checkIntegrity && exists) {
        QString problem;
        {
            auto db = database();
            auto check = LineageSchema::integrityCheck(*db);
            if (!check)
                problem =
                    check.error().message.section(QStringLiteral(": "), -1); // e.g. "database disk image is malformed"
            else if (*check != QLatin1String("ok"))
                problem = *check;
        }
        if (!problem.isEmpty()) {
            if (auto ok = reopenReadOnly(
                    QStringLiteral("lineage database %1 is damaged (integrity_check: %2): opened read-only, "
                                   "nothing new is recorded. Move the file away to start a new one; "
                                   "it still holds what was recorded before.")
                        .arg(m_path, problem));
                !ok)
                return ok;
        }
    }

    {
        auto db = database();
        if (!m_openReadOnly) {
            auto migrated = LineageSchema::migrate(*db, m_options.schemaVersion);
            if (!migrated)
                return tl::unexpected(migrated.error());
        }
        auto version = LineageSchema::userVersion(*db);
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
    if (!m_openReadOnly && m_options.recoverInterrupted) {
        auto marked = markInterruptedRuns();
        if (!marked)
            return tl::unexpected(marked.error());
        m_interrupted = *marked;
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

Result<void> SqliteLineageStore::recordCommit(const LineageCommit &c)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query q(
            *db,
            QStringLiteral(
                "INSERT INTO commits (sha, author_name, author_email, message, committed_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (sha) DO UPDATE SET author_name = excluded.author_name, "
                "author_email = excluded.author_email, message = excluded.message, "
                "committed_at = excluded.committed_at"));
        return q.exec({c.sha, c.authorName, c.authorEmail, c.message, fromTime(c.committed)});
    });
}

Result<void> SqliteLineageStore::recordRun(const LineageRun &r)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        if (!r.commitSha.isEmpty()) {
            Query commit(*db, QStringLiteral("INSERT INTO commits (sha) VALUES (?) ON CONFLICT DO NOTHING"));
            if (auto ok = commit.exec({r.commitSha}); !ok)
                return ok;
        }
        Query q(
            *db,
            QStringLiteral(
                "INSERT INTO runs (id, pipeline_iid, project_dir, pipeline_file, branch, commit_sha, dirty, diff_hash, "
                "user_name, host, pid, trigger_source, engine, status, started_at, finished_at, duration_ms, "
                "protected_branches, process_start, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET pipeline_iid = excluded.pipeline_iid, project_dir = "
                "excluded.project_dir, "
                "pipeline_file = excluded.pipeline_file, branch = excluded.branch, commit_sha = excluded.commit_sha, "
                "dirty = excluded.dirty, diff_hash = excluded.diff_hash, user_name = excluded.user_name, "
                "host = excluded.host, pid = excluded.pid, trigger_source = excluded.trigger_source, "
                "engine = excluded.engine, status = excluded.status, started_at = excluded.started_at, "
                "finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, "
                "protected_branches = excluded.protected_branches, process_start = excluded.process_start, "
                "reason = excluded.reason"));
        return q.exec({r.id,
                       r.pipelineIid,
                       r.projectDir,
                       r.pipelineFile,
                       r.branch,
                       nullIfEmpty(r.commitSha),
                       fromBool(r.dirty),
                       r.diffHash,
                       r.user,
                       r.host,
                       r.pid,
                       r.trigger,
                       r.engine,
                       r.status,
                       fromTime(r.started),
                       fromTime(r.finished),
                       r.durationMs,
                       fromList(r.protectedBranches),
                       r.processStart,
                       r.reason});
    });
}

Result<void> SqliteLineageStore::recordJob(const LineageJob &j)
{
    return transaction([&]() -> Result<void> {
        Query q(
            *database(),
            QStringLiteral(
                "INSERT INTO jobs (run_id, name, stage, status, exit_code, attempts, started_at, finished_at, engine, "
                "isolation, image, image_id, gpus, cpu_fallback, timed_out, oom_killed, allow_failure, reason, "
                "log_file, tensorboard_dir, reused_from, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, "
                "?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, name) DO UPDATE SET stage = excluded.stage, status = excluded.status, "
                "exit_code = excluded.exit_code, attempts = excluded.attempts, started_at = excluded.started_at, "
                "finished_at = excluded.finished_at, engine = excluded.engine, isolation = excluded.isolation, "
                "image = excluded.image, image_id = excluded.image_id, gpus = excluded.gpus, "
                "cpu_fallback = excluded.cpu_fallback, timed_out = excluded.timed_out, "
                "oom_killed = excluded.oom_killed, allow_failure = excluded.allow_failure, reason = excluded.reason, "
                "log_file = excluded.log_file, tensorboard_dir = excluded.tensorboard_dir, "
                "reused_from = excluded.reused_from, warnings = excluded.warnings"));
        return q.exec({j.runId,
                       j.name,
                       j.stage,
                       j.status,
                       j.exitCode,
                       j.attempts,
                       fromTime(j.started),
                       fromTime(j.finished),
                       j.engine,
                       j.isolation,
                       j.image,
                       j.imageId,
                       j.gpus.join(u','),
                       fromBool(j.cpuFallback),
                       fromBool(j.timedOut),
                       fromBool(j.oomKilled),
                       fromBool(j.allowFailure),
                       j.reason,
                       j.logFile,
                       j.tensorboardDir,
                       j.reusedFrom,
                       j.warnings.join(u'\n')});
    });
}

Result<void> SqliteLineageStore::recordJobEdges(const QString &runId, const QString &job, const QStringList &upstream)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM job_edges WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral(
                           "INSERT INTO job_edges (run_id, job, upstream) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
        for (const QString &u : upstream) {
            if (auto ok = ins.exec({runId, job, u}); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqliteLineageStore::recordImage(const LineageImage &image)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query q(*db, QStringLiteral(
                         "INSERT INTO images (run_id, reference, image_id, build_context_hash) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (run_id, reference) DO UPDATE SET image_id = excluded.image_id, "
                         "build_context_hash = excluded.build_context_hash"));
        if (auto ok = q.exec({image.runId, image.reference, image.imageId, image.buildContextHash}); !ok)
            return ok;
        Query del(*db, QStringLiteral("DELETE FROM image_digests WHERE run_id = ? AND reference = ?"));
        if (auto ok = del.exec({image.runId, image.reference}); !ok)
            return ok;
        Query ins(*db, QStringLiteral(
                           "INSERT INTO image_digests (run_id, reference, repo_digest, digest) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT DO NOTHING"));
        for (const QString &repoDigest : image.repoDigests) {
            if (auto ok = ins.exec({image.runId, image.reference, repoDigest, repoDigest.section(u'@', -1)}); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqliteLineageStore::recordDataVersion(const LineageDataVersion &d)
{
    return transaction([&]() -> Result<void> {
        Query q(
            *database(),
            QStringLiteral(
                "INSERT INTO data_versions (run_id, name, path, hash, file_count, total_bytes, dvc_md5, dvc_source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET path = excluded.path, "
                "hash = excluded.hash, file_count = excluded.file_count, total_bytes = excluded.total_bytes, "
                "dvc_md5 = excluded.dvc_md5, dvc_source = excluded.dvc_source"));
        return q.exec({d.runId, d.name, d.path, d.hash, d.fileCount, d.totalBytes, d.dvcMd5, d.dvcSource});
    });
}

Result<void> SqliteLineageStore::recordArtifacts(const QString &runId, const QString &job,
                                                 const std::vector<LineageArtifact> &artifacts)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM artifacts WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral("INSERT INTO artifacts (run_id, job, path, sha256, size, executable, expires_at) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?)"));
        for (const LineageArtifact &a : artifacts) {
            if (auto ok = ins.exec({runId, job, a.path, a.sha256, a.size, fromBool(a.executable), fromTime(a.expires)});
                !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqliteLineageStore::recordConsumption(const QString &runId, const QString &job,
                                                   const std::vector<LineageConsumption> &consumed)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM consumptions WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral(
                           "INSERT INTO consumptions (run_id, job, producer_job, path, sha256) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT DO NOTHING"));
        for (const LineageConsumption &c : consumed) {
            if (auto ok = ins.exec({runId, job, c.producerJob, c.path, c.sha256}); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqliteLineageStore::recordVariables(const QString &runId, const QString &job,
                                                 const std::vector<LineageVariable> &variables)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM variables WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral("INSERT INTO variables (run_id, job, name, value) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT (run_id, job, name) DO UPDATE SET value = excluded.value"));
        for (const LineageVariable &v : variables) {
            if (auto ok = ins.exec({runId, job, v.name, v.value}); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqliteLineageStore::recordGates(const QString &runId, const QString &job,
                                             const std::vector<LineageGate> &gates)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM gates WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral("INSERT INTO gates (run_id, job, metric, op, threshold, value, outcome, source) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
        for (const LineageGate &g : gates) {
            const QVariant value = g.value ? QVariant(*g.value) : sqlNull();
            const QString outcome = g.outcome.isEmpty() ? QStringLiteral("pending") : g.outcome;
            if (auto ok = ins.exec({runId, job, g.metric, g.op, g.threshold, value, outcome, g.source}); !ok)
                return ok;
        }
        // Scalars recorded before the gates still count.
        Query scalars(*db, QStringLiteral("SELECT tag, value FROM scalars WHERE run_id = ? AND job = ?"));
        if (auto ok = scalars.exec({runId, job}); !ok)
            return ok;
        QMap<QString, double> values;
        while (scalars.next())
            values.insert(scalars.value(0).toString(), scalars.value(1).toDouble());
        return values.isEmpty() ? Result<void>{} : evaluateGates(*db, runId, job, values, QStringLiteral("scalars"));
    });
}

Result<void> SqliteLineageStore::recordScalars(const QString &runId, const QString &job,
                                               const QMap<QString, double> &finalValues)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query ins(*db, QStringLiteral("INSERT INTO scalars (run_id, job, tag, value) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT (run_id, job, tag) DO UPDATE SET value = excluded.value"));
        for (auto it = finalValues.cbegin(); it != finalValues.cend(); ++it) {
            if (auto ok = ins.exec({runId, job, it.key(), it.value()}); !ok)
                return ok;
        }
        return evaluateGates(*db, runId, job, finalValues, QStringLiteral("scalars"));
    });
}

Result<void> SqliteLineageStore::recordGateValues(const QString &runId, const QString &job,
                                                  const QMap<QString, double> &values, const QString &source)
{
    return transaction([&]() -> Result<void> { return evaluateGates(*database(), runId, job, values, source); });
}

Result<void> SqliteLineageStore::evaluateGates(const QSqlDatabase &db, const QString &runId, const QString &job,
                                               const QMap<QString, double> &values, const QString &source)
{
    Query gates(db, QStringLiteral("SELECT metric, op, threshold FROM gates WHERE run_id = ? AND job = ?"));
    if (auto ok = gates.exec({runId, job}); !ok)
        return ok;
    struct Pending
    {
        QString metric, op;
        double value;
        bool passed;
    };
    std::vector<Pending> updates;
    while (gates.next()) {
        const QString metric = gates.value(0).toString();
        const QString op = gates.value(1).toString();
        const double threshold = gates.value(2).toDouble();
        // The tag itself, else a tag whose last segment is the metric ("eval/accuracy").
        std::optional<double> value;
        if (values.contains(metric)) {
            value = values.value(metric);
        } else {
            for (auto it = values.cbegin(); it != values.cend(); ++it) {
                if (it.key().section(u'/', -1) == metric) {
                    value = it.value();
                    break;
                }
            }
        }
        if (!value)
            continue;
        const double v = *value;
        const bool passed = op == QLatin1String(">=")   ? v >= threshold
                            : op == QLatin1String(">")  ? v > threshold
                            : op == QLatin1String("<=") ? v <= threshold
                            : op == QLatin1String("<")  ? v < threshold
                                                        : v == threshold;
        updates.push_back({metric, op, v, passed});
    }
    Query update(db, QStringLiteral("UPDATE gates SET value = ?, outcome = ?, source = ? "
                                    "WHERE run_id = ? AND job = ? AND metric = ? AND op = ?"));
    for (const Pending &p : updates) {
        const QString outcome = p.passed ? QStringLiteral("passed") : QStringLiteral("failed");
        if (auto ok = update.exec({p.value, outcome, source, runId, job, p.metric, p.op}); !ok)
            return ok;
    }
    return {};
}

Result<void> SqliteLineageStore::closePendingGates(const QString &runId)
{
    return transaction([&]() -> Result<void> {
        Query q(*database(),
                QStringLiteral("UPDATE gates SET outcome = 'not measured' WHERE run_id = ? AND outcome = 'pending'"));
        return q.exec({runId});
    });
}

Result<void> SqliteLineageStore::recordReproduction(const LineageReproduction &r)
{
    return transaction([&]() -> Result<void> {
        Query q(
            *database(),
            QStringLiteral(
                "INSERT INTO reproductions (original_run_id, reproduction_run_id, identical, differences, compared_at, "
                "errored) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (original_run_id, reproduction_run_id) DO UPDATE SET "
                "identical = excluded.identical, differences = excluded.differences, "
                "compared_at = excluded.compared_at, errored = excluded.errored"));
        return q.exec({r.originalRunId, r.reproductionRunId, fromBool(r.identical), r.differences,
                       fromTime(r.compared.isValid() ? r.compared : QDateTime::currentDateTimeUtc()),
                       fromBool(r.errored)});
    });
}

Result<qint64> SqliteLineageStore::addSignOff(const LineageSignOff &s)
{
    if (s.decision != QLatin1String("approve") && s.decision != QLatin1String("reject"))
        return tl::unexpected(
            Error::error(QStringLiteral("a sign-off decision is 'approve' or 'reject', not '%1'").arg(s.decision)));
    if (s.reviewer.trimmed().isEmpty())
        return tl::unexpected(Error::error(QStringLiteral("a sign-off needs the reviewer's name")));
    qint64 id = 0;
    auto ok = transaction([&]() -> Result<void> {
        Query q(*database(),
                QStringLiteral("INSERT INTO signoffs (artifact_sha256, run_id, reviewer, decision, comment, signed_at, "
                               "fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"));
        if (auto done =
                q.exec({s.artifactSha256, s.runId, s.reviewer.trimmed(), s.decision, s.comment,
                        fromTime(s.signedAt.isValid() ? s.signedAt : QDateTime::currentDateTimeUtc()), s.fingerprint});
            !done)
            return done;
        if (q.next())
            id = q.value(0).toLongLong();
        return {};
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return id;
}

Result<qint64> SqliteLineageStore::allocatePipelineIid(const QString &runId, const QString &projectDir)
{
    qint64 iid = 0;
    auto ok = transaction([&]() -> Result<void> {
        auto db = database();
        // One statement, under the write lock: two processes never get the same number.
        // Past every number handed out and every run recorded with one (imported, or recorded
        // before numbers were handed out here).
        Query take(*db, QStringLiteral("INSERT INTO pipeline_numbers (run_id, project_dir, iid) "
                                       "SELECT ?, ?, COALESCE(MAX(n), 0) + 1 FROM ("
                                       " SELECT iid AS n FROM pipeline_numbers WHERE project_dir = ?"
                                       " UNION ALL SELECT pipeline_iid FROM runs WHERE project_dir = ?"
                                       " AND trigger_source <> 'reproduce') AS taken WHERE true "
                                       "ON CONFLICT (run_id) DO NOTHING"));
        if (auto r = take.exec({runId, projectDir, projectDir, projectDir}); !r)
            return r;
        Query read(*db, QStringLiteral("SELECT iid FROM pipeline_numbers WHERE run_id = ?"));
        if (auto r = read.exec({runId}); !r)
            return r;
        if (!read.next())
            return tl::unexpected(
                Error::error(QStringLiteral("no pipeline number for run %1").arg(runId), SourceLocation{m_path}));
        iid = read.value(0).toLongLong();
        Query run(*db, QStringLiteral("UPDATE runs SET pipeline_iid = ? WHERE id = ?"));
        return run.exec({iid, runId});
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return iid;
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

Result<QStringList> SqliteLineageStore::markInterruptedRuns()
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
