#include "pipelinecanvas.h"

#include "jobcarditem.h"
#include "pipelinescene.h"

#include <QContextMenuEvent>
#include <QWheelEvent>

namespace trainyard::ui {

PipelineCanvas::PipelineCanvas(QWidget *parent)
    : QGraphicsView(parent)
    , m_scene(new PipelineScene(this))
{
    setScene(m_scene);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::RubberBandDrag);
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
}

void PipelineCanvas::fitIfLarger()
{
    const QRectF scene = m_scene->sceneRect();
    const QSize view = viewport()->size();
    if (scene.isEmpty() || view.isEmpty())
        return;
    const qreal factor = std::min({1.0, view.width() / scene.width(), view.height() / scene.height()});
    resetTransform();
    if (factor < 1.0)
        scale(std::max<qreal>(0.55, factor), std::max<qreal>(0.55, factor));
}

void PipelineCanvas::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const qreal factor = event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15;
        setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
        scale(factor, factor);
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void PipelineCanvas::contextMenuEvent(QContextMenuEvent *event)
{
    for (QGraphicsItem *hit : items(event->pos())) {
        for (QGraphicsItem *item = hit; item; item = item->parentItem()) {
            if (auto *card = dynamic_cast<JobCardItem *>(item)) {
                Q_EMIT jobMenuRequested(card->jobName(), event->globalPos());
                event->accept();
                return;
            }
        }
        const QString kind = hit->data(PipelineScene::KindKey).toString();
        if (kind == QLatin1String("needs")) {
            Q_EMIT needMenuRequested(hit->data(PipelineScene::ToKey).toString(),
                                     hit->data(PipelineScene::FromKey).toString(), event->globalPos());
            event->accept();
            return;
        }
        if (kind == QLatin1String("lane")) {
            Q_EMIT stageMenuRequested(hit->data(PipelineScene::StageKey).toString(), event->globalPos());
            event->accept();
            return;
        }
    }
    Q_EMIT stageMenuRequested({}, event->globalPos());
    event->accept();
}

} // namespace trainyard::ui
