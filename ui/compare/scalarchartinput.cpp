// ScalarChart's interaction: the hover readout, wheel/mouse/key zoom and pan, and the context menu.
#include "scalarchart.h"

#include "chartreadout.h"

#include <QChart>
#include <QContextMenuEvent>
#include <QGraphicsEllipseItem>
#include <QGraphicsLineItem>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <utility>

namespace trainyard::ui {

std::vector<ScalarChart::ReadoutEntry> ScalarChart::readoutAt(double x) const
{
    std::vector<ReadoutEntry> entries;
    for (const auto &line : m_lines.lines) {
        const qsizetype i = line->nearestIndex(toDrawX(x));
        if (i < 0 || !std::isfinite(line->xs[size_t(i)]))
            continue;
        const core::ScalarPoint point = line->series->at(i);
        entries.push_back(ReadoutEntry{line->run.key, line->run.name, line->run.color, point.step,
                                       fromDrawX(line->xs[size_t(i)]), point.wallTime, point.value,
                                       line->smoothed[size_t(i)]});
    }
    return entries;
}

QString ScalarChart::readoutText() const
{
    return m_readout->isVisible() ? m_readout->text() : QString();
}

void ScalarChart::updateReadout(const QPoint &pos)
{
    const QRectF plot = chart()->plotArea();
    if (m_lines.lines.empty() || !plot.contains(pos)) {
        hideReadout();
        return;
    }
    const double x = chart()->mapToValue(pos).x();
    const std::vector<ReadoutEntry> entries = readoutAt(x);
    if (entries.empty()) {
        hideReadout();
        return;
    }
    // The run whose line passes nearest the pointer (within 10 pixels) is the one hovered.
    QString nearest;
    double best = 10;
    for (const ReadoutEntry &e : entries) {
        const double y = toPixel(QPointF(e.x, m_lines.weight > 0 ? e.smoothed : e.value)).y();
        if (std::abs(y - pos.y()) <= best) {
            best = std::abs(y - pos.y());
            nearest = e.key;
        }
    }
    if (nearest != m_hovered) {
        m_hovered = nearest;
        Q_EMIT runHovered(nearest);
    }
    m_readout->setText(readoutHtml(entries, m_axisMode, m_lines.unitSeconds));
    m_readout->adjustSize();
    QPoint at = pos + QPoint(16, 16);
    if (at.x() + m_readout->width() > viewport()->width())
        at.setX(std::max(0, pos.x() - 16 - m_readout->width()));
    if (at.y() + m_readout->height() > viewport()->height())
        at.setY(std::max(0, pos.y() - 16 - m_readout->height()));
    m_readout->move(at);
    m_readout->show();
    m_readout->raise();
    const QPointF scenePos = mapToScene(pos);
    m_marker->setLine(scenePos.x(), plot.top(), scenePos.x(), plot.bottom());
    m_marker->show();
    // A dot on each run's smoothed line where its value is read.
    for (QGraphicsEllipseItem *dot : std::as_const(m_dots))
        dot->hide();
    for (size_t i = 0; i < entries.size(); ++i) {
        const ReadoutEntry &e = entries[i];
        if (!std::isfinite(e.smoothed) || (m_axisLog && e.smoothed <= 0))
            continue;
        if (qsizetype(i) >= m_dots.size()) {
            auto *dot = new QGraphicsEllipseItem(QRectF(-3.5, -3.5, 7, 7), chart());
            dot->setZValue(21);
            m_dots.append(dot);
        }
        QGraphicsEllipseItem *dot = m_dots[qsizetype(i)];
        dot->setBrush(e.color);
        dot->setPen(QPen(Qt::white, 1.2));
        dot->setPos(toPixel(QPointF(e.x, e.smoothed)));
        dot->setVisible(plot.contains(dot->pos()));
    }
}

void ScalarChart::hideReadout()
{
    m_readout->hide();
    m_marker->hide();
    for (QGraphicsEllipseItem *dot : std::as_const(m_dots))
        dot->hide();
}

void ScalarChart::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0 || m_lines.lines.empty() || !m_wheelZooms) {
        event->ignore();
        return;
    }
    const QPointF value = chart()->mapToValue(event->position());
    const double factor = std::pow(0.85, double(delta) / 120.0);
    if (event->modifiers() & Qt::ControlModifier)
        zoomY(factor, value.y());
    else
        zoomX(factor, value.x());
    event->accept();
}

void ScalarChart::mousePressEvent(QMouseEvent *event)
{
    m_wheelZooms = true;
    Q_EMIT activated();
    hideReadout();
    const bool pan = event->button() == Qt::MiddleButton ||
                     (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier));
    if (pan) {
        m_panning = true;
        m_panFrom = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->accept(); // the context menu; QChartView would zoom out
        return;
    }
    QChartView::mousePressEvent(event);
}

void ScalarChart::mouseMoveEvent(QMouseEvent *event)
{
    if (m_panning) {
        const QPoint pos = event->position().toPoint();
        const QPoint delta = pos - m_panFrom;
        m_panFrom = pos;
        panBy(-delta.x(), delta.y());
        event->accept();
        return;
    }
    if (event->buttons() == Qt::NoButton)
        updateReadout(event->position().toPoint());
    QChartView::mouseMoveEvent(event);
}

void ScalarChart::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_panning) {
        m_panning = false;
        viewport()->unsetCursor();
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->accept();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void ScalarChart::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        resetZoom();
        event->accept();
        return;
    }
    QChartView::mouseDoubleClickEvent(event);
}

void ScalarChart::keyPressEvent(QKeyEvent *event)
{
    const QRectF plot = chart()->plotArea();
    const auto [lo, hi] = drawXRange();
    const double center = fromDrawX((lo + hi) / 2);
    switch (event->key()) {
    case Qt::Key_Left:
        panBy(-plot.width() / 10, 0);
        break;
    case Qt::Key_Right:
        panBy(plot.width() / 10, 0);
        break;
    case Qt::Key_Up:
        panBy(0, plot.height() / 10);
        break;
    case Qt::Key_Down:
        panBy(0, -plot.height() / 10);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomX(0.8, center);
        break;
    case Qt::Key_Minus:
        zoomX(1.25, center);
        break;
    case Qt::Key_Home:
    case Qt::Key_0:
        resetZoom();
        break;
    default:
        QChartView::keyPressEvent(event);
        return;
    }
    event->accept();
}

void ScalarChart::leaveEvent(QEvent *event)
{
    m_wheelZooms = false;
    hideReadout();
    if (!m_hovered.isEmpty()) {
        m_hovered.clear();
        Q_EMIT runHovered(QString());
    }
    QChartView::leaveEvent(event);
}

void ScalarChart::resizeEvent(QResizeEvent *event)
{
    hideReadout();
    QChartView::resizeEvent(event);
}

void ScalarChart::contextMenuEvent(QContextMenuEvent *event)
{
    hideReadout();
    QMenu menu(this);
    menu.addAction(tr("Reset zoom"), this, &ScalarChart::resetZoom);
    menu.addSeparator();
    menu.addAction(tr("Export as PNG…"), this, [this] { Q_EMIT exportRequested(QStringLiteral("png")); });
    menu.addAction(tr("Export as SVG…"), this, [this] { Q_EMIT exportRequested(QStringLiteral("svg")); });
    menu.addAction(tr("Export series as CSV…"), this, [this] { Q_EMIT exportRequested(QStringLiteral("csv")); });
    menu.exec(event->globalPos());
}
} // namespace trainyard::ui
