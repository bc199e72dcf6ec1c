#pragma once

#include "common/error.h"
#include "jobstatus.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <map>

namespace trainyard::core {

/// What is known about one job of a run; persisted with the run.
struct JobRecord
{
    QString name;
    QString stage;
    JobStatus status = JobStatus::Pending;
    int exitCode = -1;
    int attempts = 0;
    QDateTime started;
    QDateTime finished;
    QString engine;    ///< "docker" or "shell"
    QString isolation; ///< "docker container" / "none (host shell)"
    QString image;     ///< as written
    QString imageId;
    QStringList repoDigests;
    QStringList gpus;
    bool cpuFallback = false;
    bool timedOut = false;
    bool oomKilled = false;
    /// Trainyard could not run the job at all (the engine refused its container, no shell…):
    /// its script never started, so how it ended says nothing about the pipeline (`reason` says why).
    bool couldNotRun = false;
    QString reason;        ///< why skipped/failed, in words
    QJsonObject artifacts; ///< ArtifactStore's JSON of what was collected
    QString logFile;       ///< relative to the project
    QStringList warnings;  ///< e.g. artifact paths that matched nothing (secrets masked)

    QJsonObject toJson() const;
    static JobRecord fromJson(const QJsonObject &o);
};

/// One pipeline run as the scheduler reports it, and as exported to
/// `<project>/.trainyard/runs/<id>.json` when it ends.
struct RunRecord
{
    QString id;
    qint64 pipelineIid = 0; ///< CI_PIPELINE_ID: 1, 2, 3… per project
    QString projectDir;
    QString branch;
    QString commitSha;
    bool dirty = false;
    QString user;
    QString trigger = QStringLiteral("cli");
    QString reproduces; ///< a reproduction: the id of the run it reproduces
    QString engine;
    RunStatus status = RunStatus::Running;
    QString reason; ///< why the run did not start (status NotStarted)
    QDateTime started;
    QDateTime finished;
    qint64 pid = 0;
    std::map<QString, JobRecord> jobs;
    QStringList jobOrder;

    QJsonObject toJson() const;
    static RunRecord fromJson(const QJsonObject &o);
};

/// The JSON export of a project's runs, `.trainyard/runs/<id>.json`, each written once when its
/// run ends: for other tools, and to rebuild a lost lineage database. Never the truth of a run
/// (the lineage store is): nothing reads it but that rebuild and the import of old projects.
class RunExport final
{
public:
    explicit RunExport(const QString &projectDir);

    QString runsDir() const;
    QString logsDir(const QString &runId) const;
    Result<void> save(const RunRecord &record) const;
    Result<RunRecord> load(const QString &runId) const;
    /// All exported runs, by pipeline number.
    std::vector<RunRecord> list() const;
    static QString newRunId();

private:
    QString m_projectDir;
};

} // namespace trainyard::core
