#pragma once

#include "graphics/zoomableview.h"

namespace trainyard::ui {

class PipelineScene;

/// The view of a PipelineScene: zooms (ZoomableView); right clicks become menus for the job,
/// needs edge or stage under the mouse.
class PipelineCanvas final : public ZoomableView
{
    Q_OBJECT

public:
    explicit PipelineCanvas(QWidget *parent = nullptr);
    PipelineScene *pipelineScene() const { return m_scene; }
    /// Zooms out (never in, never below 55 %) so that the whole pipeline fits the view.
    void fitIfLarger();

Q_SIGNALS:
    /// The user asked for a job's actions (right click on its card).
    void jobMenuRequested(const QString &job, const QPoint &globalPos);
    /// Right click on a needs edge (`job` needs `need`).
    void needMenuRequested(const QString &job, const QString &need, const QPoint &globalPos);
    /// Right click on a stage's lane or title; `stage` is empty on the empty canvas.
    void stageMenuRequested(const QString &stage, const QPoint &globalPos);

protected:
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    PipelineScene *m_scene = nullptr;
};

} // namespace trainyard::ui
