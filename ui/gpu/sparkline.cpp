#include "sparkline.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>

namespace trainyard::ui {

Sparkline::Sparkline(QWidget *parent)
    : QWidget(parent)
    , m_ring(size_t(DefaultCapacity), std::numeric_limits<double>::quiet_NaN())
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void Sparkline::setCapacity(int samples)
{
    const std::vector<double> kept = values();
    m_capacity = std::max(2, samples);
    m_ring.assign(size_t(m_capacity), std::numeric_limits<double>::quiet_NaN());
    m_head = 0;
    m_count = 0;
    const size_t from = kept.size() > size_t(m_capacity) ? kept.size() - size_t(m_capacity) : 0;
    for (size_t i = from; i < kept.size(); ++i)
        addValue(kept[i]);
    update();
}

void Sparkline::setMaximum(double maximum)
{
    m_maximum = maximum > 0 ? maximum : 1.0;
    update();
}

void Sparkline::addValue(double value)
{
    m_ring[size_t(m_head)] = (std::isnan(value) || value < 0) ? std::numeric_limits<double>::quiet_NaN() : value;
    m_head = (m_head + 1) % m_capacity;
    m_count = std::min(m_count + 1, m_capacity);
    update();
}

void Sparkline::clear()
{
    std::fill(m_ring.begin(), m_ring.end(), std::numeric_limits<double>::quiet_NaN());
    m_head = 0;
    m_count = 0;
    update();
}

std::vector<double> Sparkline::values() const
{
    std::vector<double> out;
    out.reserve(size_t(m_count));
    const int first = (m_head - m_count + m_capacity) % m_capacity;
    for (int i = 0; i < m_count; ++i)
        out.push_back(m_ring[size_t((first + i) % m_capacity)]);
    return out;
}

QSize Sparkline::sizeHint() const
{
    const int h = fontMetrics().height();
    return {h * 8, h + 6};
}

QSize Sparkline::minimumSizeHint() const
{
    const int h = fontMetrics().height();
    return {h * 3, h};
}

void Sparkline::paintEvent(QPaintEvent *event)
{
    Q_UNUSED(event);
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    // Coordinates are in device-independent pixels as floats: on a high-DPI screen QPainter
    // draws them at the device resolution, so the line stays sharp.
    const QRectF area = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);
    QColor frame = pal.color(QPalette::Mid);
    frame.setAlphaF(0.5);
    painter.setPen(QPen(frame, 1.0));
    painter.setBrush(pal.color(QPalette::Base));
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 2, 2);
    if (m_count == 0 || area.width() <= 0 || area.height() <= 0)
        return;

    const std::vector<double> samples = values();
    // Newest at the right edge; one step per slot of the full capacity, so the chart scrolls
    // left as samples arrive instead of stretching.
    const double step = area.width() / double(m_capacity - 1);
    const double x0 = area.right() - step * double(samples.size() - 1);
    auto yOf = [&](double v) { return area.bottom() - std::clamp(v / m_maximum, 0.0, 1.0) * area.height(); };

    QPainterPath line;
    QPainterPath fill;
    std::vector<QPointF> lonely; // one-sample segments: a dot, since a line needs two
    bool inSegment = false;
    int segmentPoints = 0;
    double segmentStart = 0;
    double lastX = 0;
    QPointF lastPoint;
    auto closeSegment = [&] {
        if (!inSegment)
            return;
        if (segmentPoints == 1)
            lonely.push_back(lastPoint);
        fill.lineTo(lastX, area.bottom());
        fill.lineTo(segmentStart, area.bottom());
        fill.closeSubpath();
        inSegment = false;
    };
    for (size_t i = 0; i < samples.size(); ++i) {
        const double v = samples[i];
        const double x = x0 + step * double(i);
        if (std::isnan(v)) {
            closeSegment();
            continue;
        }
        const QPointF p(x, yOf(v));
        if (!inSegment) {
            line.moveTo(p);
            fill.moveTo(p);
            segmentStart = x;
            segmentPoints = 0;
            inSegment = true;
        } else {
            line.lineTo(p);
            fill.lineTo(p);
        }
        ++segmentPoints;
        lastX = x;
        lastPoint = p;
    }
    closeSegment();

    const QColor accent = pal.color(QPalette::Highlight);
    QColor fillColor = accent;
    fillColor.setAlphaF(0.25);
    painter.setPen(Qt::NoPen);
    painter.setBrush(fillColor);
    painter.drawPath(fill);
    painter.setBrush(accent);
    for (const QPointF &p : lonely)
        painter.drawEllipse(p, 1.5, 1.5);
    painter.setPen(QPen(accent, 1.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(line);
}

} // namespace trainyard::ui
