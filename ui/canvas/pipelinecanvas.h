#pragma once

#include <QGraphicsView>

namespace trainyard::ui {

class PipelineScene;

/// The view of a PipelineScene: Ctrl+wheel zooms, the view starts fitted, crisp on high-DPI.
class PipelineCanvas final : public QGraphicsView
{
    Q_OBJECT

public:
    explicit PipelineCanvas(QWidget *parent = nullptr);
    PipelineScene *pipelineScene() const { return m_scene; }

Q_SIGNALS:
    /// The user asked for a job's actions (right click on its card).
    void jobMenuRequested(const QString &job, const QPoint &globalPos);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    PipelineScene *m_scene = nullptr;
};

} // namespace trainyard::ui
