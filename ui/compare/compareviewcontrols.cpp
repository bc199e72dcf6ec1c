// CompareView's chart settings: the controls row, the setters it drives, and saving and restoring them.
#include "compareview.h"

#include "scalarchart.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>

#include <algorithm>
#include <cmath>
#include <utility>

namespace trainyard::ui {

void CompareView::createControls(QWidget *bar, QLayout *row)
{
    // Controls that belong together (a label and what it names) wrap as one.
    const auto group = [bar, row] {
        auto *g = new QWidget(bar);
        auto *l = new QHBoxLayout(g);
        l->setContentsMargins(0, 0, 0, 0);
        l->setSpacing(6);
        row->addWidget(g);
        return g;
    };
    QWidget *smoothing = group();
    smoothing->layout()->addWidget(new QLabel(tr("Smoothing"), smoothing));
    m_smoothingSlider = new QSlider(Qt::Horizontal, smoothing);
    m_smoothingSlider->setRange(0, 999);
    m_smoothingSlider->setValue(int(m_weight * 1000));
    m_smoothingSlider->setMinimumWidth(90);
    m_smoothingSlider->setToolTip(tr("TensorBoard's smoothing: an exponential moving average, debiased"));
    m_smoothingSpin = new QDoubleSpinBox(smoothing);
    m_smoothingSpin->setRange(0, 0.999);
    m_smoothingSpin->setDecimals(3);
    m_smoothingSpin->setSingleStep(0.05);
    m_smoothingSpin->setValue(m_weight);
    connect(m_smoothingSlider, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 1000.0); });
    connect(m_smoothingSpin, &QDoubleSpinBox::valueChanged, this, [this](double v) { setSmoothing(v); });
    smoothing->layout()->addWidget(m_smoothingSlider);
    smoothing->layout()->addWidget(m_smoothingSpin);

    QWidget *xAxis = group();
    xAxis->layout()->addWidget(new QLabel(tr("X axis"), xAxis));
    m_xAxis = new QComboBox(xAxis);
    m_xAxis->addItem(tr("Step"), int(XAxisMode::Step));
    m_xAxis->addItem(tr("Relative time"), int(XAxisMode::RelativeTime));
    m_xAxis->addItem(tr("Wall time"), int(XAxisMode::WallTime));
    m_xAxis->addItem(tr("Step (log)"), int(XAxisMode::LogStep));
    connect(m_xAxis, &QComboBox::activated, this,
            [this](int index) { setXAxisMode(XAxisMode(m_xAxis->itemData(index).toInt())); });
    xAxis->layout()->addWidget(m_xAxis);

    m_logYBox = new QCheckBox(tr("Log y"), bar);
    connect(m_logYBox, &QCheckBox::toggled, this, &CompareView::setLogY);
    row->addWidget(m_logYBox);
    m_outliersBox = new QCheckBox(tr("Ignore outliers"), bar);
    m_outliersBox->setToolTip(tr("Fit the y range to the 5th–95th percentile of the values"));
    connect(m_outliersBox, &QCheckBox::toggled, this, &CompareView::setIgnoreOutliers);
    row->addWidget(m_outliersBox);

    auto *reset = new QToolButton(bar);
    reset->setText(tr("Reset zoom"));
    reset->setToolTip(tr("Every chart back to all of its data (double-click a chart for one)"));
    connect(reset, &QToolButton::clicked, this, [this] {
        for (ScalarChart *chart : std::as_const(m_charts))
            chart->resetZoom();
    });
    row->addWidget(reset);

    auto *exportButton = new QToolButton(bar);
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    exportButton->setMinimumWidth(exportButton->fontMetrics().horizontalAdvance(exportButton->text()) + 30);
    auto *menu = new QMenu(exportButton);
    menu->addAction(tr("Current chart as PNG…"), this,
                    [this] { exportInteractively(QStringLiteral("png"), currentTag()); });
    menu->addAction(tr("Current chart as SVG…"), this,
                    [this] { exportInteractively(QStringLiteral("svg"), currentTag()); });
    menu->addAction(tr("Selected series as CSV…"), this, [this] { exportInteractively(QStringLiteral("csv"), {}); });
    exportButton->setMenu(menu);
    row->addWidget(exportButton);
}

void CompareView::setSmoothing(double weight)
{
    weight = std::clamp(weight, 0.0, 0.999);
    m_weight = weight;
    const QSignalBlocker a(m_smoothingSlider);
    const QSignalBlocker b(m_smoothingSpin);
    m_smoothingSlider->setValue(int(std::lround(weight * 1000)));
    m_smoothingSpin->setValue(weight);
    for (ScalarChart *chart : std::as_const(m_charts))
        chart->setSmoothing(weight);
}

void CompareView::setXAxisMode(XAxisMode mode)
{
    m_mode = mode;
    m_xAxis->setCurrentIndex(m_xAxis->findData(int(mode)));
    for (ScalarChart *chart : std::as_const(m_charts))
        chart->setXAxisMode(mode);
}

void CompareView::setLogY(bool on)
{
    m_logY = on;
    const QSignalBlocker blocker(m_logYBox);
    m_logYBox->setChecked(on);
    for (ScalarChart *chart : std::as_const(m_charts))
        chart->setLogY(on);
}

void CompareView::setIgnoreOutliers(bool on)
{
    m_ignoreOutliers = on;
    const QSignalBlocker blocker(m_outliersBox);
    m_outliersBox->setChecked(on);
    for (ScalarChart *chart : std::as_const(m_charts))
        chart->setIgnoreOutliers(on);
}

namespace {
const QString SmoothingKey = QStringLiteral("compare/smoothing");
const QString XAxisKey = QStringLiteral("compare/xAxis");
const QString LogYKey = QStringLiteral("compare/logY");
const QString OutliersKey = QStringLiteral("compare/ignoreOutliers");
} // namespace

void CompareView::saveSettings(QSettings &settings) const
{
    settings.setValue(SmoothingKey, smoothing());
    settings.setValue(XAxisKey, int(xAxisMode()));
    settings.setValue(LogYKey, isLogY());
    settings.setValue(OutliersKey, ignoresOutliers());
}

void CompareView::restoreSettings(const QSettings &settings)
{
    if (settings.contains(SmoothingKey))
        setSmoothing(std::clamp(settings.value(SmoothingKey).toDouble(), 0.0, 0.999));
    const int xAxis = settings.value(XAxisKey, int(XAxisMode::Step)).toInt();
    if (xAxis >= int(XAxisMode::Step) && xAxis <= int(XAxisMode::LogStep))
        setXAxisMode(XAxisMode(xAxis));
    setLogY(settings.value(LogYKey, false).toBool());
    setIgnoreOutliers(settings.value(OutliersKey, false).toBool());
}

} // namespace trainyard::ui
