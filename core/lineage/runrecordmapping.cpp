#include "runrecordmapping.h"

#include "engine/artifactstore.h"
#include "pipeline/job.h"

namespace trainyard::core {

namespace {

/// The run a job's log belongs to: a retry reuses an earlier run's job, log path included.
QString runOfLog(const QString &logFile)
{
    static const QString prefix = QStringLiteral(".trainyard/logs/");
    if (!logFile.startsWith(prefix))
        return {};
    return logFile.mid(prefix.size()).section(u'/', 0, 0);
}

} // namespace

LineageJob RunRecordMapping::toLineageJob(const QString &runId, const JobRecord &r, const Job *job)
{
    LineageJob j;
    j.runId = runId;
    j.name = r.name;
    j.stage = r.stage;
    j.status = jobStatusToString(r.status);
    j.exitCode = r.exitCode;
    j.attempts = r.attempts;
    j.started = r.started;
    j.finished = r.finished;
    j.engine = r.engine;
    j.isolation = r.isolation;
    j.image = r.image;
    j.imageId = r.imageId;
    j.gpus = r.gpus;
    j.cpuFallback = r.cpuFallback;
    j.timedOut = r.timedOut;
    j.oomKilled = r.oomKilled;
    j.reason = r.reason;
    j.logFile = r.logFile;
    if (job) {
        j.allowFailure = job->allowFailure;
        j.tensorboardDir = job->trainyard.tensorboard;
    }
    const QString logRun = runOfLog(r.logFile);
    if (!logRun.isEmpty() && logRun != runId)
        j.reusedFrom = logRun;
    j.warnings = r.warnings;
    return j;
}

LineageRun RunRecordMapping::toLineageRun(const RunRecord &r)
{
    LineageRun run;
    run.id = r.id;
    run.pipelineIid = r.pipelineIid;
    run.projectDir = r.projectDir;
    run.pipelineFile = QStringLiteral(".gitlab-ci.yml");
    run.branch = r.branch;
    run.commitSha = r.commitSha;
    run.dirty = r.dirty;
    run.user = r.user;
    run.pid = r.pid;
    run.trigger = r.trigger;
    run.reproduces = r.reproduces;
    run.engine = r.engine;
    run.status = runStatusToString(r.status);
    run.started = r.started;
    run.finished = r.finished;
    run.durationMs = r.started.isValid() && r.finished.isValid() ? r.started.msecsTo(r.finished) : -1;
    return run;
}

JobRecord RunRecordMapping::toJobRecord(const LineageJob &j, const QJsonObject &artifacts)
{
    JobRecord r;
    r.name = j.name;
    r.stage = j.stage;
    r.status = jobStatusFromString(j.status);
    r.exitCode = j.exitCode;
    r.attempts = j.attempts;
    r.started = j.started;
    r.finished = j.finished;
    r.engine = j.engine;
    r.isolation = j.isolation;
    r.image = j.image;
    r.imageId = j.imageId;
    r.gpus = j.gpus;
    r.cpuFallback = j.cpuFallback;
    r.timedOut = j.timedOut;
    r.oomKilled = j.oomKilled;
    r.reason = j.reason;
    r.artifacts = artifacts;
    r.logFile = j.logFile;
    r.warnings = j.warnings;
    return r;
}

RunRecord RunRecordMapping::toRunRecord(const LineageRun &run, const std::vector<LineageJob> &jobs,
                                        const std::vector<LineageArtifact> &artifacts)
{
    RunRecord r;
    r.id = run.id;
    r.pipelineIid = run.pipelineIid;
    r.projectDir = run.projectDir;
    r.branch = run.branch;
    r.commitSha = run.commitSha;
    r.dirty = run.dirty;
    r.user = run.user;
    r.trigger = run.trigger;
    r.reproduces = run.reproduces;
    r.engine = run.engine;
    r.status = runStatusFromString(run.status);
    r.reason = run.reason;
    r.started = run.started;
    r.finished = run.finished;
    r.pid = run.pid;
    for (const LineageJob &j : jobs) {
        ArtifactStore::ArtifactSet set;
        set.job = j.name;
        for (const LineageArtifact &a : artifacts) {
            if (a.job != j.name)
                continue;
            set.files.push_back(ArtifactStore::StoredFile{a.path, a.sha256, a.size, a.executable});
            set.totalBytes += a.size;
        }
        r.jobs[j.name] = toJobRecord(j, set.files.empty() ? QJsonObject() : ArtifactStore::toJson(set));
        r.jobOrder << j.name;
    }
    return r;
}

} // namespace trainyard::core
