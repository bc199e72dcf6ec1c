#include "workbenchdocks.h"

#include "cluster/clusterpanel.h"
#include "console/joblogview.h"
#include "console/logbatcher.h"
#include "console/runconsole.h"
#include "gpu/gpupanel.h"
#include "inspector/jobinspector.h"
#include "runs/runlogloader.h"
#include "runs/runslist.h"

#include <QDockWidget>
#include <QListWidget>
#include <QMainWindow>
#include <QStyle>

#include <algorithm>

namespace trainyard::ui {

WorkbenchDocks::WorkbenchDocks(QMainWindow *window)
    : QObject(window)
    , m_window(window)
    , m_problems(new QListWidget(window))
    , m_logs(new LogBatcher(window))
    , m_console(new RunConsole(m_logs, window))
    , m_inspector(new JobInspector(nullptr, window))
    , m_runs(new RunsList(window))
    , m_logLoader(new RunLogLoader(m_console, window))
    , m_gpus(new GpuPanel({}, window))
    , m_cluster(new ClusterPanel(window))
{
    window->setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);
    m_problems->setObjectName(QStringLiteral("problemsList"));
    QDockWidget *problems = addDock(tr("Problems"), QStringLiteral("problemsDock"), m_problems);
    window->addDockWidget(Qt::BottomDockWidgetArea, problems);
    m_consoleDock = addDock(tr("Run console"), QStringLiteral("consoleDock"), m_console);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_consoleDock);
    window->tabifyDockWidget(problems, m_consoleDock);
    window->resizeDocks({problems}, {220}, Qt::Vertical);

    m_inspectorDock = addDock(tr("Inspector"), QStringLiteral("inspectorDock"), m_inspector); // a job, or the pipeline
    window->addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);
    m_runsDock = addDock(tr("Runs"), QStringLiteral("runsDock"), m_runs);
    window->splitDockWidget(m_inspectorDock, m_runsDock, Qt::Vertical);
    QDockWidget *gpus = addDock(tr("GPUs"), QStringLiteral("gpuDock"), m_gpus);
    window->addDockWidget(Qt::RightDockWidgetArea, gpus);
    window->tabifyDockWidget(m_runsDock, gpus);
    m_clusterDock = addDock(tr("Cluster"), QStringLiteral("clusterDock"), m_cluster); // the Slurm cluster's
    window->addDockWidget(Qt::RightDockWidgetArea, m_clusterDock);
    window->tabifyDockWidget(gpus, m_clusterDock);
    m_runsDock->raise();
    window->resizeDocks({m_inspectorDock}, {360}, Qt::Horizontal);
    window->resizeDocks({m_inspectorDock, m_runsDock}, {480, 220}, Qt::Vertical);
}

QDockWidget *WorkbenchDocks::addDock(const QString &title, const QString &name, QWidget *widget)
{
    auto *dock = new QDockWidget(title, m_window);
    dock->setObjectName(name);
    dock->setWidget(widget);
    return dock;
}

QStringList WorkbenchDocks::showProblems(const std::vector<core::Error> &problems, const std::vector<core::Error> &lint)
{
    m_problems->clear();
    QStringList lines;
    for (const auto *list : {&problems, &lint}) {
        for (const core::Error &p : *list) {
            auto *item = new QListWidgetItem(p.toString(), m_problems);
            item->setData(Qt::UserRole, p.job);
            item->setIcon(m_window->style()->standardIcon(p.isError() ? QStyle::SP_MessageBoxCritical
                                                                      : QStyle::SP_MessageBoxWarning));
            lines << p.toString();
        }
    }
    return lines;
}

void WorkbenchDocks::showProblemsDock()
{
    auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("problemsDock"));
    dock->show();
    dock->raise();
}

void WorkbenchDocks::showCluster()
{
    m_clusterDock->show();
    m_clusterDock->raise();
}

void WorkbenchDocks::showConsole()
{
    m_consoleDock->show();
    m_consoleDock->raise();
}

bool WorkbenchDocks::findInLog(const QString &job)
{
    auto *view = qobject_cast<JobLogView *>(m_console->currentWidget());
    if (!view && !job.isEmpty())
        view = m_console->viewFor(job);
    if (!view)
        return false;
    showConsole();
    view->focusSearch();
    return true;
}

void WorkbenchDocks::showRunLogs(const QString &projectDir, const core::RunRecord &record)
{
    m_logLoader->load(projectDir, record);
    showConsole();
}

void WorkbenchDocks::sizeByDefault()
{
    const int width = m_window->width();
    const int height = m_window->height();
    const int side = std::clamp(width * 26 / 100, 260, 440);
    const int bottom = std::clamp(height * 28 / 100, 150, 340);
    m_window->resizeDocks({m_inspectorDock}, {side}, Qt::Horizontal);
    m_window->resizeDocks({m_consoleDock}, {bottom}, Qt::Vertical);
    m_window->resizeDocks({m_inspectorDock, m_runsDock}, {height * 45 / 100, height * 30 / 100}, Qt::Vertical);
    m_sideShare = width > 0 ? double(side) / width : 0;
    m_bottomShare = height > 0 ? double(bottom) / height : 0;
}

void WorkbenchDocks::learnShares()
{
    if (m_window->width() > 0 && m_inspectorDock->isVisible() && !m_inspectorDock->isFloating())
        m_sideShare = double(m_inspectorDock->width()) / m_window->width();
    if (m_window->height() > 0 && m_consoleDock->isVisible() && !m_consoleDock->isFloating())
        m_bottomShare = double(m_consoleDock->height()) / m_window->height();
}

void WorkbenchDocks::keepShares()
{
    if (m_sideShare > 0 && m_inspectorDock->isVisible() && !m_inspectorDock->isFloating())
        m_window->resizeDocks({m_inspectorDock}, {int(m_sideShare * m_window->width())}, Qt::Horizontal);
    if (m_bottomShare > 0 && m_consoleDock->isVisible() && !m_consoleDock->isFloating())
        m_window->resizeDocks({m_consoleDock}, {int(m_bottomShare * m_window->height())}, Qt::Vertical);
}

} // namespace trainyard::ui
