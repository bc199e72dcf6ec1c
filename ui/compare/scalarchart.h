#pragma once

#include "chartline.h"
#include "common/error.h"

#include <QChartView>
#include <QFutureWatcher>
#include <QList>
#include <QPen>
#include <QSet>
#include <QTimer>

#include <utility>
#include <vector>

class QAbstractAxis;
class QGraphicsEllipseItem;
class QGraphicsLineItem;
class QGraphicsSimpleTextItem;
class QLabel;
class QLineSeries;

namespace trainyard::ui {

class ChartLinesItem;

/// One tag's chart in the compare view: every run's series overlaid in the run's colour, the
/// smoothed line over the raw one drawn faint. Lines are prepared (x values, smoothing) on a
/// worker thread; what is drawn is downsampled to the plot's pixel columns with
/// core::downsample::minMaxPerColumn's semantics over the visible x range (its sorted-x fast
/// path, minMaxPerColumnSorted(), when steps never go back), so a pan costs what is on screen.
///
/// QtCharts draws the frame (title, axes, grid) and does the zoom and scroll arithmetic; the
/// lines themselves are one cached item drawing a polyline per line with cosmetic pens, the
/// faint raw ones aliased. (A QLineSeries per line was 10× too slow: QtCharts strokes each
/// series' whole path into a hit-test shape on every update, 165–250 ms a frame at 20 runs ×
/// 100,000 points; this way a frame takes 9–12 ms, see bench/bench_chart.cpp.)
///
/// Mouse: wheel zooms x around the cursor (Ctrl+wheel: y), a left drag zooms to a rubber band,
/// a middle or Shift+left drag pans, a double click resets. Keys: arrows pan, +/- zoom, Home
/// or 0 resets. Hovering shows every run's value at the nearest point.
class ScalarChart final : public QChartView
{
    Q_OBJECT

public:
    explicit ScalarChart(const QString &tag, QWidget *parent = nullptr);
    ~ScalarChart() override;

    QString tag() const { return m_tag; }

    /// The runs to draw (those without this tag are left out). Lines whose run data did not
    /// change are kept; the rest are prepared again.
    void setRuns(std::vector<ChartRun> runs);
    /// TensorBoard's smoothing weight, 0 (raw only) to 0.999.
    void setSmoothing(double weight);
    void setXAxisMode(XAxisMode mode);
    /// Log y: values <= 0 cannot be drawn; they are hidden and noteText() says how many.
    void setLogY(bool on);
    /// Auto y range from the 5th to the 95th percentile of the values instead of min to max.
    void setIgnoreOutliers(bool on);
    double smoothing() const { return m_weight; }
    XAxisMode xAxisMode() const { return m_mode; }
    bool isLogY() const { return m_logY; }
    bool ignoresOutliers() const { return m_ignoreOutliers; }

    /// True while lines are being prepared; linesChanged() follows.
    bool isPreparing() const;
    /// The lines drawn now.
    const LineSet &lines() const { return m_lines; }

    /// Back to the range of all data (the view follows new data again).
    void resetZoom();
    /// Ranges in axis units (wall time: milliseconds since the epoch).
    void setXRange(double min, double max);
    void setYRange(double min, double max);
    std::pair<double, double> xRange() const;
    std::pair<double, double> yRange() const;
    /// True until the user zooms or pans: the ranges follow the data.
    bool isAutoRange() const { return m_autoRange; }
    /// Scales the x range by `factor` (< 1 zooms in) around `anchor` (axis units).
    void zoomX(double factor, double anchor);
    /// Moves the view by pixels (QChart::scroll: positive dx shows what lies to the right,
    /// positive dy what lies above) and draws what comes into view.
    void panBy(qreal dx, qreal dy);

    enum class Layer { Raw, Smoothed };
    /// The points drawn now for a run, as (x in drawing units: axis units, or log10 of them on a
    /// log x axis; value): empty when the run has no
    /// line here. The raw layer is empty when smoothing is 0: the smoothed line is the raw one.
    QList<QPointF> drawnPoints(const QString &key, Layer layer) const;
    /// Runs hovered somewhere (here, in the run list, the table or the Runs list): their lines
    /// are drawn wider and on top, the others faded. Empty: none.
    void setHighlightedRuns(const QSet<QString> &keys);
    QSet<QString> highlightedRuns() const { return m_highlight; }
    /// The pen a run's line is drawn with; Qt::NoPen when the run has no line here.
    QPen linePen(const QString &key, Layer layer) const;
    /// The keys of the runs drawn, in drawing order.
    QStringList drawnKeys() const;
    /// What the chart says besides its lines, e.g. "3 values ≤ 0 hidden on the log scale".
    QString noteText() const;

    using ReadoutEntry = ui::ReadoutEntry;
    /// Every drawn run's nearest point to `x` (axis units), in run order.
    std::vector<ReadoutEntry> readoutAt(double x) const;
    /// The hover readout's text (HTML) while it is shown, else empty.
    QString readoutText() const;

    /// The chart as an image (`scale` pixels per widget pixel) or written as PNG / SVG.
    QImage toImage(qreal scale = 2);
    core::Result<void> exportPng(const QString &path);
    core::Result<void> exportSvg(const QString &path);

Q_SIGNALS:
    /// Prepared lines were applied and drawn.
    void linesChanged();
    /// The user clicked this chart: it is the one the toolbar's exports act on.
    void activated();
    /// The pointer is over (within a few pixels of) the line of run `key`; empty when it left.
    void runHovered(const QString &key);
    /// The user chose "Export as PNG/SVG/CSV…" in the chart's menu: "png", "svg" or "csv".
    void exportRequested(const QString &format);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void schedulePrepare();
    void startPrepare();
    void prepared();
    void apply(LineSet set);
    void rebuildAxes();
    void remap();
    /// A point (x in axis units, value) in the chart's pixel coordinates.
    QPointF toPixel(const QPointF &value) const;
    /// Lines are drawn in "drawing units" of x: axis units, or their log10 on a log x axis.
    bool isLogX() const { return m_axisMode == XAxisMode::LogStep; }
    double toDrawX(double axisX) const;
    double fromDrawX(double drawX) const;
    /// The visible x range in drawing units.
    std::pair<double, double> drawXRange() const;
    QPen penFor(const DrawnLine &drawn, Layer layer) const;
    void fitRange();
    void refresh(bool force);
    void axisRangeChanged();
    void updateTicks();
    void updateNote();
    void updateReadout(const QPoint &pos);
    void hideReadout();
    void zoomY(double factor, double anchor);
    std::pair<double, double> autoYRange() const;

    QString m_tag;
    std::vector<ChartRun> m_runs;
    double m_weight = 0.6;
    XAxisMode m_mode = XAxisMode::Step;
    bool m_logY = false;
    bool m_ignoreOutliers = false;

    LineSet m_lines;
    LineSet m_cache; ///< the latest prepared set, applied or not: reused by the next preparation
    QFutureWatcher<LineSet> m_watcher;
    bool m_prepareAgain = false;
    QTimer m_prepareTimer;

    std::vector<DrawnLine> m_drawn;
    ChartLinesItem *m_linesItem = nullptr;
    QLineSeries *m_anchor = nullptr; ///< empty: gives QtCharts a domain to scroll and zoom
    QAbstractAxis *m_xAxis = nullptr;
    QAbstractAxis *m_yAxis = nullptr;
    XAxisMode m_axisMode = XAxisMode::Step; ///< what the current x axis shows (lines may lag settings)
    bool m_axisLog = false;
    bool m_autoRange = true;
    bool m_settingRange = false;
    std::pair<double, double> m_drawnX{0, 0};
    int m_drawnColumns = 0;

    /// The wheel zooms only once the chart was clicked (until the mouse leaves it): over a grid
    /// of charts, it scrolls the grid.
    bool m_wheelZooms = false;
    bool m_panning = false;
    QPoint m_panFrom;
    QGraphicsSimpleTextItem *m_note = nullptr;
    QGraphicsLineItem *m_marker = nullptr;
    QList<QGraphicsEllipseItem *> m_dots; ///< the readout's dots, one per run, reused
    QLabel *m_readout = nullptr;
    QSet<QString> m_highlight;
    QString m_hovered; ///< the run under the pointer, as last told by runHovered()
};

} // namespace trainyard::ui
