#include "scheduler.h"

#include "pipeline/hostaccess.h"

#include "common/safename.h"
#include "common/username.h"
#include "gpuallocator.h"
#include "gpuinventory.h"
#include "jobenvironment.h"
#include "jobrunner.h"
#include "jobscript.h"
#include "pipeline/secretmasker.h"
#include "workspace.h"

#include "pipeline/evaluationcontext.h"
#include "pipeline/planner.h"
#include "vcs/gitinfo.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QThread>

#include <thread>
#include <unistd.h>

namespace trainyard::core {

struct Scheduler::Node
{
    const Job *job = nullptr;
    PlanNode plan;
    JobRecord record;
    std::atomic_bool cancel{false};
    std::thread thread;
    QList<int> gpus;
    QJsonObject artifacts; // the ArtifactSet this job produced
    bool reused = false;   // a retry took this job's result from the earlier run
};

Scheduler::Scheduler(const Pipeline &pipeline, JobExecutor &executor, RunOptions options, SchedulerEvents events)
    : m_pipeline(pipeline)
    , m_executor(executor)
    , m_options(std::move(options))
    , m_events(std::move(events))
{
    m_projectDir = QDir(pipeline.projectDir).absolutePath();
    m_projectName = QFileInfo(m_projectDir).fileName();
    for (const QString &a : m_options.approvals)
        m_approved.insert(a);
    if (m_options.concurrency <= 0)
        m_options.concurrency = std::max(1, QThread::idealThreadCount());
    m_record.id = RunExport::newRunId();
}

Scheduler::~Scheduler()
{
    cancel();
    for (auto &n : m_nodes) {
        if (n->thread.joinable())
            n->thread.join();
    }
}

void Scheduler::cancel()
{
    m_cancelAll = true;
    std::lock_guard lock(m_mutex);
    for (auto &n : m_nodes)
        n->cancel = true;
    m_wake.notify_all();
}

void Scheduler::cancelJob(const QString &job)
{
    std::lock_guard lock(m_mutex);
    if (Node *n = m_byName.value(job)) {
        n->cancel = true;
        if (n->record.status == JobStatus::Pending || n->record.status == JobStatus::Manual)
            setStatus(*n, JobStatus::Cancelled, QStringLiteral("cancelled by the user"));
    }
    m_wake.notify_all();
}

void Scheduler::approve(const QString &job)
{
    std::lock_guard lock(m_mutex);
    m_approved.insert(job);
    m_wake.notify_all();
}

RunRecord Scheduler::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_record;
}

void Scheduler::syncRecord()
{
    for (const auto &n : m_nodes)
        m_record.jobs[n->record.name] = n->record;
}

void Scheduler::setStatus(Node &node, JobStatus status, const QString &reason)
{
    node.record.status = status;
    if (!reason.isEmpty())
        node.record.reason = reason;
    if (isFinal(status) && !node.record.finished.isValid() && node.record.started.isValid())
        node.record.finished = QDateTime::currentDateTimeUtc();
    syncRecord();
    if (m_events.jobChanged)
        m_events.jobChanged(node.record);
}

Result<void> Scheduler::preflight()
{
    // What would fail only once a job ran (perhaps after hours of training) is refused first.
    for (const auto &n : m_nodes) {
        if (n->reused)
            continue;
        const Job &job = *n->job;
        for (const QString &path : job.artifacts.paths) {
            const QString clean = QDir::cleanPath(path);
            if (QDir::isAbsolutePath(path) || clean == QLatin1String("..") || clean.startsWith(QLatin1String("../")))
                return tl::unexpected(Error::error(
                    QStringLiteral("job '%1': artifacts:paths entry '%2' is outside the job's workspace; no job ran")
                        .arg(job.name, path),
                    job.location, job.name));
        }
        if (m_executor.name() == QLatin1String("shell") || m_pipeline.trainyard.allowPrivilegedServices)
            continue;
        for (const Service &service : job.services) {
            if (Service::needsPrivileged(service.name))
                return tl::unexpected(Error::error(
                    QStringLiteral(
                        "job '%1': service %2 needs a privileged container, which can take over this machine; "
                        "set `.trainyard: allow_privileged_services: true` if you trust this pipeline with it. "
                        "No job ran")
                        .arg(job.name, service.name),
                    service.location.isValid() ? service.location : job.location, job.name));
        }
    }

    auto engine = m_executor.preflight();
    if (!engine)
        return tl::unexpected(engine.error());
    if (m_events.message)
        m_events.message(QStringLiteral("engine: %1").arg(*engine));

    // Every job mounts the data inputs: one this machine does not allow, or that is missing, is
    // refused before any image is built.
    const HostAccess access(m_projectDir, m_pipeline.dataRoots);
    for (const DataInput &d : m_pipeline.trainyard.data) {
        const auto allowed = access.dataSource(d);
        if (!allowed)
            return tl::unexpected(Error::error(allowed.error().message + QStringLiteral("; no job ran"), d.location));
        const QString &source = *allowed;
        if (!QFileInfo::exists(source))
            return tl::unexpected(
                Error::error(QStringLiteral("data input '%1': path '%2' does not exist (looked for %3); no job ran")
                                 .arg(d.name, d.path, QDir::cleanPath(source)),
                             d.location));
    }

    // GPU jobs are checked before any work starts.
    int most = 0;
    QStringList gpuJobs;
    for (const auto &n : m_nodes) {
        const int count = n->reused ? 0 : n->job->gpuCount();
        if (count != 0) {
            gpuJobs << n->job->name;
            most = std::max(most, count < 0 ? 1 : count);
        }
    }
    std::vector<GpuInfo> gpus;
    if (!gpuJobs.isEmpty()) {
        auto inventory = GpuInventory::query();
        if (!inventory)
            return tl::unexpected(inventory.error());
        gpus = inventory->gpus;
        const QString found =
            gpus.empty() ? inventory->message : QStringLiteral("%1 GPU(s): %2").arg(gpus.size()).arg([&] {
                QStringList names;
                for (const GpuInfo &g : gpus)
                    names << QString::number(g.index) + u' ' + g.name;
                return names.join(QStringLiteral(", "));
            }());
        if (static_cast<int>(gpus.size()) < most) {
            if (!m_options.cpuFallback) {
                QStringList needs;
                for (const auto &n : m_nodes) {
                    const int c = n->reused ? 0 : n->job->gpuCount();
                    if (c != 0)
                        needs << QStringLiteral("'%1' needs %2")
                                     .arg(n->job->name,
                                          c < 0 ? QStringLiteral("all GPUs") : QStringLiteral("%1 GPU(s)").arg(c));
                }
                return tl::unexpected(Error::error(
                    QStringLiteral(
                        "GPU jobs cannot run here: %1; found %2. Run with --cpu-fallback to run them on the CPU "
                        "(marked so), or on a machine with NVIDIA GPUs.")
                        .arg(needs.join(QStringLiteral(", ")), found)));
            }
            if (m_events.message)
                m_events.message(QStringLiteral("--cpu-fallback: GPU jobs %1 run without a GPU (%2)")
                                     .arg(gpuJobs.join(QStringLiteral(", ")), found));
        }
    }
    m_gpus = std::make_unique<GpuAllocator>(gpus);
    return {};
}

Result<void> Scheduler::prepareImages()
{
    QStringList images;
    for (const auto &n : m_nodes) {
        if (!n->reused && !n->job->image.name.isEmpty() && !images.contains(n->job->image.name))
            images << n->job->image.name;
    }
    for (const QString &image : images) {
        if (m_cancelAll)
            return tl::unexpected(Error::error(QStringLiteral("cancelled")));
        ExecutionCallbacks cb;
        cb.log = [this, image](const LogLine &l) {
            if (m_events.log)
                m_events.log(QString(), LogLine{LogLine::Stream::System, image + QStringLiteral(": ") + l.text});
        };
        cb.progress = [this, image](const QString &label, qint64 cur, qint64 total) {
            if (m_events.progress)
                m_events.progress(QString(), image + QStringLiteral(": ") + label, cur, total);
        };
        if (auto ok = m_executor.prepareImage(m_options.imageOverrides.value(image, image), cb, m_cancelAll); !ok)
            return tl::unexpected(ok.error());
    }
    return {};
}

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
    e.projectDirInJob =
        m_executor.name() == QLatin1String("shell") ? e.workspaceDir : QStringLiteral("/builds/") + m_projectName;
    JobEnvironment::Run run{m_predefined, m_record.id, m_record.pipelineIid, e.projectDirInJob, m_options.secrets, {}};
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
    if (m_executor.name() == QLatin1String("shell"))
        run.dataPaths = dataSources; // no mounts in the host shell: a data input is where it is
    e.env = JobEnvironment::build(m_pipeline, job, run, int(m_record.jobOrder.indexOf(job.name)) + 1);
    QStringList commands = job.beforeScript + job.script;
    if (!node.gpus.isEmpty()) {
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
    e.env << GpuAllocator::environmentFor(node.gpus, m_executor.name() == QLatin1String("shell"));
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
    return e;
}

// Decides what a job whose upstream is final does: run (returns empty), or the status it takes.
QString Scheduler::decide(const Node &node, JobStatus &status) const
{
    bool upstreamFailed = false;
    QString failedJob;
    for (const QString &dep : node.plan.dependsOn) {
        const Node *d = m_byName.value(dep);
        if (!d)
            continue;
        const JobStatus s = d->record.status;
        if (s == JobStatus::Manual) {
            // An unapproved manual job: if it may fail, the stage after it goes on (GitLab);
            // a job that `needs` it, or any job after a blocking manual job, does not run.
            const bool neededExplicitly = node.job->needs.has_value();
            if (neededExplicitly || !d->job->allowFailure) {
                status = JobStatus::Skipped;
                return QStringLiteral("waits for manual job '%1', which was not approved").arg(dep);
            }
            continue;
        }
        if (!isPassed(s)) {
            upstreamFailed = true;
            failedJob = dep;
        }
    }
    switch (node.job->when) {
    case When::OnSuccess:
    case When::Delayed:
    case When::Manual:
        if (upstreamFailed) {
            status = JobStatus::Skipped;
            return QStringLiteral("'%1' did not succeed").arg(failedJob);
        }
        break;
    case When::OnFailure:
        if (!upstreamFailed) {
            status = JobStatus::Skipped;
            return QStringLiteral("when: on_failure, and nothing before it failed");
        }
        break;
    case When::Always:
        break;
    case When::Never:
        status = JobStatus::Skipped;
        return QStringLiteral("when: never");
    }
    if (node.job->isTrigger()) {
        status = JobStatus::Skipped;
        return QStringLiteral("a trigger job starts a downstream pipeline on GitLab; it is shown, not run");
    }
    if (node.job->when == When::Manual && !m_approved.contains(node.job->name)) {
        status = JobStatus::Manual;
        return QStringLiteral("waiting for approval");
    }
    return {};
}

bool Scheduler::startJob(Node &node)
{
    const int count = node.job->gpuCount();
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
        const char *tag = line.stream == LogLine::Stream::Stderr   ? "E "
                          : line.stream == LogLine::Stream::System ? "# "
                                                                   : "  ";
        logFile.write(tag + masked.text.toUtf8() + '\n');
        logFile.flush();
        if (m_events.log)
            m_events.log(job.name, masked);
    };
    ExecutionCallbacks callbacks;
    callbacks.log = log;
    callbacks.progress = [&](const QString &label, qint64 cur, qint64 total) {
        if (m_events.progress)
            m_events.progress(job.name, label, cur, total);
    };

    JobRunner::Output result;
    if (!error.isEmpty()) {
        result.ok = false;
        result.error = error;
    } else {
        JobRunner::Input input{job, execution, m_projectDir, {}};
        QStringList sources;
        if (job.needs) {
            for (const Need &n : *job.needs)
                if (n.artifacts && n.isLocal())
                    sources << n.job;
        } else if (job.dependencies) {
            sources = *job.dependencies;
        } else {
            sources = node->plan.dependsOn; // GitLab: all artifacts of the earlier stages
        }
        {
            std::lock_guard lock(m_mutex);
            for (const QString &src : sources) {
                if (const Node *d = m_byName.value(src); d && !d->artifacts.isEmpty())
                    input.incoming.emplace_back(src, d->artifacts);
            }
        }
        result = JobRunner::run(m_executor, input, callbacks, node->cancel, [&](int attempt) {
            std::lock_guard lock(m_mutex);
            node->record.attempts = attempt;
        });
    }
    const JobOutcome &outcome = result.outcome;
    const bool ok = result.ok;
    error = result.error;
    const QJsonObject &produced = result.produced;

    std::lock_guard lock(m_mutex);
    node->artifacts = produced;
    node->record.artifacts = produced;
    node->record.warnings.clear();
    for (const QString &w : std::as_const(result.warnings))
        node->record.warnings << masker.mask(w);
    node->record.exitCode = outcome.exitCode;
    node->record.timedOut = outcome.timedOut;
    node->record.oomKilled = outcome.oomKilled;
    node->record.imageId = outcome.imageId;
    node->record.repoDigests = outcome.repoDigests;
    node->record.isolation = outcome.isolation;
    node->record.finished = QDateTime::currentDateTimeUtc();
    if (!node->gpus.isEmpty())
        m_gpus->release(node->gpus);
    JobStatus status;
    QString reason;
    if (outcome.cancelled || (node->cancel && !ok)) {
        status = JobStatus::Cancelled;
        reason = QStringLiteral("cancelled");
    } else if (!ok) {
        status = job.allowFailure ? JobStatus::FailedAllowed : JobStatus::Failed;
        reason = masker.mask(error);
        log(LogLine{LogLine::Stream::Stderr, QStringLiteral("Trainyard: %1").arg(reason)});
    } else if (outcome.exitCode == 0 && error.isEmpty()) {
        status = JobStatus::Success;
    } else {
        const bool allowed = job.allowFailure || job.allowFailureExitCodes.contains(outcome.exitCode);
        status = allowed ? JobStatus::FailedAllowed : JobStatus::Failed;
        reason = outcome.timedOut    ? QStringLiteral("timed out after %1 s").arg(execution.timeoutSeconds)
                 : outcome.oomKilled ? QStringLiteral("killed: out of memory (exit code %1)").arg(outcome.exitCode)
                                     : QStringLiteral("exit code %1").arg(outcome.exitCode);
        if (!error.isEmpty())
            reason += QStringLiteral("; ") + masker.mask(error);
    }
    --m_running;
    setStatus(*node, status, reason);
    m_wake.notify_all();
}

RunStatus Scheduler::finalStatus() const
{
    bool failed = false;
    bool cancelled = m_cancelAll;
    bool blocked = false;
    for (const auto &n : m_nodes) {
        switch (n->record.status) {
        case JobStatus::Failed:
            failed = true;
            break;
        case JobStatus::Cancelled:
            cancelled = true;
            break;
        case JobStatus::Manual:
            blocked = blocked || !n->job->allowFailure;
            break;
        default:
            break;
        }
    }
    if (cancelled)
        return RunStatus::Cancelled;
    if (failed)
        return RunStatus::Failed;
    if (blocked)
        return RunStatus::Blocked;
    return RunStatus::Success;
}

void Scheduler::schedule()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        bool progress = false;
        for (auto &n : m_nodes) {
            if (m_cancelAll && (n->record.status == JobStatus::Pending || n->record.status == JobStatus::Manual)) {
                setStatus(*n, JobStatus::Cancelled, QStringLiteral("the run was cancelled"));
                progress = true;
                continue;
            }
            if (n->record.status != JobStatus::Pending && n->record.status != JobStatus::Manual)
                continue;
            bool ready = true;
            for (const QString &dep : n->plan.dependsOn) {
                const Node *d = m_byName.value(dep);
                if (d && !isFinal(d->record.status) && d->record.status != JobStatus::Manual)
                    ready = false;
            }
            if (!ready)
                continue;
            JobStatus status = JobStatus::Pending;
            const QString reason = decide(*n, status);
            if (status == JobStatus::Manual) {
                if (n->record.status != JobStatus::Manual) {
                    setStatus(*n, JobStatus::Manual, reason);
                    progress = true;
                }
                if (m_options.askApproval && !m_asked.contains(n->job->name)) {
                    m_asked.insert(n->job->name); // ask once
                    lock.unlock();
                    const bool yes = m_options.askApproval(n->job->name);
                    lock.lock();
                    if (yes)
                        m_approved.insert(n->job->name);
                    else
                        n->record.reason = QStringLiteral("not approved");
                    progress = true;
                }
                if (!m_approved.contains(n->job->name))
                    continue;
            } else if (!reason.isEmpty()) {
                setStatus(*n, status, reason);
                progress = true;
                continue;
            }
            if (m_running >= m_options.concurrency)
                continue;
            if (startJob(*n))
                progress = true;
        }
        if (progress)
            continue;
        bool waitingManual = false;
        bool pending = false;
        for (const auto &n : m_nodes) {
            if (n->record.status == JobStatus::Manual)
                waitingManual = true;
            if (n->record.status == JobStatus::Pending)
                pending = true;
        }
        const bool keepWaiting = m_running > 0 || (m_options.waitForApprovals && waitingManual && !m_cancelAll);
        if (!keepWaiting) {
            // Whatever is still pending waits on a manual job that will not be approved.
            for (auto &n : m_nodes) {
                if (n->record.status == JobStatus::Pending)
                    setStatus(*n, JobStatus::Skipped, QStringLiteral("an upstream manual job was not approved"));
            }
            (void)pending;
            break;
        }
        m_wake.wait_for(lock, std::chrono::milliseconds(200));
    }
}

void Scheduler::reuseFrom(const RunRecord &earlier)
{
    for (auto &n : m_nodes) {
        if (m_options.onlyJobs.contains(n->record.name))
            continue; // what is retried runs again
        const auto it = earlier.jobs.find(n->record.name);
        if (it == earlier.jobs.end() || it->second.status != JobStatus::Success)
            continue; // failed, allowed to fail, skipped or never run: run it again
        n->reused = true;
        n->record = it->second;
        n->record.reason = QStringLiteral("succeeded in run %1; its log and artifacts are reused").arg(earlier.id);
        n->artifacts = n->record.artifacts;
    }
}

Result<RunRecord> Scheduler::run()
{
    auto plan = Planner::plan(m_pipeline, m_options.onlyJobs);
    if (!plan)
        return tl::unexpected(plan.error());
    {
        std::lock_guard lock(m_mutex);
        m_git = GitInfo::read(m_projectDir).value_or(GitState{});
        m_predefined = EvaluationContext::fromProject(m_projectDir, m_pipeline.branch).predefined;
        const GitState &git = m_git;
        m_record.projectDir = m_projectDir;
        m_record.branch = m_pipeline.branch;
        m_record.commitSha = git.sha;
        m_record.dirty = git.dirty;
        m_record.user = currentUserName();
        m_record.trigger = m_options.trigger;
        m_record.engine = m_executor.name();
        m_record.started = QDateTime::currentDateTimeUtc();
        m_record.pid = ::getpid();
        for (const PlanNode &p : plan->nodes) {
            auto node = std::make_unique<Node>();
            node->job = m_pipeline.job(p.job);
            node->plan = p;
            node->record.name = p.job;
            node->record.stage = node->job->stage;
            node->record.image = node->job->image.name;
            node->record.logFile =
                QStringLiteral(".trainyard/logs/") + m_record.id + u'/' + safeName(p.job) + QStringLiteral(".log");
            m_byName.insert(p.job, node.get());
            m_record.jobOrder << p.job;
            m_nodes.push_back(std::move(node));
        }
        if (m_options.retryFrom)
            reuseFrom(*m_options.retryFrom);
        syncRecord();
    }
    // A run that cannot start (engine unreachable, an image not pulled) is not a failed
    // pipeline: it is recorded as not started, with the reason, and takes no number.
    auto notStarted = [&](const Error &e) -> Result<RunRecord> {
        std::lock_guard lock(m_mutex);
        m_record.status = m_cancelAll ? RunStatus::Cancelled : RunStatus::NotStarted;
        m_record.reason = e.message;
        m_record.finished = QDateTime::currentDateTimeUtc();
        for (auto &n : m_nodes) {
            if (!n->reused) {
                n->record.status = JobStatus::Skipped;
                n->record.reason = QStringLiteral("the run did not start");
            }
        }
        syncRecord();
        return tl::unexpected(e);
    };
    if (auto ok = preflight(); !ok)
        return notStarted(ok.error());
    if (auto ok = prepareImages(); !ok)
        return notStarted(ok.error());
    if (m_options.numberRun) {
        auto number = m_options.numberRun(snapshot()); // outside the lock: it may wait on the store
        if (!number)
            return notStarted(number.error());
        std::lock_guard lock(m_mutex);
        m_record.pipelineIid = *number;
    }
    {
        std::lock_guard lock(m_mutex);
        if (!m_options.numberRun)
            m_record.pipelineIid = 1;
        if (m_events.runStarted)
            m_events.runStarted(m_record);
        if (m_events.jobChanged) {
            for (const auto &n : m_nodes) {
                if (n->reused)
                    m_events.jobChanged(n->record);
            }
        }
    }

    schedule();
    for (auto &n : m_nodes) {
        if (n->thread.joinable())
            n->thread.join();
    }
    std::lock_guard lock(m_mutex);
    m_record.status = finalStatus();
    m_record.finished = QDateTime::currentDateTimeUtc();
    syncRecord();
    // Workspaces of a successful run are not needed any more (artifacts are in the store);
    // a failed run keeps them for a look at what the job left behind.
    const QString workspaces = Workspace::runFolder(m_projectDir, m_record.id);
    if (m_record.status == RunStatus::Success)
        Workspace::removeRun(m_projectDir, m_record.id);
    else if (m_events.message && QDir(workspaces).exists())
        m_events.message(QStringLiteral("job workspaces kept for inspection in %1").arg(workspaces));
    return m_record;
}

} // namespace trainyard::core
