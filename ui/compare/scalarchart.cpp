#include "scalarchart.h"

#include "chartaxes.h"
#include "chartlinesitem.h"
#include "chartreadout.h"

#include <QChart>
#include <QContextMenuEvent>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFileInfo>
#include <QGraphicsEllipseItem>
#include <QGraphicsItem>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QPainter>
#include <QScopedValueRollback>
#include <QSvgGenerator>
#include <QThreadPool>
#include <QValueAxis>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace trainyard::ui {

namespace {

constexpr int DefaultColumns = 800;

// The charts' own workers. Not Qt's global pool: QtGui splits image conversions and scaling
// across that pool and blocks the UI thread until the pieces are done, so lines being prepared
// there would stall painting.
QThreadPool *preparePool()
{
    static QThreadPool pool;
    static const bool configured = [] {
        pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
        pool.setExpiryTimeout(30000);
        return true;
    }();
    Q_UNUSED(configured)
    return &pool;
}

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

ScalarChart::ScalarChart(const QString &tag, QWidget *parent)
    : QChartView(parent)
    , m_tag(tag)
{
    auto *chart = new QChart;
    chart->setTheme(QChart::ChartThemeLight);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->hide();
    chart->setTitle(tag);
    chart->setTitleFont(ChartAxes::smallFont(9, true));
    chart->setTitleBrush(QColor(0x22, 0x22, 0x22));
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(2, 2, 8, 2));
    chart->setBackgroundBrush(Qt::white);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing, true);
    setRubberBand(QChartView::RectangleRubberBand);
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus);
    setMinimumSize(320, 240);
    setFrameShape(QFrame::NoFrame);

    m_linesItem = new ChartLinesItem(chart);
    m_linesItem->setZValue(10); // over the grid, under the note and the hover marker
    m_anchor = new QLineSeries;
    m_anchor->setPen(Qt::NoPen);
    chart->addSeries(m_anchor);
    m_note = new QGraphicsSimpleTextItem(chart);
    m_note->setFont(ChartAxes::smallFont(8));
    m_note->setBrush(QColor(0x9a, 0x5b, 0x00));
    m_note->setZValue(20);
    m_marker = new QGraphicsLineItem(chart);
    m_marker->setPen(QPen(QColor(0x80, 0x80, 0x80), 0, Qt::DashLine));
    m_marker->setZValue(20);
    m_marker->hide();
    m_readout = new QLabel(viewport());
    m_readout->setTextFormat(Qt::RichText);
    m_readout->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_readout->setStyleSheet(QStringLiteral("QLabel { background: rgba(255, 255, 255, 235); color: #222; "
                                            "border: 1px solid #c8c8c8; border-radius: 3px; padding: 4px; }"));
    m_readout->hide();

    m_prepareTimer.setSingleShot(true);
    m_prepareTimer.setInterval(0);
    connect(&m_prepareTimer, &QTimer::timeout, this, &ScalarChart::startPrepare);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ScalarChart::prepared);
    connect(chart, &QChart::plotAreaChanged, this, [this] {
        updateNote();
        updateTicks();
        refresh(false);
    });
    rebuildAxes();
}

ScalarChart::~ScalarChart()
{
    // A preparation still running holds only shared data; its result is dropped.
    m_watcher.disconnect(this);
}

void ScalarChart::setRuns(std::vector<ChartRun> runs)
{
    m_runs = std::move(runs);
    schedulePrepare();
}

void ScalarChart::setSmoothing(double weight)
{
    weight = std::clamp(weight, 0.0, 0.999);
    if (weight == m_weight)
        return;
    m_weight = weight;
    schedulePrepare();
}

void ScalarChart::setXAxisMode(XAxisMode mode)
{
    if (mode == m_mode)
        return;
    m_mode = mode;
    schedulePrepare();
}

void ScalarChart::setLogY(bool on)
{
    if (on == m_logY)
        return;
    m_logY = on;
    rebuildAxes(); // keeps a zoomed x range
    if (m_autoRange) {
        fitRange();
    } else {
        const auto [y0, y1] = autoYRange();
        m_settingRange = true;
        ChartAxes::setRange(m_yAxis, y0, y1);
        m_settingRange = false;
        updateTicks();
        refresh(true);
    }
    updateNote();
}

void ScalarChart::setIgnoreOutliers(bool on)
{
    if (on == m_ignoreOutliers)
        return;
    m_ignoreOutliers = on;
    if (m_autoRange)
        fitRange();
}

bool ScalarChart::isPreparing() const
{
    return m_prepareTimer.isActive() || m_watcher.isRunning() || m_prepareAgain;
}

void ScalarChart::schedulePrepare()
{
    m_prepareTimer.start();
}

void ScalarChart::startPrepare()
{
    if (m_watcher.isRunning()) {
        m_prepareAgain = true;
        return;
    }
    m_prepareAgain = false;
    m_watcher.setFuture(QtConcurrent::run(
        preparePool(), [tag = m_tag, runs = m_runs, mode = m_mode, weight = m_weight, previous = m_cache] {
            return prepareLines(tag, runs, mode, weight, previous);
        }));
}

void ScalarChart::prepared()
{
    LineSet set = m_watcher.result();
    m_cache = set;
    if (m_prepareAgain) {
        // The settings or data changed meanwhile: this result is already stale.
        startPrepare();
        return;
    }
    apply(std::move(set));
}

void ScalarChart::apply(LineSet set)
{
    const bool axisChanged = set.mode != m_axisMode || set.unitSeconds != m_lines.unitSeconds;
    m_lines = std::move(set);
    if (axisChanged) {
        m_axisMode = m_lines.mode;
        m_autoRange = true; // other units: the old range means nothing
        rebuildAxes();
    }
    if (m_autoRange)
        fitRange();
    else
        refresh(true);
    updateNote();
    Q_EMIT linesChanged();
}

void ScalarChart::rebuildAxes()
{
    QChart *c = chart();
    QAbstractAxis *x = nullptr;
    if (m_axisMode == XAxisMode::WallTime) {
        auto *axis = new QDateTimeAxis;
        axis->setFormat(QStringLiteral("hh:mm"));
        x = axis;
    } else {
        auto *axis = new QValueAxis;
        axis->setTickInterval(0.2); // for the default range 0..1: never an interval of 0
        axis->setTickAnchor(0);
        axis->setTickType(QValueAxis::TicksDynamic);
        x = axis;
    }
    QAbstractAxis *y = nullptr;
    if (m_logY) {
        auto *axis = new QLogValueAxis;
        axis->setBase(10);
        axis->setLabelFormat(QStringLiteral("%g"));
        y = axis;
    } else {
        auto *axis = new QValueAxis;
        axis->setTickInterval(0.2);
        axis->setTickAnchor(0);
        axis->setTickType(QValueAxis::TicksDynamic);
        y = axis;
    }
    m_axisLog = m_logY;
    x->setTitleText(m_lines.axisTitle());
    ChartAxes::style(x);
    ChartAxes::style(y);
    const auto [x0, x1] = m_xAxis ? xRange() : std::pair<double, double>{0, 1};
    m_settingRange = true;
    if (m_xAxis) {
        c->removeAxis(m_xAxis);
        delete m_xAxis;
    }
    if (m_yAxis) {
        c->removeAxis(m_yAxis);
        delete m_yAxis;
    }
    m_xAxis = x;
    m_yAxis = y;
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);
    m_anchor->attachAxis(x);
    m_anchor->attachAxis(y);
    if (!m_autoRange)
        ChartAxes::setRange(x, x0, x1);
    m_settingRange = false;
    for (QAbstractAxis *axis : {x, y}) {
        if (auto *v = qobject_cast<QValueAxis *>(axis))
            connect(v, &QValueAxis::rangeChanged, this, &ScalarChart::axisRangeChanged);
        else if (auto *l = qobject_cast<QLogValueAxis *>(axis))
            connect(l, &QLogValueAxis::rangeChanged, this, &ScalarChart::axisRangeChanged);
        else if (auto *d = qobject_cast<QDateTimeAxis *>(axis))
            connect(d, &QDateTimeAxis::rangeChanged, this, &ScalarChart::axisRangeChanged);
    }
    m_drawnColumns = 0;
}

void ScalarChart::axisRangeChanged()
{
    if (m_settingRange)
        return;
    // The user zoomed or panned (wheel, rubber band, drag, keys): stop following the data, and
    // draw the new range before the next paint.
    m_autoRange = false;
    hideReadout();
    updateTicks();
    refresh(false);
}

std::pair<double, double> ScalarChart::autoYRange() const
{
    return m_lines.autoYRange(m_logY, m_ignoreOutliers);
}

void ScalarChart::fitRange()
{
    double x0 = qInf(), x1 = -qInf();
    for (const auto &line : m_lines.lines) {
        x0 = std::min(x0, line->xMin);
        x1 = std::max(x1, line->xMax);
    }
    if (!std::isfinite(x0) || !std::isfinite(x1)) {
        x0 = 0;
        x1 = 1;
    }
    if (x1 <= x0) {
        const double pad = m_axisMode == XAxisMode::WallTime ? 1000 : 1;
        x0 -= pad;
        x1 += pad;
    }
    const auto [y0, y1] = autoYRange();
    m_settingRange = true;
    ChartAxes::setRange(m_xAxis, x0, x1);
    ChartAxes::setRange(m_yAxis, y0, y1);
    m_settingRange = false;
    m_autoRange = true;
    updateTicks();
    refresh(true);
}

void ScalarChart::resetZoom()
{
    fitRange();
}

void ScalarChart::setXRange(double min, double max)
{
    if (max > min)
        ChartAxes::setRange(m_xAxis, min, max);
}

void ScalarChart::setYRange(double min, double max)
{
    if (max > min && (!m_logY || min > 0))
        ChartAxes::setRange(m_yAxis, min, max);
}

std::pair<double, double> ScalarChart::xRange() const
{
    return ChartAxes::range(m_xAxis);
}

std::pair<double, double> ScalarChart::yRange() const
{
    return ChartAxes::range(m_yAxis);
}

void ScalarChart::zoomX(double factor, double anchor)
{
    const auto [lo, hi] = xRange();
    const double newLo = anchor - (anchor - lo) * factor;
    const double newHi = anchor + (hi - anchor) * factor;
    if (newHi - newLo > 1e-9 * std::max(1.0, std::abs(anchor)))
        setXRange(newLo, newHi);
}

void ScalarChart::zoomY(double factor, double anchor)
{
    const auto [lo, hi] = yRange();
    if (m_logY) {
        if (!(anchor > 0))
            return;
        const double a = std::log10(anchor);
        setYRange(std::pow(10.0, a - (a - std::log10(lo)) * factor), std::pow(10.0, a + (std::log10(hi) - a) * factor));
        return;
    }
    setYRange(anchor - (anchor - lo) * factor, anchor + (hi - anchor) * factor);
}

void ScalarChart::panBy(qreal dx, qreal dy)
{
    chart()->scroll(dx, dy);
    refresh(false);
}

void ScalarChart::refresh(bool force)
{
    const QRectF plot = chart()->plotArea();
    const int columns = plot.width() >= 1 ? int(plot.width()) : DefaultColumns;
    const auto range = xRange();
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
    const auto [x0, x1] = xRange();
    auto [y0, y1] = yRange();
    double y = value.y();
    if (m_axisLog) {
        y0 = std::log10(std::max(y0, 1e-300));
        y1 = std::log10(std::max(y1, 1e-300));
        y = std::log10(y);
    }
    const double sx = x1 > x0 ? plot.width() / (x1 - x0) : 0;
    const double sy = y1 > y0 ? plot.height() / (y1 - y0) : 0;
    // Far-off points are pulled in: the raster engine's coordinates are not unbounded.
    constexpr double Limit = 1e6;
    return QPointF(std::clamp(plot.left() + (value.x() - x0) * sx, -Limit, Limit),
                   std::clamp(plot.bottom() - (y - y0) * sy, -Limit, Limit));
}

void ScalarChart::remap()
{
    const QRectF plot = chart()->plotArea();
    // Plain variables, not structured bindings: the lambda below captures them (clang 14).
    const std::pair<double, double> xr = xRange();
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
    // Every raw line first, so that no run's faint line is drawn over another's smoothed one.
    for (const Layer layer : {Layer::Raw, Layer::Smoothed}) {
        for (const DrawnLine &drawn : m_drawn) {
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
    if (layer == Layer::Raw) {
        QColor faint = drawn.color;
        faint.setAlphaF(0.3f);
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
    QPen pen(drawn.color, points <= 2500 ? 1.7 : 1.0);
    pen.setCosmetic(true);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    return pen;
}

void ScalarChart::updateTicks()
{
    ChartAxes::updateTicks(m_xAxis, m_yAxis, chart()->plotArea(), m_axisMode == XAxisMode::Step);
}

void ScalarChart::updateNote()
{
    QStringList notes;
    qsizetype nonPositive = 0;
    qsizetype nonFinite = 0;
    for (const auto &line : m_lines.lines) {
        nonPositive += line->nonPositive;
        nonFinite += line->nonFinite;
    }
    if (m_logY && nonPositive > 0)
        notes << (nonPositive == 1 ? tr("1 value ≤ 0 hidden on the log scale")
                                   : tr("%1 values ≤ 0 hidden on the log scale").arg(nonPositive));
    if (nonFinite > 0)
        notes << (nonFinite == 1 ? tr("1 NaN/∞ value not drawn") : tr("%1 NaN/∞ values not drawn").arg(nonFinite));
    m_note->setText(notes.join(QStringLiteral(" · ")));
    const QRectF plot = chart()->plotArea();
    m_note->setPos(plot.left() + 6, plot.top() + 3);
    m_note->setVisible(!notes.isEmpty());
}

QString ScalarChart::noteText() const
{
    return m_note->text();
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

std::vector<ScalarChart::ReadoutEntry> ScalarChart::readoutAt(double x) const
{
    std::vector<ReadoutEntry> entries;
    for (const auto &line : m_lines.lines) {
        const qsizetype i = line->nearestIndex(x);
        if (i < 0)
            continue;
        const core::ScalarPoint point = line->series->at(i);
        entries.push_back(ReadoutEntry{line->run.key, line->run.name, line->run.color, point.step, line->xs[size_t(i)],
                                       point.wallTime, point.value, line->smoothed[size_t(i)]});
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
    const auto [lo, hi] = xRange();
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
        zoomX(0.8, (lo + hi) / 2);
        break;
    case Qt::Key_Minus:
        zoomX(1.25, (lo + hi) / 2);
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

QImage ScalarChart::toImage(qreal scale)
{
    hideReadout();
    QImage image((QSizeF(size()) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    // Drawn anew at the image's resolution, not scaled up from the screen cache.
    m_linesItem->setExporting(true);
    render(&painter, QRectF(QPointF(), QSizeF(size())), viewport()->rect());
    m_linesItem->setExporting(false);
    painter.end();
    return image;
}

core::Result<void> ScalarChart::exportPng(const QString &path)
{
    const QImage image = toImage(2);
    if (!image.save(path, "PNG"))
        return tl::make_unexpected(
            core::Error::error(tr("cannot write the PNG file"), core::SourceLocation{path, 0, 0}));
    return {};
}

core::Result<void> ScalarChart::exportSvg(const QString &path)
{
    hideReadout();
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size());
    svg.setViewBox(QRect(QPoint(), size()));
    svg.setTitle(m_tag);
    svg.setDescription(tr("Trainyard: %1").arg(m_tag));
    QPainter painter;
    if (!painter.begin(&svg))
        return tl::make_unexpected(
            core::Error::error(tr("cannot write the SVG file"), core::SourceLocation{path, 0, 0}));
    // Vector lines in the SVG, not the screen cache's pixels.
    m_linesItem->setExporting(true);
    render(&painter, QRectF(QPointF(), QSizeF(size())), viewport()->rect());
    m_linesItem->setExporting(false);
    painter.end();
    if (QFileInfo(path).size() == 0)
        return tl::make_unexpected(
            core::Error::error(tr("cannot write the SVG file"), core::SourceLocation{path, 0, 0}));
    return {};
}

} // namespace trainyard::ui
