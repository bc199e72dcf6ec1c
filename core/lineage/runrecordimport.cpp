#include "runrecordimport.h"

#include "lineagestore.h"

#include "engine/artifactstore.h"
#include "pipeline/job.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

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

LineageJob RunRecordImport::toLineageJob(const QString &runId, const JobRecord &r, const Job *job)
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
    return j;
}

LineageRun RunRecordImport::toLineageRun(const RunRecord &r)
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
    run.engine = r.engine;
    run.status = runStatusToString(r.status);
    run.started = r.started;
    run.finished = r.finished;
    run.durationMs = r.started.isValid() && r.finished.isValid() ? r.started.msecsTo(r.finished) : -1;
    return run;
}

Result<bool> RunRecordImport::importRecord(LineageStore &store, const RunRecord &record)
{
    auto existing = store.run(record.id);
    if (!existing)
        return tl::unexpected(existing.error());
    if (*existing)
        return false;
    auto ok = store.transaction([&]() -> Result<void> {
        if (!record.commitSha.isEmpty()) {
            // Only the sha is known from the record; the recorder adds author and message.
            if (auto found = store.commit(record.commitSha); found && !*found)
                if (auto r = store.recordCommit(LineageCommit{record.commitSha, {}, {}, {}, {}}); !r)
                    return r;
        }
        if (auto r = store.recordRun(toLineageRun(record)); !r)
            return r;
        for (const auto &[name, job] : record.jobs) {
            if (auto r = store.recordJob(toLineageJob(record.id, job, nullptr)); !r)
                return r;
            if (!job.artifacts.isEmpty()) {
                auto set = ArtifactStore::fromJson(job.artifacts);
                if (!set)
                    return tl::unexpected(set.error());
                std::vector<LineageArtifact> artifacts;
                for (const auto &f : set->files)
                    artifacts.push_back(LineageArtifact{record.id, name, f.path, f.sha256, f.size, f.executable, {}});
                if (auto r = store.recordArtifacts(record.id, name, artifacts); !r)
                    return r;
            }
            if (!job.image.isEmpty() && !job.imageId.isEmpty())
                if (auto r = store.recordImage(LineageImage{record.id, job.image, job.imageId, job.repoDigests, {}}); !r)
                    return r;
        }
        return {};
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return true;
}

RunRecordImport::Report RunRecordImport::importProject(LineageStore &store, const QString &projectDir)
{
    Report report;
    const RunStore runs(projectDir);
    const QDir dir(runs.runsDir());
    for (const QString &file : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        const QString id = file.chopped(5);
        auto record = runs.load(id);
        if (!record) {
            report.problems << record.error().toString();
            continue;
        }
        auto imported = importRecord(store, *record);
        if (!imported)
            report.problems << QStringLiteral("%1: %2").arg(dir.filePath(file), imported.error().message);
        else if (*imported)
            ++report.imported;
        else
            ++report.present;
    }
    return report;
}

Result<RunRecordImport::Rebuilt> RunRecordImport::rebuildDatabase(const QString &projectDir)
{
    const QString path = LineageStore::defaultPath(projectDir);
    Rebuilt rebuilt;
    if (QFileInfo::exists(path)) {
        LineageStore::Options check;
        check.recoverInterrupted = false;
        if (auto store = LineageStore::open(path, check); store && !(*store)->isReadOnly())
            return tl::unexpected(Error::error(
                QStringLiteral("the lineage database opens fine: nothing to rebuild (a rebuild keeps only what the run "
                               "records hold, not sign-offs, data versions or reproductions)"),
                SourceLocation{path}));
        rebuilt.keptAs = path + QStringLiteral(".damaged-") +
                         QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
            if (QFileInfo::exists(path + suffix) && !QFile::rename(path + suffix, rebuilt.keptAs + suffix))
                return tl::unexpected(Error::error(QStringLiteral("cannot move %1 aside to %2; nothing was changed")
                                                       .arg(path + suffix, rebuilt.keptAs + suffix),
                                                   SourceLocation{path}));
        }
    }
    auto store = LineageStore::open(path);
    if (!store)
        return tl::unexpected(store.error());
    rebuilt.report = importProject(**store, projectDir);
    return rebuilt;
}

} // namespace trainyard::core
