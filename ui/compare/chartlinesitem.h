#pragma once

#include <QGraphicsItem>
#include <QPen>
#include <QPolygonF>
#include <QRectF>

#include <vector>

namespace trainyard::ui {

/// The lines of a chart: one polyline per run and layer, in the chart's coordinates, clipped to
/// the plot area. Painted from a device-coordinate cache, so a hover marker or readout moving
/// over the plot does not draw the lines again.
class ChartLinesItem final : public QGraphicsItem
{
public:
    struct Line
    {
        QPen pen;
        QPolygonF points;
        bool antialiased = true;
    };

    explicit ChartLinesItem(QGraphicsItem *parent);

    void setPlotArea(const QRectF &plot);
    /// Replaces the lines, drawn in this order.
    void setLines(std::vector<Line> lines);
    /// Exports draw every line antialiased and from no cache (vector lines in an SVG).
    void setExporting(bool on);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QRectF m_plot;
    std::vector<Line> m_lines;
    bool m_exporting = false;
};

} // namespace trainyard::ui
