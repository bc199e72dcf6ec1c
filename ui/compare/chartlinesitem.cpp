#include "chartlinesitem.h"

#include <QPainter>

namespace trainyard::ui {

ChartLinesItem::ChartLinesItem(QGraphicsItem *parent)
    : QGraphicsItem(parent)
{
    setAcceptedMouseButtons(Qt::NoButton);
    setCacheMode(QGraphicsItem::DeviceCoordinateCache);
}

void ChartLinesItem::setPlotArea(const QRectF &plot)
{
    if (plot == m_plot)
        return;
    prepareGeometryChange();
    m_plot = plot;
}

void ChartLinesItem::setLines(std::vector<Line> lines)
{
    m_lines = std::move(lines);
    update();
}

void ChartLinesItem::setExporting(bool on)
{
    m_exporting = on;
    setCacheMode(on ? QGraphicsItem::NoCache : QGraphicsItem::DeviceCoordinateCache);
}

QRectF ChartLinesItem::boundingRect() const
{
    return m_plot.adjusted(-2, -2, 2, 2);
}

void ChartLinesItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->save();
    painter->setClipRect(m_plot.adjusted(-1, -1, 1, 1));
    painter->setBrush(Qt::NoBrush);
    for (const Line &line : m_lines) {
        painter->setRenderHint(QPainter::Antialiasing, line.antialiased || m_exporting);
        painter->setPen(line.pen);
        painter->drawPolyline(line.points);
    }
    painter->restore();
}

} // namespace trainyard::ui
