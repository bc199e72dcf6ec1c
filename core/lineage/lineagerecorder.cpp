// LineageRecorder: its thread and queue, the run's start and end. A job's change is in lineagerecorderjobs.cpp.
#include "lineagerecorder.h"
#include "lineagerecorderstate.h"
#include "runrecordmapping.h"

#include "pipeline/hostaccess.h"

#include "common/processidentity.h"
#include "common/username.h"
#include "dataversioner.h"
#include "dvcinfo.h"
#include "lineagestore.h"
#include "vcs/gitinfo.h"

#include "engine/buildcontext.h"
#include "pipeline/planner.h"
#include "pipeline/secretmasker.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QSysInfo>

#include <unistd.h>

namespace trainyard::core {

LineageRecorder::LineageRecorder(Pipeline pipeline, Options options)
    : m_pipeline(std::move(pipeline))
    , m_options(std::move(options))
    , m_state(std::make_unique<State>())
{
    if (m_options.databasePath.isEmpty())
        m_options.databasePath = LineageStore::defaultPath(m_pipeline.projectDir);
    m_thread = std::thread([this] { loop(); });
}

LineageRecorder::~LineageRecorder()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

SchedulerEvents LineageRecorder::wrap(SchedulerEvents events)
{
    auto innerStarted = std::move(events.runStarted);
    events.runStarted = [this, innerStarted](const RunRecord &record) {
        // The run's number is known only now: recorded at once, so that a run killed before its
        // end is not left as #0.
        post([this, iid = record.pipelineIid] { doRunNumbered(iid); });
        if (innerStarted)
            innerStarted(record);
    };
    auto inner = std::move(events.jobChanged);
    events.jobChanged = [this, inner](const JobRecord &job) {
        jobChanged(job);
        if (inner)
            inner(job);
    };
    return events;
}

void LineageRecorder::post(std::function<void()> task)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(task));
    }
    m_wake.notify_all();
}

void LineageRecorder::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty()) {
            if (m_stop)
                break;
            continue;
        }
        auto task = std::move(m_queue.front());
        m_queue.pop_front();
        m_busy = true;
        lock.unlock();
        task();
        lock.lock();
        m_busy = false;
        if (m_queue.empty())
            m_idle.notify_all();
    }
    // The store's connection belongs to this thread: close it here.
    m_state.reset();
    m_idle.notify_all();
}

void LineageRecorder::flush()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_queue.empty() && !m_busy; });
}

QStringList LineageRecorder::problems() const
{
    std::lock_guard lock(m_mutex);
    return m_problems;
}

void LineageRecorder::report(const QString &message)
{
    {
        std::lock_guard lock(m_mutex);
        m_problems << message;
    }
    if (m_options.message)
        m_options.message(message);
}

void LineageRecorder::runStarted(const QString &runId, const QString &engine)
{
    post([this, runId, engine] { doRunStarted(runId, engine); });
}

void LineageRecorder::jobChanged(const JobRecord &job)
{
    post([this, job] { doJobChanged(job); });
}

void LineageRecorder::runFinished(const RunRecord &record)
{
    post([this, record] { doRunFinished(record); });
    flush();
}

namespace {

/// Variables as jobs see them, minus secrets (by name, and any value holding a secret masked).
std::vector<LineageVariable> publicVariables(const QString &runId, const QString &job, const Variables &variables,
                                             const QMap<QString, QString> &extra, const QSet<QString> &secretNames,
                                             const SecretMasker &masker)
{
    std::vector<LineageVariable> out;
    const auto add = [&](const QString &name, const QString &value) {
        if (!secretNames.contains(name))
            out.push_back(LineageVariable{runId, job, name, masker.mask(value)});
    };
    for (const Variable &v : variables)
        add(v.name, v.value);
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        add(it.key(), it.value());
    return out;
}

/// The names of the variables never recorded: the pipeline's declared secrets and the run's.
QSet<QString> secretNamesOf(const Pipeline &pipeline, const QHash<QString, QString> &secrets)
{
    QSet<QString> secretNames(pipeline.trainyard.secrets.cbegin(), pipeline.trainyard.secrets.cend());
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        secretNames.insert(it.key());
    return secretNames;
}

/// The images the planned jobs run in, by reference.
QSet<QString> imagesUsedBy(const Pipeline &pipeline, const Plan &plan)
{
    QSet<QString> usedImages;
    for (const PlanNode &node : plan.nodes) {
        if (const Job *job = pipeline.job(node.job); job && !job->image.name.isEmpty())
            usedImages.insert(job->image.name);
    }
    return usedImages;
}

} // namespace
void LineageRecorder::doRunStarted(const QString &runId, const QString &engine)
{
    State &s = *m_state;
    s.runId = runId;
    if (!openStore())
        return;
    // Runs of dead processes were marked interrupted by open(); `trainyard run` already says so.
    s.enabled = true;

    const QString projectDir = QDir(m_pipeline.projectDir).absolutePath();
    const GitState git = GitInfo::read(projectDir).value_or(GitState{});
    describeRun(runId, engine, projectDir, git);
    planRun();

    s.secretNames = secretNamesOf(m_pipeline, m_options.secrets);
    s.masker = SecretMasker(m_options.secrets.values());

    // Images built here are identified by their build context as well.
    identifyImages(runId, projectDir);

    auto recorded =
        s.store->transaction([&]() -> Result<void> { return writeRunStart(runId, git, s.secretNames, s.masker); });
    if (!recorded) {
        report(QStringLiteral("lineage is not recorded: %1").arg(recorded.error().toString()));
        s.enabled = false;
        return;
    }

    // Data versions: hashed with the stat cache in the database, each recorded as it is known.
    recordDataVersions(runId, projectDir);
}

bool LineageRecorder::openStore()
{
    State &s = *m_state;
    auto opened = LineageStore::open(m_options.databasePath);
    if (!opened) {
        report(QStringLiteral("lineage is not recorded: %1").arg(opened.error().toString()));
        return false;
    }
    s.store = std::move(*opened);
    if (s.store->isReadOnly()) {
        report(QStringLiteral("lineage is not recorded: %1").arg(s.store->readOnlyReason()));
        return false;
    }
    return true;
}

void LineageRecorder::describeRun(const QString &runId, const QString &engine, const QString &projectDir,
                                  const GitState &git)
{
    LineageRun &run = m_state->run;
    run.id = runId;
    run.projectDir = projectDir;
    run.pipelineFile = QDir(projectDir).relativeFilePath(m_pipeline.fileName);
    run.branch = git.isRepository ? m_pipeline.branch : QString(); // no branch that does not exist
    run.commitSha = git.sha;
    run.projectPath = git.projectPath;
    run.dirty = git.dirty;
    if (git.dirty) {
        // Dirty means changes that went into the run: not Trainyard's own .trainyard/ files.
        if (auto diff = GitInfo::diffHash(projectDir)) {
            run.diffHash = *diff;
            run.dirty = !diff->isEmpty();
        } else {
            report(QStringLiteral("lineage: %1").arg(diff.error().toString()));
        }
    }
    run.user = currentUserName();
    run.host = QSysInfo::machineHostName();
    run.pid = ::getpid();
    run.processStart = ProcessIdentity::current();
    run.trigger = m_options.trigger;
    run.reproduces = m_options.reproduces;
    run.pipelineIid = 0; // until the scheduler numbers it
    run.engine = engine;
    run.status = runStatusToString(RunStatus::Running);
    run.started = QDateTime::currentDateTimeUtc();
    run.protectedBranches = m_pipeline.trainyard.protectedBranches;
}

void LineageRecorder::planRun()
{
    if (auto plan = Planner::plan(m_pipeline, m_options.onlyJobs))
        m_state->plan = std::move(*plan);
    else
        report(QStringLiteral("lineage: %1").arg(plan.error().toString()));
}

void LineageRecorder::identifyImages(const QString &runId, const QString &projectDir)
{
    State &s = *m_state;
    const QSet<QString> usedImages = imagesUsedBy(m_pipeline, s.plan);
    for (const QString &reference : usedImages)
        s.images.insert(reference, LineageImage{runId, reference, {}, {}, {}});
    for (const ImageBuild &build : m_pipeline.trainyard.images) {
        if (!usedImages.contains(build.tag))
            continue;
        const QString context = QDir(projectDir).absoluteFilePath(build.context);
        const QStringList ignore = BuildContext::ignorePatterns(context);
        DataVersioner versioner(nullptr);
        auto version = versioner.version(context, {}, nullptr, [&](const QString &rel) {
            return rel == QLatin1String(".dockerignore") || !BuildContext::isExcluded(ignore, rel);
        });
        if (version)
            s.images[build.tag].buildContextHash = version->hash;
        else
            report(QStringLiteral("lineage: build context of %1: %2").arg(build.tag, version.error().toString()));
    }
}

Result<void> LineageRecorder::writeRunStart(const QString &runId, const GitState &git, const QSet<QString> &secretNames,
                                            const SecretMasker &masker)
{
    State &s = *m_state;
    if (!git.sha.isEmpty()) {
        if (auto ok = s.store->recordCommit(
                LineageCommit{git.sha, git.authorName, git.authorEmail, git.message, git.commitTime.toUTC()});
            !ok)
            return ok;
    }
    if (auto ok = s.store->recordRun(s.run); !ok)
        return ok;
    if (auto ok = s.store->recordVariables(
            runId, QString(), publicVariables(runId, QString(), m_pipeline.variables, {}, secretNames, masker));
        !ok)
        return ok;
    for (const PlanNode &node : s.plan.nodes) {
        if (auto ok = writePlannedJob(runId, node, secretNames, masker); !ok)
            return ok;
    }
    for (const LineageImage &image : std::as_const(s.images)) {
        if (auto ok = s.store->recordImage(image); !ok)
            return ok;
    }
    return {};
}

Result<void> LineageRecorder::writePlannedJob(const QString &runId, const PlanNode &node,
                                              const QSet<QString> &secretNames, const SecretMasker &masker)
{
    State &s = *m_state;
    const Job *job = m_pipeline.job(node.job);
    JobRecord pending;
    pending.name = node.job;
    pending.stage = job ? job->stage : QString();
    pending.image = job ? job->image.name : QString();
    if (auto ok = s.store->recordJob(RunRecordMapping::toLineageJob(runId, pending, job)); !ok)
        return ok;
    if (auto ok = s.store->recordJobEdges(runId, node.job, node.dependsOn); !ok)
        return ok;
    if (!job)
        return {};
    if (auto ok = s.store->recordVariables(
            runId, node.job,
            publicVariables(runId, node.job, job->variables, job->matrixVariables, secretNames, masker));
        !ok)
        return ok;
    std::vector<LineageGate> gates;
    for (const auto &g : job->trainyard.gates)
        gates.push_back(
            LineageGate{runId, node.job, g.metric, g.op, g.value, std::nullopt, QStringLiteral("pending"), {}});
    if (!gates.empty()) {
        if (auto ok = s.store->recordGates(runId, node.job, gates); !ok)
            return ok;
    }
    return {};
}

void LineageRecorder::recordDataVersions(const QString &runId, const QString &projectDir)
{
    State &s = *m_state;
    auto cache = s.store->hashCache();
    DataVersioner versioner(cache.get());
    const HostAccess access(projectDir, m_pipeline.dataRoots);
    for (const DataInput &input : m_pipeline.trainyard.data) {
        LineageDataVersion data{runId, input.name, input.path, {}, 0, 0, {}, {}};
        const auto allowed = access.dataSource(input); // never read what this machine does not allow
        if (!allowed) {
            report(QStringLiteral("lineage: %1").arg(allowed.error().toString()));
            continue;
        }
        const QString &path = *allowed;
        const QString label = QStringLiteral("hashing data '%1'").arg(input.name);
        auto version = versioner.version(path, [&](qint64 done, qint64 total, qint64, qint64) {
            if (m_options.progress)
                m_options.progress(label, done, total);
        });
        if (version) {
            data.hash = version->hash;
            data.fileCount = qint64(version->files.size());
            data.totalBytes = version->totalBytes;
        } else {
            report(QStringLiteral("lineage: data input '%1': %2").arg(input.name, version.error().toString()));
        }
        if (auto dvc = DvcInfo::lookup(projectDir, input.path)) {
            data.dvcMd5 = dvc->md5;
            data.dvcSource = dvc->source;
        } else {
            report(QStringLiteral("lineage: data input '%1': %2").arg(input.name, dvc.error().toString()));
        }
        if (auto ok = s.store->recordDataVersion(data); !ok)
            report(QStringLiteral("lineage: %1").arg(ok.error().toString()));
    }
}

void LineageRecorder::doRunNumbered(qint64 pipelineIid)
{
    State &s = *m_state;
    if (!s.enabled || s.run.pipelineIid == pipelineIid)
        return;
    s.run.pipelineIid = pipelineIid;
    if (auto ok = s.store->recordRun(s.run); !ok)
        report(QStringLiteral("lineage: run %1: %2").arg(s.runId, ok.error().toString()));
}

void LineageRecorder::doRunFinished(const RunRecord &record)
{
    State &s = *m_state;
    if (!s.enabled)
        return;
    // Whatever the events did not bring (a job recorded only in the final record).
    for (const QString &name : record.jobOrder) {
        const auto it = record.jobs.find(name);
        if (it == record.jobs.end())
            continue;
        const JobRecord &job = it->second;
        const auto seen = s.last.constFind(name);
        if (seen == s.last.cend() || seen->status != job.status || seen->finished != job.finished ||
            seen->imageId != job.imageId || seen->artifacts != job.artifacts)
            doJobChanged(job);
    }
    LineageRun &run = s.run;
    run.pipelineIid = record.pipelineIid;
    run.status = runStatusToString(record.status);
    run.reason = record.reason;
    if (record.started.isValid())
        run.started = record.started;
    run.finished = record.finished.isValid() ? record.finished : QDateTime::currentDateTimeUtc();
    run.durationMs = run.started.msecsTo(run.finished);
    if (!record.user.isEmpty())
        run.user = record.user;
    auto ok = s.store->transaction([&]() -> Result<void> {
        if (auto r = s.store->recordRun(run); !r)
            return r;
        return s.store->closePendingGates(s.runId);
    });
    if (!ok)
        report(QStringLiteral("lineage: run %1: %2").arg(s.runId, ok.error().toString()));
}

} // namespace trainyard::core
