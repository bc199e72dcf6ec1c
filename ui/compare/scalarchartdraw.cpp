// ScalarChart's drawing: downsampling the visible range, mapping it to pixels, what is drawn and with which pen.
#include "scalarchart.h"

#include "chartlinesitem.h"

#include <QChart>
#include <QFuture>
#include <QPolygonF>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <utility>

namespace trainyard::ui {

namespace {

constexpr int DefaultColumns = 800;
// Downsampling a frame's lines: short tasks the UI thread waits for, so never queued behind
// a preparation.
QThreadPool *drawPool()
{
    static QThreadPool pool;
    static const bool configured = [] {
        pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount() - 1));
        pool.setExpiryTimeout(30000);
        return true;
    }();
    Q_UNUSED(configured)
    return &pool;
}

} // namespace

void ScalarChart::refresh(bool force)
{
    const QRectF plot = chart()->plotArea();
    const int columns = plot.width() >= 1 ? int(plot.width()) : DefaultColumns;
    const auto range = drawXRange();
    if (force || range != m_drawnX || columns != m_drawnColumns) {
        m_drawnX = range;
        m_drawnColumns = columns;
        const bool withRaw = m_lines.weight > 0;
        const bool logY = m_logY;
        std::vector<DrawnLine> drawn(m_lines.lines.size());
        const auto downsampleLine = [&](size_t k) {
            drawn[k] = drawnLine(*m_lines.lines[k], range.first, range.second, columns, withRaw, logY);
        };
        size_t points = 0;
        for (const auto &line : m_lines.lines)
            points += line->size();
        if (m_lines.lines.size() > 1 && points > 200000 && QThread::idealThreadCount() > 1) {
            // Long runs: half of the lines on a worker, half here.
            const size_t half = m_lines.lines.size() / 2;
            QFuture<void> other = QtConcurrent::run(drawPool(), [&] {
                for (size_t k = half; k < m_lines.lines.size(); ++k)
                    downsampleLine(k);
            });
            for (size_t k = 0; k < half; ++k)
                downsampleLine(k);
            other.waitForFinished();
        } else {
            for (size_t k = 0; k < m_lines.lines.size(); ++k)
                downsampleLine(k);
        }
        m_drawn = std::move(drawn);
    }
    remap();
}

QPointF ScalarChart::toPixel(const QPointF &value) const
{
    const QRectF plot = chart()->plotArea();
    const auto [x0, x1] = drawXRange();
    auto [y0, y1] = yRange();
    double y = value.y();
    const double x = toDrawX(value.x());
    if (m_axisLog) {
        y0 = std::log10(std::max(y0, 1e-300));
        y1 = std::log10(std::max(y1, 1e-300));
        y = std::log10(y);
    }
    const double sx = x1 > x0 ? plot.width() / (x1 - x0) : 0;
    const double sy = y1 > y0 ? plot.height() / (y1 - y0) : 0;
    // Far-off points are pulled in: the raster engine's coordinates are not unbounded.
    constexpr double Limit = 1e6;
    return QPointF(std::clamp(plot.left() + (x - x0) * sx, -Limit, Limit),
                   std::clamp(plot.bottom() - (y - y0) * sy, -Limit, Limit));
}

void ScalarChart::remap()
{
    const QRectF plot = chart()->plotArea();
    // Plain variables, not structured bindings: the lambda below captures them (clang 14).
    const std::pair<double, double> xr = drawXRange();
    const std::pair<double, double> yr = yRange();
    const double x0 = xr.first, x1 = xr.second;
    double y0 = yr.first, y1 = yr.second;
    const bool log = m_axisLog;
    if (log) {
        y0 = std::log10(std::max(y0, 1e-300));
        y1 = std::log10(std::max(y1, 1e-300));
    }
    const double sx = x1 > x0 ? plot.width() / (x1 - x0) : 0;
    const double sy = y1 > y0 ? plot.height() / (y1 - y0) : 0;
    // As toPixel(), with the ranges looked up once for every point.
    constexpr double Limit = 1e6;
    const auto map = [&](const QPointF &p) {
        const double y = log ? std::log10(p.y()) : p.y();
        return QPointF(std::clamp(plot.left() + (p.x() - x0) * sx, -Limit, Limit),
                       std::clamp(plot.bottom() - (y - y0) * sy, -Limit, Limit));
    };
    std::vector<ChartLinesItem::Line> lines;
    lines.reserve(m_drawn.size() * 2);
    // Every raw line first, so that no run's faint line is drawn over another's smoothed one;
    // highlighted runs' lines last, on top.
    std::vector<const DrawnLine *> order;
    for (const DrawnLine &drawn : m_drawn) {
        if (!m_highlight.contains(drawn.key))
            order.push_back(&drawn);
    }
    for (const DrawnLine &drawn : m_drawn) {
        if (m_highlight.contains(drawn.key))
            order.push_back(&drawn);
    }
    for (const Layer layer : {Layer::Raw, Layer::Smoothed}) {
        for (const DrawnLine *next : order) {
            const DrawnLine &drawn = *next;
            const QList<QPointF> &points = layer == Layer::Raw ? drawn.raw : drawn.smoothed;
            if (points.size() < 1)
                continue;
            // Raw lines are faint and dense: aliased, they draw several times faster and look
            // the same. Smoothed lines are the ones read: antialiased.
            ChartLinesItem::Line line{penFor(drawn, layer), QPolygonF(points.size()), layer == Layer::Smoothed};
            for (qsizetype i = 0; i < points.size(); ++i)
                line.points[i] = map(points[i]);
            lines.push_back(std::move(line));
        }
    }
    m_linesItem->setPlotArea(plot);
    m_linesItem->setLines(std::move(lines));
}

QPen ScalarChart::penFor(const DrawnLine &drawn, Layer layer) const
{
    // While some run is highlighted, the others step back.
    const bool highlighted = m_highlight.contains(drawn.key);
    const bool dimmed = !m_highlight.isEmpty() && !highlighted;
    if (layer == Layer::Raw) {
        QColor faint = drawn.color;
        faint.setAlphaF(dimmed ? 0.08f : 0.3f);
        QPen pen(faint, 1);
        pen.setCosmetic(true);
        return pen;
    }
    // A cosmetic pen of at most one pixel takes the raster engine's fast path; a wider one is
    // stroked, which costs 0.5 µs a point on a smooth line but far more on a dense zigzag (8 runs
    // of 900 points of a noisy metric took 300 ms a frame): only for short lines.
    qsizetype points = 0;
    for (const DrawnLine &d : m_drawn)
        points += d.smoothed.size();
    QColor color = drawn.color;
    if (dimmed)
        color.setAlphaF(0.25f);
    QPen pen(color, highlighted ? 2.6 : points <= 2500 ? 1.7 : 1.0);
    pen.setCosmetic(true);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    return pen;
}
QList<QPointF> ScalarChart::drawnPoints(const QString &key, Layer layer) const
{
    for (const DrawnLine &drawn : m_drawn) {
        if (drawn.key == key)
            return layer == Layer::Raw ? drawn.raw : drawn.smoothed;
    }
    return {};
}

QPen ScalarChart::linePen(const QString &key, Layer layer) const
{
    for (const DrawnLine &drawn : m_drawn) {
        if (drawn.key == key)
            return penFor(drawn, layer);
    }
    return QPen(Qt::NoPen);
}

QStringList ScalarChart::drawnKeys() const
{
    QStringList keys;
    for (const DrawnLine &drawn : m_drawn)
        keys << drawn.key;
    return keys;
}
} // namespace trainyard::ui
