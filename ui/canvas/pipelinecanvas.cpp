#include "pipelinecanvas.h"

#include "jobcarditem.h"
#include "pipelinescene.h"

#include <QContextMenuEvent>

namespace trainyard::ui {

PipelineCanvas::PipelineCanvas(QWidget *parent)
    : ZoomableView(parent)
    , m_scene(new PipelineScene(this))
{
    setScene(m_scene);
    setDragMode(QGraphicsView::RubberBandDrag);
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
}

void PipelineCanvas::fitIfLarger()
{
    zoomToFit(0.55);
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
