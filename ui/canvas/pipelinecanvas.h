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

protected:
    void wheelEvent(QWheelEvent *event) override;

private:
    PipelineScene *m_scene = nullptr;
};

} // namespace trainyard::ui
