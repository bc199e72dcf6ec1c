#include "canvasmenus.h"

#include "jobcarditem.h"
#include "pipelinecanvas.h"
#include "pipelinescene.h"

#include "console/joblogview.h"
#include "console/runconsole.h"
#include "document/editcontroller.h"
#include "runcontrol/runsession.h"
#include "style/appicon.h"
#include "window/workbenchdocks.h"

#include <QIcon>
#include <QMenu>

namespace trainyard::ui {

CanvasMenus::CanvasMenus(PipelineCanvas *canvas, EditController *edit, RunSession *runs, WorkbenchDocks *docks,
                         std::function<bool()> canRun, Run run)
    : QObject(canvas)
    , m_canvas(canvas)
    , m_edit(edit)
    , m_runs(runs)
    , m_docks(docks)
    , m_canRun(std::move(canRun))
    , m_run(std::move(run))
{
    connect(canvas, &PipelineCanvas::jobMenuRequested, this, &CanvasMenus::showJobMenu);
    connect(canvas, &PipelineCanvas::needMenuRequested, this, &CanvasMenus::showNeedMenu);
    connect(canvas, &PipelineCanvas::stageMenuRequested, this, &CanvasMenus::showStageMenu);
    PipelineScene *scene = canvas->pipelineScene();
    connect(scene, &PipelineScene::moveJobRequested, edit, &EditController::moveJobToStage);
    connect(scene, &PipelineScene::addNeedRequested, edit, &EditController::addNeed);
    connect(scene, &PipelineScene::removeNeedRequested, edit, &EditController::removeNeed);
    connect(scene, &PipelineScene::removeJobRequested, edit, &EditController::deleteJob);
    connect(scene, &PipelineScene::approveRequested, runs, &RunSession::approve);
}

void CanvasMenus::showJobMenu(const QString &job, const QPoint &at)
{
    QMenu menu(m_canvas);
    JobCardItem *card = m_canvas->pipelineScene()->card(job);
    const std::optional<core::JobStatus> status = card ? card->status() : std::nullopt;
    const bool running = m_runs->isRunning();
    if (running && status == core::JobStatus::Manual)
        menu.addAction(appIcon("approve"), tr("Approve '%1'").arg(job), m_runs, [this, job] { m_runs->approve(job); });
    if (running && (status == core::JobStatus::Running || status == core::JobStatus::Pending))
        menu.addAction(appIcon("cancel"), tr("Cancel '%1'").arg(job), m_runs, [this, job] { m_runs->cancelJob(job); });
    if (!running && m_canRun()) {
        if ((status == core::JobStatus::Failed || status == core::JobStatus::Cancelled) &&
            !m_runs->lastRunId().isEmpty())
            menu.addAction(appIcon("retry"), tr("Retry '%1'").arg(job), this,
                           [this, job] { m_run(job, m_runs->lastRunEngine(), m_runs->lastRunId()); })
                ->setToolTip(tr("Runs the job again; what it needs is reused from the last run where it succeeded"));
        else
            menu.addAction(appIcon("run-from"), tr("Run '%1' with its needs").arg(job), this,
                           [this, job] { m_run(job, {}, {}); });
    }
    menu.addAction(tr("Show log"), this, [this, job] {
        m_docks->console()->setCurrentWidget(m_docks->console()->viewFor(job));
        m_docks->showConsole();
    });
    if (!running)
        m_edit->addJobActions(menu, job);
    menu.exec(at);
}

void CanvasMenus::showNeedMenu(const QString &job, const QString &need, const QPoint &at)
{
    if (m_runs->isRunning() || !m_edit->document())
        return;
    QMenu menu(m_canvas);
    menu.addAction(tr("Remove: '%1' needs '%2'").arg(job, need), this,
                   [this, job, need] { m_edit->removeNeed(job, need); });
    menu.exec(at);
}

void CanvasMenus::showStageMenu(const QString &stage, const QPoint &at)
{
    if (m_runs->isRunning() || !m_edit->document())
        return;
    QMenu menu(m_canvas);
    m_edit->addStageActions(menu, stage);
    menu.exec(at);
}

} // namespace trainyard::ui
