#include "clusterpanel.h"

#include "async/onworker.h"

#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QShowEvent>
#include <QStandardPaths>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace trainyard::ui {

namespace {

QTreeWidget *makeTree(const QStringList &headers, const QString &name, QWidget *parent)
{
    auto *tree = new QTreeWidget(parent);
    tree->setObjectName(name);
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(false);
    tree->setUniformRowHeights(true);
    tree->setSelectionMode(QAbstractItemView::NoSelection);
    tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tree->header()->setStretchLastSection(true);
    return tree;
}

} // namespace

ClusterPanel::ClusterPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto *top = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("clusterSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    top->addWidget(m_summary, 1);
    auto *refreshButton = new QPushButton(tr("Refresh"), this);
    connect(refreshButton, &QPushButton::clicked, this, &ClusterPanel::refresh);
    top->addWidget(refreshButton, 0, Qt::AlignTop);
    layout->addLayout(top);
    m_nodes = makeTree({tr("Node"), tr("State"), tr("CPUs used"), tr("GPUs free"), tr("Partitions")},
                       QStringLiteral("clusterNodes"), this);
    layout->addWidget(m_nodes, 1);
    m_queue = makeTree({tr("Job"), tr("Name"), tr("State"), tr("Where / why")}, QStringLiteral("clusterQueue"), this);
    layout->addWidget(m_queue, 1);
    m_placeholder = new QLabel(this);
    m_placeholder->setObjectName(QStringLiteral("clusterPlaceholder"));
    m_placeholder->setWordWrap(true);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setTextFormat(Qt::PlainText);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_placeholder, 1);
    m_timer.setInterval(DefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ClusterPanel::refresh);
    showPlaceholder(tr("Asking the Slurm cluster…"));
}

void ClusterPanel::setUrl(const QString &url)
{
    if (url == m_url)
        return;
    m_url = url;
    ++m_generation; // an answer of the old address is dropped
    m_querying = false;
    if (isVisible() || isPolling())
        refresh();
}

void ClusterPanel::setPolling(bool on)
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

void ClusterPanel::refresh()
{
    if (m_querying) {
        m_refreshAgain = true;
        return;
    }
    m_querying = true;
    onWorker(
        this,
        [url = m_url] {
            Answer answer;
            const core::SlurmClient::Options options = core::SlurmClient::fromEnvironment(url);
            answer.configured =
                !options.restUrl.isEmpty() || !QStandardPaths::findExecutable(QStringLiteral("scontrol")).isEmpty();
            if (answer.configured) {
                core::SlurmClient client(options);
                answer.info = client.cluster();
            }
            return answer;
        },
        [this, generation = m_generation](const Answer &answer) { apply(generation, answer); });
}

void ClusterPanel::apply(quint64 generation, const Answer &answer)
{
    if (generation != m_generation)
        return; // asked of another address
    m_querying = false;
    if (std::exchange(m_refreshAgain, false))
        refresh();
    if (!answer.configured) {
        m_info = {};
        showPlaceholder(tr("No Slurm cluster is set. Set SLURMRESTD_URL and SLURM_JWT (a token from `scontrol "
                           "token`), write `.trainyard: slurm: url:` in the pipeline, or install the Slurm commands "
                           "(Debian package slurm-client) on this machine."));
    } else if (!answer.info) {
        m_info = {};
        showPlaceholder(tr("The Slurm cluster cannot be asked: %1").arg(answer.info.error().message));
    } else {
        m_info = *answer.info;
        m_placeholder->hide();
        m_nodes->show();
        m_queue->show();
        int gpus = 0;
        int free = 0;
        m_nodes->clear();
        for (const core::SlurmNode &n : m_info.nodes) {
            gpus += n.gpus;
            free += std::max(0, n.gpus - n.gpusUsed);
            auto *item = new QTreeWidgetItem(m_nodes);
            item->setText(0, n.name);
            item->setText(1, n.reason.isEmpty() ? n.state : tr("%1 (%2)").arg(n.state, n.reason));
            item->setText(2, tr("%1 of %2").arg(n.cpusAllocated).arg(n.cpus));
            item->setText(3, tr("%1 of %2").arg(std::max(0, n.gpus - n.gpusUsed)).arg(n.gpus));
            item->setText(4, n.partitions.join(QStringLiteral(", ")));
        }
        m_queue->clear();
        for (const core::SlurmJobState &j : m_info.queue) {
            auto *item = new QTreeWidgetItem(m_queue);
            item->setText(0, j.id);
            item->setText(1, j.name);
            item->setText(2, j.state);
            item->setText(3, j.isPending() ? j.waitingWhy() : j.nodes + (j.gpus.isEmpty() ? QString() : u' ' + j.gpus));
        }
        m_summary->setText(tr("%1 · %2 of %3 GPU(s) free · %4 job(s) queued or running")
                               .arg(m_info.clusterName.isEmpty() ? tr("Slurm cluster") : m_info.clusterName)
                               .arg(free)
                               .arg(gpus)
                               .arg(m_info.queue.size()));
        m_summary->setToolTip(tr("Cluster %1, Slurm %2, %3 node(s), asked through %4")
                                  .arg(m_info.clusterName, m_info.slurmVersion)
                                  .arg(m_info.nodes.size())
                                  .arg(m_info.via));
    }
    Q_EMIT refreshed();
}

void ClusterPanel::showPlaceholder(const QString &text)
{
    m_summary->clear();
    m_nodes->hide();
    m_queue->hide();
    m_placeholder->setText(text);
    m_placeholder->show();
}

QString ClusterPanel::placeholderText() const
{
    return m_placeholder->isVisibleTo(this) ? m_placeholder->text() : QString();
}

void ClusterPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!event->spontaneous() && !m_timer.isActive())
        refresh(); // a look when the panel appears; live updates only while polling
}

} // namespace trainyard::ui
