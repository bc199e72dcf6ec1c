#include "lineagerecorder.h"
#include "runrecordmapping.h"

#include "pipeline/hostaccess.h"

#include "common/processidentity.h"
#include "common/username.h"
#include "dataversioner.h"
#include "dvcinfo.h"
#include "lineagestore.h"
#include "vcs/gitinfo.h"

#include "engine/artifactstore.h"
#include "engine/buildcontext.h"
#include "engine/jobscript.h"
#include "pipeline/planner.h"
#include "pipeline/secretmasker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSysInfo>

#include <unistd.h>

namespace trainyard::core {

namespace {

constexpr qint64 kMaxMetricsFile = qint64(1) << 20;

} // namespace

struct LineageRecorder::State
{
    std::unique_ptr<LineageStore> store;
    bool enabled = false;
    QString runId;
    LineageRun run;
    Plan plan;
    QHash<QString, JobRecord> last;                        ///< the last state recorded per job
    QHash<QString, std::vector<LineageArtifact>> produced; ///< per job, once final
    QSet<QString> consumptionRecorded;
    QHash<QString, LineageImage> images; ///< by reference
};

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

/// When the artifacts of a job that ended with `record` expire (`artifacts: expire_in`); invalid
/// when they do not.
QDateTime artifactExpiry(const JobRecord &record, const Job *job)
{
    QDateTime expires;
    if (job && !job->artifacts.expireIn.isEmpty() && job->artifacts.expireIn != QLatin1String("never")) {
        if (auto seconds = JobScript::parseDurationSeconds(job->artifacts.expireIn))
            expires = (record.finished.isValid() ? record.finished : QDateTime::currentDateTimeUtc()).addSecs(*seconds);
    }
    return expires;
}

/// Adds the numbers at the top level of the JSON file `objectPath` (artifact `path`) to `metrics`
/// (a name already there is kept); the first artifact that holds any is `metricsSource`.
void readArtifactMetrics(const QString &objectPath, const QString &path, QMap<QString, double> &metrics,
                         QString &metricsSource)
{
    QFile file(objectPath);
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.value().isDouble() && !metrics.contains(it.key()))
            metrics.insert(it.key(), it.value().toDouble());
    }
    if (!o.isEmpty() && metricsSource.isEmpty())
        metricsSource = path;
}

} // namespace

/// What a job produced, once it is final: its artifacts, and the numbers gates may read from them.
struct LineageRecorder::JobOutputs
{
    std::optional<std::vector<LineageArtifact>> artifacts; ///< set once the job is final
    QMap<QString, double> metrics;
    QString metricsSource;
};

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

    const QSet<QString> secretNames = secretNamesOf(m_pipeline, m_options.secrets);
    const SecretMasker masker(m_options.secrets.values());

    // Images built here are identified by their build context as well.
    identifyImages(runId, projectDir);

    auto recorded =
        s.store->transaction([&]() -> Result<void> { return writeRunStart(runId, git, secretNames, masker); });
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
    run.branch = m_pipeline.branch;
    run.commitSha = git.sha;
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
    run.pipelineIid = m_options.pipelineIid; // 0 until the scheduler numbers it, unless given
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

void LineageRecorder::doJobChanged(const JobRecord &record)
{
    State &s = *m_state;
    if (!s.enabled)
        return;
    const Job *job = m_pipeline.job(record.name);
    const QString projectDir = QDir(m_pipeline.projectDir).absolutePath();

    // What the job was staged: the artifacts of the jobs it takes them from (as the scheduler
    // decides: `needs` with artifacts, else `dependencies`, else every job it waits for).
    const std::optional<std::vector<LineageConsumption>> consumed = stagedArtifacts(record, job);

    // What it produced, once it is final.
    const JobOutputs outputs = producedOutputs(record, job, projectDir);

    // The image as the engine resolved it, once known.
    const bool writeImage = resolveImage(record);

    auto ok = s.store->transaction(
        [&]() -> Result<void> { return writeJobChange(record, job, consumed, outputs, writeImage); });
    if (!ok)
        report(QStringLiteral("lineage: job %1: %2").arg(record.name, ok.error().toString()));
    s.last.insert(record.name, record);
}

std::optional<std::vector<LineageConsumption>> LineageRecorder::stagedArtifacts(const JobRecord &record, const Job *job)
{
    State &s = *m_state;
    std::optional<std::vector<LineageConsumption>> consumed;
    if (record.status != JobStatus::Running || s.consumptionRecorded.contains(record.name) || !job)
        return consumed;
    QStringList sources;
    if (job->needs) {
        for (const Need &n : *job->needs) {
            if (n.artifacts && n.isLocal())
                sources << n.job;
        }
    } else if (job->dependencies) {
        sources = *job->dependencies;
    } else if (const PlanNode *node = s.plan.node(record.name)) {
        sources = node->dependsOn;
    }
    consumed.emplace();
    for (const QString &source : std::as_const(sources)) {
        for (const LineageArtifact &a : s.produced.value(source))
            consumed->push_back(LineageConsumption{s.runId, record.name, source, a.path, a.sha256});
    }
    s.consumptionRecorded.insert(record.name);
    return consumed;
}

LineageRecorder::JobOutputs LineageRecorder::producedOutputs(const JobRecord &record, const Job *job,
                                                             const QString &projectDir)
{
    State &s = *m_state;
    JobOutputs outputs;
    if (!isFinal(record.status))
        return outputs;
    outputs.artifacts.emplace();
    if (!record.artifacts.isEmpty()) {
        auto set = ArtifactStore::fromJson(record.artifacts);
        if (!set) {
            report(QStringLiteral("lineage: artifacts of job %1: %2").arg(record.name, set.error().toString()));
        } else {
            const QDateTime expires = artifactExpiry(record, job);
            const QString storeRoot = projectDir + QStringLiteral("/.trainyard/artifacts");
            for (const auto &f : set->files) {
                outputs.artifacts->push_back(
                    LineageArtifact{s.runId, record.name, f.path, f.sha256, f.size, f.executable, expires});
                // Gates may read numbers at the top level of a small JSON artifact (metrics.json).
                if (job && !job->trainyard.gates.empty() && f.path.endsWith(QLatin1String(".json")) &&
                    f.size <= kMaxMetricsFile)
                    readArtifactMetrics(ArtifactStore::objectPath(storeRoot, f.sha256), f.path, outputs.metrics,
                                        outputs.metricsSource);
            }
        }
    }
    s.produced.insert(record.name, *outputs.artifacts);
    return outputs;
}

bool LineageRecorder::resolveImage(const JobRecord &record)
{
    if (record.image.isEmpty() || record.imageId.isEmpty())
        return false;
    State &s = *m_state;
    LineageImage &image = s.images[record.image];
    image.runId = s.runId;
    image.reference = record.image;
    if (image.imageId == record.imageId && image.repoDigests == record.repoDigests)
        return false;
    image.imageId = record.imageId;
    image.repoDigests = record.repoDigests;
    return true;
}

Result<void> LineageRecorder::writeJobChange(const JobRecord &record, const Job *job,
                                             const std::optional<std::vector<LineageConsumption>> &consumed,
                                             const JobOutputs &outputs, bool writeImage)
{
    State &s = *m_state;
    if (auto r = s.store->recordJob(RunRecordMapping::toLineageJob(s.runId, record, job)); !r)
        return r;
    if (consumed) {
        if (auto r = s.store->recordConsumption(s.runId, record.name, *consumed); !r)
            return r;
    }
    if (outputs.artifacts) {
        if (auto r = s.store->recordArtifacts(s.runId, record.name, *outputs.artifacts); !r)
            return r;
    }
    if (writeImage) {
        if (auto r = s.store->recordImage(s.images.value(record.image)); !r)
            return r;
    }
    if (!outputs.metrics.isEmpty()) {
        if (auto r = s.store->recordGateValues(s.runId, record.name, outputs.metrics, outputs.metricsSource); !r)
            return r;
    }
    return {};
}

void LineageRecorder::doRunNumbered(qint64 pipelineIid)
{
    State &s = *m_state;
    if (m_options.pipelineIid > 0)
        pipelineIid = m_options.pipelineIid;
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
    run.pipelineIid = m_options.pipelineIid > 0 ? m_options.pipelineIid : record.pipelineIid;
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
