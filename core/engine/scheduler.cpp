// Scheduler: construction, cancel and approval, job status, the scheduling loop and run() (preflight
// checks are in schedulerpreflight.cpp, starting and running a job in schedulerjobs.cpp).
#include "scheduler.h"
#include "schedulernode.h"

#include "common/safename.h"
#include "common/username.h"
#include "gpuallocator.h"
#include "workspace.h"

#include "pipeline/evaluationcontext.h"
#include "pipeline/planner.h"
#include "vcs/gitinfo.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QThread>

#include <algorithm>
#include <chrono>
#include <thread>
#include <unistd.h>

namespace trainyard::core {

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
    // A cluster queues and places jobs itself: every job whose needs are met goes to it.
    if (m_options.concurrency <= 0)
        m_options.concurrency = m_executor.allocatesGpus() ? 256 : std::max(1, QThread::idealThreadCount());
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
        std::vector<Node *> waiting; // pending on jobs that have not ended
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
            if (!ready) {
                if (n->record.status == JobStatus::Pending)
                    waiting.push_back(n.get());
                continue;
            }
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
        // Once the jobs that may start have: an engine with a queue of its own (a cluster) may
        // hold some of those still waiting there, behind the jobs they need.
        for (Node *n : waiting) {
            if (m_cancelAll || m_running >= m_options.concurrency)
                break;
            if (QStringList behind = queueAheadOf(*n); !behind.isEmpty()) {
                n->queuedBehind = std::move(behind);
                if (startJob(*n))
                    progress = true;
                else
                    n->queuedBehind.clear();
            }
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

void Scheduler::setUpRun(const Plan &plan)
{
    std::lock_guard lock(m_mutex);
    m_git = GitInfo::read(m_projectDir).value_or(GitState{});
    m_predefined = EvaluationContext::fromProject(m_projectDir, m_pipeline.branch).predefined;
    fillRecordHeader();
    addNodes(plan);
    if (m_options.retryFrom)
        reuseFrom(*m_options.retryFrom);
    syncRecord();
}

void Scheduler::fillRecordHeader()
{
    const GitState &git = m_git;
    m_record.projectDir = m_projectDir;
    m_record.branch = git.isRepository ? m_pipeline.branch : QString(); // no branch that does not exist
    m_record.commitSha = git.sha;
    m_record.dirty = git.dirty;
    m_record.user = currentUserName();
    m_record.trigger = m_options.trigger;
    m_record.reproduces = m_options.reproduces;
    m_record.engine = m_executor.name();
    m_record.started = QDateTime::currentDateTimeUtc();
    m_record.pid = ::getpid();
}

void Scheduler::addNodes(const Plan &plan)
{
    for (const PlanNode &p : plan.nodes) {
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
}

// A run that cannot start (engine unreachable, an image not pulled) is not a failed
// pipeline: it is recorded as not started, with the reason, and takes no number.
Result<RunRecord> Scheduler::recordNotStarted(const Error &e)
{
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
}

Result<void> Scheduler::assignRunNumber()
{
    if (m_options.numberRun) {
        auto number = m_options.numberRun(snapshot()); // outside the lock: it may wait on the store
        if (!number)
            return tl::unexpected(number.error());
        std::lock_guard lock(m_mutex);
        m_record.pipelineIid = *number;
    }
    return {};
}

void Scheduler::announceStart()
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

void Scheduler::joinJobThreads()
{
    for (auto &n : m_nodes) {
        if (n->thread.joinable())
            n->thread.join();
    }
}

RunRecord Scheduler::finishRun()
{
    std::lock_guard lock(m_mutex);
    m_record.status = finalStatus();
    m_record.finished = QDateTime::currentDateTimeUtc();
    syncRecord();
    tidyWorkspaces();
    return m_record;
}

void Scheduler::tidyWorkspaces()
{
    // Workspaces of a successful run are not needed any more (artifacts are in the store);
    // a failed run keeps them for a look at what the job left behind.
    const QString workspaces = Workspace::runFolder(m_projectDir, m_record.id);
    if (m_record.status == RunStatus::Success)
        Workspace::removeRun(m_projectDir, m_record.id);
    else if (m_events.message && QDir(workspaces).exists())
        m_events.message(QStringLiteral("job workspaces kept for inspection in %1").arg(workspaces));
}

Result<RunRecord> Scheduler::run()
{
    auto plan = Planner::plan(m_pipeline, m_options.onlyJobs);
    if (!plan)
        return tl::unexpected(plan.error());
    setUpRun(*plan);
    if (auto ok = preflight(); !ok)
        return recordNotStarted(ok.error());
    if (auto ok = prepareImages(); !ok)
        return recordNotStarted(ok.error());
    if (auto ok = assignRunNumber(); !ok)
        return recordNotStarted(ok.error());
    announceStart();

    schedule();
    joinJobThreads();
    return finishRun();
}

} // namespace trainyard::core
