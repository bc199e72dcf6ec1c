#pragma once

#include "lineagestore.h"

#include <QHash>

#include <mutex>

class QSqlDatabase;

namespace trainyard::core {

/// What the lineage stores on Qt SQL share, whatever the server: every record and query (portable
/// SQL, with LineageSchema's dialect where it must differ), transactions, settings and runs left
/// running. A backend says how to open a connection (driver, where, how it is configured) and
/// how the store is opened: SqliteLineageStore (a project's file), PostgresLineageStore (a team's
/// server).
///
/// Each thread gets its own named connection (Qt SQL connections belong to the thread that
/// opened them), made on first use and closed when the thread or the store ends. A write that
/// meets a lock or a serialization failure is retried, so concurrent writers see no error.
class SqlLineageStore : public LineageStore
{
public:
    ~SqlLineageStore() override;

    QString path() const override { return m_path; }
    QString readOnlyReason() const override { return m_readOnlyReason; }
    bool isDamaged() const override { return false; }
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
    Result<void> recordImageSbom(const LineageImageSbom &sbom) override;
    Result<void> recordImageScan(const LineageImageScan &scan) override;
    Result<bool> recordImageScanIfNewer(const LineageImageScan &scan) override;
    Result<std::optional<LineageImageSbom>> imageSbom(const QString &imageId) const override;
    Result<std::optional<LineageImageScan>> imageScan(const QString &imageId) const override;
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
    Result<std::vector<LineageOutboxEntry>> outbox(int limit = -1) const override;
    Result<bool> markPushed(const LineageOutboxEntry &entry) override;

protected:
    /// `path` names the store in messages and errors (a file, or a URL without its password).
    SqlLineageStore(QString path, Options options);

    /// The Qt SQL driver (QSQLITE, QPSQL).
    virtual QString driverName() const = 0;
    /// Sets where a new connection goes (database name, host, user, options).
    virtual void setConnectionParameters(QSqlDatabase &db) const = 0;
    /// Configures a connection just opened (pragmas, session settings).
    virtual Result<void> configureConnection(QSqlDatabase &db) const = 0;

    /// True for a server's SQL (PostgreSQL), where a query must differ from SQLite's.
    bool onServer() const { return driverName() == QLatin1String("QPSQL"); }
    /// This thread's connection, opened on first use.
    Result<QSqlDatabase> database() const;
    /// Closes this thread's connection (to reopen it read-only).
    void closeConnection() const;
    Result<void> requireWritable() const;
    /// Runs still "running" on this host whose process is gone (what markInterruptedRuns marks).
    Result<QStringList> deadRuns() const;
    /// Marks `dead` (of deadRuns()) interrupted, those still running; returns them.
    Result<QStringList> markInterrupted(const QStringList &dead);
    /// Migrates the schema up to Options::schemaVersion when writable, and notes its version.
    Result<void> migrateSchema();

    QString m_path;
    Options m_options;
    bool m_openReadOnly = false;
    QString m_readOnlyReason;
    int m_schemaVersion = 0;
    QStringList m_interrupted;

private:
    /// transaction(), noting that `runId`'s records changed: a project's store queues the run for
    /// the team store (team_outbox; LineageSync pushes it). A team's server queues nothing.
    Result<void> runTransaction(const QString &runId, const std::function<Result<void>()> &body);
    /// recordImageScan(), or (onlyIfNewer) only over an older scan; whether it was written.
    Result<bool> writeImageScan(const LineageImageScan &scan, bool onlyIfNewer);
    /// Queues every run that used image `imageId` for the team's store (its SBOM or scan changed).
    Result<void> queueRunsOfImage(const QString &imageId);
    /// Queues `runId` for the team store (in the caller's transaction); nothing on a server.
    Result<void> queueForTeam(const QString &runId);
    Result<void> evaluateGates(const QSqlDatabase &db, const QString &runId, const QString &job,
                               const QMap<QString, double> &values, const QString &source);
    Result<QHash<QString, CachedFileHash>> selectFileHashes(const QString &root) const;
    Result<void> storeFileHashes(const QHash<QString, CachedFileHash> &changed, const QStringList &removed);
    friend class SqlHashCache;

    quint64 m_serial;
    mutable std::mutex m_namesMutex;
    mutable QStringList m_connectionNames; ///< every connection made, in any thread
};

} // namespace trainyard::core
