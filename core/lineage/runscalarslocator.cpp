#include "runscalarslocator.h"

#include "common/safename.h"

#include "artifactregistry.h"
#include "engine/artifactstore.h"
#include "engine/ociregistryclient.h"
#include "lineagestore.h"
#include "metrics/logdirscanner.h"
#include "pipeline/evaluationcontext.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/pipeline.h"
#include "pipeline/secretmasker.h"
#include "pipeline/secretsource.h"
#include "vcs/githandles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <map>

namespace trainyard::core {

namespace {

QString cleanRelative(const QString &path)
{
    QString p = QDir::cleanPath(path);
    if (p == QLatin1String("."))
        return {};
    while (p.startsWith(QLatin1String("./")))
        p = p.mid(2);
    while (p.endsWith(u'/'))
        p.chop(1);
    return p;
}

struct SecretFilter
{
    QSet<QString> names;
    SecretMasker masker;

    bool isSecret(const QString &name) const { return names.contains(name); }
};

SecretFilter secretFilter(const QString &projectDir, const Pipeline &pipeline, std::vector<Error> &problems)
{
    SecretFilter filter;
    for (const QString &name : pipeline.trainyard.secrets)
        filter.names.insert(name);
    const auto secrets = SecretSource::load(projectDir, pipeline.trainyard.secrets);
    if (!secrets) {
        Error e = secrets.error();
        e.severity = Error::Severity::Warning;
        problems.push_back(e);
        return filter;
    }
    for (auto it = secrets->values.begin(); it != secrets->values.end(); ++it) {
        filter.names.insert(it.key());
        if (!it.value().isEmpty())
            filter.masker.add(it.value());
    }
    return filter;
}

RunParameters parametersOf(const RunRecord &record, const JobRecord &job, const Pipeline &pipeline,
                           RunParameters::VariablesSource source, const RunHistory::Run &run,
                           const SecretFilter &secrets)
{
    const QHash<QString, RunHistory::Variables> &recorded = run.variables;
    RunParameters p;
    // A metric named as a secret (a dotenv variable declared secret since) is never shown.
    for (const LineageMetric &m : run.metrics) {
        if (!secrets.isSecret(m.name) && !pipeline.trainyard.secrets.contains(m.name))
            p.metrics.push_back(m);
    }
    p.image = job.image;
    p.imageDigest = job.repoDigests.isEmpty() ? job.imageId : job.repoDigests.first();
    p.commit = record.commitSha.left(8);
    p.dirty = record.dirty;
    p.branch = record.branch;

    std::map<QString, QString> variables;
    if (const auto it = recorded.find(job.name); it != recorded.end() && !it->empty()) {
        p.variablesSource = RunParameters::VariablesSource::Recorded;
        for (const auto &[name, value] : *it)
            variables[name] = value;
    } else {
        p.variablesSource = source;
        for (const Variable &v : pipeline.variables)
            variables[v.name] = v.value;
        if (const Job *pipelineJob = pipeline.job(job.name)) {
            for (const Variable &v : pipelineJob->variables)
                variables[v.name] = v.value;
            for (auto m = pipelineJob->matrixVariables.begin(); m != pipelineJob->matrixVariables.end(); ++m)
                variables[m.key()] = m.value();
        }
    }
    for (const auto &[name, value] : variables) {
        if (!secrets.isSecret(name) && !pipeline.trainyard.secrets.contains(name))
            p.variables.emplace_back(name, secrets.masker.mask(value));
    }
    return p;
}

QString tensorboardDirOf(const Pipeline &pipeline, const QString &job)
{
    if (const Job *j = pipeline.job(job); j && !j->trainyard.tensorboard.isEmpty())
        return cleanRelative(j->trainyard.tensorboard);
    const auto it = pipeline.trainyard.jobs.constFind(job);
    return it == pipeline.trainyard.jobs.cend() ? QString() : cleanRelative(it->tensorboard);
}

// The event files of a job's artifacts grouped by sub-run: below `tensorboardDir` when it is
// set (others are not TensorBoard's), anywhere in the workspace otherwise. Paths are
// workspace-relative; each group is sorted by path, so by event-file name.
std::map<QString, std::vector<ArtifactStore::StoredFile>> eventFilesBySubRun(const ArtifactStore::ArtifactSet &set,
                                                                             const QString &tensorboardDir)
{
    std::map<QString, std::vector<ArtifactStore::StoredFile>> groups;
    for (const ArtifactStore::StoredFile &file : set.files) {
        const qsizetype slash = file.path.lastIndexOf(u'/');
        const QString folder = slash < 0 ? QString() : file.path.left(slash);
        if (!LogdirScanner::isEventFileName(file.path.mid(slash + 1)))
            continue;
        QString subRun = folder;
        if (!tensorboardDir.isEmpty()) {
            if (folder == tensorboardDir)
                subRun.clear();
            else if (folder.startsWith(tensorboardDir + u'/'))
                subRun = folder.mid(tensorboardDir.size() + 1);
            else
                continue;
        }
        groups[subRun].push_back(file);
    }
    for (auto &[subRun, files] : groups)
        std::sort(files.begin(), files.end(), [](const auto &a, const auto &b) { return a.path < b.path; });
    return groups;
}

QByteArray gitPath(const QString &path)
{
    return QFile::encodeName(QDir::fromNativeSeparators(path));
}

/// A job's event files by sub-run, as eventFilesBySubRun() groups them.
using EventFileGroups = std::map<QString, std::vector<ArtifactStore::StoredFile>>;

/// The pipeline each run was made from: its commit's file, read once per commit.
class CommittedPipelines
{
public:
    explicit CommittedPipelines(QString projectDir)
        : m_projectDir(std::move(projectDir))
    {}

    /// The pipeline file as committed at `commitSha`; null when it cannot be read there.
    const Pipeline *at(const QString &commitSha)
    {
        auto it = m_atCommit.find(commitSha);
        if (it == m_atCommit.end()) {
            std::optional<Pipeline> read;
            if (const auto text = RunScalarsLocator::pipelineFileAt(m_projectDir, commitSha)) {
                if (!m_context)
                    m_context = EvaluationContext::fromProject(m_projectDir);
                read = GitlabCiReader::readText(*text, QDir(m_projectDir).filePath(QStringLiteral(".gitlab-ci.yml")),
                                                *m_context);
            }
            it = m_atCommit.emplace(commitSha, std::move(read)).first;
        }
        return it->second ? &*it->second : nullptr;
    }

private:
    QString m_projectDir;
    std::optional<EvaluationContext> m_context;
    std::map<QString, std::optional<Pipeline>> m_atCommit;
};

/// The job's tensorboard directory as the run had it (`runPipeline`), else as it is now (`current`).
QString runTensorboardDir(const Pipeline &runPipeline, const Pipeline &current, const QString &job)
{
    QString tensorboardDir = tensorboardDirOf(runPipeline, job);
    if (tensorboardDir.isEmpty())
        tensorboardDir = tensorboardDirOf(current, job);
    return tensorboardDir;
}

/// What every scalar run of a job shares: the run and the job, its status and start, and whether
/// it is running now.
RecordedScalarRun jobScalarRun(const RunRecord &record, const QString &jobName, const JobRecord &job)
{
    RecordedScalarRun base;
    base.runId = record.id;
    base.pipelineIid = record.pipelineIid;
    base.job = jobName;
    base.status = job.status;
    base.started = job.started;
    base.running = job.status == JobStatus::Running && record.status == RunStatus::Running;
    return base;
}

/// The event files the job's artifacts hold, by sub-run: none while it runs or when it collected
/// nothing; nullopt, with a warning in `problems`, when its artifact list cannot be read.
std::optional<EventFileGroups> collectedEventFiles(const RunRecord &record, const QString &jobName,
                                                   const JobRecord &job, bool running, const QString &tensorboardDir,
                                                   const QString &database, std::vector<Error> &problems)
{
    if (job.artifacts.isEmpty() || running)
        return EventFileGroups{};
    const auto set = ArtifactStore::fromJson(job.artifacts);
    if (!set) {
        problems.push_back(Error::warning(
            QStringLiteral("run #%1 (%2): %3").arg(record.pipelineIid).arg(record.id, set.error().message),
            SourceLocation{database, 0, 0}, jobName));
        return std::nullopt;
    }
    return eventFilesBySubRun(*set, tensorboardDir);
}

/// Adds one run per sub-run to `runs`: `base` with the sub-run's name and its event files (their
/// paths in the artifact store at `storeRoot`).
void addCollectedRuns(const RecordedScalarRun &base, const EventFileGroups &groups, const QString &storeRoot,
                      std::vector<RecordedScalarRun> &runs)
{
    for (const auto &[subRun, files] : groups) {
        RecordedScalarRun run = base;
        run.subRun = subRun;
        run.displayName = RunScalarsLocator::displayName(base.pipelineIid, base.job, subRun);
        if (!base.host.isEmpty() || !base.user.isEmpty()) // a team's run: whose, and where
            run.displayName += QStringLiteral(" (%1 on %2)").arg(base.user, base.host);
        for (const ArtifactStore::StoredFile &file : files) {
            run.eventFiles << ArtifactStore::objectPath(storeRoot, file.sha256);
            run.eventFileSha256 << file.sha256;
        }
        runs.push_back(std::move(run));
    }
}

/// The job's tensorboard directory in its workspace when that is a logdir to scan (nothing was
/// collected: a running job writes into its workspace, and a failed run's workspace is kept);
/// nullopt without a tensorboard directory, or when it is not there and the job is not running.
std::optional<QString> workspaceLogdirToScan(const QString &projectDir, const QString &runId, const QString &jobName,
                                             const QString &tensorboardDir, bool running)
{
    if (tensorboardDir.isEmpty())
        return std::nullopt;
    const QString logdir = RunScalarsLocator::workspaceDir(projectDir, runId, jobName) + u'/' + tensorboardDir;
    if (!running && !QFileInfo(logdir).isDir())
        return std::nullopt;
    return logdir;
}

} // namespace

std::optional<QByteArray> RunScalarsLocator::pipelineFileAt(const QString &projectDir, const QString &commit)
{
    if (commit.isEmpty())
        return std::nullopt;
    git::ensureInit();
    git_repository *rawRepo = nullptr;
    if (git_repository_open_ext(&rawRepo, gitPath(projectDir).constData(), 0, nullptr) != 0)
        return std::nullopt;
    const git::RepoPtr repo(rawRepo);
    const char *workdir = git_repository_workdir(repo.get());
    if (!workdir)
        return std::nullopt;
    // Both sides canonical: the repository reports resolved paths (/tmp may be a link).
    const QString root = QFileInfo(QFile::decodeName(workdir)).canonicalFilePath();
    const QString file = QFileInfo(QDir(projectDir).filePath(QStringLiteral(".gitlab-ci.yml"))).absoluteFilePath();
    const QString dir = QFileInfo(QFileInfo(file).path()).canonicalFilePath();
    if (root.isEmpty() || dir.isEmpty())
        return std::nullopt;
    QString relative = QDir(root).relativeFilePath(dir + QStringLiteral("/.gitlab-ci.yml"));
    if (relative.startsWith(QLatin1String("../")))
        return std::nullopt;
    git_object *rawObject = nullptr;
    const QByteArray spec = commit.toUtf8() + ':' + relative.toUtf8();
    if (git_revparse_single(&rawObject, repo.get(), spec.constData()) != 0)
        return std::nullopt;
    const git::ObjectPtr object(rawObject);
    if (git_object_type(object.get()) != GIT_OBJECT_BLOB)
        return std::nullopt;
    const auto *blob = reinterpret_cast<const git_blob *>(object.get());
    return QByteArray(static_cast<const char *>(git_blob_rawcontent(blob)), qsizetype(git_blob_rawsize(blob)));
}

QString RunScalarsLocator::workspaceDir(const QString &projectDir, const QString &runId, const QString &job)
{
    return projectDir + QStringLiteral("/.trainyard/workspaces/") + runId + u'/' + safeName(job);
}

QString RunScalarsLocator::displayName(qint64 pipelineIid, const QString &job, const QString &subRun)
{
    QString name = u'#' + QString::number(pipelineIid) + u' ' + job;
    if (!subRun.isEmpty())
        name += u'/' + subRun;
    return name;
}

Result<RecordedScalarRuns> RunScalarsLocator::list(const QString &projectDir, int newest)
{
    if (!QFileInfo(projectDir).isDir())
        return tl::make_unexpected(
            Error::error(QStringLiteral("the project folder does not exist"), SourceLocation{projectDir, 0, 0}));
    GitlabCiReader::Options options;
    options.projectDir = projectDir;
    const Pipeline pipeline = GitlabCiReader::read(options);
    auto runs = RunHistory::read(projectDir, newest);
    if (!runs)
        return tl::make_unexpected(runs.error());
    return list(projectDir, pipeline, *runs);
}

namespace {

/// RunScalarsLocator::list() and listTeam(): `team` runs were made on any machine, so their
/// workspaces are not looked for here.
RecordedScalarRuns listRuns(const QString &projectDir, const Pipeline &pipeline,
                            const std::vector<RunHistory::Run> &runs, bool team)
{
    RecordedScalarRuns result;
    const SecretFilter secrets = secretFilter(projectDir, pipeline, result.problems);
    const QString storeRoot = projectDir + QStringLiteral("/.trainyard/artifacts");
    const QString database = LineageStore::defaultPath(projectDir);
    CommittedPipelines committedPipelines(projectDir);

    for (const RunHistory::Run &run : runs) {
        const RunRecord &record = run.record;
        const Pipeline *committed = committedPipelines.at(record.commitSha);
        const Pipeline &runPipeline = committed ? *committed : pipeline;
        const auto source =
            committed ? RunParameters::VariablesSource::RunCommit : RunParameters::VariablesSource::CurrentFile;
        for (const QString &jobName : record.jobOrder) {
            const auto jobIt = record.jobs.find(jobName);
            if (jobIt == record.jobs.end())
                continue;
            const JobRecord &job = jobIt->second;
            const QString tensorboardDir = runTensorboardDir(runPipeline, pipeline, jobName);
            RecordedScalarRun base = jobScalarRun(record, jobName, job);
            base.annotation = run.annotation;
            if (team) {
                base.user = record.user;
                base.host = run.host;
            }
            const auto groups =
                collectedEventFiles(record, jobName, job, base.running, tensorboardDir, database, result.problems);
            if (!groups)
                continue;
            if (!groups->empty()) {
                base.parameters = parametersOf(record, job, runPipeline, source, run, secrets);
                addCollectedRuns(base, *groups, storeRoot, result.runs);
                continue;
            }
            if (team)
                continue; // its workspace is on the machine that ran it
            const auto logdir = workspaceLogdirToScan(projectDir, record.id, jobName, tensorboardDir, base.running);
            if (!logdir)
                continue;
            base.parameters = parametersOf(record, job, runPipeline, source, run, secrets);
            base.workspaceLogdir = *logdir;
            base.displayName = RunScalarsLocator::displayName(record.pipelineIid, jobName, {});
            result.runs.push_back(std::move(base));
        }
    }
    return result;
}

} // namespace

RecordedScalarRuns RunScalarsLocator::list(const QString &projectDir, const Pipeline &pipeline,
                                           const std::vector<RunHistory::Run> &runs)
{
    return listRuns(projectDir, pipeline, runs, false);
}

RecordedScalarRuns RunScalarsLocator::listTeam(const QString &projectDir, const Pipeline &pipeline,
                                               const std::vector<RunHistory::Run> &runs)
{
    return listRuns(projectDir, pipeline, runs, true);
}

Result<RecordedScalarRuns> RunScalarsLocator::listTeam(const QString &projectDir, const QString &storeUrl, int newest)
{
    auto runs = RunHistory::readTeam(projectDir, storeUrl, newest);
    if (!runs)
        return tl::unexpected(runs.error());
    GitlabCiReader::Options options;
    options.projectDir = projectDir;
    return listTeam(projectDir, GitlabCiReader::read(options), *runs);
}

Result<int> RunScalarsLocator::fetchEventFiles(const QString &projectDir, const RecordedScalarRun &run,
                                               const QString &registryUrl, const std::atomic_bool *cancel)
{
    const QString storeRoot = projectDir + QStringLiteral("/.trainyard/artifacts");
    std::optional<OciRegistryClient> registry;
    int fetched = 0;
    for (const QString &sha256 : run.eventFileSha256) {
        const QString path = ArtifactStore::objectPath(storeRoot, sha256);
        if (QFileInfo::exists(path))
            continue;
        if (cancel && cancel->load())
            return tl::unexpected(Error::error(QStringLiteral("stopped")));
        if (!registry) {
            if (registryUrl.isEmpty() || registryUrl == QLatin1String("none"))
                return tl::unexpected(Error::error(
                    QStringLiteral("the event files of %1 are on the machine that ran it: set the team's registry "
                                   "(Settings \u25b8 Team store, or TRAINYARD_REGISTRY) to download them")
                        .arg(run.displayName),
                    SourceLocation{}, run.job));
            auto repository = ArtifactRegistry::repositoryFor(registryUrl);
            if (!repository)
                return tl::unexpected(repository.error());
            registry.emplace(*repository);
        }
        if (!QDir().mkpath(QFileInfo(path).path()))
            return tl::unexpected(
                Error::error(QStringLiteral("cannot create %1").arg(QFileInfo(path).path()), SourceLocation{path}));
        auto got = ArtifactRegistry::fetch(*registry, sha256, path, cancel);
        if (!got) {
            Error e = got.error();
            e.message = QStringLiteral("event file of %1 (sha256:%2): %3").arg(run.displayName, sha256, e.message);
            e.job = run.job;
            return tl::unexpected(e);
        }
        // Objects are read-only, as the artifact store keeps them.
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        ++fetched;
    }
    return fetched;
}

RunScalars RunScalarsLocator::read(const RecordedScalarRun &run, ReadReport &report, bool checkCrc)
{
    RunScalars scalars;
    scalars.name = run.displayName;
    EventDecoder decoder;
    std::vector<ScalarSeries *> seriesByTag;
    const EventDecoder::Sink sink = [&](int tagId, const ScalarPoint &point) {
        if (size_t(tagId) >= seriesByTag.size())
            seriesByTag.resize(size_t(tagId) + 1, nullptr);
        ScalarSeries *&series = seriesByTag[size_t(tagId)];
        if (!series)
            series = &scalars.series[QString::fromUtf8(decoder.tag(tagId))];
        series->append(point);
    };
    for (const QString &path : run.eventFiles) {
        // The reader takes a vanished file for a cleaned-up run folder; a stored artifact that is
        // gone is a damaged store.
        if (!QFileInfo::exists(path)) {
            report.damage.push_back(
                Error::error(QStringLiteral("event file of %1 is missing from the artifact store").arg(run.displayName),
                             SourceLocation{path, 0, 0}, run.job));
            continue;
        }
        EventFileReader reader(path, checkCrc);
        reader.readNew(decoder, sink, report);
    }
    for (auto &[tag, series] : scalars.series)
        series.squeeze();
    return scalars;
}

} // namespace trainyard::core
