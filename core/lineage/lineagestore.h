#pragma once

#include "common/error.h"
#include "dataversioner.h"
#include "lineagerecords.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

class QSqlDatabase;

namespace trainyard::core {

/// The lineage database of a project, `<project>/.trainyard/lineage.db`: SQLite through Qt SQL
/// (QSQLITE) in WAL mode with foreign keys on and a busy timeout, so several threads and processes
/// can record at once. The schema is migrated on open (LineageSchema, `PRAGMA user_version`);
/// `PRAGMA integrity_check` runs on open and a damaged file is opened read-only, saying why.
///
/// Thread-safe: each thread gets its own named connection (Qt SQL connections belong to the
/// thread that opened them), made on first use and closed when the thread or the store ends.
/// Every write method is one transaction; transaction() groups several into one. A write that
/// meets a lock waits (busy_timeout), then retries, so concurrent writers see no error.
/// Secret values must never be passed in: the store records what it is given.
class LineageStore final
{
public:
    struct Options
    {
        bool checkIntegrity = true;     ///< `PRAGMA integrity_check` on open
        bool recoverInterrupted = true; ///< mark runs of dead processes (this host) interrupted
        int busyTimeoutMs = 30000;
        int schemaVersion = -1; ///< migrate up to this version (tests); -1 = latest
    };

    /// `<projectDir>/.trainyard/lineage.db`.
    static QString defaultPath(const QString &projectDir);
    /// Opens (creating it and its folder if needed) and migrates the database at `path`. An Error
    /// when the file cannot be opened at all (not a database, no permission to create it); a
    /// store in read-only mode, with readOnlyReason(), when integrity_check fails or the file was
    /// written by a newer Trainyard. An empty file where the project has run before (a truncated
    /// database) is an Error that says how to rebuild it, never silently a new database.
    static Result<std::unique_ptr<LineageStore>> open(const QString &path, const Options &options);
    static Result<std::unique_ptr<LineageStore>> open(const QString &path) { return open(path, Options{}); }
    ~LineageStore();
    Q_DISABLE_COPY_MOVE(LineageStore)

    QString path() const { return m_path; }
    bool isReadOnly() const { return !m_readOnlyReason.isEmpty(); }
    /// Why the store is read-only, in words for the user; empty when it is writable.
    QString readOnlyReason() const { return m_readOnlyReason; }
    int schemaVersion() const { return m_schemaVersion; }
    /// Runs this open found still "running" with their process gone, now marked interrupted.
    QStringList interruptedRuns() const { return m_interrupted; }

    /// Runs `body` in one write transaction: the record* calls it makes join it; an Error from
    /// body (or a failed commit) rolls everything back. Retried on lock contention, so body must
    /// only write through this store (it may run more than once).
    Result<void> transaction(const std::function<Result<void>()> &body);

    // --- writes (upserts: recording the same thing again replaces it) ---
    Result<void> recordRun(const LineageRun &run);
    Result<void> recordCommit(const LineageCommit &commit);
    Result<void> recordJob(const LineageJob &job);
    /// The jobs `job` waits for in its run (its `needs`, or the earlier stages). Replaces.
    Result<void> recordJobEdges(const QString &runId, const QString &job, const QStringList &upstream);
    Result<void> recordImage(const LineageImage &image);
    Result<void> recordDataVersion(const LineageDataVersion &data);
    /// What `job` produced (replaces the job's earlier set).
    Result<void> recordArtifacts(const QString &runId, const QString &job,
                                 const std::vector<LineageArtifact> &artifacts);
    /// What `job` was staged (replaces the job's earlier set).
    Result<void> recordConsumption(const QString &runId, const QString &job,
                                   const std::vector<LineageConsumption> &consumed);
    /// Non-secret variables of a run (`job` empty) or of one job (replaces that set).
    Result<void> recordVariables(const QString &runId, const QString &job,
                                 const std::vector<LineageVariable> &variables);
    /// The gates of a job (replaces them). Gates whose metric already has a value are evaluated.
    Result<void> recordGates(const QString &runId, const QString &job, const std::vector<LineageGate> &gates);
    /// Final TensorBoard scalar values of a job (tag → value; adds to or replaces earlier values),
    /// then evaluates the job's gates against them (source "scalars").
    Result<void> recordScalars(const QString &runId, const QString &job, const QMap<QString, double> &finalValues);
    /// Metric values from elsewhere (e.g. a job's metrics.json): evaluates the job's gates only.
    Result<void> recordGateValues(const QString &runId, const QString &job, const QMap<QString, double> &values,
                                  const QString &source);
    /// Gates of the run still "pending" become "not measured" (at the end of a run).
    Result<void> closePendingGates(const QString &runId);
    Result<void> recordReproduction(const LineageReproduction &reproduction);
    /// Appends a sign-off; returns its id. Sign-offs are never changed or removed.
    Result<qint64> addSignOff(const LineageSignOff &signOff);
    /// Marks runs of this host still "running" whose process is gone as interrupted (their
    /// unfinished jobs cancelled); returns their ids. open() does this unless told not to.
    Result<QStringList> markInterruptedRuns();

    // --- reads ---
    /// Runs, newest first.
    Result<std::vector<LineageRun>> runs(const LineageRunFilter &filter = {}) const;
    Result<std::optional<LineageRun>> run(const QString &runId) const;
    Result<std::optional<LineageCommit>> commit(const QString &sha) const;
    Result<std::vector<LineageJob>> jobs(const QString &runId) const;
    Result<std::optional<LineageJob>> job(const QString &runId, const QString &name) const;
    Result<QStringList> jobEdges(const QString &runId, const QString &job) const;
    Result<std::vector<LineageImage>> images(const QString &runId) const;
    Result<std::vector<LineageDataVersion>> dataVersions(const QString &runId) const;
    Result<std::vector<LineageArtifact>> artifacts(const QString &runId, const QString &job = {}) const;
    /// The runs with these ids (read in batches), newest first.
    Result<std::vector<LineageRun>> runsById(const QStringList &ids) const;
    /// Every artifact of these runs (read in batches), by run, job and path.
    Result<std::vector<LineageArtifact>> artifactsOfRuns(const QStringList &runIds) const;
    /// Every recorded artifact with this content, newest run first.
    Result<std::vector<LineageArtifact>> artifactsBySha(const QString &sha256) const;
    /// Every recorded artifact at this path, newest run first.
    Result<std::vector<LineageArtifact>> artifactsByPath(const QString &path) const;
    Result<std::vector<LineageConsumption>> consumptions(const QString &runId, const QString &job = {}) const;
    Result<std::vector<LineageVariable>> variables(const QString &runId) const;
    Result<std::vector<LineageScalar>> scalars(const QString &runId) const;
    Result<std::vector<LineageGate>> gates(const QString &runId) const;
    Result<std::vector<LineageReproduction>> reproductions(const QString &runId) const;
    /// Sign-offs of an artifact, oldest first.
    Result<std::vector<LineageSignOff>> signOffs(const QString &artifactSha256) const;

    // --- graph queries (reverse lineage) ---
    /// Jobs of runs that mounted a data version (DataVersioner hash or DVC md5).
    Result<std::vector<LineageJobRef>> jobsUsingData(const QString &hash) const;
    /// Jobs that ran in an image, by image ID or (repo) digest.
    Result<std::vector<LineageJobRef>> jobsUsingImage(const QString &digest) const;
    /// Jobs of runs made from a commit (a full sha or a prefix of at least 4 hex digits).
    Result<std::vector<LineageJobRef>> jobsAtCommit(const QString &sha) const;
    /// Jobs that were staged an artifact with this content.
    Result<std::vector<LineageJobRef>> jobsConsuming(const QString &sha256) const;
    /// What a short hash (lower-case hex) may stand for: the full data hashes and DVC md5s, image
    /// IDs and digests (`sha256:…`) and artifact sha256s that start with it, as (kind, key) with
    /// kind "data", "image" or "artifact"; at most `limit` of them, each once.
    Result<std::vector<std::pair<QString, QString>>> keysWithPrefix(const QString &prefix, int limit = 8) const;
    /// `seeds` and every job that consumed an artifact of one of them, or reused one of them in
    /// a retry, transitively.
    Result<std::vector<LineageJobRef>> downstreamOf(const std::vector<LineageJobRef> &seeds) const;
    /// `job` and every job it waited for (its edges), or whose result it reused, transitively.
    Result<std::vector<LineageJobRef>> upstreamOf(const LineageJobRef &job) const;

    /// A HashCache in this database, for DataVersioner (valid while the store lives).
    std::unique_ptr<HashCache> hashCache();

private:
    LineageStore(QString path, Options options);
    Result<void> initialise();
    /// This thread's connection, opened on first use.
    Result<QSqlDatabase> database() const;
    /// Closes this thread's connection (to reopen it read-only).
    void closeConnection() const;
    Result<void> requireWritable() const;
    Result<void> evaluateGates(const QSqlDatabase &db, const QString &runId, const QString &job,
                               const QMap<QString, double> &values, const QString &source);
    Result<QHash<QString, CachedFileHash>> selectFileHashes(const QString &root) const;
    Result<void> storeFileHashes(const QHash<QString, CachedFileHash> &changed, const QStringList &removed);
    friend class LineageStoreHashCache;

    QString m_path;
    Options m_options;
    quint64 m_serial;
    bool m_openReadOnly = false;
    QString m_readOnlyReason;
    int m_schemaVersion = 0;
    QStringList m_interrupted;
    mutable std::mutex m_namesMutex;
    mutable QStringList m_connectionNames; ///< every connection made, in any thread
};

} // namespace trainyard::core
