#include "graphics/zoomableview.h"

#include <QWheelEvent>

#include <algorithm>

namespace trainyard::ui {

ZoomableView::ZoomableView(QWidget *parent)
    : QGraphicsView(parent)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
}

void ZoomableView::setZoom(qreal zoom)
{
    const qreal clamped = std::clamp(zoom, minimumZoom(), maximumZoom());
    setTransform(QTransform::fromScale(clamped, clamped));
}

void ZoomableView::zoomIn()
{
    setZoom(zoom() * 1.15);
}

void ZoomableView::zoomOut()
{
    setZoom(zoom() / 1.15);
}

void ZoomableView::zoomToFit(qreal readableZoom)
{
    const QRectF rect = sceneRect();
    const QSize view = viewport()->size();
    if (rect.isEmpty() || view.isEmpty())
        return;
    const qreal fit = std::min({1.0, view.width() / rect.width(), view.height() / rect.height()});
    setZoom(std::max(fit, readableZoom));
}

void ZoomableView::actualSize()
{
    setZoom(1.0);
}

void ZoomableView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const ViewportAnchor anchor = transformationAnchor();
        setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
        if (event->angleDelta().y() > 0)
            zoomIn();
        else if (event->angleDelta().y() < 0)
            zoomOut();
        setTransformationAnchor(anchor);
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

} // namespace trainyard::ui
