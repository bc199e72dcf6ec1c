#include "comparemodel.h"

#include "async/onworker.h"
#include "lineage/runhistory.h"
#include "metrics/scalarwatcher.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>

namespace trainyard::ui {

/// A folder followed by a ScalarWatcher: a logdir the user added, or the TensorBoard folder in
/// the workspace of a recorded job that is running (or failed, its workspace kept).
struct CompareModel::Source
{
    quint64 id = 0;
    QString path;
    bool workspace = false;                 ///< a recorded job's folder: its runs belong to the project
    core::RecordedScalarRun recorded;       ///< for a workspace: the job it belongs to
    core::ScalarWatcher *watcher = nullptr; ///< lives on the watcher thread
    bool failing = false;                   ///< a scan failure was reported; again only after a success
};

namespace {

constexpr size_t MaxProblems = 200;

struct RunRank
{
    int group = 0;
    int index = 0;
};

} // namespace

CompareModel::CompareModel(QObject *parent)
    : QObject(parent)
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{
    m_watchThread->setObjectName(QStringLiteral("trainyard-scalar-watchers"));
    m_watchThread->start();
}

CompareModel::~CompareModel()
{
    // Nothing here waits for a thread: reads in flight see the cancel flag and find no model to
    // hand their result to (postTo). Watchers are deleted on their own thread when it finishes;
    // the thread object is deleted once it has.
    *m_cancel = true;
    for (const auto &source : m_sources)
        source->watcher->deleteLater();
    m_watchThread->quit();
    QObject::connect(m_watchThread, &QThread::finished, m_watchThread, &QObject::deleteLater);
}

QString CompareModel::projectGroup()
{
    return tr("Project runs");
}

void CompareModel::setProjectDir(const QString &dir)
{
    const QString clean = dir.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
    if (clean == m_projectDir)
        return;
    m_projectDir = clean;
    m_teamStore.clear(); // a new project starts with its own runs
    m_teamRegistry.clear();
    forgetRecordedRuns();
    refreshProject();
}

void CompareModel::setTeamStore(const QString &storeUrl, const QString &registryUrl)
{
    if (storeUrl == m_teamStore && registryUrl == m_teamRegistry)
        return;
    m_teamStore = storeUrl;
    m_teamRegistry = registryUrl;
    forgetRecordedRuns();
    refreshProject();
}

void CompareModel::forgetRecordedRuns()
{
    ++m_projectGeneration;
    m_recorded.clear();
    // Everything of the old project or scope goes: its stored runs and its workspaces.
    std::vector<quint64> workspaces;
    for (const auto &source : m_sources) {
        if (source->workspace)
            workspaces.push_back(source->id);
    }
    for (const quint64 id : workspaces)
        stopSource(id);
    std::erase_if(m_runs, [](const CompareRun &run) { return run.recorded; });
    m_storedFiles.clear();
    Q_EMIT runsChanged();
}

QString CompareModel::teamGroup()
{
    return tr("Team runs");
}

QString CompareModel::storedKey(const core::RecordedScalarRun &recorded) const
{
    if (m_teamStore.isEmpty())
        return QStringLiteral("project:") + recorded.displayName;
    return QStringLiteral("team:") + recorded.runId + u':' + recorded.job + u'/' + recorded.subRun;
}

void CompareModel::refreshProject()
{
    if (m_projectDir.isEmpty())
        return;
    const quint64 generation = ++m_projectGeneration;
    const QString dir = m_projectDir;
    beginTask();
    QThreadPool::globalInstance()->start([self = QPointer(this), dir, generation, team = m_teamStore,
                                          cancel = m_cancel] {
        if (*cancel)
            return;
        // As many as the Runs list shows.
        const auto listed = team.isEmpty() ? core::RunScalarsLocator::list(dir, core::RunHistory::kListed)
                                           : core::RunScalarsLocator::listTeam(dir, team, core::RunHistory::kListed);
        postTo(self, [generation, listed](CompareModel *model) { model->projectListed(generation, listed); });
    });
}

void CompareModel::projectListed(quint64 generation, const core::Result<core::RecordedScalarRuns> &listed)
{
    endTask();
    if (generation != m_projectGeneration)
        return;
    if (!listed) {
        addProblem(listed.error());
        return;
    }
    for (const core::Error &problem : listed->problems)
        addProblem(problem);
    m_recorded = listed->runs;

    QSet<QString> storedKeys;
    QSet<QString> workspacePaths;
    for (const core::RecordedScalarRun &recorded : m_recorded) {
        if (!recorded.eventFiles.isEmpty()) {
            storedKeys.insert(storedKey(recorded));
            showStoredRun(generation, recorded);
        } else if (!recorded.workspaceLogdir.isEmpty()) {
            workspacePaths.insert(recorded.workspaceLogdir);
            followWorkspaceRun(recorded);
        }
    }
    forgetRunsNotListed(storedKeys, workspacePaths);
    sortRuns();
    labelByDifferences(m_runs);
    Q_EMIT runsChanged();
}

void CompareModel::showStoredRun(quint64 generation, const core::RecordedScalarRun &recorded)
{
    const QString key = storedKey(recorded);
    CompareRun *run = findRun(key);
    if (!run) {
        m_runs.push_back(CompareRun{});
        run = &m_runs.back();
        run->key = key;
    }
    // A job that ran live keeps its curves (and key, so its colour and check state)
    // until its artifacts are read.
    run->name = recorded.displayName;
    run->group = m_teamStore.isEmpty() ? projectGroup() : teamGroup();
    run->recorded = true;
    run->runId = recorded.runId;
    run->parameters = recorded.parameters;
    run->givenName = recorded.annotation.name;
    run->live = false;
    m_runSource.remove(key);
    if (m_storedFiles.value(key) == recorded.eventFiles)
        return;
    m_storedFiles.insert(key, recorded.eventFiles);
    beginTask();
    QThreadPool::globalInstance()->start([self = QPointer(this), recorded, key, generation, cancel = m_cancel,
                                          dir = m_projectDir, team = m_teamStore, registry = m_teamRegistry] {
        if (*cancel)
            return;
        core::ReadReport report;
        bool readable = true;
        if (!team.isEmpty()) {
            // A run of another machine: its event files come from the team's registry. Without
            // them it keeps its row (parameters and final metrics, from the team's store).
            const auto fetched = core::RunScalarsLocator::fetchEventFiles(dir, recorded, registry, cancel.get());
            if (!fetched) {
                readable = false;
                if (!*cancel)
                    report.damage.push_back(fetched.error());
            }
        }
        core::RunScalars read;
        if (readable)
            read = core::RunScalarsLocator::read(recorded, report);
        else
            read.name = recorded.displayName;
        auto scalars = std::make_shared<const core::RunScalars>(std::move(read));
        const Snapshot snapshot{recorded.displayName, scalars,
                                std::make_shared<const std::map<QString, SeriesStats>>(SeriesStats::of(*scalars))};
        postTo(self, [generation, key, files = recorded.eventFiles, snapshot, report](CompareModel *model) {
            model->storedRunRead(generation, key, files, snapshot, report);
        });
    });
}

void CompareModel::followWorkspaceRun(const core::RecordedScalarRun &recorded)
{
    Source *source = nullptr;
    for (const auto &s : m_sources) {
        if (s->workspace && s->path == recorded.workspaceLogdir)
            source = s.get();
    }
    if (source && source->recorded.running && !recorded.running) {
        core::ScalarWatcher *watcher = source->watcher;
        // The job ended without collecting its event files: one last read, then stop.
        QMetaObject::invokeMethod(
            watcher,
            [watcher] {
                watcher->readNow();
                watcher->stop();
            },
            Qt::QueuedConnection);
    }
    if (!source) {
        source = startWatcher(recorded.workspaceLogdir, recorded.running, recorded);
    }
    source->recorded = recorded;
    for (CompareRun &run : m_runs) {
        if (m_runSource.value(run.key) == source->id) {
            run.parameters = recorded.parameters;
            run.runId = recorded.runId;
            run.live = recorded.running;
        }
    }
}

void CompareModel::forgetRunsNotListed(const QSet<QString> &storedKeys, const QSet<QString> &workspacePaths)
{
    std::vector<quint64> gone;
    for (const auto &source : m_sources) {
        if (source->workspace && !workspacePaths.contains(source->path))
            gone.push_back(source->id);
    }
    for (const quint64 id : gone)
        stopSource(id);
    std::erase_if(m_runs, [&](const CompareRun &run) {
        return run.recorded && !m_runSource.contains(run.key) && !storedKeys.contains(run.key);
    });
    for (auto it = m_storedFiles.begin(); it != m_storedFiles.end();) {
        if (storedKeys.contains(it.key()))
            ++it;
        else
            it = m_storedFiles.erase(it);
    }
}

void CompareModel::storedRunRead(quint64 generation, const QString &key, const QStringList &files,
                                 const Snapshot &snapshot, const core::ReadReport &readReport)
{
    endTask();
    CompareRun *run = findRun(key);
    Q_UNUSED(generation) // an older listing's read is as good: the files are content-addressed
    if (!run || m_storedFiles.value(key) != files || m_runSource.contains(key))
        return;
    run->scalars = snapshot.scalars;
    run->stats = snapshot.stats;
    report(readReport);
    Q_EMIT runDataChanged({key});
}

void CompareModel::addLogdir(const QString &path)
{
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    for (const auto &source : m_sources) {
        if (!source->workspace && source->path == clean)
            return;
    }
    startWatcher(clean, true, {});
}

void CompareModel::removeLogdir(const QString &path)
{
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    for (const auto &source : m_sources) {
        if (!source->workspace && source->path == clean) {
            stopSource(source->id);
            Q_EMIT runsChanged();
            return;
        }
    }
}

QStringList CompareModel::logdirs() const
{
    QStringList paths;
    for (const auto &source : m_sources) {
        if (!source->workspace)
            paths << source->path;
    }
    return paths;
}

void CompareModel::setPollInterval(int milliseconds)
{
    m_pollMs = milliseconds;
    for (const auto &source : m_sources) {
        core::ScalarWatcher *watcher = source->watcher;
        QMetaObject::invokeMethod(
            watcher, [watcher, milliseconds] { watcher->setPollInterval(milliseconds); }, Qt::QueuedConnection);
    }
}

CompareModel::Source *CompareModel::startWatcher(const QString &path, bool follow,
                                                 const core::RecordedScalarRun &recorded)
{
    auto source = std::make_unique<Source>();
    source->id = m_nextSourceId++;
    source->path = path;
    source->workspace = !recorded.runId.isEmpty();
    source->recorded = recorded;
    auto *watcher = new core::ScalarWatcher(path);
    watcher->setPollInterval(m_pollMs);
    watcher->moveToThread(m_watchThread);
    const QPointer<CompareModel> self(this);
    source->watcher = watcher;
    const quint64 id = source->id;

    // Runs on the watcher thread: copy the runs that grew (the tailer keeps changing there) and
    // hand the copies, with their stats, to the UI thread.
    auto seen = std::make_shared<QHash<QString, qsizetype>>();
    connect(watcher, &core::ScalarWatcher::updated, watcher, [self, watcher, id, seen](const core::ReadReport &report) {
        std::vector<Snapshot> changed;
        for (const core::RunScalars *run : watcher->tailer().runs()) {
            const qsizetype points = run->pointCount();
            const auto it = seen->constFind(run->name);
            if (it != seen->cend() && *it == points)
                continue;
            seen->insert(run->name, points);
            auto copy = std::make_shared<const core::RunScalars>(*run);
            changed.push_back(Snapshot{run->name, copy,
                                       std::make_shared<const std::map<QString, SeriesStats>>(SeriesStats::of(*copy))});
        }
        postTo(self, [id, changed, report](CompareModel *model) { model->watcherRead(id, changed, report); });
    });
    connect(watcher, &core::ScalarWatcher::scanFailed, watcher, [self, id](const core::Error &error) {
        postTo(self, [id, error](CompareModel *model) { model->watcherFailed(id, error); });
    });
    beginTask();
    QMetaObject::invokeMethod(
        watcher,
        [self, watcher, id, follow] {
            watcher->start();
            if (!follow)
                watcher->stop();
            // Queued after what start() delivered: the first read is in when this arrives.
            postTo(self, [id](CompareModel *model) { model->watcherLoaded(id); });
        },
        Qt::QueuedConnection);
    m_sources.push_back(std::move(source));
    return m_sources.back().get();
}

void CompareModel::stopSource(quint64 sourceId)
{
    const auto it = std::find_if(m_sources.begin(), m_sources.end(), [&](const auto &s) { return s->id == sourceId; });
    if (it == m_sources.end())
        return;
    (*it)->watcher->deleteLater(); // on the watcher thread, after anything queued before
    m_sources.erase(it);
    std::erase_if(m_runs, [&](const CompareRun &run) { return m_runSource.value(run.key) == sourceId; });
    for (auto r = m_runSource.begin(); r != m_runSource.end();) {
        if (r.value() == sourceId)
            r = m_runSource.erase(r);
        else
            ++r;
    }
}

CompareModel::Source *CompareModel::source(quint64 sourceId)
{
    for (const auto &s : m_sources) {
        if (s->id == sourceId)
            return s.get();
    }
    return nullptr;
}

QString CompareModel::runDisplayName(const Source &source, const QString &runName) const
{
    if (source.workspace)
        return core::RunScalarsLocator::displayName(source.recorded.pipelineIid, source.recorded.job, runName);
    // A logdir's runs carry its folder name, so runs of several logdirs stay apart.
    const QFileInfo info(source.path);
    const QString prefix = info.isFile() ? info.dir().dirName() : info.fileName();
    return runName.isEmpty() ? prefix : prefix + u'/' + runName;
}

QString CompareModel::runKey(const Source &source, const QString &runName) const
{
    if (source.workspace)
        return QStringLiteral("project:") + runDisplayName(source, runName);
    return QStringLiteral("logdir:") + source.path + u'|' + runName;
}

void CompareModel::watcherRead(quint64 sourceId, const std::vector<Snapshot> &snapshots,
                               const core::ReadReport &readReport)
{
    Source *src = source(sourceId);
    if (!src)
        return;
    src->failing = false;
    QStringList keys;
    bool added = false;
    for (const Snapshot &snapshot : snapshots) {
        const QString key = runKey(*src, snapshot.runName);
        CompareRun *run = findRun(key);
        if (run && m_storedFiles.contains(key))
            continue; // already read from the job's artifacts
        if (!run) {
            m_runs.push_back(CompareRun{});
            run = &m_runs.back();
            run->key = key;
            run->name = runDisplayName(*src, snapshot.runName);
            run->group = src->workspace ? projectGroup() : src->path;
            run->recorded = src->workspace;
            run->runId = src->workspace ? src->recorded.runId : QString();
            run->parameters = src->recorded.parameters;
            run->givenName = src->workspace ? src->recorded.annotation.name : QString();
            run->live = src->workspace && src->recorded.running;
            m_runSource.insert(key, sourceId);
            added = true;
        }
        run->scalars = snapshot.scalars;
        run->stats = snapshot.stats;
        keys << key;
    }
    report(readReport);
    if (added) {
        sortRuns();
        labelByDifferences(m_runs);
        Q_EMIT runsChanged();
    }
    if (!keys.isEmpty())
        Q_EMIT runDataChanged(keys);
}

void CompareModel::watcherLoaded(quint64 sourceId)
{
    Q_UNUSED(sourceId)
    endTask();
}

void CompareModel::watcherFailed(quint64 sourceId, const core::Error &error)
{
    Source *src = source(sourceId);
    // A running job's folder appears only once the job writes to it: not a problem.
    if (!src || src->failing || src->workspace)
        return;
    src->failing = true;
    addProblem(error);
}

const CompareRun *CompareModel::run(const QString &key) const
{
    for (const CompareRun &r : m_runs) {
        if (r.key == key)
            return &r;
    }
    return nullptr;
}

CompareRun *CompareModel::findRun(const QString &key)
{
    for (CompareRun &r : m_runs) {
        if (r.key == key)
            return &r;
    }
    return nullptr;
}

QStringList CompareModel::tags() const
{
    QSet<QString> seen;
    QStringList tags;
    for (const CompareRun &run : m_runs) {
        if (!run.scalars)
            continue;
        for (const auto &[tag, series] : run.scalars->series) {
            if (!series.isEmpty() && !seen.contains(tag)) {
                seen.insert(tag);
                tags << tag;
            }
        }
    }
    tags.sort();
    return tags;
}

void CompareModel::sortRuns()
{
    // Project runs in the order listed (oldest pipeline first), then each logdir's runs by name.
    QHash<QString, int> recordedIndex;
    for (int i = 0; i < int(m_recorded.size()); ++i)
        recordedIndex.insert(m_recorded[size_t(i)].displayName, i);
    QHash<quint64, int> sourceIndex;
    for (int i = 0; i < int(m_sources.size()); ++i)
        sourceIndex.insert(m_sources[size_t(i)]->id, i);
    const auto rank = [&](const CompareRun &run) {
        if (run.recorded) {
            // A sub-run "#3 train/eval" sorts with "#3 train".
            QString base = run.name;
            while (!recordedIndex.contains(base) && base.contains(u'/'))
                base = base.left(base.lastIndexOf(u'/'));
            return RunRank{0, recordedIndex.value(base, int(m_recorded.size()))};
        }
        return RunRank{1, sourceIndex.value(m_runSource.value(run.key), int(m_sources.size()))};
    };
    std::stable_sort(m_runs.begin(), m_runs.end(), [&](const CompareRun &a, const CompareRun &b) {
        const RunRank ra = rank(a), rb = rank(b);
        if (ra.group != rb.group)
            return ra.group < rb.group;
        if (ra.index != rb.index)
            return ra.index < rb.index;
        return a.name < b.name;
    });
}

void CompareModel::labelByDifferences(std::vector<CompareRun> &runs)
{
    // The values of each recorded run: its variables, job and sub-run; "" where it has none.
    std::vector<std::map<QString, QString>> values(runs.size());
    std::map<QString, QSet<QString>> seen; // name → the values the runs have
    for (size_t i = 0; i < runs.size(); ++i) {
        const CompareRun &run = runs[i];
        if (!run.recorded)
            continue;
        for (const auto &[name, value] : run.parameters.variables)
            values[i][name] = value;
        // "#3 train/eval": the job and the sub-run, set apart from variables by what cannot be a
        // variable's name.
        const QString rest = run.name.section(u' ', 1);
        values[i][QStringLiteral(" job")] = rest.section(u'/', 0, 0);
        values[i][QStringLiteral(" sub-run")] = rest.section(u'/', 1);
        for (const auto &[name, value] : values[i])
            seen[name];
    }
    // Then what each run has of every name any run has ("" where it has none).
    for (size_t i = 0; i < runs.size(); ++i) {
        if (!runs[i].recorded)
            continue;
        for (auto &[name, set] : seen) {
            const auto it = values[i].find(name);
            set.insert(it == values[i].end() ? QString() : it->second);
        }
    }
    QHash<QString, int> uses;
    for (size_t i = 0; i < runs.size(); ++i) {
        CompareRun &run = runs[i];
        if (!run.recorded) {
            run.label = run.name;
            continue;
        }
        QStringList parts;
        const QString job = values[i][QStringLiteral(" job")];
        const QString subRun = values[i][QStringLiteral(" sub-run")];
        if (seen[QStringLiteral(" job")].size() > 1)
            parts << job;
        for (const auto &[name, set] : seen) {
            if (name.startsWith(u' ') || set.size() < 2)
                continue;
            const auto it = values[i].find(name);
            parts << QStringLiteral("%1=%2").arg(name, it == values[i].end() ? QStringLiteral("—") : it->second);
        }
        QString label = parts.join(QStringLiteral(", "));
        if (!subRun.isEmpty() && seen[QStringLiteral(" sub-run")].size() > 1)
            label = label.isEmpty() ? subRun : label + u'/' + subRun;
        if (!run.givenName.isEmpty())
            label = run.givenName + (seen[QStringLiteral(" job")].size() > 1 ? u' ' + job : QString()) +
                    (subRun.isEmpty() ? QString() : u'/' + subRun);
        run.label = label;
        uses[label] += 1;
    }
    for (CompareRun &run : runs) {
        if (run.recorded && (run.label.isEmpty() || uses.value(run.label) > 1))
            run.label =
                run.label.isEmpty() ? run.name : QStringLiteral("%1 (%2)").arg(run.label, run.name.section(u' ', 0, 0));
    }
}

void CompareModel::addProblem(const core::Error &problem)
{
    if (m_problems.size() >= MaxProblems)
        m_problems.erase(m_problems.begin());
    m_problems.push_back(problem);
    Q_EMIT problemFound(problem);
}

void CompareModel::report(const core::ReadReport &readReport)
{
    for (const core::Error &damage : readReport.damage)
        addProblem(damage);
}

void CompareModel::beginTask()
{
    if (m_pending++ == 0)
        Q_EMIT loadingChanged(true);
}

void CompareModel::endTask()
{
    if (m_pending > 0 && --m_pending == 0)
        Q_EMIT loadingChanged(false);
}

} // namespace trainyard::ui
