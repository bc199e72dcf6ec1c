#include "gpupanel.h"

#include "async/onworker.h"

#include "gpu/sparkline.h"

#include <QCoreApplication>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QScrollArea>
#include <QShowEvent>
#include <QVBoxLayout>

#include <algorithm>

namespace trainyard::ui {

namespace {

QString gpuKey(const core::GpuInfo &gpu)
{
    return gpu.uuid.isEmpty() ? QString::number(gpu.index) : gpu.uuid;
}

QString memoryText(const core::GpuInfo &gpu)
{
    const QLocale locale;
    if (gpu.memoryUsedMiB < 0 && gpu.memoryTotalMiB < 0)
        return GpuPanel::tr("n/a");
    const QString used = gpu.memoryUsedMiB < 0 ? GpuPanel::tr("n/a") : locale.toString(gpu.memoryUsedMiB);
    const QString total = gpu.memoryTotalMiB < 0 ? GpuPanel::tr("n/a") : locale.toString(gpu.memoryTotalMiB);
    return GpuPanel::tr("%1 / %2 MiB").arg(used, total);
}

QString utilizationText(const core::GpuInfo &gpu)
{
    return gpu.utilizationPercent < 0 ? GpuPanel::tr("n/a") : GpuPanel::tr("%1 %").arg(gpu.utilizationPercent);
}

} // namespace

GpuPanel::GpuPanel(const QString &nvidiaSmi, QWidget *parent)
    : QWidget(parent)
    , m_nvidiaSmi(nvidiaSmi)
{
    qRegisterMetaType<core::GpuInventorySnapshot>();
    m_timer.setInterval(DefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &GpuPanel::refresh);

    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    m_placeholder = new QLabel(tr("Looking for GPUs\u2026"), this);
    m_placeholder->setObjectName(QStringLiteral("placeholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_placeholder, 1);

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("gpus"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_rowsWidget = new QWidget(m_scroll);
    m_rowsLayout = new QVBoxLayout(m_rowsWidget);
    m_rowsLayout->setContentsMargins(0, 0, 0, 0);
    m_rowsLayout->addStretch(1);
    m_scroll->setWidget(m_rowsWidget);
    layout->addWidget(m_scroll, 1);
    m_scroll->hide();
}

GpuPanel::~GpuPanel() = default;

void GpuPanel::setNvidiaSmi(const QString &path)
{
    if (path == m_nvidiaSmi)
        return;
    m_nvidiaSmi = path;
    ++m_generation; // an answer from the old executable is not shown
    m_querying = false;
    m_refreshAgain = false;
    m_snapshot = {};
    rebuildRows();
    showPlaceholder(tr("Looking for GPUs\u2026"));
    m_summary->clear();
    refresh();
}

void GpuPanel::setInterval(int ms)
{
    m_timer.setInterval(std::max(10, ms));
}

void GpuPanel::setPolling(bool on)
{
    if (on == m_timer.isActive())
        return;
    if (on) {
        m_timer.start();
        refresh();
    } else {
        m_timer.stop();
    }
}

void GpuPanel::refresh()
{
    if (m_querying) {
        // A slow nvidia-smi must not pile up queries: one more runs when this one answers.
        m_refreshAgain = !m_timer.isActive();
        return;
    }
    m_querying = true;
    onWorker(
        this,
        [executable = m_nvidiaSmi, timeout = m_queryTimeoutMs] {
            return core::GpuInventory::query(executable, timeout);
        },
        [this, generation = m_generation](const core::Result<core::GpuInventorySnapshot> &result) {
            apply(generation, result);
        });
}

void GpuPanel::apply(quint64 generation, const core::Result<core::GpuInventorySnapshot> &result)
{
    if (generation != m_generation)
        return;
    m_querying = false;
    if (!result) {
        m_snapshot = {};
        rebuildRows();
        const QString message = result.error().message;
        showPlaceholder(tr("Cannot read the GPU list: %1").arg(message));
        m_summary->clear();
        Q_EMIT queryFailed(message);
    } else {
        const bool sameGpus = result->gpus.size() == m_snapshot.gpus.size() &&
                              std::equal(result->gpus.begin(), result->gpus.end(), m_snapshot.gpus.begin(),
                                         [](const core::GpuInfo &a, const core::GpuInfo &b) {
                                             return gpuKey(a) == gpuKey(b) && a.index == b.index;
                                         });
        m_snapshot = *result;
        if (!sameGpus || m_rows.size() != m_snapshot.gpus.size())
            rebuildRows();
        if (m_snapshot.gpus.empty()) {
            showPlaceholder(m_snapshot.message);
            m_summary->clear();
        } else {
            m_summary->setText(m_snapshot.message);
            for (size_t i = 0; i < m_rows.size(); ++i) {
                const core::GpuInfo &gpu = m_snapshot.gpus[i];
                Row &row = m_rows[i];
                row.utilization->setText(utilizationText(gpu));
                row.memory->setText(memoryText(gpu));
                row.utilizationChart->addValue(gpu.utilizationPercent);
                if (gpu.memoryTotalMiB > 0)
                    row.memoryChart->setMaximum(double(gpu.memoryTotalMiB));
                row.memoryChart->addValue(double(gpu.memoryUsedMiB));
            }
            updateHolders();
        }
        Q_EMIT snapshotChanged(m_snapshot);
    }
    if (m_refreshAgain) {
        m_refreshAgain = false;
        refresh();
    }
}

void GpuPanel::showPlaceholder(const QString &text)
{
    m_placeholder->setText(text);
    m_placeholder->show();
    m_scroll->hide();
}

QString GpuPanel::placeholderText() const
{
    return m_placeholder->isVisibleTo(this) ? m_placeholder->text() : QString();
}

void GpuPanel::rebuildRows()
{
    for (Row &row : m_rows)
        delete row.frame;
    m_rows.clear();
    if (m_snapshot.gpus.empty()) {
        m_scroll->hide();
        return;
    }
    m_placeholder->hide();
    m_scroll->show();
    for (const core::GpuInfo &gpu : m_snapshot.gpus) {
        Row row;
        row.key = gpuKey(gpu);
        auto *frame = new QFrame(m_rowsWidget);
        frame->setObjectName(QStringLiteral("gpu%1").arg(gpu.index));
        frame->setFrameShape(QFrame::StyledPanel);
        auto *grid = new QGridLayout(frame);
        row.frame = frame;
        row.name = new QLabel(frame);
        row.name->setObjectName(QStringLiteral("name"));
        row.name->setText(tr("GPU %1 · %2").arg(gpu.index).arg(gpu.name.isEmpty() ? tr("unknown") : gpu.name));
        row.name->setToolTip(gpu.uuid);
        QFont bold = row.name->font();
        bold.setBold(true);
        row.name->setFont(bold);
        grid->addWidget(row.name, 0, 0, 1, 3);

        grid->addWidget(new QLabel(tr("Utilization"), frame), 1, 0);
        row.utilization = new QLabel(frame);
        row.utilization->setObjectName(QStringLiteral("utilization"));
        grid->addWidget(row.utilization, 1, 1);
        row.utilizationChart = new Sparkline(frame);
        row.utilizationChart->setObjectName(QStringLiteral("utilizationSparkline"));
        row.utilizationChart->setMaximum(100);
        grid->addWidget(row.utilizationChart, 1, 2);

        grid->addWidget(new QLabel(tr("Memory"), frame), 2, 0);
        row.memory = new QLabel(frame);
        row.memory->setObjectName(QStringLiteral("memory"));
        grid->addWidget(row.memory, 2, 1);
        row.memoryChart = new Sparkline(frame);
        row.memoryChart->setObjectName(QStringLiteral("memorySparkline"));
        row.memoryChart->setMaximum(gpu.memoryTotalMiB > 0 ? double(gpu.memoryTotalMiB) : 1.0);
        grid->addWidget(row.memoryChart, 2, 2);

        row.heldBy = new QLabel(frame);
        row.heldBy->setObjectName(QStringLiteral("heldBy"));
        grid->addWidget(row.heldBy, 3, 0, 1, 3);
        grid->setColumnStretch(2, 1);

        m_rowsLayout->insertWidget(m_rowsLayout->count() - 1, frame); // above the stretch
        m_rows.push_back(row);
    }
    updateHolders();
}

QString GpuPanel::holderOf(int index) const
{
    QString uuid;
    for (const core::GpuInfo &gpu : m_snapshot.gpus) {
        if (gpu.index == index)
            uuid = gpu.uuid;
    }
    const QString number = QString::number(index);
    QStringList jobs;
    for (auto it = m_jobGpus.cbegin(); it != m_jobGpus.cend(); ++it) {
        for (const QString &id : it.value()) {
            const QString trimmed = id.trimmed();
            if (trimmed == number || (!uuid.isEmpty() && trimmed.compare(uuid, Qt::CaseInsensitive) == 0)) {
                jobs << it.key();
                break;
            }
        }
    }
    jobs.sort();
    return jobs.join(QStringLiteral(", "));
}

void GpuPanel::updateHolders()
{
    for (size_t i = 0; i < m_rows.size() && i < m_snapshot.gpus.size(); ++i) {
        const QString holder = holderOf(m_snapshot.gpus[i].index);
        m_rows[i].heldBy->setText(holder.isEmpty() ? tr("free") : tr("held by: %1").arg(holder));
    }
}

void GpuPanel::setAssignments(const QHash<int, QString> &jobByGpu)
{
    m_jobGpus.clear();
    for (auto it = jobByGpu.cbegin(); it != jobByGpu.cend(); ++it)
        m_jobGpus[it.value()] << QString::number(it.key());
    updateHolders();
}

void GpuPanel::updateJob(const core::JobRecord &job)
{
    if (job.status == core::JobStatus::Running && !job.gpus.isEmpty())
        m_jobGpus.insert(job.name, job.gpus);
    else
        m_jobGpus.remove(job.name);
    updateHolders();
}

void GpuPanel::clearAssignments()
{
    m_jobGpus.clear();
    updateHolders();
}

void GpuPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!event->spontaneous() && !m_timer.isActive())
        refresh(); // a look when the panel appears; live updates only while polling
}

} // namespace trainyard::ui
