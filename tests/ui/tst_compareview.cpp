// CompareView on the offscreen platform, with logdirs and recorded runs written by the test:
// the run and tag filters, one line per run (+ its raw line), smoothing exactly as core's,
// x-axis modes, log y with non-positive values, outliers, zoom/pan/reset, the hover readout,
// the table (last/min/max, steps, baseline difference, parameters), CSV/PNG/SVG exports, live
// updates while a file grows, and an event loop that keeps turning while a large logdir loads.
#include "compare/chartaxes.h"
#include "compare/chartline.h"
#include "compare/comparemodel.h"
#include "compare/comparerunlist.h"
#include "compare/comparetable.h"
#include "compare/compareview.h"
#include "compare/scalarchart.h"
#include "engine/artifactstore.h"
#include "engine/runrecord.h"
#include "lineage/lineagestore.h"
#include "metrics/downsample.h"
#include "metrics/smoothing.h"
#include "style/runcolors.h"
#include "support/eventfilewriter.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QLogValueAxis>
#include <QMimeData>
#include <QMouseEvent>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "support/recordedruns.h"
#include <QTimer>
#include <QTreeView>
#include <QValueAxis>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>

using namespace trainyard;
using namespace trainyard::ui;
using namespace trainyard::test;

namespace {

struct Point
{
    qint64 step;
    double wall;
    float value;
};
using Series = QList<Point>;

/// An event file: a file-version record, then one event per point of each tag (tags one after
/// the other, as separate events).
QByteArray eventFile(const QMap<QByteArray, Series> &tags)
{
    QList<QByteArray> payloads{fileVersionEvent(1000)};
    for (auto it = tags.begin(); it != tags.end(); ++it) {
        for (const Point &p : it.value())
            payloads << summaryEvent(p.wall, p.step, {simpleValue(it.key(), p.value)});
    }
    return records(payloads);
}

bool writeRun(const QString &dir, const QMap<QByteArray, Series> &tags,
              const QString &file = QStringLiteral("events.out.tfevents.1.host"))
{
    return QDir().mkpath(dir) && writeFile(dir + u'/' + file, eventFile(tags));
}

/// 100 steps, two seconds apart: loss falling with a wiggle, accuracy rising.
Series lossCurve(double rate, int steps = 100)
{
    Series s;
    for (int i = 0; i < steps; ++i)
        s << Point{i, 1000.0 + 2.0 * i, float(1.0 / (1.0 + rate * i) + ((i % 7) - 3) * 0.01)};
    return s;
}

Series accuracyCurve(double scale)
{
    Series s;
    for (int i = 0; i < 100; ++i)
        s << Point{i, 1000.0 + 2.0 * i, float(i / scale)};
    return s;
}

QList<double> ysOf(const QList<QPointF> &points)
{
    QList<double> ys;
    for (const QPointF &p : points)
        ys << p.y();
    return ys;
}

QStringList namesOf(const CompareModel *model)
{
    QStringList names;
    for (const CompareRun &run : model->runs())
        names << run.name;
    return names;
}

QString keyOf(const CompareModel *model, const QString &name)
{
    for (const CompareRun &run : model->runs()) {
        if (run.name == name)
            return run.key;
    }
    return {};
}

/// Waits until nothing is loading, preparing or pending in the view.
bool settle(CompareView &view, int timeoutMs = 20000)
{
    QElapsedTimer clock;
    clock.start();
    // Two quiet checks in a row: a finished load can queue more work.
    int quiet = 0;
    while (clock.elapsed() < timeoutMs) {
        QTest::qWait(10);
        quiet = view.isBusy() ? 0 : quiet + 1;
        if (quiet >= 3)
            return true;
    }
    return false;
}

} // namespace

class tst_CompareView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void runListAndTagFilters();
    void oneLinePerRunPlusRaw();
    void smoothingMatchesCore();
    void xAxisModes();
    void yAxisHasEnoughTicks_data();
    void yAxisHasEnoughTicks();
    void logYHidesNonPositiveValues();
    void ignoreOutliersNarrowsTheYRange();
    void zoomPanAndReset();
    void hoverReadoutListsEveryRun();
    void stableColours();
    void sortedDownsampleMatchesCore_data();
    void sortedDownsampleMatchesCore();
    void tableLastMinMaxAndBaseline();
    void recordedRunsShowTheirParameters();
    void labelsSayWhatDiffers();
    void hoveringARunHighlightsItEverywhere();
    void csvExportIsExact();
    void pngAndSvgExports();
    void liveUpdateWhileTheFileGrows();
    void damagedFileIsAProblem();
    void dropAFolder();
    void uiStaysResponsiveWhileALargeLogdirLoads();
    void screenshotOfAProject();

private:
    /// A logdir "logs" with runs lr_0.1 (loss, accuracy), lr_0.01 (loss, accuracy) and
    /// baseline (loss only, 50 steps).
    QString standardLogdir();
    std::unique_ptr<CompareView> showView(const QString &logdir);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_CompareView::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString tst_CompareView::standardLogdir()
{
    const QString logs = m_dir->filePath(QStringLiteral("logs"));
    writeRun(logs + QStringLiteral("/lr_0.1"), {{"loss", lossCurve(0.1)}, {"accuracy", accuracyCurve(100)}});
    writeRun(logs + QStringLiteral("/lr_0.01"), {{"loss", lossCurve(0.01)}, {"accuracy", accuracyCurve(200)}});
    writeRun(logs + QStringLiteral("/baseline"), {{"loss", lossCurve(0.05, 50)}});
    return logs;
}

std::unique_ptr<CompareView> tst_CompareView::showView(const QString &logdir)
{
    auto view = std::make_unique<CompareView>();
    view->resize(1400, 900);
    view->show();
    if (!logdir.isEmpty())
        view->addLogdir(logdir);
    if (!settle(*view))
        qWarning("the view did not settle");
    return view;
}

void tst_CompareView::runListAndTagFilters()
{
    auto view = showView(standardLogdir());
    CompareModel *model = view->model();
    QCOMPARE(namesOf(model), (QStringList{QStringLiteral("logs/baseline"), QStringLiteral("logs/lr_0.01"),
                                          QStringLiteral("logs/lr_0.1")}));
    QCOMPARE(view->selectedRunKeys().size(), 3); // every run checked at first
    QCOMPARE(view->shownTags(), (QStringList{QStringLiteral("accuracy"), QStringLiteral("loss")}));

    // Run filter: a regex on the names, case-insensitive.
    QVERIFY(view->setRunFilter(QStringLiteral("LR_0\\.\\d+$")));
    QVERIFY(settle(*view));
    QCOMPARE(view->selectedRunKeys(),
             (QStringList{keyOf(model, QStringLiteral("logs/lr_0.01")), keyOf(model, QStringLiteral("logs/lr_0.1"))}));
    QCOMPARE(view->runList()->visibleKeys().size(), 2);
    QVERIFY(!view->chart(QStringLiteral("loss"))->drawnKeys().contains(keyOf(model, QStringLiteral("logs/baseline"))));
    // A bad pattern is refused and the last good one stays.
    QVERIFY(!view->setRunFilter(QStringLiteral("lr_(")));
    QCOMPARE(view->runList()->visibleKeys().size(), 2);
    QVERIFY(view->setRunFilter(QString()));

    // Unchecking a run takes its lines away.
    const QString lr01 = keyOf(model, QStringLiteral("logs/lr_0.1"));
    view->runList()->setChecked(lr01, false);
    QVERIFY(settle(*view));
    QVERIFY(!view->chart(QStringLiteral("loss"))->drawnKeys().contains(lr01));
    QCOMPARE(view->selectedRunKeys().size(), 2);
    view->runList()->setChecked(lr01, true);
    QTRY_COMPARE(view->selectedRunKeys().size(), 3);

    // The group's box checks and unchecks all of its runs.
    auto *groups = qobject_cast<QStandardItemModel *>(
        qobject_cast<QSortFilterProxyModel *>(view->runList()->view()->model())->sourceModel());
    QVERIFY(groups);
    QCOMPARE(groups->rowCount(), 1);
    QCOMPARE(groups->item(0)->text(), QDir::cleanPath(m_dir->filePath(QStringLiteral("logs"))));
    groups->item(0)->setCheckState(Qt::Unchecked);
    QTRY_VERIFY(view->selectedRunKeys().isEmpty());
    QVERIFY(settle(*view));
    QVERIFY(view->shownTags().isEmpty());
    QVERIFY(view->placeholderText().contains(QLatin1String("No run selected")));
    groups->item(0)->setCheckState(Qt::Checked);
    QTRY_COMPARE(view->selectedRunKeys().size(), 3);

    // Tag filter: charts only for matching tags; a bad pattern is refused.
    QVERIFY(view->setTagFilter(QStringLiteral("^acc")));
    QVERIFY(settle(*view));
    QCOMPARE(view->shownTags(), QStringList{QStringLiteral("accuracy")});
    QVERIFY(!view->setTagFilter(QStringLiteral("[")));
    QCOMPARE(view->shownTags(), QStringList{QStringLiteral("accuracy")});
    QVERIFY(view->setTagFilter(QStringLiteral("nothing-matches")));
    QVERIFY(settle(*view));
    QVERIFY(view->shownTags().isEmpty());
    QVERIFY(view->placeholderText().contains(QLatin1String("tag filter")));
}

void tst_CompareView::oneLinePerRunPlusRaw()
{
    auto view = showView(standardLogdir());
    CompareModel *model = view->model();
    ScalarChart *loss = view->chart(QStringLiteral("loss"));
    ScalarChart *accuracy = view->chart(QStringLiteral("accuracy"));
    QVERIFY(loss && accuracy);
    QCOMPARE(int(loss->lines().lines.size()), 3);
    QCOMPARE(int(accuracy->lines().lines.size()), 2); // baseline has no accuracy
    QCOMPARE(loss->drawnKeys().size(), 3);            // a smoothed and a raw line per run
    for (const CompareRun &run : model->runs()) {
        const QList<QPointF> smoothed = loss->drawnPoints(run.key, ScalarChart::Layer::Smoothed);
        const QList<QPointF> raw = loss->drawnPoints(run.key, ScalarChart::Layer::Raw);
        QCOMPARE(smoothed.size(), run.name.endsWith(QLatin1String("baseline")) ? 50 : 100);
        QCOMPARE(raw.size(), smoothed.size());
        QCOMPARE(loss->linePen(run.key, ScalarChart::Layer::Smoothed).color(), RunColors::colorFor(run.name));
        const QColor faint = loss->linePen(run.key, ScalarChart::Layer::Raw).color();
        QCOMPARE(faint.rgb(), RunColors::colorFor(run.name).rgb());
        QVERIFY(faint.alphaF() < 0.5); // faint underneath
    }
    QCOMPARE(loss->linePen(QStringLiteral("no such run"), ScalarChart::Layer::Smoothed).style(), Qt::NoPen);
    // Smoothing 0: the raw line is the line.
    view->setSmoothing(0);
    QVERIFY(settle(*view));
    const QString key = model->runs().front().key;
    QVERIFY(loss->drawnPoints(key, ScalarChart::Layer::Raw).isEmpty());
    QCOMPARE(loss->drawnPoints(key, ScalarChart::Layer::Smoothed).size(), 50);
}

void tst_CompareView::smoothingMatchesCore()
{
    auto view = showView(standardLogdir());
    ScalarChart *loss = view->chart(QStringLiteral("loss"));
    QCOMPARE(view->smoothing(), 0.6); // TensorBoard's default
    for (const double weight : {0.6, 0.9, 0.999, 0.0}) {
        view->setSmoothing(weight);
        QVERIFY(settle(*view));
        QCOMPARE(loss->smoothing(), weight);
        for (const CompareRun &run : view->model()->runs()) {
            const core::ScalarSeries &series = run.scalars->series.at(QStringLiteral("loss"));
            const std::vector<double> expected = core::smoothTensorBoard(series.values(), weight);
            const QList<QPointF> points = loss->drawnPoints(run.key, ScalarChart::Layer::Smoothed);
            QCOMPARE(points.size(), series.size());
            for (int i = 0; i < points.size(); ++i) {
                QCOMPARE(points[i].x(), double(series.steps()[size_t(i)]));
                if (points[i].y() != expected[size_t(i)])
                    QFAIL(qPrintable(QStringLiteral("%1 w=%2 point %3: %4 != %5")
                                         .arg(run.name)
                                         .arg(weight)
                                         .arg(i)
                                         .arg(points[i].y(), 0, 'g', 17)
                                         .arg(expected[size_t(i)], 0, 'g', 17)));
            }
            // The raw line holds the values as read.
            if (weight > 0) {
                const QList<double> raw = ysOf(loss->drawnPoints(run.key, ScalarChart::Layer::Raw));
                QCOMPARE(raw, QList<double>(series.values().begin(), series.values().end()));
            }
        }
    }
    // The slider and the spin box drive the same setting.
    QSlider *slider = view->findChild<QSlider *>();
    QVERIFY(slider);
    slider->setValue(250);
    QCOMPARE(view->smoothing(), 0.25);
}

void tst_CompareView::yAxisHasEnoughTicks_data()
{
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::addColumn<double>("height");
    // learning_rate of the demo: 0.1 decaying to 0.05 showed only "0.1" and "0.05".
    QTest::newRow("learning_rate") << 0.05 << 0.1 << 200.0;
    QTest::newRow("accuracy") << 0.5 << 1.0 << 200.0;
    QTest::newRow("loss, tall") << 0.0 << 2.5 << 400.0;
    QTest::newRow("small chart") << 0.0 << 1.0 << 120.0;
}

void tst_CompareView::yAxisHasEnoughTicks()
{
    // Labelled lines a reader can interpolate between: at least 4 intervals, about one per 32 px,
    // at 1, 2 or 5 × 10^n.
    QFETCH(double, lo);
    QFETCH(double, hi);
    QFETCH(double, height);
    QValueAxis x;
    QValueAxis y;
    y.setRange(lo, hi);
    ChartAxes::updateTicks(&x, &y, QRectF(0, 0, 600, height), true);
    const double ticks = (hi - lo) / y.tickInterval();
    const double mantissa = y.tickInterval() / std::pow(10.0, std::floor(std::log10(y.tickInterval())));
    QVERIFY(qFuzzyCompare(mantissa, 1.0) || qFuzzyCompare(mantissa, 2.0) || qFuzzyCompare(mantissa, 5.0));
    QVERIFY2(ticks >= 4 - 1e-9 && ticks <= std::max(10.0, height / 25),
             qPrintable(QStringLiteral("%1 intervals of %2").arg(ticks).arg(y.tickInterval())));
}

void tst_CompareView::xAxisModes()
{
    auto view = showView(standardLogdir());
    ScalarChart *loss = view->chart(QStringLiteral("loss"));
    const CompareRun &run = view->model()->runs().back(); // lr_0.1: walls 1000, 1002, … 1198 s
    QCOMPARE(run.name, QStringLiteral("logs/lr_0.1"));
    const auto xsOf = [&] {
        QList<double> xs;
        for (const QPointF &p : loss->drawnPoints(run.key, ScalarChart::Layer::Smoothed))
            xs << p.x();
        return xs;
    };
    QCOMPARE(xsOf().at(10), 10.0);
    QVERIFY(qobject_cast<QValueAxis *>(loss->chart()->axes(Qt::Horizontal).value(0)));

    view->setXAxisMode(XAxisMode::RelativeTime);
    QVERIFY(settle(*view));
    // 198 s long: shown in minutes since the run's first point.
    QCOMPARE(loss->lines().unitSeconds, 60.0);
    QCOMPARE(xsOf().at(0), 0.0);
    QCOMPARE(xsOf().at(10), 20.0 / 60.0);
    QCOMPARE(loss->chart()->axes(Qt::Horizontal).value(0)->titleText(), QStringLiteral("Relative time (min)"));
    QCOMPARE(loss->xRange().second, 198.0 / 60.0);

    view->setXAxisMode(XAxisMode::WallTime);
    QVERIFY(settle(*view));
    QCOMPARE(xsOf().at(10), 1020.0 * 1000);
    auto *dates = qobject_cast<QDateTimeAxis *>(loss->chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(dates);
    QCOMPARE(dates->min().toMSecsSinceEpoch(), qint64(1000 * 1000));
    QCOMPARE(dates->max().toMSecsSinceEpoch(), qint64(1198 * 1000));

    // A true log-scale x axis (tensorboard#1147): lines are laid out in decades, so steps 1, 10
    // and 100 are evenly spaced; step 0 cannot be drawn and the chart says so.
    view->setXAxisMode(XAxisMode::LogStep);
    QVERIFY(settle(*view));
    auto *logAxis = qobject_cast<QLogValueAxis *>(loss->chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(logAxis);
    QCOMPARE(logAxis->titleText(), QStringLiteral("Step (log scale)"));
    QCOMPARE(xsOf().at(0), 0.0); // step 1: step 0 is left out
    QCOMPARE(xsOf().at(9), 1.0); // step 10
    QVERIFY(qFuzzyCompare(loss->xRange().first, 1.0));
    QVERIFY2(loss->noteText().contains(QStringLiteral("step ≤ 0 hidden on the log x axis")),
             qPrintable(loss->noteText()));
    const auto readout = loss->readoutAt(10);
    const auto at10 = std::find_if(readout.begin(), readout.end(),
                                   [&](const ScalarChart::ReadoutEntry &e) { return e.key == run.key; });
    QVERIFY(at10 != readout.end());
    QCOMPARE(at10->step, qint64(10));
    QVERIFY(qFuzzyCompare(at10->x, 10.0));
    // Zooming scales the decades either side of the cursor alike.
    const double decades = std::log10(loss->xRange().second) - std::log10(loss->xRange().first);
    loss->zoomX(0.5, 10);
    QVERIFY(qFuzzyCompare(std::log10(loss->xRange().first), 1 - 0.5));
    QVERIFY(qFuzzyCompare(std::log10(loss->xRange().second) - std::log10(loss->xRange().first), decades / 2));
    QVERIFY(!loss->grab().isNull());

    view->setXAxisMode(XAxisMode::Step);
    QVERIFY(settle(*view));
    QCOMPARE(xsOf().at(10), 10.0);
}

void tst_CompareView::logYHidesNonPositiveValues()
{
    const QString logs = m_dir->filePath(QStringLiteral("signed"));
    Series values;
    const float ys[] = {4, 2, 0, -1, 1, 0.5f, 0.25f, std::numeric_limits<float>::quiet_NaN()};
    for (int i = 0; i < 8; ++i)
        values << Point{i, 100.0 + i, ys[i]};
    QVERIFY(writeRun(logs + QStringLiteral("/a"), {{"delta", values}}));
    auto view = showView(logs);
    view->setSmoothing(0);
    ScalarChart *chart = view->chart(QStringLiteral("delta"));
    QVERIFY(chart);
    QVERIFY(settle(*view));
    const QString key = view->model()->runs().front().key;
    QCOMPARE(ysOf(chart->drawnPoints(key, ScalarChart::Layer::Smoothed)),
             (QList<double>{4, 2, 0, -1, 1, 0.5, 0.25})); // NaN not drawn
    QVERIFY(chart->noteText().contains(QLatin1String("1 NaN")));
    QVERIFY(!chart->noteText().contains(QLatin1String("log scale")));

    view->setLogY(true);
    QVERIFY(settle(*view));
    QVERIFY(qobject_cast<QLogValueAxis *>(chart->chart()->axes(Qt::Vertical).value(0)));
    QCOMPARE(ysOf(chart->drawnPoints(key, ScalarChart::Layer::Smoothed)), (QList<double>{4, 2, 1, 0.5, 0.25}));
    QVERIFY2(chart->noteText().contains(QStringLiteral("2 values ≤ 0 hidden on the log scale")),
             qPrintable(chart->noteText()));
    QVERIFY(chart->yRange().first > 0);
    QVERIFY(chart->yRange().first <= 0.25 && chart->yRange().second >= 4);
    // Zooming into y stays positive; drawing the chart works.
    chart->setYRange(-5, 10); // refused on a log scale
    QVERIFY(chart->yRange().first > 0);
    QVERIFY(!chart->grab().isNull());

    view->setLogY(false);
    QVERIFY(settle(*view));
    QCOMPARE(ysOf(chart->drawnPoints(key, ScalarChart::Layer::Smoothed)).size(), 7);
    QVERIFY(!chart->noteText().contains(QLatin1String("log scale")));
    QVERIFY(chart->yRange().first < -1);
}

void tst_CompareView::ignoreOutliersNarrowsTheYRange()
{
    const QString logs = m_dir->filePath(QStringLiteral("spiky"));
    Series values;
    for (int i = 0; i < 200; ++i)
        values << Point{i, 100.0 + i, float(i == 50 ? 1000.0 : 1.0 + (i % 10) * 0.01)};
    QVERIFY(writeRun(logs + QStringLiteral("/a"), {{"loss", values}}));
    auto view = showView(logs);
    ScalarChart *chart = view->chart(QStringLiteral("loss"));
    QVERIFY(chart->yRange().second >= 1000);
    view->setIgnoreOutliers(true);
    QVERIFY(settle(*view));
    QVERIFY2(chart->yRange().second < 2, qPrintable(QString::number(chart->yRange().second)));
    QVERIFY(chart->yRange().first <= 1.0 && chart->yRange().first > 0.5);
    view->setIgnoreOutliers(false);
    QVERIFY(chart->yRange().second >= 1000);
}

void tst_CompareView::zoomPanAndReset()
{
    const QString logs = m_dir->filePath(QStringLiteral("long"));
    Series values;
    for (int i = 0; i < 20000; ++i)
        values << Point{i, 100.0 + i, float(std::sin(i / 300.0))};
    QVERIFY(writeRun(logs + QStringLiteral("/a"), {{"wave", values}}));
    auto view = showView(logs);
    ScalarChart *chart = view->chart(QStringLiteral("wave"));
    const QString key = view->model()->runs().front().key;
    QVERIFY(chart->isAutoRange());
    QCOMPARE(chart->xRange(), (std::pair<double, double>{0, 19999}));
    // Downsampled to the plot's width: at most four points per pixel column (+ two edge points).
    const int columns = int(chart->chart()->plotArea().width());
    QVERIFY(columns > 100);
    QVERIFY2(chart->drawnPoints(key, ScalarChart::Layer::Smoothed).size() <= 4 * columns + 2,
             qPrintable(QString::number(chart->drawnPoints(key, ScalarChart::Layer::Smoothed).size())));
    QVERIFY(chart->drawnPoints(key, ScalarChart::Layer::Smoothed).size() >= columns);

    // The wheel over a chart not clicked yet is the grid's (it scrolls); once clicked, the wheel
    // over the middle of the plot zooms x around the cursor.
    const QPoint center = chart->chart()->plotArea().center().toPoint();
    QWheelEvent wheel(center, chart->viewport()->mapToGlobal(center), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(chart->viewport(), &wheel);
    QVERIFY(chart->isAutoRange());
    QVERIFY(!wheel.isAccepted());
    QTest::mouseClick(chart->viewport(), Qt::LeftButton, {}, center);
    QWheelEvent again(center, chart->viewport()->mapToGlobal(center), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(chart->viewport(), &again);
    QVERIFY(!chart->isAutoRange());
    auto [lo, hi] = chart->xRange();
    QVERIFY2(hi - lo < 19999 * 0.9 && lo > 0 && hi < 19999, qPrintable(QStringLiteral("%1..%2").arg(lo).arg(hi)));
    QVERIFY(settle(*view));
    // Only the visible slice is drawn, one point beyond each edge at most.
    const QList<QPointF> visible = chart->drawnPoints(key, ScalarChart::Layer::Smoothed);
    QVERIFY(visible.first().x() >= lo - 1 && visible.last().x() <= hi + 1);

    chart->setXRange(10000.5, 10000.5 + columns / 4.0);
    QVERIFY(settle(*view));
    std::tie(lo, hi) = chart->xRange();
    QVERIFY(hi - lo < columns / 2);
    // At this zoom every point is drawn: fewer points than pixel columns.
    QCOMPARE(chart->drawnPoints(key, ScalarChart::Layer::Smoothed).size(),
             qsizetype(std::floor(hi)) - qsizetype(std::ceil(lo)) + 1 + 2);

    // Pan by keys and by dragging with the middle button.
    QTest::keyClick(chart, Qt::Key_Right);
    QVERIFY(chart->xRange().first > lo);
    const double afterKey = chart->xRange().first;
    QTest::mousePress(chart->viewport(), Qt::MiddleButton, {}, center);
    QTest::mouseMove(chart->viewport(), center + QPoint(100, 0));
    QTest::mouseRelease(chart->viewport(), Qt::MiddleButton, {}, center + QPoint(100, 0));
    QVERIFY2(chart->xRange().first < afterKey, "dragging right shows what lies to the left");
    QVERIFY(settle(*view));
    const QList<QPointF> panned = chart->drawnPoints(key, ScalarChart::Layer::Smoothed);
    QVERIFY(panned.first().x() >= chart->xRange().first - 1);

    // A rubber band zooms into the rectangle dragged.
    chart->resetZoom();
    QVERIFY(chart->isAutoRange());
    QCOMPARE(chart->xRange(), (std::pair<double, double>{0, 19999}));
    const QRectF plot = chart->chart()->plotArea();
    const QPoint from = (plot.topLeft() + QPointF(plot.width() * 0.25, 5)).toPoint();
    const QPoint to = (plot.topLeft() + QPointF(plot.width() * 0.5, plot.height() - 5)).toPoint();
    QTest::mousePress(chart->viewport(), Qt::LeftButton, {}, from);
    QTest::mouseMove(chart->viewport(), to);
    QTest::mouseRelease(chart->viewport(), Qt::LeftButton, {}, to);
    std::tie(lo, hi) = chart->xRange();
    QVERIFY2(std::abs(lo - 5000) < 200 && std::abs(hi - 10000) < 200,
             qPrintable(QStringLiteral("%1..%2").arg(lo).arg(hi)));

    // Double click resets.
    QTest::mouseDClick(chart->viewport(), Qt::LeftButton, {}, center);
    QVERIFY(chart->isAutoRange());
    QCOMPARE(chart->xRange(), (std::pair<double, double>{0, 19999}));
}

void tst_CompareView::hoverReadoutListsEveryRun()
{
    auto view = showView(standardLogdir());
    ScalarChart *loss = view->chart(QStringLiteral("loss"));
    // Nearest points to step 30.4: step 30 in the two 100-step runs, 30 in baseline too.
    const auto entries = loss->readoutAt(30.4);
    QCOMPARE(int(entries.size()), 3);
    for (const auto &e : entries) {
        const core::ScalarSeries &series = view->model()->run(e.key)->scalars->series.at(QStringLiteral("loss"));
        QCOMPARE(e.step, qint64(30));
        QCOMPARE(e.value, series.values()[30]);
        QCOMPARE(e.smoothed, core::smoothTensorBoard(series.values(), 0.6)[30]);
    }
    // Beyond the short run's end: its last point.
    const auto late = loss->readoutAt(80);
    for (const auto &e : late)
        QCOMPARE(e.step, qint64(e.name.endsWith(QLatin1String("baseline")) ? 49 : 80));

    // Hovering the plot shows them; leaving the plot hides them.
    const QRectF plot = loss->chart()->plotArea();
    const QPoint at = plot.center().toPoint();
    // Sent directly: QTest's mouse state carries buttons over from earlier tests.
    const auto hover = [&](const QPoint &pos) {
        QMouseEvent move(QEvent::MouseMove, pos, loss->viewport()->mapToGlobal(pos), Qt::NoButton, Qt::NoButton,
                         Qt::NoModifier);
        QApplication::sendEvent(loss->viewport(), &move);
    };
    hover(at);
    const QString text = loss->readoutText();
    QVERIFY2(!text.isEmpty(), "no readout");
    for (const CompareRun &run : view->model()->runs())
        QVERIFY2(text.contains(run.name), qPrintable(text));
    const double x = loss->chart()->mapToValue(at).x();
    const auto here = loss->readoutAt(x);
    QVERIFY(text.contains(QString::number(here.front().value, 'g', 6)));
    hover(QPoint(2, 2));
    QVERIFY(loss->readoutText().isEmpty());
}

void tst_CompareView::stableColours()
{
    // FNV-1a of the UTF-8 name, into the palette: the same in every session.
    quint32 hash = 2166136261u;
    for (const char c : QByteArray("logs/baseline")) {
        hash ^= quint8(c);
        hash *= 16777619u;
    }
    QCOMPARE(RunColors::stableHash(QStringLiteral("logs/baseline")), hash);
    const auto size = quint32(RunColors::palette().size());
    QCOMPARE(RunColors::colorFor(QStringLiteral("logs/baseline")), RunColors::palette().at(qsizetype(hash % size)));
    // Names that differ in their first number get neighbouring, distinct palette colours: runs
    // #1 and #2 of the offline demo (or run7 and run8) never look alike.
    for (const auto &[a, b] :
         {std::pair{"#1 train", "#2 train"}, std::pair{"#9 train", "#10 train"}, std::pair{"logs/run7", "logs/run8"}}) {
        const int ia = RunColors::paletteIndex(QString::fromUtf8(a));
        const int ib = RunColors::paletteIndex(QString::fromUtf8(b));
        QCOMPARE((ia + 1) % int(size), ib);
        QVERIFY(RunColors::colorFor(QString::fromUtf8(a)) != RunColors::colorFor(QString::fromUtf8(b)));
    }
    // The first number's offset on the hash of the rest.
    QCOMPARE(RunColors::paletteIndex(QStringLiteral("#3 train")),
             int((RunColors::stableHash(QStringLiteral("## train")) % size + 3) % size));

    // Filtering other runs away does not change a run's colour.
    auto view = showView(standardLogdir());
    const QString key = keyOf(view->model(), QStringLiteral("logs/lr_0.1"));
    const QColor before = view->chart(QStringLiteral("loss"))->linePen(key, ScalarChart::Layer::Smoothed).color();
    QVERIFY(view->setRunFilter(QStringLiteral("lr_0.1$")));
    QVERIFY(settle(*view));
    QCOMPARE(view->selectedRunKeys(), QStringList{key});
    QCOMPARE(view->chart(QStringLiteral("loss"))->linePen(key, ScalarChart::Layer::Smoothed).color(), before);
}

void tst_CompareView::sortedDownsampleMatchesCore_data()
{
    QTest::addColumn<int>("points");
    QTest::addColumn<int>("columns");
    QTest::addColumn<double>("from"); // the x range, as a fraction of the data's
    QTest::addColumn<double>("to");
    QTest::addColumn<bool>("repeats"); // steps that repeat (equal x), equal values, NaN/inf
    QTest::newRow("dense") << 100000 << 800 << 0.0 << 1.0 << false;
    QTest::newRow("dense-window") << 100000 << 640 << 0.313 << 0.4517 << false;
    QTest::newRow("sparse") << 300 << 800 << 0.0 << 1.0 << false;
    QTest::newRow("repeats-and-nan") << 20000 << 500 << 0.1 << 0.9 << true;
    QTest::newRow("one-column") << 1000 << 1 << 0.0 << 1.0 << true;
    QTest::newRow("outside") << 1000 << 100 << 1.5 << 2.0 << false;
}

void tst_CompareView::sortedDownsampleMatchesCore()
{
    // The chart's fast path gives exactly what core::downsample::minMaxPerColumn gives.
    QFETCH(int, points);
    QFETCH(int, columns);
    QFETCH(double, from);
    QFETCH(double, to);
    QFETCH(bool, repeats);
    QRandomGenerator random(points + columns);
    std::vector<double> xs(static_cast<size_t>(points));
    std::vector<double> ys(xs.size());
    double x = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
        x += repeats && random.bounded(4) == 0 ? 0.0 : random.bounded(3.0);
        xs[i] = x;
        ys[i] = repeats && random.bounded(10) == 0 ? double(random.bounded(3)) : random.bounded(100.0) - 50;
        if (repeats && random.bounded(50) == 0)
            ys[i] = random.bounded(2) ? qQNaN() : -qInf();
    }
    const double lo = x * from, hi = x * to;
    const std::vector<size_t> expected = core::downsample::minMaxPerColumn(xs, ys, lo, hi, columns);
    const std::vector<size_t> fast = minMaxPerColumnSorted(xs, ys, lo, hi, columns);
    QCOMPARE(fast.size(), expected.size());
    QVERIFY(fast == expected);
}

void tst_CompareView::tableLastMinMaxAndBaseline()
{
    const QString logs = m_dir->filePath(QStringLiteral("table"));
    QVERIFY(writeRun(logs + QStringLiteral("/a"),
                     {{"loss", {{0, 1, 3.0f}, {5, 2, 1.0f}, {10, 3, 2.0f}, {15, 4, 1.5f}}}, {"acc", {{0, 1, 0.5f}}}}));
    QVERIFY(
        writeRun(logs + QStringLiteral("/b"), {{"loss", {{0, 1, 4.0f}, {7, 2, 0.5f}, {9, 3, 6.0f}, {12, 4, 2.0f}}}}));
    auto view = showView(logs);
    QVERIFY(settle(*view));
    CompareTable *table = view->table();
    QTableWidget *t = table->table();
    const QString a = keyOf(view->model(), QStringLiteral("table/a"));
    const QString b = keyOf(view->model(), QStringLiteral("table/b"));
    const int ca = table->column(a);
    const int cb = table->column(b);
    QVERIFY(ca >= 0 && cb >= 0);
    QCOMPARE(table->parameterRow(QStringLiteral("Commit")), -1); // no recorded run: no parameter rows
    const auto cell = [&](const QString &tag, CompareTable::Stat stat, int column) {
        return t->item(table->row(tag, stat), column);
    };
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Last, ca)->text(), QStringLiteral("1.5 @ 15"));
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Min, ca)->text(), QStringLiteral("1 @ 5"));
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Max, ca)->text(), QStringLiteral("3 @ 0"));
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Last, cb)->data(CompareTable::ValueRole).toDouble(), 2.0);
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Last, cb)->data(CompareTable::StepRole).toLongLong(), 12);
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Min, cb)->text(), QStringLiteral("0.5 @ 7"));
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Max, cb)->text(), QStringLiteral("6 @ 9"));
    QCOMPARE(cell(QStringLiteral("acc"), CompareTable::Stat::Last, cb)->text(), QStringLiteral("—"));
    QCOMPARE(t->verticalHeaderItem(table->row(QStringLiteral("loss"), CompareTable::Stat::Min))->text(),
             QStringLiteral("loss · min"));

    // Baseline: the first run until another is chosen.
    QCOMPARE(table->baseline(), a);
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Difference, ca)->text(), QStringLiteral("baseline"));
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Difference, cb)->text(), QStringLiteral("+0.5 (+33.3%)"));
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Difference, cb)->data(CompareTable::ValueRole).toDouble(),
             0.5);
    table->baselineBox()->setCurrentIndex(table->baselineBox()->findData(b));
    Q_EMIT table->baselineBox()->activated(table->baselineBox()->currentIndex());
    QCOMPARE(table->baseline(), b);
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Difference, ca)->text(), QStringLiteral("-0.5 (-25%)"));
    QCOMPARE(cell(QStringLiteral("loss"), CompareTable::Stat::Difference, cb)->text(), QStringLiteral("baseline"));
    QCOMPARE(cell(QStringLiteral("acc"), CompareTable::Stat::Difference, ca)->text(), QStringLiteral("—"));

    // Unchecked runs leave the table.
    view->runList()->setChecked(b, false);
    QVERIFY(settle(*view));
    QCOMPARE(t->columnCount(), 1);
    QCOMPARE(table->column(b), -1);
}

void tst_CompareView::hoveringARunHighlightsItEverywhere()
{
    auto view = showView(standardLogdir());
    ScalarChart *loss = view->chart(QStringLiteral("loss"));
    QVERIFY(loss);
    const QString fast = keyOf(view->model(), QStringLiteral("logs/lr_0.1"));
    const QString slow = keyOf(view->model(), QStringLiteral("logs/lr_0.01"));
    const auto smoothed = ScalarChart::Layer::Smoothed;
    const qreal normal = loss->linePen(fast, smoothed).widthF();
    QCOMPARE(loss->linePen(slow, smoothed).widthF(), normal);

    // Hovering a column of the table highlights that run in every chart, the list and the table.
    CompareTable *table = view->table();
    Q_EMIT table->table()->cellEntered(0, table->column(fast));
    QCOMPARE(view->highlightedRuns(), QSet<QString>{fast});
    QVERIFY(loss->linePen(fast, smoothed).widthF() > normal);
    QVERIFY(loss->linePen(slow, smoothed).color().alphaF() < 0.5); // the others step back
    QVERIFY(view->chart(QStringLiteral("accuracy"))->linePen(fast, smoothed).widthF() > normal);
    QVERIFY(table->table()->horizontalHeaderItem(table->column(fast))->font().bold());
    QVERIFY(!table->table()->horizontalHeaderItem(table->column(slow))->font().bold());
    const QModelIndexList rows =
        view->runList()->view()->model()->match(view->runList()->view()->model()->index(0, 0), CompareRunList::KeyRole,
                                                fast, 1, Qt::MatchExactly | Qt::MatchRecursive);
    QCOMPARE(rows.size(), 1);
    QVERIFY(rows.front().data(Qt::FontRole).value<QFont>().bold());
    // Leaving clears it.
    QEvent leave(QEvent::Leave);
    QCoreApplication::sendEvent(table->table()->viewport(), &leave);
    QVERIFY(view->highlightedRuns().isEmpty());
    QCOMPARE(loss->linePen(slow, smoothed).widthF(), normal);

    // Hovering a line in a chart highlights its run: the pointer on lr_0.01's last point.
    const QList<QPointF> points = loss->drawnPoints(slow, smoothed);
    QVERIFY(!points.isEmpty());
    const QPointF last = points.at(points.size() * 3 / 4);
    const QPoint at = loss->chart()->mapToPosition(last).toPoint();
    QMouseEvent move(QEvent::MouseMove, at, loss->viewport()->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(loss->viewport(), &move);
    QCOMPARE(view->highlightedRuns(), QSet<QString>{slow});
    QSignalSpy pipelineRuns(view.get(), &CompareView::pipelineRunsHovered);
    QCoreApplication::sendEvent(loss, &leave);
    QVERIFY(view->highlightedRuns().isEmpty());
    QCOMPARE(pipelineRuns.size(), 1); // a logdir run has no pipeline run: an empty list
    QVERIFY(pipelineRuns.front().at(0).toStringList().isEmpty());
}

void tst_CompareView::labelsSayWhatDiffers()
{
    const auto recorded = [](const QString &name, const QString &lr, const QString &seed) {
        CompareRun run;
        run.key = QStringLiteral("project:") + name;
        run.name = name;
        run.recorded = true;
        run.parameters.variables = {{QStringLiteral("LEARNING_RATE"), lr}, {QStringLiteral("SEED"), seed}};
        return run;
    };
    std::vector<CompareRun> runs{recorded(QStringLiteral("#1 train"), QStringLiteral("0.1"), QStringLiteral("1")),
                                 recorded(QStringLiteral("#2 train"), QStringLiteral("0.05"), QStringLiteral("1"))};
    CompareRun logdir;
    logdir.name = QStringLiteral("logs/lr_0.1");
    runs.push_back(logdir);
    CompareModel::labelByDifferences(runs);
    QCOMPARE(runs[0].label, QStringLiteral("LEARNING_RATE=0.1")); // SEED is the same in both: left out
    QCOMPARE(runs[1].label, QStringLiteral("LEARNING_RATE=0.05"));
    QCOMPARE(runs[2].label, QStringLiteral("logs/lr_0.1")); // not recorded: its own name

    // A third run with #2's values: the two are told apart by their numbers; a seed that now
    // differs joins the label.
    runs.push_back(recorded(QStringLiteral("#3 train"), QStringLiteral("0.05"), QStringLiteral("2")));
    runs.push_back(recorded(QStringLiteral("#4 train"), QStringLiteral("0.05"), QStringLiteral("2")));
    runs.push_back(recorded(QStringLiteral("#5 eval/test"), QStringLiteral("0.1"), QStringLiteral("1")));
    runs.back().givenName = QStringLiteral("held-out check");
    CompareModel::labelByDifferences(runs);
    QCOMPARE(runs[1].label, QStringLiteral("train, LEARNING_RATE=0.05, SEED=1"));
    QCOMPARE(runs[3].label, QStringLiteral("train, LEARNING_RATE=0.05, SEED=2 (#3)"));
    QCOMPARE(runs[4].label, QStringLiteral("train, LEARNING_RATE=0.05, SEED=2 (#4)"));
    // The name people gave it wins; the job stays, since the runs' jobs differ.
    QCOMPARE(runs[5].label, QStringLiteral("held-out check eval/test"));

    // One run differs from nothing: its name.
    std::vector<CompareRun> one{recorded(QStringLiteral("#1 train"), QStringLiteral("0.1"), QStringLiteral("1"))};
    CompareModel::labelByDifferences(one);
    QCOMPARE(one[0].label, QStringLiteral("#1 train"));
}

void tst_CompareView::recordedRunsShowTheirParameters()
{
    // A project with two recorded runs of `train` (as the offline demo makes them, with two
    // learning rates), their event files collected into the artifact store.
    const QString project = m_dir->filePath(QStringLiteral("project"));
    QVERIFY(QDir().mkpath(project + QStringLiteral("/.trainyard")));
    QVERIFY(writeFile(project + QStringLiteral("/.gitlab-ci.yml"),
                      "variables:\n  LEARNING_RATE: \"0.1\"\n  API_KEY: \"k\"\n"
                      ".trainyard:\n  secrets: [API_KEY]\n  jobs:\n    train:\n      tensorboard: logs\n"
                      "train:\n  image: trainer:1\n  script: [train]\n"));
    const core::ArtifactStore artifacts(project + QStringLiteral("/.trainyard/artifacts"));
    for (int iid : {1, 2}) {
        const QString ws = m_dir->filePath(QStringLiteral("ws%1").arg(iid));
        QVERIFY(writeRun(ws + QStringLiteral("/logs"), {{"loss", lossCurve(iid == 1 ? 0.1 : 0.05)}}));
        const auto set = artifacts.collect(QStringLiteral("train"), ws, {QStringLiteral("logs")}, {});
        QVERIFY(set);
        core::RunRecord r;
        r.id = QStringLiteral("run-%1").arg(iid);
        r.pipelineIid = iid;
        r.commitSha = iid == 1 ? QStringLiteral("aaaaaaaa11112222") : QStringLiteral("bbbbbbbb33334444");
        r.dirty = iid == 2;
        r.status = core::RunStatus::Success;
        core::JobRecord j;
        j.name = QStringLiteral("train");
        j.status = core::JobStatus::Success;
        j.image = QStringLiteral("trainer:1");
        j.imageId = QStringLiteral("sha256:feed") + QString(60, u'0');
        j.artifacts = core::ArtifactStore::toJson(*set);
        r.jobs[j.name] = j;
        r.jobOrder << j.name;
        QVERIFY(trainyard::test::recordRun(project, r));
        // The held-out accuracy train reported in its GitLab metrics report.
        auto store = core::LineageStore::open(core::LineageStore::defaultPath(project));
        QVERIFY(store);
        if (iid == 1) // a name people gave the run labels it everywhere
            QVERIFY((*store)->annotateRun(r.id, core::LineageRunAnnotation{QStringLiteral("baseline"), {}, {}}));
        QVERIFY((*store)->recordMetrics(r.id, j.name,
                                        {core::LineageMetric{r.id, j.name, QStringLiteral("held_out_accuracy"),
                                                             iid == 1 ? 0.885 : 0.88, QStringLiteral("metrics.txt")}}));
    }
    auto view = showView({});
    view->setProjectDir(project);
    QVERIFY(settle(*view));
    QCOMPARE(namesOf(view->model()), (QStringList{QStringLiteral("#1 train"), QStringLiteral("#2 train")}));
    const CompareRun *first = view->model()->run(QStringLiteral("project:#1 train"));
    QVERIFY(first && first->recorded && first->scalars);
    QCOMPARE(first->group, CompareModel::projectGroup());
    QCOMPARE(first->scalars->series.at(QStringLiteral("loss")).size(), 100);
    QCOMPARE(view->chart(QStringLiteral("loss"))->lines().lines.size(), size_t(2));
    QCOMPARE(first->label, QStringLiteral("baseline"));
    QCOMPARE(view->model()->run(QStringLiteral("project:#2 train"))->label, QStringLiteral("#2 train"));
    QCOMPARE(view->chart(QStringLiteral("loss"))->lines().lines.front()->run.name, QStringLiteral("baseline"));

    CompareTable *table = view->table();
    QTableWidget *t = table->table();
    const int c1 = table->column(QStringLiteral("project:#1 train"));
    const int c2 = table->column(QStringLiteral("project:#2 train"));
    QCOMPARE(t->item(table->parameterRow(QStringLiteral("Commit")), c1)->text(), QStringLiteral("aaaaaaaa"));
    QCOMPARE(t->item(table->parameterRow(QStringLiteral("Commit")), c2)->text(), QStringLiteral("bbbbbbbb (dirty)"));
    QCOMPARE(t->item(table->parameterRow(QStringLiteral("Image")), c1)->text(), QStringLiteral("trainer:1"));
    // A digest shows its first 12 hex digits; the tooltip has it whole.
    QCOMPARE(t->item(table->parameterRow(QStringLiteral("Image digest")), c2)->text(),
             QStringLiteral("sha256:feed00000000…"));
    QCOMPARE(t->item(table->parameterRow(QStringLiteral("Image digest")), c2)->toolTip(),
             QStringLiteral("sha256:feed") + QString(60, u'0'));
    QCOMPARE(t->item(table->parameterRow(QStringLiteral("LEARNING_RATE")), c1)->text(), QStringLiteral("0.1"));
    QCOMPARE(table->parameterRow(QStringLiteral("API_KEY")), -1);                       // a secret is never shown
    QVERIFY(t->item(table->parameterRow(QStringLiteral("Commit")), c1)->font().bold()); // runs differ there
    QVERIFY(!t->item(table->parameterRow(QStringLiteral("Image")), c1)->font().bold());
    // Beside the scalars, what the jobs reported in files: held-out accuracy 0.885 vs 0.88.
    const int accuracy =
        table->parameterRow(CompareTable::metricRowName(QStringLiteral("train"), QStringLiteral("held_out_accuracy")));
    QVERIFY(accuracy >= 0);
    QCOMPARE(t->verticalHeaderItem(accuracy)->text(), QStringLiteral("held_out_accuracy (train)"));
    QCOMPARE(t->item(accuracy, c1)->data(CompareTable::ValueRole).toDouble(), 0.885);
    QCOMPARE(t->item(accuracy, c2)->text(), QLocale().toString(0.88, 'g', 6));
    QVERIFY(t->item(accuracy, c1)->font().bold());
    QVERIFY(t->item(accuracy, c1)->toolTip().contains(QStringLiteral("metrics.txt")));
    // The table's last values are the stored files' values.
    QCOMPARE(t->item(table->row(QStringLiteral("loss"), CompareTable::Stat::Last), c2)
                 ->data(CompareTable::ValueRole)
                 .toDouble(),
             double(lossCurve(0.05).last().value));

    // A run's job is running: followed in its workspace, live.
    core::RunRecord running;
    running.id = QStringLiteral("run-3");
    running.pipelineIid = 3;
    running.status = core::RunStatus::Running;
    core::JobRecord j;
    j.name = QStringLiteral("train");
    j.status = core::JobStatus::Running;
    running.jobs[j.name] = j;
    running.jobOrder << j.name;
    QVERIFY(trainyard::test::recordRun(project, running));
    const QString logdir = core::RunScalarsLocator::workspaceDir(project, running.id, j.name) + QStringLiteral("/logs");
    QVERIFY(writeRun(logdir, {{"loss", lossCurve(0.2, 10)}}));
    view->model()->setPollInterval(100);
    view->refreshRuns();
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->run(QStringLiteral("project:#3 train")) &&
                                 view->model()->run(QStringLiteral("project:#3 train"))->scalars,
                             10000);
    QVERIFY(view->model()->run(QStringLiteral("project:#3 train"))->live);
    QVERIFY(settle(*view));
    QCOMPARE(view->chart(QStringLiteral("loss"))->lines().lines.size(), size_t(3));
    QVERIFY(view->runList()->isChecked(QStringLiteral("project:#3 train")));

    // The job ends: its event files are collected, the run is read from the store under the
    // same key (same colour, still checked), no longer live.
    view->runList()->setChecked(QStringLiteral("project:#2 train"), false);
    QVERIFY(writeRun(logdir, {{"loss", lossCurve(0.2, 30)}}));
    const auto collected =
        artifacts.collect(QStringLiteral("train"), core::RunScalarsLocator::workspaceDir(project, running.id, j.name),
                          {QStringLiteral("logs")}, {});
    QVERIFY(collected);
    j.status = core::JobStatus::Success;
    j.artifacts = core::ArtifactStore::toJson(*collected);
    running.jobs[j.name] = j;
    running.status = core::RunStatus::Success;
    QVERIFY(trainyard::test::recordRun(project, running));
    QVERIFY(QDir(core::RunScalarsLocator::workspaceDir(project, running.id, j.name)).removeRecursively());
    view->refreshRuns();
    QTRY_VERIFY_WITH_TIMEOUT(!view->model()->run(QStringLiteral("project:#3 train"))->live, 10000);
    QVERIFY(settle(*view));
    const CompareRun *done = view->model()->run(QStringLiteral("project:#3 train"));
    QCOMPARE(done->scalars->series.at(QStringLiteral("loss")).size(), 30);
    QCOMPARE(view->model()->runs().size(), size_t(3));
    QVERIFY(view->runList()->isChecked(QStringLiteral("project:#3 train")));
    QVERIFY(!view->runList()->isChecked(QStringLiteral("project:#2 train"))); // check states survive a refresh
    QCOMPARE(view->chart(QStringLiteral("loss"))->lines().lines.size(), size_t(2));

    // The Runs list's "Compare scalars": exactly the runs asked for are drawn.
    QCOMPARE(view->model()->run(QStringLiteral("project:#2 train"))->runId, QStringLiteral("run-2"));
    view->showPipelineRuns({QStringLiteral("run-2")});
    QVERIFY(settle(*view));
    QCOMPARE(view->selectedRunKeys(), QStringList{QStringLiteral("project:#2 train")});
    QCOMPARE(view->chart(QStringLiteral("loss"))->lines().lines.size(), size_t(1));
    view->showPipelineRuns({QStringLiteral("run-1"), QStringLiteral("run-3")});
    QVERIFY(settle(*view));
    QCOMPARE(view->selectedRunKeys(),
             (QStringList{QStringLiteral("project:#1 train"), QStringLiteral("project:#3 train")}));
    // A run not listed yet (it just ended) is drawn once it is, alone.
    {
        const QString ws = m_dir->filePath(QStringLiteral("ws4"));
        QVERIFY(writeRun(ws + QStringLiteral("/logs"), {{"loss", lossCurve(0.3)}}));
        const auto set = artifacts.collect(QStringLiteral("train"), ws, {QStringLiteral("logs")}, {});
        QVERIFY(set);
        core::RunRecord r;
        r.id = QStringLiteral("run-4");
        r.pipelineIid = 4;
        r.status = core::RunStatus::Success;
        core::JobRecord job;
        job.name = QStringLiteral("train");
        job.status = core::JobStatus::Success;
        job.artifacts = core::ArtifactStore::toJson(*set);
        r.jobs[job.name] = job;
        r.jobOrder << job.name;
        QVERIFY(trainyard::test::recordRun(project, r));
    }
    view->showPipelineRuns({QStringLiteral("run-4")});
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->run(QStringLiteral("project:#4 train")), 10000);
    QVERIFY(settle(*view));
    QCOMPARE(view->selectedRunKeys(), QStringList{QStringLiteral("project:#4 train")});
}

void tst_CompareView::csvExportIsExact()
{
    const QString logs = m_dir->filePath(QStringLiteral("csv"));
    QVERIFY(writeRun(logs + QStringLiteral("/a,b"), {{"loss", {{0, 1700000000.5, 0.5f}, {1, 1700000001.25, -1.25f}}},
                                                     {"odd",
                                                      {{7, 12.0, std::numeric_limits<float>::quiet_NaN()},
                                                       {8, 13.0, std::numeric_limits<float>::infinity()}}}}));
    QVERIFY(writeRun(logs + QStringLiteral("/c"), {{"loss", {{3, 5.0, 0.1f}}}}));
    auto view = showView(logs);
    const QString path = m_dir->filePath(QStringLiteral("out.csv"));
    QVERIFY(view->exportCsv(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    // 0.1f read back widened to double: its shortest round-trip form is 0.10000000149011612.
    QCOMPARE(QString::fromUtf8(file.readAll()), QStringLiteral("run,tag,step,wall_time,value\n"
                                                               "\"csv/a,b\",loss,0,1700000000.5,0.5\n"
                                                               "\"csv/a,b\",loss,1,1700000001.25,-1.25\n"
                                                               "\"csv/a,b\",odd,7,12,nan\n"
                                                               "\"csv/a,b\",odd,8,13,inf\n"
                                                               "csv/c,loss,3,5,0.10000000149011612\n"));
    // Only what is selected: the tag filter and the run filter apply.
    QVERIFY(view->setTagFilter(QStringLiteral("loss")));
    QVERIFY(view->setRunFilter(QStringLiteral("/c$")));
    QVERIFY(settle(*view));
    QVERIFY(view->exportCsv(path));
    file.close();
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("run,tag,step,wall_time,value\ncsv/c,loss,3,5,0.10000000149011612\n"));
    // An unwritable path is an error naming it.
    const auto failed = view->exportCsv(m_dir->filePath(QStringLiteral("no/such/dir/out.csv")));
    QVERIFY(!failed);
    QVERIFY(failed.error().location.file.endsWith(QLatin1String("out.csv")));
}

void tst_CompareView::pngAndSvgExports()
{
    auto view = showView(standardLogdir());
    ScalarChart *loss = view->chart(QStringLiteral("loss"));
    const QString png = m_dir->filePath(QStringLiteral("loss.png"));
    QVERIFY(view->exportChart(QStringLiteral("loss"), png));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), loss->size() * 2); // drawn at twice the resolution
    // The lines are there: pixels of each run's colour.
    for (const CompareRun &run : view->model()->runs()) {
        const QColor color = RunColors::colorFor(run.name);
        bool found = false;
        for (int y = 0; y < image.height() && !found; y += 1) {
            for (int x = 0; x < image.width() && !found; x += 1) {
                const QColor c = image.pixelColor(x, y);
                found = std::abs(c.red() - color.red()) < 12 && std::abs(c.green() - color.green()) < 12 &&
                        std::abs(c.blue() - color.blue()) < 12;
            }
        }
        QVERIFY2(found, qPrintable(run.name));
    }

    const QString svg = m_dir->filePath(QStringLiteral("loss.svg"));
    QVERIFY(view->exportChart(QStringLiteral("loss"), svg));
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBox(), QRect(QPoint(), loss->size()));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(content.contains("<svg"));
    QVERIFY(content.contains("<title>loss</title>"));
    QVERIFY(content.contains(RunColors::colorFor(QStringLiteral("logs/lr_0.1")).name().toLatin1()));

    QVERIFY(!view->exportChart(QStringLiteral("loss"), m_dir->filePath(QStringLiteral("loss.gif"))));
    QVERIFY(!view->exportChart(QStringLiteral("no-such-tag"), png));
}

void tst_CompareView::liveUpdateWhileTheFileGrows()
{
    const QString logs = m_dir->filePath(QStringLiteral("live"));
    const QString file = logs + QStringLiteral("/run/events.out.tfevents.1.host");
    QVERIFY(QDir().mkpath(logs + QStringLiteral("/run")));
    QList<QByteArray> payloads{fileVersionEvent(1000)};
    for (int i = 0; i < 10; ++i)
        payloads << summaryEvent(1000 + i, i, {simpleValue("loss", float(i))});
    QVERIFY(writeFile(file, records(payloads)));
    auto view = std::make_unique<CompareView>();
    view->model()->setPollInterval(100);
    view->resize(1200, 800);
    view->show();
    view->addLogdir(logs);
    QVERIFY(settle(*view));
    ScalarChart *chart = view->chart(QStringLiteral("loss"));
    const QString key = view->model()->runs().front().key;
    QCOMPARE(chart->drawnPoints(key, ScalarChart::Layer::Smoothed).size(), 10);
    QCOMPARE(chart->xRange().second, 9.0);

    // The job writes more (a new tag too); the half-written record at the end waits for its rest.
    QList<QByteArray> more;
    for (int i = 10; i < 25; ++i)
        more << summaryEvent(1000 + i, i, {simpleValue("loss", float(i)), simpleValue("lr", 0.1f)});
    const QByteArray tail = record(summaryEvent(1025, 25, {simpleValue("loss", 25.0f)}));
    QVERIFY(appendFile(file, records(more) + tail.left(10)));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->run(key)->scalars->series.at(QStringLiteral("loss")).size(), 25, 10000);
    QVERIFY(settle(*view));
    QCOMPARE(chart->drawnPoints(key, ScalarChart::Layer::Smoothed).size(), 25);
    QCOMPARE(chart->xRange().second, 24.0); // the view follows the data until the user zooms
    QVERIFY(view->chart(QStringLiteral("lr")));
    const int lastRow = view->table()->row(QStringLiteral("loss"), CompareTable::Stat::Last);
    QCOMPARE(view->table()->table()->item(lastRow, 0)->text(), QStringLiteral("24 @ 24"));

    QVERIFY(appendFile(file, tail.mid(10)));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->run(key)->scalars->series.at(QStringLiteral("loss")).size(), 26, 10000);
    QVERIFY(settle(*view));
    QCOMPARE(chart->drawnPoints(key, ScalarChart::Layer::Smoothed).size(), 26);
    QCOMPARE(view->table()->table()->item(lastRow, 0)->text(), QStringLiteral("25 @ 25"));
}

void tst_CompareView::damagedFileIsAProblem()
{
    const QString logs = m_dir->filePath(QStringLiteral("damaged"));
    QVERIFY(QDir().mkpath(logs));
    QByteArray bytes = records({fileVersionEvent(1), summaryEvent(1, 1, {simpleValue("loss", 1.0f)}),
                                summaryEvent(2, 2, {simpleValue("loss", 2.0f)})});
    bytes[bytes.size() - 6] = char(bytes[bytes.size() - 6] ^ 0x55); // the last record's data no longer fits its CRC
    QVERIFY(writeFile(logs + QStringLiteral("/events.out.tfevents.1.host"), bytes));
    auto view = std::make_unique<CompareView>();
    QSignalSpy problems(view.get(), &CompareView::problemFound);
    view->addLogdir(logs);
    QVERIFY(settle(*view));
    QVERIFY(problems.count() >= 1);
    const auto problem = problems.first().first().value<core::Error>();
    QVERIFY2(problem.location.file.endsWith(QLatin1String("events.out.tfevents.1.host")),
             qPrintable(problem.toString()));
    // What came before the damage is shown.
    QCOMPARE(view->model()->runs().front().scalars->series.at(QStringLiteral("loss")).size(), 1);
    // A logdir that does not exist says so, once.
    view->addLogdir(m_dir->filePath(QStringLiteral("missing")));
    QVERIFY(settle(*view));
    QTRY_VERIFY(problems.count() >= 2);
    QVERIFY(problems.last().first().value<core::Error>().toString().contains(QLatin1String("missing")));
}

void tst_CompareView::dropAFolder()
{
    const QString logs = standardLogdir();
    auto view = showView({});
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(logs), QUrl::fromLocalFile(m_dir->filePath(QStringLiteral("not-there")))});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view.get(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view.get(), &drop);
    QCOMPARE(view->model()->logdirs(), QStringList{QDir::cleanPath(logs)});
    QVERIFY(settle(*view));
    QCOMPARE(view->model()->runs().size(), size_t(3));
    // Something that is no logdir is not taken.
    QMimeData text;
    text.setUrls({QUrl::fromLocalFile(m_dir->filePath(QStringLiteral("not-there")))});
    QDragEnterEvent refused(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    refused.setAccepted(false);
    QApplication::sendEvent(view.get(), &refused);
    QVERIFY(!refused.isAccepted());
}

void tst_CompareView::uiStaysResponsiveWhileALargeLogdirLoads()
{
    // 8 runs × 2 tags × 50,000 points (~37 MB of event files).
    const QString logs = m_dir->filePath(QStringLiteral("large"));
    constexpr int Runs = 8, Points = 50000;
    for (int r = 0; r < Runs; ++r) {
        QList<QByteArray> payloads{fileVersionEvent(1000)};
        payloads.reserve(2 * Points + 1);
        for (int i = 0; i < Points; ++i) {
            payloads << summaryEvent(1000 + i, i, {simpleValue("loss", float(1.0 / (1 + i * 0.001 * (r + 1))))});
            payloads << summaryEvent(1000 + i, i, {simpleValue("accuracy", float(i % 100) / 100.0f)});
        }
        QVERIFY(QDir().mkpath(logs + QStringLiteral("/run%1").arg(r)));
        QVERIFY(writeFile(logs + QStringLiteral("/run%1/events.out.tfevents.1.host").arg(r), records(payloads)));
    }
    CompareView view;
    view.resize(1400, 900);
    view.show();
    QTest::qWait(50);

    QElapsedTimer clock;
    qint64 last = 0;
    qint64 worstGap = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&] {
        worstGap = std::max(worstGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    clock.start();
    ticker.start();
    view.addLogdir(logs);
    QVERIFY(view.isBusy());
    QVERIFY(settle(view, 120000));
    ticker.stop();
    qInfo("%d runs x 2 tags x %d points loaded and charted in %lld ms; longest event-loop gap %lld ms", Runs, Points,
          clock.elapsed(), worstGap);
    QCOMPARE(view.model()->runs().size(), size_t(Runs));
    QCOMPARE(view.chart(QStringLiteral("loss"))->lines().lines.size(), size_t(Runs));
    QCOMPARE(view.chart(QStringLiteral("loss"))->lines().lines.front()->size(), size_t(Points));
    QVERIFY2(worstGap < 150, qPrintable(QString::number(worstGap))); // parsing and smoothing ran off the UI thread
}

void tst_CompareView::screenshotOfAProject()
{
    // On demand: TRAINYARD_COMPARE_PROJECT=<a project with recorded runs, e.g. the offline demo
    // run twice with two learning rates> saves the view to TRAINYARD_SCREENSHOT (default
    // /tmp/compare.png); TRAINYARD_COMPARE_TAB=table shows the table.
    const QString project = qEnvironmentVariable("TRAINYARD_COMPARE_PROJECT");
    if (project.isEmpty())
        QSKIP("set TRAINYARD_COMPARE_PROJECT to a project with recorded runs");
    CompareView view;
    view.resize(1280, 760);
    view.show();
    view.setProjectDir(project);
    QVERIFY(settle(view));
    QVERIFY(!view.model()->runs().empty());
    if (qEnvironmentVariable("TRAINYARD_COMPARE_TAB") == QLatin1String("table"))
        view.findChild<QTabWidget *>()->setCurrentIndex(1);
    QTest::qWait(100);
    if (qEnvironmentVariableIsSet("TRAINYARD_COMPARE_HOVER") && !view.shownTags().isEmpty()) {
        ScalarChart *chart = view.chart(view.shownTags().last());
        const QPoint at = chart->chart()->plotArea().center().toPoint() + QPoint(40, 0);
        QMouseEvent move(QEvent::MouseMove, at, chart->viewport()->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                         Qt::NoModifier);
        QApplication::sendEvent(chart->viewport(), &move);
        QVERIFY(!chart->readoutText().isEmpty());
    }
    const QString out = qEnvironmentVariable("TRAINYARD_SCREENSHOT", QStringLiteral("/tmp/compare.png"));
    QVERIFY(view.grab().save(out));
    qInfo("saved %s", qPrintable(out));
}

QTEST_MAIN(tst_CompareView)
#include "tst_compareview.moc"
