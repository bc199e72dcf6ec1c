// bench_chart: frame times of one compare-view chart (ScalarChart) holding 20 runs × 100,000
// points of a noisy loss curve, on the offscreen platform: a full redraw (downsampling every
// line to the plot's pixel columns, replacing the series, painting), a pan at the full range, a
// pan zoomed in, and a wheel-zoom step. Each is a Qt Test QBENCHMARK (ms per frame, wall time);
// a summary line per case gives the median and worst of 100 frames against the 16 ms target.
// Then the whole compare view, as the window has it: the time from adding a logdir of 20 runs x
// 100,000 points (event files on disk) to the first chart painted, median of 3 (no target; reported).
//
// Usage: bench_chart [Qt Test options, e.g. -iterations 50]
#include "compare/chartline.h"
#include "compare/compareview.h"
#include "compare/scalarchart.h"
#include "style/runcolors.h"
#include "support/eventfilewriter.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

using namespace trainyard;
using namespace trainyard::ui;

namespace {

constexpr int kRuns = 20;
constexpr int kPoints = 100000;
constexpr int kFrames = 100;

std::shared_ptr<const core::RunScalars> makeRun(int r)
{
    auto run = std::make_shared<core::RunScalars>();
    run->name = QStringLiteral("lr_%1").arg(r);
    core::ScalarSeries &series = run->series[QStringLiteral("loss")];
    series.reserve(kPoints);
    quint32 noise = 2463534242u + quint32(r);
    for (int i = 0; i < kPoints; ++i) {
        noise ^= noise << 13; // xorshift: a raw curve as jagged as a real minibatch loss
        noise ^= noise >> 17;
        noise ^= noise << 5;
        const double jitter = (double(noise % 10000) / 10000.0 - 0.5) * 0.08;
        const double value = 2.0 / (1.0 + i * 1e-4 * (1 + r * 0.15)) + jitter;
        series.append(core::ScalarPoint{i, 1.7e9 + i * 0.5, value});
    }
    return run;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

class bench_Chart final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fullRedraw();
    void panFullRange();
    void panZoomedIn();
    void wheelZoom();
    /// Median and worst of 100 frames of each kind, printed: QBENCHMARK gives the mean.
    void frameTimes();
    /// A CompareView given a logdir of kRuns event files of kPoints each: time to the first chart.
    void logdirToFirstChart();
    void cleanupTestCase();

private:
    /// One frame: what changed is drawn into the chart's series and the chart painted.
    void paintFrame();
    void summary(const char *what, const std::function<void()> &step);

    std::unique_ptr<ScalarChart> m_chart;
    QImage m_frame;
};

void bench_Chart::initTestCase()
{
    std::vector<ChartRun> runs;
    for (int r = 0; r < kRuns; ++r) {
        auto scalars = makeRun(r);
        runs.push_back(ChartRun{scalars->name, scalars->name, RunColors::colorFor(scalars->name), scalars});
    }
    m_chart = std::make_unique<ScalarChart>(QStringLiteral("loss"));
    m_chart->resize(900, 520);
    m_chart->show();
    QElapsedTimer prepare;
    prepare.start();
    m_chart->setRuns(std::move(runs));
    QTRY_VERIFY_WITH_TIMEOUT(!m_chart->isPreparing() && m_chart->lines().lines.size() == size_t(kRuns), 60000);
    qInfo("%d runs x %d points prepared (x values, TensorBoard smoothing 0.6) off the UI thread in %lld ms", kRuns,
          kPoints, prepare.elapsed());
    QCOMPARE(m_chart->lines().lines.front()->size(), size_t(kPoints));
    m_frame = QImage(m_chart->size(), QImage::Format_ARGB32_Premultiplied);
    paintFrame();
    qInfo("plot %d px wide: %d points drawn per smoothed line", int(m_chart->chart()->plotArea().width()),
          int(m_chart->drawnPoints(QStringLiteral("lr_0"), ScalarChart::Layer::Smoothed).size()));
}

void bench_Chart::paintFrame()
{
    m_frame.fill(Qt::white);
    QPainter painter(&m_frame);
    m_chart->render(&painter);
}

void bench_Chart::summary(const char *what, const std::function<void()> &step)
{
    std::vector<double> ms;
    QElapsedTimer t;
    for (int i = 0; i < kFrames; ++i) {
        t.start();
        step();
        paintFrame();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    const double med = median(ms);
    const double worst = *std::max_element(ms.begin(), ms.end());
    qInfo("%s: median %.2f ms, worst %.2f ms per frame over %d frames (target < 16 ms: %s)", what, med, worst, kFrames,
          med < 16 ? "met" : "MISSED");
}

void bench_Chart::fullRedraw()
{
    // Every line downsampled again over all of its 100,000 points, then painted.
    m_chart->resetZoom();
    QBENCHMARK
    {
        m_chart->resetZoom();
        paintFrame();
    }
}

void bench_Chart::panFullRange()
{
    m_chart->resetZoom();
    int direction = 1;
    QBENCHMARK
    {
        m_chart->panBy(8 * direction, 0);
        direction = -direction;
        paintFrame();
    }
}

void bench_Chart::panZoomedIn()
{
    m_chart->resetZoom();
    m_chart->zoomX(0.1, kPoints / 2.0);
    int direction = 1;
    QBENCHMARK
    {
        m_chart->panBy(8 * direction, 0);
        direction = -direction;
        paintFrame();
    }
}

void bench_Chart::wheelZoom()
{
    m_chart->resetZoom();
    bool in = true;
    QBENCHMARK
    {
        m_chart->zoomX(in ? 0.85 : 1 / 0.85, kPoints / 3.0);
        m_chart->panBy(0, 0); // draws what the new range shows, as the next frame would
        in = !in;
        paintFrame();
    }
}

void bench_Chart::frameTimes()
{
    m_chart->resetZoom();
    summary("full redraw", [this] { m_chart->resetZoom(); });
    int direction = 1;
    summary("pan at full range", [this, &direction] {
        m_chart->panBy(8 * direction, 0);
        direction = -direction;
    });
    m_chart->zoomX(0.1, kPoints / 2.0);
    summary("pan zoomed in 10x", [this, &direction] {
        m_chart->panBy(8 * direction, 0);
        direction = -direction;
    });
    m_chart->resetZoom();
    bool in = true;
    summary("wheel zoom step", [this, &in] {
        m_chart->zoomX(in ? 0.85 : 1 / 0.85, kPoints / 3.0);
        m_chart->panBy(0, 0);
        in = !in;
    });
}

void bench_Chart::logdirToFirstChart()
{
    // The same curves as the chart cases, written as event files: one run folder each, as
    // torch's SummaryWriter writes them.
    QTemporaryDir logdir;
    for (int r = 0; r < kRuns; ++r) {
        const auto run = makeRun(r);
        const QString dir = logdir.filePath(run->name);
        QVERIFY(QDir().mkpath(dir));
        QFile file(dir + QStringLiteral("/events.out.tfevents.1700000000.bench.1.0"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray bytes = test::record(test::fileVersionEvent(1.7e9));
        const core::ScalarSeries &series = run->series.at(QStringLiteral("loss"));
        for (qsizetype i = 0; i < series.size(); ++i) {
            const core::ScalarPoint p = series.at(i);
            bytes += test::record(test::summaryEvent(p.wallTime, p.step, {test::simpleValue("loss", float(p.value))}));
        }
        QCOMPARE(file.write(bytes), bytes.size());
    }
    std::vector<double> ms;
    for (int i = 0; i < 3; ++i) {
        CompareView view;
        view.resize(1280, 800);
        view.show();
        QElapsedTimer t;
        t.start();
        view.addLogdir(logdir.path());
        const auto ready = [&view] {
            const ScalarChart *chart = view.chart(QStringLiteral("loss"));
            return !view.isBusy() && chart && chart->lines().lines.size() == size_t(kRuns);
        };
        // Events as they come (the workers post theirs), not QTRY's 50 ms steps; a timer wakes
        // the loop now and then in case the last one changed nothing.
        QTimer wake;
        wake.start(20);
        const QDeadlineTimer deadline(60000);
        while (!ready() && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        QVERIFY2(ready(), "the logdir's chart was not ready within 60 s");
        QImage frame(view.size(), QImage::Format_ARGB32_Premultiplied);
        QPainter painter(&frame);
        view.render(&painter);
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    qInfo("logdir of %d runs x %d points to the first chart painted (CompareView, %d x %d): median %.0f ms of 3", kRuns,
          kPoints, 1280, 800, median(ms));
}

void bench_Chart::cleanupTestCase()
{
    m_chart.reset();
}

int main(int argc, char **argv)
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    bench_Chart bench;
    return QTest::qExec(&bench, argc, argv);
}

#include "bench_chart.moc"
