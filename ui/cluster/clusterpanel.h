#pragma once

#include "common/error.h"
#include "engine/slurmclient.h"

#include <QString>
#include <QTimer>
#include <QWidget>

class QLabel;
class QTreeWidget;

namespace trainyard::ui {

/// The Slurm cluster jobs can be sent to (`--engine slurm`, Run ▸ Run on the Slurm cluster), as
/// the GPU dock shows this machine's: its nodes with their state, CPUs and GPUs free and in use,
/// and the jobs queued or running with why they wait. Slurm is asked on a worker thread (a
/// cluster that does not answer costs the UI nothing); with no cluster set, a placeholder says
/// how to set one.
class ClusterPanel final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DefaultIntervalMs = 5000;

    explicit ClusterPanel(QWidget *parent = nullptr);

    /// slurmrestd's address from the pipeline (`.trainyard: slurm: url:`); empty: $SLURMRESTD_URL,
    /// else this machine's Slurm commands. A query follows.
    void setUrl(const QString &url);
    QString url() const { return m_url; }
    void setInterval(int ms) { m_timer.setInterval(ms); }
    /// Polls every interval while on (the window turns it on while a run is on the cluster).
    void setPolling(bool on);
    bool isPolling() const { return m_timer.isActive(); }
    /// Asks once now; while a query is in flight, one more follows it.
    void refresh();
    bool isQuerying() const { return m_querying; }

    /// The latest answer (empty before the first, or when the cluster could not be asked).
    const core::SlurmClusterInfo &info() const { return m_info; }
    QTreeWidget *nodes() const { return m_nodes; }
    QTreeWidget *queue() const { return m_queue; }
    /// What is shown instead of the cluster (none set, or why it cannot be asked); empty while
    /// the cluster is shown.
    QString placeholderText() const;

Q_SIGNALS:
    /// A query answered (also when it failed: placeholderText() says why).
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Answer
    {
        bool configured = false; ///< a REST address, or the Slurm commands on PATH
        core::Result<core::SlurmClusterInfo> info = core::SlurmClusterInfo{};
    };
    void apply(quint64 generation, const Answer &answer);
    void showPlaceholder(const QString &text);

    QString m_url;
    QTimer m_timer;
    bool m_querying = false;
    bool m_refreshAgain = false;
    quint64 m_generation = 0;
    core::SlurmClusterInfo m_info;

    QLabel *m_summary = nullptr;
    QLabel *m_placeholder = nullptr;
    QTreeWidget *m_nodes = nullptr;
    QTreeWidget *m_queue = nullptr;
};

} // namespace trainyard::ui
