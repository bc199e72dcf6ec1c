#pragma once

#include <QObject>
#include <QPoint>
#include <QString>

#include <functional>

namespace trainyard::ui {

class EditController;
class PipelineCanvas;
class RunSession;
class WorkbenchDocks;

/// What the canvas offers on its cards, edges and lanes: the context menus (approve, cancel,
/// retry, run with its needs, show the log; edit the job, a need, a stage) and the drags that
/// edit the pipeline (a card to another lane, a needs edge drawn or deleted).
class CanvasMenus final : public QObject
{
    Q_OBJECT

public:
    /// Runs `job` with its needs (in the host shell, reusing `retryOf`'s results when given).
    using Run = std::function<void(const QString &job, const QString &engine, const QString &retryOf)>;

    CanvasMenus(PipelineCanvas *canvas, EditController *edit, RunSession *runs, WorkbenchDocks *docks,
                std::function<bool()> canRun, Run run);

private:
    void showJobMenu(const QString &job, const QPoint &at);
    void showNeedMenu(const QString &job, const QString &need, const QPoint &at);
    void showStageMenu(const QString &stage, const QPoint &at);

    PipelineCanvas *m_canvas;
    EditController *m_edit;
    RunSession *m_runs;
    WorkbenchDocks *m_docks;
    std::function<bool()> m_canRun;
    Run m_run;
};

} // namespace trainyard::ui
