// Scheduler's handling of one job: what it runs with, starting it, and running it to its end
// on its own thread.
#include "scheduler.h"
#include "schedulernode.h"

#include "common/safename.h"
#include "gpuallocator.h"
#include "jobenvironment.h"
#include "jobrunner.h"
#include "jobscript.h"
#include "workspace.h"

#include "pipeline/hostaccess.h"
#include "pipeline/secretmasker.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>

#include <thread>

namespace trainyard::core {

namespace {

/// Appends a (masked) line to the job's log file, tagged by its stream.
void writeLogLine(QFile &logFile, const LogLine &line)
{
    const char *tag = line.stream == LogLine::Stream::Stderr   ? "E "
                      : line.stream == LogLine::Stream::System ? "# "
                                                               : "  ";
    logFile.write(tag + line.text.toUtf8() + '\n');
    logFile.flush();
}

/// What the job runs with: its log lines go to `log`, its progress is reported as the job's.
ExecutionCallbacks jobCallbacks(const SchedulerEvents &events, const QString &job,
                                const std::function<void(const LogLine &)> &log)
{
    ExecutionCallbacks callbacks;
    callbacks.log = log;
    callbacks.progress = [&events, job](const QString &label, qint64 cur, qint64 total) {
        if (events.progress)
            events.progress(job, label, cur, total);
    };
    return callbacks;
}

/// The outcome of a job that could not be run: why.
JobRunner::Output notRun(const QString &error)
{
    JobRunner::Output result;
    result.ok = false;
    result.error = error;
    return result;
}

/// The jobs whose artifacts the job gets: its `needs` with artifacts, else its `dependencies`,
/// else (as GitLab does) all the jobs of the earlier stages (`dependsOn`).
QStringList artifactSources(const Job &job, const QStringList &dependsOn)
{
    QStringList sources;
    if (job.needs) {
        for (const Need &n : *job.needs)
            if (n.artifacts && n.isLocal())
                sources << n.job;
    } else if (job.dependencies) {
        sources = *job.dependencies;
    } else {
        sources = dependsOn; // GitLab: all artifacts of the earlier stages
    }
    return sources;
}

/// How a job that ran ended: its status, the reason shown for it, and whether Trainyard itself
/// could not run it (that reason then goes to the job's log too).
struct JobEnd
{
    JobStatus status;
    QString reason;
    bool couldNotRun = false;
};

/// How the job ended, from what the runner reports and whether it was cancelled.
JobEnd jobEnd(const Job &job, const JobRunner::Output &result, const std::atomic_bool &cancel, int timeoutSeconds,
              const SecretMasker &masker)
{
    const JobOutcome &outcome = result.outcome;
    const QString &error = result.error;
    if (outcome.cancelled || (cancel && !result.ok))
        return JobEnd{JobStatus::Cancelled, QStringLiteral("cancelled"), false};
    if (result.ok && !outcome.skipped.isEmpty()) // queued ahead of a job that did not succeed
        return JobEnd{JobStatus::Skipped, masker.mask(outcome.skipped), false};
    if (!result.ok)
        return JobEnd{job.allowFailure ? JobStatus::FailedAllowed : JobStatus::Failed, masker.mask(error), true};
    if (outcome.exitCode == 0 && error.isEmpty())
        return JobEnd{JobStatus::Success, QString(), false};
    const bool allowed = job.allowFailure || job.allowFailureExitCodes.contains(outcome.exitCode);
    QString reason = !outcome.systemFailure.isEmpty() ? masker.mask(outcome.systemFailure)
                     : outcome.timedOut               ? QStringLiteral("timed out after %1 s").arg(timeoutSeconds)
                     : outcome.oomKilled ? QStringLiteral("killed: out of memory (exit code %1)").arg(outcome.exitCode)
                                         : QStringLiteral("exit code %1").arg(outcome.exitCode);
    if (!error.isEmpty())
        reason += QStringLiteral("; ") + masker.mask(error);
    return JobEnd{allowed ? JobStatus::FailedAllowed : JobStatus::Failed, reason, false};
}

} // namespace

JobExecution Scheduler::prepareExecution(const Node &node, QString &error)
{
    const Job &job = *node.job;
    JobExecution e;
    e.runId = m_record.id;
    e.job = job.name;
    e.projectName = m_projectName;
    e.image = m_options.imageOverrides.value(job.image.name, job.image.name);
    e.workspaceDir = Workspace::runFolder(m_projectDir, m_record.id) + u'/' + safeName(job.name);
    // The shell executor runs the job in its workspace; a container sees it at /builds/<project>.
    e.projectDirInJob = m_executor.runsOnHost() ? e.workspaceDir : QStringLiteral("/builds/") + m_projectName;
    const qint64 iid = m_options.jobPipelineIid > 0 ? m_options.jobPipelineIid : m_record.pipelineIid;
    JobEnvironment::Run run{m_predefined, m_record.id, iid, e.projectDirInJob, m_options.secrets, {}};
    // Data inputs as checked by HostAccess (symbolic links resolved): what was checked is what is mounted.
    const HostAccess access(m_projectDir, m_pipeline.dataRoots);
    QHash<QString, QString> dataSources;
    for (const DataInput &d : m_pipeline.trainyard.data) {
        const auto source = access.dataSource(d);
        if (!source) {
            error = source.error().message;
            return e;
        }
        dataSources.insert(d.name, *source);
    }
    if (m_executor.runsOnHost())
        run.dataPaths = dataSources; // no mounts in the host shell: a data input is where it is
    e.env = JobEnvironment::build(m_pipeline, job, run, int(m_record.jobOrder.indexOf(job.name)) + 1);
    QStringList commands = job.beforeScript + job.script;
    const bool clusterGpus = m_executor.allocatesGpus() && job.gpuCount() > 0 && !m_options.cpuFallback;
    if (!node.gpus.isEmpty() || clusterGpus) {
        // Trainyard's own GPU preflight: fail in seconds if the assigned GPU is not visible.
        commands.prepend(
            QStringLiteral("nvidia-smi -L || { echo 'Trainyard GPU preflight: the assigned GPU is not visible "
                           "inside the job' >&2; exit 1; }"));
    }
    e.script = JobScript::build(commands);
    if (!job.afterScript.isEmpty())
        e.afterScript = JobScript::build(job.afterScript);
    for (int g : node.gpus)
        e.gpuIds << QString::number(g);
    if (clusterGpus)
        e.gpuCount = job.gpuCount(); // the cluster sets CUDA_VISIBLE_DEVICES itself
    else
        e.env << GpuAllocator::environmentFor(node.gpus, m_executor.runsOnHost());
    for (const DataInput &d : m_pipeline.trainyard.data) {
        const QString source = dataSources.value(d.name);
        if (!QFileInfo::exists(source)) {
            error = QStringLiteral("data input '%1' (%2) does not exist").arg(d.name, source);
            return e;
        }
        e.dataMounts.push_back(Mount{source, d.mount, true});
    }
    for (const Service &s : job.services)
        e.services.push_back(JobExecution::ServiceSpec{s.name, s.alias, s.command});
    e.memory = job.trainyard.memory;
    e.cpus = job.trainyard.cpus;
    e.shmSize = job.trainyard.shmSize;
    e.timeoutSeconds = JobScript::parseDurationSeconds(job.timeout).value_or(3600);
    e.privilegedServicesAllowed = m_pipeline.trainyard.allowPrivilegedServices;
    e.mountDockerSocket = m_pipeline.trainyard.mountDockerSocket;
    for (const QString &dep : node.queuedBehind)
        e.after << m_executor.submittedId(m_record.id, dep);
    if (!node.queuedBehind.isEmpty())
        e.needsVerdict = [this, n = &node](QString *job) { return needsVerdict(*n, job); };
    return e;
}

QStringList Scheduler::queueAheadOf(const Node &node) const
{
    const Job &job = *node.job;
    if (!m_executor.queuesAhead() || job.when != When::OnSuccess || job.isTrigger())
        return {};
    const QStringList sources = artifactSources(job, node.plan.dependsOn);
    QStringList running;
    for (const QString &dep : node.plan.dependsOn) {
        const Node *d = m_byName.value(dep);
        if (!d)
            continue;
        const JobStatus s = d->record.status;
        if (isFinal(s)) {
            if (!isPassed(s))
                return {}; // decide() says what it does once the rest have ended
            continue;
        }
        // Running there under its one attempt, ending as Slurm's afterok reads it, and handing
        // this job nothing: what it would have got by waiting is what it gets.
        if (s != JobStatus::Running || d->cancel.load() || d->job->retry.max > 0 || d->job->allowFailure ||
            !d->job->allowFailureExitCodes.isEmpty() || sources.contains(dep) ||
            m_executor.submittedId(m_record.id, dep).isEmpty())
            return {};
        running << dep;
    }
    return running;
}

NeedsVerdict Scheduler::needsVerdict(const Node &node, QString *failedJob) const
{
    std::lock_guard lock(m_mutex);
    NeedsVerdict verdict = NeedsVerdict::Passed;
    for (const QString &dep : node.queuedBehind) {
        const Node *d = m_byName.value(dep);
        if (!d)
            continue;
        if (!isFinal(d->record.status)) {
            verdict = NeedsVerdict::Waiting;
        } else if (!isPassed(d->record.status)) {
            if (failedJob)
                *failedJob = dep;
            return NeedsVerdict::Failed;
        }
    }
    return verdict;
}

bool Scheduler::startJob(Node &node)
{
    const int count = m_executor.allocatesGpus() ? 0 : node.job->gpuCount();
    if (count != 0 && !m_options.cpuFallback) {
        auto acquired = m_gpus->tryAcquire(GpuRequest{node.job->name, count});
        if (!acquired) {
            setStatus(node, JobStatus::Failed, acquired.error().message);
            return true;
        }
        if (!acquired->has_value())
            return false; // every fitting GPU is busy: wait
        node.gpus = **acquired;
    } else if (count != 0) {
        // --cpu-fallback: GPUs the machine has are still assigned when free; otherwise none.
        if (auto acquired = m_gpus->tryAcquire(GpuRequest{node.job->name, count}); acquired && acquired->has_value())
            node.gpus = **acquired;
        else
            node.record.cpuFallback = true;
    }
    ++m_running;
    node.record.started = QDateTime::currentDateTimeUtc();
    node.record.engine = m_executor.name();
    for (int g : node.gpus)
        node.record.gpus << QString::number(g);
    node.record.reason.clear(); // "waiting for approval" and the like no longer hold
    setStatus(node, JobStatus::Running);
    node.thread = std::thread([this, n = &node] { runJob(n); });
    return true;
}

void Scheduler::runJob(Node *node)
{
    const Job &job = *node->job;
    QString error;
    JobExecution execution;
    {
        std::lock_guard lock(m_mutex);
        execution = prepareExecution(*node, error);
    }
    const SecretMasker masker(m_options.secrets.values());
    const QString logPath = m_projectDir + u'/' + node->record.logFile;
    QDir().mkpath(QFileInfo(logPath).path());
    QFile logFile(logPath);
    (void)logFile.open(QIODevice::WriteOnly | QIODevice::Append);
    auto log = [&](const LogLine &line) {
        const LogLine masked{line.stream, masker.mask(line.text)};
        writeLogLine(logFile, masked);
        if (m_events.log)
            m_events.log(job.name, masked);
    };
    const ExecutionCallbacks callbacks = jobCallbacks(m_events, job.name, log);
    const JobRunner::Output result = error.isEmpty() ? executeJob(*node, execution, callbacks) : notRun(error);

    std::lock_guard lock(m_mutex);
    finishJob(*node, result, execution.timeoutSeconds, masker, log);
}

JobRunner::Output Scheduler::executeJob(Node &node, const JobExecution &execution, const ExecutionCallbacks &callbacks)
{
    const Job &job = *node.job;
    JobRunner::Input input{job, execution, m_projectDir, {}};
    input.incoming = incomingArtifacts(artifactSources(job, node.plan.dependsOn));
    return JobRunner::run(m_executor, input, callbacks, node.cancel, [&](int attempt) {
        std::lock_guard lock(m_mutex);
        node.record.attempts = attempt;
    });
}

std::vector<std::pair<QString, QJsonObject>> Scheduler::incomingArtifacts(const QStringList &sources) const
{
    std::vector<std::pair<QString, QJsonObject>> incoming;
    std::lock_guard lock(m_mutex);
    for (const QString &src : sources) {
        if (const Node *d = m_byName.value(src); d && !d->artifacts.isEmpty())
            incoming.emplace_back(src, d->artifacts);
    }
    return incoming;
}

void Scheduler::finishJob(Node &node, const JobRunner::Output &result, int timeoutSeconds, const SecretMasker &masker,
                          const std::function<void(const LogLine &)> &log)
{
    recordResult(node, result, masker);
    if (!node.gpus.isEmpty())
        m_gpus->release(node.gpus);
    const JobEnd end = jobEnd(*node.job, result, node.cancel, timeoutSeconds, masker);
    node.record.couldNotRun = end.couldNotRun;
    if (end.couldNotRun)
        log(LogLine{LogLine::Stream::Stderr, QStringLiteral("Trainyard: %1").arg(end.reason)});
    --m_running;
    setStatus(node, end.status, end.reason);
    m_wake.notify_all();
}

void Scheduler::recordResult(Node &node, const JobRunner::Output &result, const SecretMasker &masker)
{
    const JobOutcome &outcome = result.outcome;
    node.artifacts = result.produced;
    node.record.artifacts = result.produced;
    node.record.warnings.clear();
    for (const QString &w : std::as_const(result.warnings))
        node.record.warnings << masker.mask(w);
    node.record.exitCode = outcome.exitCode;
    node.record.timedOut = outcome.timedOut;
    node.record.oomKilled = outcome.oomKilled;
    node.record.imageId = outcome.imageId;
    node.record.repoDigests = outcome.repoDigests;
    node.record.isolation = outcome.isolation;
    if (!outcome.gpus.isEmpty())
        node.record.gpus = outcome.gpus;
    node.record.finished = QDateTime::currentDateTimeUtc();
}

} // namespace trainyard::core
