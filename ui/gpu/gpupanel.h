#pragma once

#include "engine/gpuinventory.h"
#include "engine/runrecord.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <vector>

class QLabel;
class QScrollArea;
class QVBoxLayout;

namespace trainyard::ui {

class Sparkline;

/// The machine's NVIDIA GPUs: one row per GPU with its name, memory and utilization, two
/// sparklines of their recent history, and the job that holds it. nvidia-smi runs on a worker
/// thread (it can hang for seconds on a busy driver), never on the UI thread; a machine without
/// one gets a placeholder saying why, not an error dialog.
class GpuPanel final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DefaultIntervalMs = 2000;

    /// `nvidiaSmi`: the executable to run (tests pass a stand-in); empty looks it up on PATH.
    explicit GpuPanel(const QString &nvidiaSmi = {}, QWidget *parent = nullptr);
    ~GpuPanel() override;

    /// Replaces the executable; the history starts over and a query follows.
    void setNvidiaSmi(const QString &path);
    QString nvidiaSmi() const { return m_nvidiaSmi; }
    void setInterval(int ms);
    int interval() const { return m_timer.interval(); }
    /// How long one nvidia-smi call may take before it is killed (default 5,000 ms).
    void setQueryTimeout(int ms) { m_queryTimeoutMs = ms; }

    /// Polls every interval() while on; turning it on polls at once. The window turns it on
    /// while a run is active; otherwise the panel only polls when it is shown.
    void setPolling(bool on);
    bool isPolling() const { return m_timer.isActive(); }
    /// Asks for one snapshot now. While a query is in flight, one more follows it.
    void refresh();
    bool isQuerying() const { return m_querying; }

    /// Which job holds which GPU, by nvidia-smi index; replaces every assignment.
    void setAssignments(const QHash<int, QString> &jobByGpu);
    /// Follows one job of the run (connect RunController::jobChanged here): while it runs it
    /// holds its JobRecord::gpus, given as indexes or UUIDs; in any other state it holds none.
    void updateJob(const core::JobRecord &job);
    void clearAssignments();
    /// The jobs holding GPU `index` (comma-separated), empty when it is free.
    QString holderOf(int index) const;

    /// The latest answer; empty (no GPUs, no message) before the first.
    const core::GpuInventorySnapshot &snapshot() const { return m_snapshot; }
    /// What the placeholder says when there is no GPU to show; empty while GPUs are shown.
    QString placeholderText() const;

Q_SIGNALS:
    /// A query answered (on the UI thread); also when it found no GPU.
    void snapshotChanged(const trainyard::core::GpuInventorySnapshot &snapshot);
    /// nvidia-smi printed something that could not be read; the panel shows it too.
    void queryFailed(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Row
    {
        QString key; ///< UUID, or the index when there is none
        QWidget *frame = nullptr;
        QLabel *name = nullptr;
        QLabel *utilization = nullptr;
        QLabel *memory = nullptr;
        QLabel *heldBy = nullptr;
        Sparkline *utilizationChart = nullptr;
        Sparkline *memoryChart = nullptr;
    };

    void apply(quint64 generation, const core::Result<core::GpuInventorySnapshot> &result);
    void showPlaceholder(const QString &text);
    void rebuildRows();
    void updateHolders();

    QString m_nvidiaSmi;
    int m_queryTimeoutMs = 5000;
    QTimer m_timer;
    bool m_querying = false;
    bool m_refreshAgain = false;
    quint64 m_generation = 0;
    core::GpuInventorySnapshot m_snapshot;
    QHash<QString, QStringList> m_jobGpus; ///< job → its GPUs, as indexes or UUIDs

    QLabel *m_summary = nullptr;
    QLabel *m_placeholder = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_rowsWidget = nullptr;
    QVBoxLayout *m_rowsLayout = nullptr;
    std::vector<Row> m_rows;
};

} // namespace trainyard::ui
