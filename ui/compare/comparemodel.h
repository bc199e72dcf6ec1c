#pragma once

#include "common/error.h"
#include "lineage/runscalarslocator.h"
#include "metrics/eventfilereader.h"
#include "metrics/scalarseries.h"
#include "seriesstats.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QThread>

#include <atomic>
#include <map>
#include <memory>
#include <vector>

namespace trainyard::core {
class ScalarWatcher;
}

namespace trainyard::ui {

/// One run the compare view can show: a run Trainyard recorded (a job's TensorBoard folder) or
/// a run of a logdir the user opened.
struct CompareRun
{
    QString key;  ///< unique and stable: "project:#3 train", "logdir:/abs/path|lr_0.1"
    QString name; ///< the run's own name ("#3 train", "logs/lr_0.1"); its colour comes from it
    /// What charts, lists and the table call it: the pipeline run's name if people gave it one,
    /// else what sets it apart from the other recorded runs ("LEARNING_RATE=0.05"), else `name`.
    QString label;
    QString givenName; ///< the name people gave the pipeline run (`trainyard annotate`, the Runs list)
    QString shownName() const { return label.isEmpty() ? name : label; }
    QString group;         ///< "Project runs", or the logdir's path
    bool recorded = false; ///< recorded by Trainyard: `parameters` are known
    QString runId;         ///< the pipeline run (RunRecord id) of a recorded run; empty for logdirs
    core::RunParameters parameters;
    bool live = false; ///< followed while its job runs
    /// The scalars (null until first read); replaced, never changed, when new points arrive.
    std::shared_ptr<const core::RunScalars> scalars;
    std::shared_ptr<const std::map<QString, SeriesStats>> stats; ///< per tag, computed with the scalars
};

/// The runs of the compare view and their scalars. Event files are parsed on worker threads
/// only: a project's recorded runs on a thread pool (read once, from the artifact store), logdirs
/// and running jobs' folders by core::ScalarWatcher objects living on one watcher thread (read,
/// then followed). Results arrive by queued calls; the UI thread only swaps shared pointers.
class CompareModel final : public QObject
{
    Q_OBJECT

public:
    explicit CompareModel(QObject *parent = nullptr);
    /// Stops the watchers and waits for reads in flight (each stops at its next file).
    ~CompareModel() override;

    /// Shows the recorded runs of the project in `dir` (empty: none).
    void setProjectDir(const QString &dir);
    QString projectDir() const { return m_projectDir; }
    /// Lists the project's recorded runs again: new runs appear, a running job is followed in
    /// its workspace and, once finished, read from its artifacts. Call when a run or job starts
    /// or ends.
    void refreshProject();
    /// Shows this project's runs from every machine, read from the team's lineage store at
    /// `storeUrl`, instead of this machine's (empty: this machine's again). Their event files come
    /// from this project's artifact store, else from the team's registry at `registryUrl`
    /// (downloaded on the read's worker, checked, and kept in the artifact store). Runs being
    /// followed on this machine (running jobs) are not shown meanwhile; logdirs stay.
    void setTeamStore(const QString &storeUrl, const QString &registryUrl);
    QString teamStore() const { return m_teamStore; }

    /// Adds a TensorBoard logdir (a folder, or one event file): read, then followed as it grows.
    /// Adding one already there does nothing.
    void addLogdir(const QString &path);
    void removeLogdir(const QString &path);
    QStringList logdirs() const;
    /// Poll interval of the watchers (default 2000 ms), for file systems without notifications.
    void setPollInterval(int milliseconds);

    /// Every run, project runs first (oldest first), then each logdir's in name order.
    const std::vector<CompareRun> &runs() const { return m_runs; }
    const CompareRun *run(const QString &key) const;
    /// Every tag of every run read so far, sorted.
    QStringList tags() const;
    /// True while a listing or a first read is in flight.
    bool isLoading() const { return m_pending > 0; }
    /// Problems seen so far (damaged records, unreadable folders), oldest first, at most 200.
    const std::vector<core::Error> &problems() const { return m_problems; }

    static QString projectGroup();
    /// The group of the runs of a team's store (setTeamStore()).
    static QString teamGroup();
    /// Labels `runs` (CompareRun::label) by what differs between the recorded ones: the name
    /// people gave a run, else the job variables (and job, sub-run) whose values are not the same
    /// in all of them ("LEARNING_RATE=0.05, SEED=2"); a label two runs share, or none, falls back
    /// to the run's name. Runs that are not recorded keep their name.
    static void labelByDifferences(std::vector<CompareRun> &runs);

Q_SIGNALS:
    /// Runs were added or removed, or their names, groups or parameters changed.
    void runsChanged();
    /// These runs have new scalars.
    void runDataChanged(const QStringList &keys);
    void loadingChanged(bool loading);
    void problemFound(const trainyard::core::Error &problem);

private:
    struct Source;
    struct Snapshot
    {
        QString runName; ///< the run's name in its logdir
        std::shared_ptr<const core::RunScalars> scalars;
        std::shared_ptr<const std::map<QString, SeriesStats>> stats;
    };

    void projectListed(quint64 generation, const core::Result<core::RecordedScalarRuns> &listed);
    /// A run whose event files are in the artifact store: its row, and a read of the files if they changed.
    void showStoredRun(quint64 generation, const core::RecordedScalarRun &recorded);
    /// A run whose event files are still in its workspace: a watcher follows them while it runs.
    void followWorkspaceRun(const core::RecordedScalarRun &recorded);
    /// Runs and watchers of workspaces the latest listing no longer has are dropped.
    void forgetRunsNotListed(const QSet<QString> &storedKeys, const QSet<QString> &workspacePaths);
    void storedRunRead(quint64 generation, const QString &key, const QStringList &files, const Snapshot &snapshot,
                       const core::ReadReport &report);
    void watcherRead(quint64 sourceId, const std::vector<Snapshot> &snapshots, const core::ReadReport &report);
    void watcherLoaded(quint64 sourceId);
    void watcherFailed(quint64 sourceId, const core::Error &error);

    Source *startWatcher(const QString &path, bool follow, const core::RecordedScalarRun &recorded);
    void stopSource(quint64 sourceId);
    Source *source(quint64 sourceId);
    QString runKey(const Source &source, const QString &runName) const;
    QString runDisplayName(const Source &source, const QString &runName) const;
    void addProblem(const core::Error &problem);
    void report(const core::ReadReport &report);
    void sortRuns();
    void beginTask();
    void endTask();
    CompareRun *findRun(const QString &key);
    /// The key of a run read from the artifact store: by name in the project, by run id too in
    /// a team's store (every machine numbers its own runs).
    QString storedKey(const core::RecordedScalarRun &recorded) const;
    /// Drops every recorded run (stored and followed): the project or the scope changed.
    void forgetRecordedRuns();

    QString m_projectDir;
    QString m_teamStore;    ///< set: the project's runs come from this team store
    QString m_teamRegistry; ///< where a team's run's event files are downloaded from
    quint64 m_projectGeneration = 0;
    std::vector<core::RecordedScalarRun> m_recorded; ///< the latest listing
    std::vector<std::unique_ptr<Source>> m_sources;  ///< logdirs in the order added, then workspaces
    quint64 m_nextSourceId = 1;
    std::vector<CompareRun> m_runs;
    QHash<QString, quint64> m_runSource;       ///< runs read by a watcher: key → source id
    QHash<QString, QStringList> m_storedFiles; ///< runs read from the artifact store: key → its files
    std::vector<core::Error> m_problems;
    int m_pending = 0;
    int m_pollMs = 2000;

    std::shared_ptr<std::atomic_bool> m_cancel;
    QThread *m_watchThread = new QThread; ///< deletes itself once finished, after the model is gone
};

} // namespace trainyard::ui
