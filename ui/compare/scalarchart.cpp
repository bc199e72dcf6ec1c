// ScalarChart: construction, settings, line preparation, axes, ranges and the note (see also scalarchart*.cpp).
#include "scalarchart.h"

#include "chartaxes.h"
#include "chartlinesitem.h"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsItem>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QScopedValueRollback>
#include <QThreadPool>
#include <QValueAxis>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace trainyard::ui {

namespace {

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
    } else if (m_axisMode == XAxisMode::LogStep) {
        auto *axis = new QLogValueAxis;
        axis->setBase(10);
        axis->setLabelFormat(QStringLiteral("%g"));
        axis->setMinorTickCount(8); // 2…9 between the decades, as on log paper
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

void ScalarChart::setHighlightedRuns(const QSet<QString> &keys)
{
    if (keys == m_highlight)
        return;
    m_highlight = keys;
    remap();
}

double ScalarChart::toDrawX(double axisX) const
{
    return isLogX() ? std::log10(std::max(axisX, 1e-300)) : axisX;
}

double ScalarChart::fromDrawX(double drawX) const
{
    return isLogX() ? std::pow(10.0, drawX) : drawX;
}

std::pair<double, double> ScalarChart::drawXRange() const
{
    const auto [lo, hi] = xRange();
    return {toDrawX(lo), toDrawX(hi)};
}

void ScalarChart::fitRange()
{
    // In drawing units (decades on a log x axis); a point's xMin/xMax are finite ones only.
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
    ChartAxes::setRange(m_xAxis, fromDrawX(x0), fromDrawX(x1));
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
    // In drawing units: on a log axis the decades either side of the anchor scale alike.
    const auto [lo, hi] = drawXRange();
    const double a = toDrawX(anchor);
    const double newLo = a - (a - lo) * factor;
    const double newHi = a + (hi - a) * factor;
    if (newHi - newLo > 1e-9 * std::max(1.0, std::abs(a)))
        setXRange(fromDrawX(newLo), fromDrawX(newHi));
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
    qsizetype xHidden = 0;
    for (const auto &line : m_lines.lines)
        xHidden += line->xHidden;
    if (isLogX() && xHidden > 0)
        notes << (xHidden == 1 ? tr("1 point at step ≤ 0 hidden on the log x axis")
                               : tr("%1 points at step ≤ 0 hidden on the log x axis").arg(xHidden));
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

} // namespace trainyard::ui
