#include "runreproducer.h"

#include "dataversioner.h"
#include "lineagerecorder.h"
#include "lineagestore.h"
#include "vcs/gitinfo.h"
#include "vcs/gitworktree.h"

#include "engine/artifactstore.h"
#include "engine/dockerclient.h"
#include "engine/dockerexecutor.h"
#include "engine/shellexecutor.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/secretsource.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

#include <map>

namespace trainyard::core {

struct RunReproducer::Context
{
    std::unique_ptr<LineageStore> store;
    LineageRun run;
    std::vector<LineageJob> jobs; ///< of the original run
    QStringList ran;              ///< its jobs that ran (whatever their end), in its order
    QString engine;
    QHash<QString, QString> pins; ///< image reference → recorded image ID
    QString repoRoot;
    QString worktreeName; ///< `<run>-<n>`: git's name for the worktree, and its folder
    QString worktreeRoot;
    QString worktreeProject; ///< the project inside the worktree (the repository may hold more)
    bool worktreeMade = false;
    Pipeline pipeline;
};

struct RunReproducer::JobImages
{
    QHash<QString, LineageImage> byReference;
    std::map<QString, QStringList> jobsOf; ///< reference → jobs, in a stable order for messages
};

namespace {

bool ranIn(const LineageJob &job)
{
    return job.status == jobStatusToString(JobStatus::Success) || job.status == jobStatusToString(JobStatus::Failed) ||
           job.status == jobStatusToString(JobStatus::FailedAllowed);
}

/// Files of a version modified after `since`: what most likely changed (a removal leaves no trace).
QStringList modifiedSince(const DataVersion &version, const QDateTime &since)
{
    QStringList out;
    if (!since.isValid())
        return out;
    const QString base = version.isDirectory ? version.path : QFileInfo(version.path).path();
    for (const DataVersion::File &f : version.files) {
        const QString path = version.isDirectory ? base + u'/' + f.path : version.path;
        if (QFileInfo(path).lastModified().toUTC() > since)
            out << f.path;
    }
    return out;
}

} // namespace

RunReproducer::RunReproducer(QString projectDir, QString runId, Options options)
    : m_projectDir(QDir(projectDir).absolutePath())
    , m_runId(std::move(runId))
    , m_options(std::move(options))
{}

RunReproducer::~RunReproducer() = default;

void RunReproducer::cancel()
{
    m_cancel = true;
}

std::vector<DataDifference> RunReproducer::dataDifferences() const
{
    std::lock_guard lock(m_mutex);
    return m_dataDifferences;
}

void RunReproducer::note(const QString &message) const
{
    if (m_options.message)
        m_options.message(message);
}

Result<ReproductionReport> RunReproducer::run()
{
    {
        std::lock_guard lock(m_mutex);
        m_dataDifferences.clear();
    }
    Context c;
    // Everything that can refuse runs before anything is run; a refusal after the worktree was
    // made removes it again (it holds nothing worth keeping).
    auto refused = readRun(c)
                       .and_then([&] { return pinImages(c); })
                       .and_then([&] { return makeWorktree(c); })
                       .and_then([&] { return readPipeline(c); })
                       .and_then([&] { return verifyData(c); });
    if (refused && m_cancel)
        refused = tl::unexpected(Error::error(QStringLiteral("reproduction of run %1 cancelled").arg(m_runId)));
    if (!refused) {
        dropWorktree(c);
        return tl::unexpected(refused.error());
    }
    auto report = reproduce(c);
    if (!report || !m_options.keepWorktree)
        dropWorktree(c);
    else
        note(QStringLiteral("the worktree stays for inspection (logs, artifacts) in %1").arg(c.worktreeProject));
    return report;
}

Result<void> RunReproducer::readRun(Context &c)
{
    const QString path = LineageStore::defaultPath(m_projectDir);
    if (!QFileInfo::exists(path))
        return tl::unexpected(Error::error(
            QStringLiteral("no lineage is recorded in %1 (%2 does not exist): there is no run %3 to reproduce")
                .arg(m_projectDir, path, m_runId),
            SourceLocation{path}));
    auto opened = LineageStore::open(path);
    if (!opened)
        return tl::unexpected(opened.error());
    c.store = std::move(*opened);
    if (c.store->isReadOnly())
        return tl::unexpected(Error::error(
            QStringLiteral("the lineage database cannot be written, so a reproduction cannot be recorded: %1")
                .arg(c.store->readOnlyReason()),
            SourceLocation{path}));
    auto run = c.store->run(m_runId);
    if (!run)
        return tl::unexpected(run.error());
    if (!*run)
        return tl::unexpected(
            Error::error(QStringLiteral("no run '%1' is recorded in %2: `trainyard runs` lists the run ids")
                             .arg(m_runId, m_projectDir)));
    c.run = **run;
    if (c.run.commitSha.isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("run %1 was not made in a git repository (no commit is recorded): there is nothing to check "
                           "out again")
                .arg(m_runId)));
    if (c.run.dirty)
        return tl::unexpected(Error::error(
            QStringLiteral(
                "run %1 was made from uncommitted changes (diff hash %2) on top of commit %3: they are in no "
                "commit, so it cannot be reproduced. Commit them and run again.")
                .arg(m_runId, c.run.diffHash.isEmpty() ? QStringLiteral("unknown") : c.run.diffHash.left(12),
                     c.run.commitSha.left(12))));
    if (c.run.status == runStatusToString(RunStatus::Running))
        return tl::unexpected(
            Error::error(QStringLiteral("run %1 has not finished yet (status running): reproduce it once it has ended")
                             .arg(m_runId)));
    auto jobs = c.store->jobs(m_runId);
    if (!jobs)
        return tl::unexpected(jobs.error());
    c.jobs = std::move(*jobs);
    for (const LineageJob &j : c.jobs) {
        if (ranIn(j))
            c.ran << j.name;
    }
    if (c.ran.isEmpty())
        return tl::unexpected(
            Error::error(QStringLiteral("no job ran in run %1 (status %2): there is nothing to reproduce")
                             .arg(m_runId, c.run.status)));
    c.engine = m_options.engine.isEmpty() ? c.run.engine : m_options.engine;
    if (c.engine != QLatin1String("docker") && c.engine != QLatin1String("shell"))
        return tl::unexpected(
            Error::error(QStringLiteral("the engine must be docker or shell, not '%1'").arg(c.engine)));
    return {};
}

Result<void> RunReproducer::pinImages(Context &c)
{
    if (c.engine != QLatin1String("docker")) {
        if (c.run.engine == QLatin1String("docker"))
            note(QStringLiteral("engine shell: the jobs of run %1 ran in containers, now they run in the host shell")
                     .arg(m_runId));
        return {};
    }
    auto images = jobImages(c);
    if (!images)
        return tl::unexpected(images.error());
    if (images->jobsOf.empty())
        return {};

    DockerClient client(m_options.dockerEndpoint.isEmpty() ? DockerClient::defaultEndpoint()
                                                           : m_options.dockerEndpoint);
    if (auto ping = client.ping(); !ping)
        return tl::unexpected(Error::error(
            ping.error().message + QStringLiteral(" (or reproduce with --engine shell, which has no isolation)")));
    for (const auto &[reference, jobs] : images->jobsOf) {
        const LineageImage &image = images->byReference[reference];
        if (auto present = ensureImagePresent(client, reference, image, jobs); !present)
            return present;
        c.pins.insert(reference, image.imageId);
        note(QStringLiteral("image %1 pinned to %2 (as in run %3; not rebuilt, not pulled by tag)")
                 .arg(reference, image.imageId, m_runId));
    }
    return {};
}

Result<RunReproducer::JobImages> RunReproducer::jobImages(const Context &c) const
{
    auto images = c.store->images(m_runId);
    if (!images)
        return tl::unexpected(images.error());
    JobImages result;
    for (const LineageImage &i : *images)
        result.byReference.insert(i.reference, i);

    for (const LineageJob &j : c.jobs) {
        if (!c.ran.contains(j.name) || j.image.isEmpty())
            continue;
        LineageImage &image = result.byReference[j.image];
        image.reference = j.image;
        if (image.imageId.isEmpty())
            image.imageId = j.imageId;
        result.jobsOf[j.image] << j.name;
        if (image.imageId.isEmpty())
            return tl::unexpected(Error::error(
                QStringLiteral(
                    "job '%1' of run %2: no image ID is recorded for %3 (the run used the %4 engine), so the "
                    "image cannot be pinned%5")
                    .arg(j.name, m_runId, j.image, c.run.engine,
                         c.run.engine == QLatin1String("shell") ? QStringLiteral("; reproduce it with --engine shell")
                                                                : QString()),
                {}, j.name));
    }
    return result;
}

Result<void> RunReproducer::ensureImagePresent(DockerClient &client, const QString &reference,
                                               const LineageImage &image, const QStringList &jobs) const
{
    const QString who = QStringLiteral("%1 '%2'").arg(jobs.size() == 1 ? QStringLiteral("job") : QStringLiteral("jobs"),
                                                      jobs.join(QStringLiteral("', '")));
    auto info = client.inspectImage(image.imageId);
    if (!info)
        return tl::unexpected(info.error());
    if (!info->exists && !image.repoDigests.isEmpty()) {
        if (auto pulled = pullByDigest(client, reference, image, who, jobs.first()); !pulled)
            return pulled;
        info = client.inspectImage(image.imageId);
        if (!info)
            return tl::unexpected(info.error());
    }
    if (!info->exists)
        return tl::unexpected(Error::error(
            QStringLiteral("%1 of run %2 ran in %3 = %4, which is not on this machine any more%5: the run cannot be "
                           "reproduced with the same image")
                .arg(who, m_runId, reference, image.imageId,
                     image.repoDigests.isEmpty()
                         ? QStringLiteral(" and has no registry digest to pull it by (built here, then removed or "
                                          "rebuilt)")
                         : QStringLiteral(" and its digest %1 did not give it back").arg(image.repoDigests.first())),
            {}, jobs.first()));
    return {};
}

Result<void> RunReproducer::pullByDigest(DockerClient &client, const QString &reference, const LineageImage &image,
                                         const QString &who, const QString &firstJob) const
{
    const QString digest = image.repoDigests.first();
    note(QStringLiteral("image %1 (%2) is not on this machine: pulling %3").arg(reference, image.imageId, digest));
    const QString label = QStringLiteral("pulling %1").arg(digest);
    auto pulled = client.pullImage(
        digest,
        [&](const PullProgress &p) {
            if (m_options.progress)
                m_options.progress(label, p.current, p.total);
        },
        &m_cancel);
    if (!pulled)
        return tl::unexpected(Error::error(
            QStringLiteral("%1 of run %2 ran in %3 = %4, which is not on this machine; pulling %5 failed: %6")
                .arg(who, m_runId, reference, image.imageId, digest, pulled.error().message),
            {}, firstJob));
    return {};
}

Result<void> RunReproducer::makeWorktree(Context &c)
{
    const auto git = GitInfo::read(m_projectDir);
    if (!git)
        return tl::unexpected(git.error());
    if (!git->isRepository || git->root.isEmpty())
        return tl::unexpected(
            Error::error(QStringLiteral("%1 is not in a git work tree: commit %2 of run %3 cannot be checked out")
                             .arg(m_projectDir, c.run.commitSha.left(12), m_runId),
                         SourceLocation{m_projectDir}));
    c.repoRoot = git->root;
    QString inRepo = QDir(c.repoRoot).relativeFilePath(m_projectDir);
    if (inRepo == QLatin1String("."))
        inRepo.clear();

    const QString base = m_projectDir + QStringLiteral("/.trainyard/reproduce/");
    for (int n = 1;; ++n) {
        c.worktreeName = QStringLiteral("%1-%2").arg(m_runId).arg(n);
        if (!QFileInfo::exists(base + c.worktreeName) && !GitWorktree::nameInUse(c.repoRoot, c.worktreeName))
            break;
    }
    const QString folder = base + c.worktreeName;
    if (!QDir().mkpath(folder))
        return tl::unexpected(
            Error::error(QStringLiteral("cannot make the folder %1").arg(folder), SourceLocation{folder}));
    // The checkout's top folder has the repository's name, so the jobs see the same project name
    // (CI_PROJECT_NAME, /builds/<name>) as in the original run.
    c.worktreeRoot = folder + u'/' + QFileInfo(c.repoRoot).fileName();
    c.worktreeProject = inRepo.isEmpty() ? c.worktreeRoot : c.worktreeRoot + u'/' + inRepo;
    const QString label = QStringLiteral("checking out %1").arg(c.run.commitSha.left(12));
    if (m_options.progress)
        m_options.progress(label, 0, 1);
    if (auto added = GitWorktree::add(c.repoRoot, c.worktreeName, c.worktreeRoot, c.run.commitSha); !added) {
        QDir(folder).removeRecursively();
        return tl::unexpected(added.error());
    }
    c.worktreeMade = true;
    if (m_options.progress)
        m_options.progress(label, 1, 1);
    note(QStringLiteral("commit %1 checked out into %2").arg(c.run.commitSha.left(12), c.worktreeProject));
    return {};
}

void RunReproducer::dropWorktree(const Context &c) const
{
    if (!c.worktreeMade)
        return;
    if (auto removed = GitWorktree::remove(c.repoRoot, c.worktreeName); !removed)
        note(QStringLiteral("the worktree %1 could not be removed cleanly: %2")
                 .arg(c.worktreeRoot, removed.error().toString()));
    QDir(m_projectDir + QStringLiteral("/.trainyard/reproduce/") + c.worktreeName).removeRecursively();
}

Result<void> RunReproducer::readPipeline(Context &c)
{
    GitlabCiReader::Options options;
    options.projectDir = c.worktreeProject;
    options.file = c.run.pipelineFile;
    options.branch = c.run.branch; // rules and CI_COMMIT_BRANCH as in the run, not the detached HEAD
    c.pipeline = GitlabCiReader::read(options);
    if (c.pipeline.hasErrors() || !c.pipeline.createdByWorkflow) {
        QStringList problems;
        for (const Error &e : c.pipeline.problems) {
            if (e.isError())
                problems << e.toString();
        }
        if (!c.pipeline.createdByWorkflow)
            problems << c.pipeline.workflowReason;
        return tl::unexpected(
            Error::error(QStringLiteral("the pipeline of run %1 at commit %2 cannot be run: %3")
                             .arg(m_runId, c.run.commitSha.left(12), problems.join(QStringLiteral("; ")))));
    }
    for (const QString &job : std::as_const(c.ran)) {
        if (!c.pipeline.job(job))
            return tl::unexpected(
                Error::error(QStringLiteral("job '%1' of run %2 is not in the pipeline at commit %3 for branch %4")
                                 .arg(job, m_runId, c.run.commitSha.left(12), c.run.branch),
                             {}, job));
    }
    return {};
}

Result<void> RunReproducer::verifyData(Context &c)
{
    auto versions = c.store->dataVersions(m_runId);
    if (!versions)
        return tl::unexpected(versions.error());
    auto cache = c.store->hashCache();
    const DataVersioner versioner(cache.get());
    std::vector<DataDifference> differences;
    for (const LineageDataVersion &recorded : *versions) {
        DataDifference d{recorded.name, {}, recorded.hash, {}, recorded.fileCount, 0, recorded.totalBytes, 0, {}, {}};
        // Tracked data is in the checkout; data git does not hold is where the run read it.
        QStringList candidates;
        if (!QDir::isAbsolutePath(recorded.path))
            candidates << QDir::cleanPath(QDir(c.worktreeProject).absoluteFilePath(recorded.path));
        const QString original = QDir::cleanPath(QDir(m_projectDir).absoluteFilePath(recorded.path));
        if (!candidates.contains(original))
            candidates << original;
        QString verifiedAt;
        for (const QString &path : std::as_const(candidates)) {
            if (!QFileInfo::exists(path))
                continue;
            const QString label = QStringLiteral("hashing data '%1'").arg(recorded.name);
            auto version = versioner.version(
                path,
                [&](qint64 done, qint64 total, qint64, qint64) {
                    if (m_options.progress)
                        m_options.progress(label, done, total);
                },
                &m_cancel);
            if (m_cancel)
                return tl::unexpected(Error::error(QStringLiteral("reproduction of run %1 cancelled").arg(m_runId)));
            if (version && !recorded.hash.isEmpty() && version->hash == recorded.hash) {
                verifiedAt = path;
                break;
            }
            if (!d.path.isEmpty())
                continue; // the first place looked at tells what differs
            d.path = path;
            if (!version) {
                d.problem = version.error().message;
                continue;
            }
            d.currentHash = version->hash;
            d.currentFiles = qint64(version->files.size());
            d.currentBytes = version->totalBytes;
            d.changedFiles = modifiedSince(*version, c.run.started);
        }
        if (!verifiedAt.isEmpty()) {
            for (DataInput &input : c.pipeline.trainyard.data) {
                // Data outside the checkout is mounted from where it was verified: the project
                // being reproduced, which this reproduction may read.
                if (input.name == recorded.name && verifiedAt != candidates.first()) {
                    input.path = verifiedAt;
                    c.pipeline.dataRoots << verifiedAt;
                }
            }
            note(QStringLiteral("data '%1' verified: %2 (%3)").arg(recorded.name, recorded.hash.left(12), verifiedAt));
            continue;
        }
        if (d.path.isEmpty()) {
            d.path = candidates.last();
            d.problem = QStringLiteral("it does not exist");
        } else if (recorded.hash.isEmpty() && d.problem.isEmpty()) {
            d.problem = QStringLiteral("run %1 could not hash it, so it cannot be verified").arg(m_runId);
        }
        differences.push_back(d);
    }
    if (differences.empty())
        return {};
    const QString where = differences.front().path;
    {
        std::lock_guard lock(m_mutex);
        m_dataDifferences = differences;
    }
    return tl::unexpected(Error::error(dataDifferencesText(m_runId, differences), SourceLocation{where}));
}

Result<ReproductionReport> RunReproducer::reproduce(Context &c)
{
    const auto secrets = loadSecrets(c);
    if (!secrets)
        return tl::unexpected(secrets.error());
    const RunOptions run = runOptions(c, *secrets);
    const SchedulerEvents events = eventsWithProgress(c.ran);

    if (!m_options.execute)
        return tl::unexpected(Error::error(QStringLiteral("nothing executes the reproduction of run %1").arg(m_runId)));
    ReproductionRun prepared{c.pipeline,      c.engine, m_options.dockerEndpoint, run, events,
                             c.store->path(), // the project's database, not one in the worktree
                             m_projectDir};   // numbered among the project's runs
    const auto [record, failure] = m_options.execute(prepared);
    return compareWithOriginal(c, record, failure);
}

Result<QHash<QString, QString>> RunReproducer::loadSecrets(const Context &c) const
{
    auto secrets = SecretSource::load(m_projectDir, c.pipeline.trainyard.secrets);
    if (!secrets)
        return tl::unexpected(secrets.error());
    for (const QString &m : std::as_const(secrets->missing))
        note(QStringLiteral(
                 "secret variable %1 is not set (neither in the environment nor in %2/.trainyard/secrets.env)")
                 .arg(m, m_projectDir));
    for (const QString &w : std::as_const(secrets->warnings))
        note(w);
    return secrets->values;
}

RunOptions RunReproducer::runOptions(const Context &c, const QHash<QString, QString> &secrets) const
{
    RunOptions run;
    run.onlyJobs = c.ran;
    for (const QString &job : std::as_const(c.ran)) {
        if (c.pipeline.job(job)->isManual())
            run.approvals << job;
    }
    for (const LineageJob &j : c.jobs)
        run.cpuFallback = run.cpuFallback || (c.ran.contains(j.name) && j.cpuFallback);
    run.secrets = secrets;
    run.trigger = QStringLiteral("reproduce");
    run.reproduces = m_runId;
    run.jobPipelineIid = c.run.pipelineIid; // its jobs see the original's CI_PIPELINE_IID
    run.imageOverrides = c.pins;
    return run;
}

SchedulerEvents RunReproducer::eventsWithProgress(const QStringList &ran) const
{
    // The run's progress: jobs of the original that have ended.
    SchedulerEvents events = m_options.events;
    auto done = std::make_shared<std::pair<std::mutex, QSet<QString>>>();
    events.jobChanged = [this, inner = events.jobChanged, done, ran](const JobRecord &job) {
        if (inner)
            inner(job);
        if (!m_options.progress || !isFinal(job.status) || !ran.contains(job.name))
            return;
        qint64 count = 0;
        {
            std::lock_guard lock(done->first);
            done->second.insert(job.name);
            count = done->second.size();
        }
        m_options.progress(QStringLiteral("running jobs"), count, ran.size());
    };
    return events;
}

Result<ReproductionReport> RunReproducer::compareWithOriginal(const Context &c, const RunRecord &record,
                                                              const QString &failure) const
{
    ReproductionReport report;
    report.originalRunId = m_runId;
    report.reproductionRunId = record.id;
    report.commitSha = c.run.commitSha;
    report.worktree = c.worktreeProject;
    report.reproductionStatus = runStatusToString(record.status);
    report.failure = ReproductionReport::errorOf(record, failure);
    report.errored = !report.failure.isEmpty();
    if (report.errored) { // what the jobs left says nothing about the original run
        recordComparison(c, record.id, report);
        return report;
    }

    if (auto compared = compareArtifacts(c, record, report); !compared)
        return tl::unexpected(compared.error());
    compareJobs(c, record, report);
    report.identical = report.differences.empty() && report.jobDifferences.empty();
    recordComparison(c, record.id, report);
    return report;
}

Result<void> RunReproducer::compareArtifacts(const Context &c, const RunRecord &record,
                                             ReproductionReport &report) const
{
    // The reproduction's side is read from its run record, so a lineage problem cannot fake a difference.
    auto original = c.store->artifacts(m_runId);
    if (!original)
        return tl::unexpected(original.error());
    std::map<std::pair<QString, QString>, std::pair<QString, QString>> byPath; // (job, path) → (original, reproduced)
    for (const LineageArtifact &a : *original)
        byPath[{a.job, a.path}].first = a.sha256;
    for (const auto &[name, job] : record.jobs) {
        if (job.artifacts.isEmpty())
            continue;
        auto set = ArtifactStore::fromJson(job.artifacts);
        if (!set) {
            note(QStringLiteral("artifacts of job %1 in run %2: %3").arg(name, record.id, set.error().toString()));
            continue;
        }
        for (const ArtifactStore::StoredFile &f : set->files)
            byPath[{name, f.path}].second = f.sha256;
    }
    report.comparedArtifacts = int(byPath.size());
    for (const auto &[key, hashes] : byPath) {
        if (hashes.first != hashes.second)
            report.differences.push_back(ArtifactDifference{key.first, key.second, hashes.first, hashes.second});
    }
    return {};
}

void RunReproducer::compareJobs(const Context &c, const RunRecord &record, ReproductionReport &report) const
{
    for (const LineageJob &j : c.jobs) {
        if (!c.ran.contains(j.name))
            continue;
        const auto it = record.jobs.find(j.name);
        const QString now = it == record.jobs.end() ? QString() : jobStatusToString(it->second.status);
        if (now != j.status)
            report.jobDifferences.push_back(JobDifference{j.name, j.status, now});
    }
}

void RunReproducer::recordComparison(const Context &c, const QString &reproductionRunId,
                                     const ReproductionReport &report) const
{
    LineageReproduction row{m_runId,
                            reproductionRunId,
                            report.identical,
                            report.identical ? QString() : report.toText(),
                            QDateTime::currentDateTimeUtc(),
                            report.errored};
    if (auto ok = c.store->recordReproduction(row); !ok)
        note(QStringLiteral("lineage: the comparison of run %1 with %2 is not recorded: %3")
                 .arg(m_runId, reproductionRunId, ok.error().toString()));
}

} // namespace trainyard::core
