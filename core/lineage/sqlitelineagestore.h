#pragma once

#include "lineagestore.h"

#include <QHash>

#include <mutex>

class QFileInfo;
class QSqlDatabase;

namespace trainyard::core {

/// The lineage database of a project, `<project>/.trainyard/lineage.db`: SQLite through Qt SQL
/// (QSQLITE) in WAL mode with foreign keys on and a busy timeout, so several threads and processes
/// can record at once. The schema is migrated on open (LineageSchema, `PRAGMA user_version`);
/// opening checks the file's header, and runs `quick_check` after an unclean end (see
/// LineageStore::IntegrityCheck); a damaged file is opened read-only, saying why.
///
/// Each thread gets its own named connection (Qt SQL connections belong to the thread that
/// opened them), made on first use and closed when the thread or the store ends. A write that
/// meets a lock waits (busy_timeout), then retries, so concurrent writers see no error.
class SqliteLineageStore final : public LineageStore
{
public:
    /// See LineageStore::open.
    static Result<std::unique_ptr<LineageStore>> open(const QString &path, const Options &options);
    ~SqliteLineageStore() override;

    QString path() const override { return m_path; }
    QString readOnlyReason() const override { return m_readOnlyReason; }
    bool isDamaged() const override { return m_damaged; }
    int schemaVersion() const override { return m_schemaVersion; }
    QStringList interruptedRuns() const override { return m_interrupted; }
    Result<void> transaction(const std::function<Result<void>()> &body) override;

    Result<void> recordRun(const LineageRun &run) override;
    Result<void> recordCommit(const LineageCommit &commit) override;
    Result<void> recordJob(const LineageJob &job) override;
    Result<void> recordJobEdges(const QString &runId, const QString &job, const QStringList &upstream) override;
    Result<void> recordImage(const LineageImage &image) override;
    Result<void> recordDataVersion(const LineageDataVersion &data) override;
    Result<void> recordArtifacts(const QString &runId, const QString &job,
                                 const std::vector<LineageArtifact> &artifacts) override;
    Result<void> recordConsumption(const QString &runId, const QString &job,
                                   const std::vector<LineageConsumption> &consumed) override;
    Result<void> recordVariables(const QString &runId, const QString &job,
                                 const std::vector<LineageVariable> &variables) override;
    Result<void> recordGates(const QString &runId, const QString &job, const std::vector<LineageGate> &gates) override;
    Result<void> recordMetrics(const QString &runId, const QString &job,
                               const std::vector<LineageMetric> &metrics) override;
    Result<void> recordScalars(const QString &runId, const QString &job,
                               const QMap<QString, double> &finalValues) override;
    Result<void> recordGateValues(const QString &runId, const QString &job, const QMap<QString, double> &values,
                                  const QString &source) override;
    Result<void> closePendingGates(const QString &runId) override;
    Result<void> annotateRun(const QString &runId, const LineageRunAnnotation &annotation) override;
    Result<void> recordReproduction(const LineageReproduction &reproduction) override;
    Result<qint64> addSignOff(const LineageSignOff &signOff) override;
    Result<qint64> allocatePipelineIid(const QString &runId, const QString &projectDir) override;
    Result<QString> setting(const QString &key) const override;
    Result<void> setSetting(const QString &key, const QString &value) override;
    Result<QStringList> markInterruptedRuns() override;
    Result<std::vector<LineageRun>> runs(const LineageRunFilter &filter = {}) const override;
    Result<std::optional<LineageRun>> run(const QString &runId) const override;
    Result<std::optional<LineageCommit>> commit(const QString &sha) const override;
    Result<std::vector<LineageJob>> jobs(const QString &runId) const override;
    Result<std::optional<LineageJob>> job(const QString &runId, const QString &name) const override;
    Result<QStringList> jobEdges(const QString &runId, const QString &job) const override;
    Result<std::vector<LineageImage>> images(const QString &runId) const override;
    Result<std::vector<LineageDataVersion>> dataVersions(const QString &runId) const override;
    Result<std::vector<LineageArtifact>> artifacts(const QString &runId, const QString &job = {}) const override;
    Result<std::vector<LineageRun>> runsById(const QStringList &ids) const override;
    Result<std::vector<LineageArtifact>> artifactsOfRuns(const QStringList &runIds) const override;
    Result<std::vector<LineageArtifact>> artifactsBySha(const QString &sha256) const override;
    Result<std::vector<LineageArtifact>> artifactsByPath(const QString &path) const override;
    Result<std::vector<LineageConsumption>> consumptions(const QString &runId, const QString &job = {}) const override;
    Result<std::vector<LineageVariable>> variables(const QString &runId) const override;
    Result<std::vector<LineageScalar>> scalars(const QString &runId) const override;
    Result<std::vector<LineageMetric>> metrics(const QString &runId) const override;
    Result<std::vector<LineageGate>> gates(const QString &runId) const override;
    Result<std::vector<LineageReproduction>> reproductions(const QString &runId) const override;
    Result<std::vector<LineageSignOff>> signOffs(const QString &artifactSha256) const override;
    Result<std::vector<LineageJobRef>> jobsUsingData(const QString &hash) const override;
    Result<std::vector<LineageJobRef>> jobsUsingImage(const QString &digest) const override;
    Result<std::vector<LineageJobRef>> jobsAtCommit(const QString &sha) const override;
    Result<std::vector<LineageJobRef>> jobsConsuming(const QString &sha256) const override;
    Result<std::vector<std::pair<QString, QString>>> keysWithPrefix(const QString &prefix,
                                                                    int limit = 8) const override;
    Result<std::vector<LineageJobRef>> downstreamOf(const std::vector<LineageJobRef> &seeds) const override;
    Result<std::vector<LineageJobRef>> upstreamOf(const LineageJobRef &job) const override;
    std::unique_ptr<HashCache> hashCache() override;

private:
    SqliteLineageStore(QString path, Options options);
    /// Opens the database (read-only when it must not be written), migrates it, marks interrupted runs.
    Result<void> initialise();

    // The steps of initialise, in their order.
    /// Refuses a database in a `.trainyard` folder that HostAccess does not allow.
    Result<void> checkStateFolder(const QFileInfo &info) const;
    /// Refuses an empty file where the project ran before; makes the folder of a new database.
    Result<void> prepareFile(const QFileInfo &info, bool exists) const;
    /// Opens this thread's connection; an existing file that cannot be written is opened read-only.
    Result<void> openConnection(bool exists);
    /// Runs `PRAGMA integrity_check` (or quick_check); a damaged file is opened read-only, saying
    /// why (`header`: what the file's header said was wrong, if that is why it is checked).
    Result<void> checkIntegrity(bool quick, const QString &header = {});
    /// Runs still "running" on this host whose process is gone (what markInterruptedRuns marks).
    Result<QStringList> deadRuns() const;
    /// Marks `dead` (of deadRuns()) interrupted, those still running; returns them.
    Result<QStringList> markInterrupted(const QStringList &dead);
    /// Opens the file read-only, saying it is damaged and what `check` found.
    Result<void> damaged(const QString &check, const QString &problem);
    /// Migrates the schema (when writable) and notes its version; a newer one is opened read-only.
    Result<void> migrateSchema();
    /// Closes this thread's connection and opens it again read-only, with `reason` as readOnlyReason().
    Result<void> reopenReadOnly(const QString &reason);

    /// This thread's connection, opened on first use.
    Result<QSqlDatabase> database() const;
    /// Closes this thread's connection (to reopen it read-only).
    void closeConnection() const;
    Result<void> requireWritable() const;
    Result<void> evaluateGates(const QSqlDatabase &db, const QString &runId, const QString &job,
                               const QMap<QString, double> &values, const QString &source);
    Result<QHash<QString, CachedFileHash>> selectFileHashes(const QString &root) const;
    Result<void> storeFileHashes(const QHash<QString, CachedFileHash> &changed, const QStringList &removed);
    friend class SqliteHashCache;

    QString m_path;
    Options m_options;
    quint64 m_serial;
    bool m_openReadOnly = false;
    bool m_damaged = false; ///< an integrity check found damage (read-only, saying so)
    QString m_readOnlyReason;
    int m_schemaVersion = 0;
    QStringList m_interrupted;
    mutable std::mutex m_namesMutex;
    mutable QStringList m_connectionNames; ///< every connection made, in any thread
};

} // namespace trainyard::core
