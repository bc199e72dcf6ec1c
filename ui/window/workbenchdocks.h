#pragma once

#include "common/error.h"
#include "engine/runrecord.h"

#include <QObject>
#include <QStringList>

#include <vector>

class QDockWidget;
class QListWidget;
class QMainWindow;

namespace trainyard::ui {

class ClusterPanel;
class GpuPanel;
class JobInspector;
class LogBatcher;
class RunConsole;
class RunLogLoader;
class RunsList;

/// The docks around the window's central views: Problems and the Run console below, the Job
/// inspector above the Runs and GPUs on the right. Made once; the window wires what they show.
class WorkbenchDocks final : public QObject
{
    Q_OBJECT

public:
    explicit WorkbenchDocks(QMainWindow *window);

    QListWidget *problems() const { return m_problems; }
    LogBatcher *logs() const { return m_logs; }
    RunConsole *console() const { return m_console; }
    JobInspector *inspector() const { return m_inspector; }
    RunsList *runs() const { return m_runs; }
    RunLogLoader *logLoader() const { return m_logLoader; }
    GpuPanel *gpus() const { return m_gpus; }
    ClusterPanel *cluster() const { return m_cluster; }
    /// Brings the Cluster dock to the front (a run on the Slurm cluster starts).
    void showCluster();

    /// Lists the pipeline's problems and the linter's warnings (each item knows its job); the
    /// lines listed.
    QStringList showProblems(const std::vector<core::Error> &problems, const std::vector<core::Error> &lint);
    /// Brings the run console to the front.
    void showConsole();
    /// Shows the Problems dock and brings it in front of the docks tabbed with it.
    void showProblemsDock();
    /// Edit ▸ Find in log: the search of the console's current log, else of `job`'s; false when
    /// there is no log to search yet.
    bool findInLog(const QString &job);
    /// Loads the logs of a recorded run of the project in `projectDir` into the console.
    void showRunLogs(const QString &projectDir, const core::RunRecord &record);
    /// The first sizes (no saved layout, or View ▸ Reset layout), as shares of the window: the
    /// inspector a quarter of its width (260–440 px), the console a bit over a quarter of its
    /// height (150–340 px), the inspector above the Runs list.
    void sizeByDefault();
    /// Notes the docks' shares of the window as they are now: the user has dragged a separator
    /// (or a saved layout was restored). keepShares() gives them those shares of the window's
    /// size again, so that a window that grows back after a shrink does not keep squeezed docks.
    void learnShares();
    void keepShares();

private:
    QDockWidget *addDock(const QString &title, const QString &name, QWidget *widget);

    QMainWindow *m_window;
    QListWidget *m_problems;
    LogBatcher *m_logs;
    RunConsole *m_console;
    JobInspector *m_inspector;
    RunsList *m_runs;
    RunLogLoader *m_logLoader;
    GpuPanel *m_gpus;
    ClusterPanel *m_cluster;
    QDockWidget *m_clusterDock = nullptr;
    QDockWidget *m_consoleDock = nullptr;
    QDockWidget *m_inspectorDock = nullptr;
    QDockWidget *m_runsDock = nullptr;
    double m_sideShare = 0;   ///< the inspector's width / the window's; 0 until sized
    double m_bottomShare = 0; ///< the console's height / the window's
};

} // namespace trainyard::ui
