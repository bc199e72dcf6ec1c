#pragma once

#include "common/error.h"
#include "dataversioner.h"
#include "lineagerecords.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace trainyard::core {

/// Where the lineage of runs is kept, and every query and write the app makes of it: the one
/// interface the recorder, the run service, the CLI and the window use, whatever the backend.
/// Two backends share one schema and one set of queries (SqlLineageStore): SQLite in the project
/// (SqliteLineageStore) and a team's PostgreSQL server (PostgresLineageStore).
///
/// Implementations are thread-safe. Every write method is one transaction; transaction() groups
/// several into one. Secret values must never be passed in: the store records what it is given.
class LineageStore
{
public:
    /// How much of the file opening it checks. Opening costs the same at 10 runs as at a million:
    /// the whole file is read only on demand (`trainyard doctor --check-db`) or after an unclean end.
    enum class IntegrityCheck {
        /// The file's header (a truncated file is found at once), and `PRAGMA quick_check` after an
        /// unclean end: a run of this host whose process died (the project's interrupted-run
        /// marker), or a hot rollback journal (a database not yet switched to WAL). A page damaged
        /// otherwise is found when it is read: the error says so and names `doctor --check-db`.
        WhenUnclean,
        Full, ///< `PRAGMA integrity_check`: every page and index (doctor --check-db)
        None, ///< nothing beyond what SQLite checks itself
    };
    struct Options
    {
        IntegrityCheck integrity = IntegrityCheck::WhenUnclean;
        bool recoverInterrupted = true; ///< mark runs of dead processes (this host) interrupted
        int busyTimeoutMs = 30000;
        int schemaVersion = -1; ///< migrate up to this version (tests); -1 = latest
    };

    /// `<projectDir>/.trainyard/lineage.db`.
    static QString defaultPath(const QString &projectDir);
    /// Opens (creating it and its folder if needed) and migrates the database at `path`. An Error
    /// when the file cannot be opened at all (not a database, no permission to create it); a
    /// store in read-only mode, with readOnlyReason(), when the integrity check (Options::integrity)
    /// finds damage or the file was written by a newer Trainyard. An empty file where the project has run before (a
    /// truncated database) is an Error that says how to rebuild it, never silently a new database.
    /// A `postgresql://` URL opens a team's server instead (PostgresLineageStore::open).
    static Result<std::unique_ptr<LineageStore>> open(const QString &path, const Options &options);
    static Result<std::unique_ptr<LineageStore>> open(const QString &path) { return open(path, Options{}); }
    virtual ~LineageStore() = default;

    /// Where the store is: a file path (SQLite), or a server and database.
    virtual QString path() const = 0;
    bool isReadOnly() const { return !readOnlyReason().isEmpty(); }
    /// Opened read-only because a check found the file damaged (readOnlyReason() says what).
    virtual bool isDamaged() const = 0;
    /// Why the store is read-only, in words for the user; empty when it is writable.
    virtual QString readOnlyReason() const = 0;
    virtual int schemaVersion() const = 0;
    /// Runs this open found still "running" with their process gone, now marked interrupted.
    virtual QStringList interruptedRuns() const = 0;

    /// Runs `body` in one write transaction: the record* calls it makes join it; an Error from
    /// body (or a failed commit) rolls everything back. Retried on lock contention, so body must
    /// only write through this store (it may run more than once).
    virtual Result<void> transaction(const std::function<Result<void>()> &body) = 0;

    // --- writes (upserts: recording the same thing again replaces it) ---
    virtual Result<void> recordRun(const LineageRun &run) = 0;
    virtual Result<void> recordCommit(const LineageCommit &commit) = 0;
    virtual Result<void> recordJob(const LineageJob &job) = 0;
    /// The jobs `job` waits for in its run (its `needs`, or the earlier stages). Replaces.
    virtual Result<void> recordJobEdges(const QString &runId, const QString &job, const QStringList &upstream) = 0;
    virtual Result<void> recordImage(const LineageImage &image) = 0;
    virtual Result<void> recordDataVersion(const LineageDataVersion &data) = 0;
    /// What `job` produced (replaces the job's earlier set).
    virtual Result<void> recordArtifacts(const QString &runId, const QString &job,
                                         const std::vector<LineageArtifact> &artifacts) = 0;
    /// What `job` was staged (replaces the job's earlier set).
    virtual Result<void> recordConsumption(const QString &runId, const QString &job,
                                           const std::vector<LineageConsumption> &consumed) = 0;
    /// Non-secret variables of a run (`job` empty) or of one job (replaces that set).
    virtual Result<void> recordVariables(const QString &runId, const QString &job,
                                         const std::vector<LineageVariable> &variables) = 0;
    /// The gates of a job (replaces them). Gates whose metric already has a value are evaluated.
    virtual Result<void> recordGates(const QString &runId, const QString &job,
                                     const std::vector<LineageGate> &gates) = 0;
    /// Final TensorBoard scalar values of a job (tag → value; adds to or replaces earlier values),
    /// then evaluates the job's gates against them (source "scalars").
    virtual Result<void> recordScalars(const QString &runId, const QString &job,
                                       const QMap<QString, double> &finalValues) = 0;
    /// The numbers a job reported in files (replaces the job's earlier set), then evaluates the
    /// job's gates against them (source: the metric's file).
    virtual Result<void> recordMetrics(const QString &runId, const QString &job,
                                       const std::vector<LineageMetric> &metrics) = 0;
    /// Metric values from elsewhere (e.g. a JSON artifact): evaluates the job's gates only.
    virtual Result<void> recordGateValues(const QString &runId, const QString &job, const QMap<QString, double> &values,
                                          const QString &source) = 0;
    /// Gates of the run still "pending" become "not measured" (at the end of a run).
    virtual Result<void> closePendingGates(const QString &runId) = 0;
    /// Gives run `runId` a name, notes and tags (replacing earlier ones). An Error names the run
    /// when it is not recorded, or the field when a name or tag is not one line (tags are trimmed,
    /// sorted, each kept once; a name is at most 200 characters, a tag 64).
    virtual Result<void> annotateRun(const QString &runId, const LineageRunAnnotation &annotation) = 0;
    virtual Result<void> recordReproduction(const LineageReproduction &reproduction) = 0;
    /// Appends a sign-off; returns its id. Sign-offs are never changed or removed.
    virtual Result<qint64> addSignOff(const LineageSignOff &signOff) = 0;
    /// Gives run `runId` the next pipeline number of its project (CI_PIPELINE_IID: 1, 2, 3…) in
    /// one transaction, so runs started at once never share one; the same run asked again keeps
    /// its number. A reproduction is numbered in the project it reproduces (`projectDir`), not in its worktree.
    virtual Result<qint64> allocatePipelineIid(const QString &runId, const QString &projectDir) = 0;
    /// A value the store keeps about itself (e.g. that a project's run records were imported);
    /// empty when unset.
    virtual Result<QString> setting(const QString &key) const = 0;
    virtual Result<void> setSetting(const QString &key, const QString &value) = 0;
    /// Marks runs of this host still "running" whose process is gone as interrupted (their
    /// unfinished jobs cancelled); returns their ids. open() does this unless told not to.
    virtual Result<QStringList> markInterruptedRuns() = 0;

    /// The bill of materials of an image (replaces an earlier one of the same image ID).
    virtual Result<void> recordImageSbom(const LineageImageSbom &sbom) = 0;
    /// A scan of an image: replaces its earlier scan and findings (a newer scan updates the verdict).
    virtual Result<void> recordImageScan(const LineageImageScan &scan) = 0;
    /// The same, unless a scan of the image made later is recorded (two machines pushing theirs
    /// take turns on the image's row); whether it was recorded.
    virtual Result<bool> recordImageScanIfNewer(const LineageImageScan &scan) = 0;

    // --- reads ---
    /// Runs, newest first.
    virtual Result<std::vector<LineageRun>> runs(const LineageRunFilter &filter = {}) const = 0;
    virtual Result<std::optional<LineageRun>> run(const QString &runId) const = 0;
    virtual Result<std::optional<LineageCommit>> commit(const QString &sha) const = 0;
    virtual Result<std::vector<LineageJob>> jobs(const QString &runId) const = 0;
    virtual Result<std::optional<LineageJob>> job(const QString &runId, const QString &name) const = 0;
    virtual Result<QStringList> jobEdges(const QString &runId, const QString &job) const = 0;
    virtual Result<std::vector<LineageImage>> images(const QString &runId) const = 0;
    virtual Result<std::vector<LineageDataVersion>> dataVersions(const QString &runId) const = 0;
    virtual Result<std::vector<LineageArtifact>> artifacts(const QString &runId, const QString &job = {}) const = 0;
    /// The runs with these ids (read in batches), newest first.
    virtual Result<std::vector<LineageRun>> runsById(const QStringList &ids) const = 0;
    /// Every artifact of these runs (read in batches), by run, job and path.
    virtual Result<std::vector<LineageArtifact>> artifactsOfRuns(const QStringList &runIds) const = 0;
    /// Every recorded artifact with this content, newest run first.
    virtual Result<std::vector<LineageArtifact>> artifactsBySha(const QString &sha256) const = 0;
    /// Every recorded artifact at this path, newest run first.
    virtual Result<std::vector<LineageArtifact>> artifactsByPath(const QString &path) const = 0;
    virtual Result<std::vector<LineageConsumption>> consumptions(const QString &runId,
                                                                 const QString &job = {}) const = 0;
    virtual Result<std::vector<LineageVariable>> variables(const QString &runId) const = 0;
    virtual Result<std::vector<LineageScalar>> scalars(const QString &runId) const = 0;
    virtual Result<std::vector<LineageGate>> gates(const QString &runId) const = 0;
    /// The numbers the run's jobs reported in files, by job and name.
    virtual Result<std::vector<LineageMetric>> metrics(const QString &runId) const = 0;
    virtual Result<std::vector<LineageReproduction>> reproductions(const QString &runId) const = 0;
    /// Sign-offs of an artifact, oldest first.
    virtual Result<std::vector<LineageSignOff>> signOffs(const QString &artifactSha256) const = 0;

    /// The bill of materials made for an image ID; nullopt when none was made.
    virtual Result<std::optional<LineageImageSbom>> imageSbom(const QString &imageId) const = 0;
    /// The latest scan of an image ID with its findings (worst first); nullopt when never scanned.
    virtual Result<std::optional<LineageImageScan>> imageScan(const QString &imageId) const = 0;

    // --- graph queries (reverse lineage) ---
    /// Jobs of runs that mounted a data version (DataVersioner hash or DVC md5).
    virtual Result<std::vector<LineageJobRef>> jobsUsingData(const QString &hash) const = 0;
    /// Jobs that ran in an image, by image ID or (repo) digest.
    virtual Result<std::vector<LineageJobRef>> jobsUsingImage(const QString &digest) const = 0;
    /// Jobs of runs made from a commit (a full sha or a prefix of at least 4 hex digits).
    virtual Result<std::vector<LineageJobRef>> jobsAtCommit(const QString &sha) const = 0;
    /// Jobs that were staged an artifact with this content.
    virtual Result<std::vector<LineageJobRef>> jobsConsuming(const QString &sha256) const = 0;
    /// What a short hash (lower-case hex) may stand for: the full data hashes and DVC md5s, image
    /// IDs and digests (`sha256:…`) and artifact sha256s that start with it, as (kind, key) with
    /// kind "data", "image" or "artifact"; at most `limit` of them, each once.
    virtual Result<std::vector<std::pair<QString, QString>>> keysWithPrefix(const QString &prefix,
                                                                            int limit = 8) const = 0;
    /// `seeds` and every job that consumed an artifact of one of them, or reused one of them in
    /// a retry, transitively.
    virtual Result<std::vector<LineageJobRef>> downstreamOf(const std::vector<LineageJobRef> &seeds) const = 0;
    /// `job` and every job it waited for (its edges), or whose result it reused, transitively.
    virtual Result<std::vector<LineageJobRef>> upstreamOf(const LineageJobRef &job) const = 0;

    /// A HashCache in this database, for DataVersioner (valid while the store lives).
    virtual std::unique_ptr<HashCache> hashCache() = 0;

    // --- the team store's outbox (a project's store) ---
    /// Runs whose records changed since they were last pushed to a team store, oldest first
    /// (at most `limit`; -1: all). Every write of a run's records queues it.
    virtual Result<std::vector<LineageOutboxEntry>> outbox(int limit = -1) const = 0;
    /// Takes `entry` off the outbox after a push; false (and kept) when the run changed again
    /// meanwhile (its revision moved on), so the next sync pushes it again.
    virtual Result<bool> markPushed(const LineageOutboxEntry &entry) = 0;

protected:
    LineageStore() = default;
    Q_DISABLE_COPY_MOVE(LineageStore)
};

} // namespace trainyard::core
