#include "runslist.h"

#include "console/joblogview.h"
#include "console/runconsole.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPointer>
#include <QSet>
#include <QThreadPool>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace trainyard::ui {

namespace {

constexpr int RunIdRole = Qt::UserRole + 1;
constexpr int JobRole = Qt::UserRole + 2;

// The canvas cards' status colours: they read on light and dark palettes alike.
QColor runStatusColor(core::RunStatus status, const QPalette &palette)
{
    switch (status) {
    case core::RunStatus::Running:
        return QColor(0x1f, 0x6f, 0xeb);
    case core::RunStatus::Success:
        return QColor(0x2d, 0xa4, 0x4e);
    case core::RunStatus::Failed:
        return QColor(0xcf, 0x22, 0x2e);
    case core::RunStatus::Blocked:
        return QColor(0x8b, 0x5c, 0xf6);
    case core::RunStatus::Cancelled:
    case core::RunStatus::Interrupted:
        return palette.color(QPalette::Dark);
    }
    return palette.color(QPalette::Mid);
}

QColor jobStatusColor(core::JobStatus status, const QPalette &palette)
{
    switch (status) {
    case core::JobStatus::Manual:
        return QColor(0x8b, 0x5c, 0xf6);
    case core::JobStatus::Running:
        return QColor(0x1f, 0x6f, 0xeb);
    case core::JobStatus::Success:
        return QColor(0x2d, 0xa4, 0x4e);
    case core::JobStatus::Failed:
        return QColor(0xcf, 0x22, 0x2e);
    case core::JobStatus::FailedAllowed:
        return QColor(0xd2, 0x99, 0x22);
    case core::JobStatus::Pending:
    case core::JobStatus::Skipped:
    case core::JobStatus::Cancelled:
        return palette.color(QPalette::Dark);
    }
    return palette.color(QPalette::Mid);
}

// A filled dot, drawn at the screen's pixel ratio so it stays round on high-DPI screens.
QIcon dotIcon(const QColor &color, qreal ratio)
{
    const int side = 12;
    QPixmap pixmap(QSize(side, side) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(2, 2, side - 4, side - 4));
    return QIcon(pixmap);
}

bool retryable(core::JobStatus status)
{
    return status == core::JobStatus::Failed || status == core::JobStatus::FailedAllowed ||
           status == core::JobStatus::Cancelled;
}

QString startedText(const QDateTime &started)
{
    return started.isValid() ? QLocale().toString(started.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                             : QString();
}

} // namespace

RunsList::RunsList(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setPlaceholderText(tr("Filter runs (id, status, branch, job…)"));
    m_filter->setClearButtonEnabled(true);
    layout->addWidget(m_filter);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("runs"));
    m_tree->setColumnCount(JobsColumn + 1);
    m_tree->setHeaderLabels(
        {tr("Run"), tr("Status"), tr("Started"), tr("Duration"), tr("Exit code"), tr("Commit"), tr("Jobs")});
    m_tree->setExpandsOnDoubleClick(false); // a double click opens the logs
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_tree, 1);

    m_empty = new QLabel(this);
    m_empty->setObjectName(QStringLiteral("emptyState"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_empty, 1);

    connect(m_filter, &QLineEdit::textChanged, this, &RunsList::applyFilter);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) { activate(item); });
    connect(m_tree, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QTreeWidgetItem *item = m_tree->itemAt(pos);
        if (!item)
            return;
        QMenu *menu = createContextMenu(item, this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(m_tree->viewport()->mapToGlobal(pos));
    });
    rebuild();
}

RunsList::~RunsList() = default;

void RunsList::setProjectDir(const QString &dir)
{
    m_projectDir = dir;
    ++m_generation; // a scan of the previous project is not shown
    m_loading = false;
    m_refreshAgain = false;
    m_runs.clear();
    if (!dir.isEmpty())
        refresh();
    rebuild();
}

void RunsList::refresh()
{
    if (m_projectDir.isEmpty())
        return;
    if (m_loading) {
        m_refreshAgain = true; // records may have changed since that scan started
        return;
    }
    m_loading = true;
    const QPointer<RunsList> guard(this);
    const QString dir = m_projectDir;
    const quint64 generation = m_generation;
    QThreadPool::globalInstance()->start([guard, dir, generation] {
        std::vector<core::RunRecord> runs = core::RunStore(dir).list();
        // Through the application object, which outlives pool tasks; the list may be gone.
        if (QCoreApplication *app = QCoreApplication::instance()) {
            QMetaObject::invokeMethod(
                app,
                [guard, generation, runs = std::move(runs)]() mutable {
                    if (guard)
                        guard->apply(generation, std::move(runs));
                },
                Qt::QueuedConnection);
        }
    });
}

void RunsList::apply(quint64 generation, std::vector<core::RunRecord> runs)
{
    if (generation != m_generation)
        return;
    m_loading = false;
    std::reverse(runs.begin(), runs.end()); // RunStore lists the oldest first
    m_runs = std::move(runs);
    rebuild();
    Q_EMIT refreshed(int(m_runs.size()));
    if (m_refreshAgain) {
        m_refreshAgain = false;
        refresh();
    }
}

QString RunsList::durationText(const QDateTime &started, const QDateTime &finished)
{
    if (!started.isValid())
        return {};
    if (!finished.isValid())
        return tr("running");
    return JobLogView::formatDuration(std::max<qint64>(0, started.msecsTo(finished)));
}

void RunsList::rebuild()
{
    // Keep what the user opened and selected across a refresh.
    QSet<QString> expanded;
    QString current;
    QString currentJob;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_tree->topLevelItem(i);
        if (item->isExpanded())
            expanded.insert(item->data(RunColumn, RunIdRole).toString());
    }
    if (const QTreeWidgetItem *item = m_tree->currentItem()) {
        current = item->data(RunColumn, RunIdRole).toString();
        currentJob = item->data(RunColumn, JobRole).toString();
    }

    m_tree->clear();
    m_byId.clear();
    const QPalette pal = palette();
    const qreal ratio = devicePixelRatioF();
    QTreeWidgetItem *toSelect = nullptr;
    for (size_t i = 0; i < m_runs.size(); ++i) {
        const core::RunRecord &run = m_runs[i];
        m_byId.insert(run.id, i);
        auto *item = new QTreeWidgetItem(m_tree);
        item->setData(RunColumn, RunIdRole, run.id);
        item->setText(RunColumn, tr("#%1  %2").arg(run.pipelineIid).arg(run.id));
        item->setToolTip(RunColumn, tr("Run %1 (pipeline #%2), triggered from %3 by %4")
                                        .arg(run.id)
                                        .arg(run.pipelineIid)
                                        .arg(run.trigger, run.user.isEmpty() ? tr("unknown") : run.user));
        item->setText(StartedColumn, startedText(run.started));
        const QColor color = runStatusColor(run.status, pal);
        item->setText(StatusColumn, core::runStatusToString(run.status));
        item->setIcon(StatusColumn, dotIcon(color, ratio));
        item->setForeground(StatusColumn, color);
        item->setText(DurationColumn, durationText(run.started, run.finished));
        QString commit = run.branch;
        if (!run.commitSha.isEmpty())
            commit += (commit.isEmpty() ? QString() : QStringLiteral(" @ ")) + run.commitSha.left(8);
        if (run.dirty)
            commit += QStringLiteral("*");
        item->setText(CommitColumn, commit);
        item->setToolTip(CommitColumn,
                         run.dirty ? tr("%1 with uncommitted changes").arg(run.commitSha) : run.commitSha);
        int failed = 0;
        for (const QString &name : run.jobOrder) {
            const auto it = run.jobs.find(name);
            if (it == run.jobs.end())
                continue;
            const core::JobRecord &job = it->second;
            failed += job.status == core::JobStatus::Failed ? 1 : 0;
            auto *child = new QTreeWidgetItem(item);
            child->setData(RunColumn, RunIdRole, run.id);
            child->setData(RunColumn, JobRole, job.name);
            child->setText(RunColumn, job.name);
            child->setToolTip(RunColumn, job.stage.isEmpty() ? job.name : tr("%1 (stage %2)").arg(job.name, job.stage));
            child->setText(StartedColumn, startedText(job.started));
            child->setText(StatusColumn,
                           RunConsole::statusGlyph(job.status) + u' ' + core::jobStatusToString(job.status));
            child->setForeground(StatusColumn, jobStatusColor(job.status, pal));
            if (!job.reason.isEmpty())
                child->setToolTip(StatusColumn, job.reason);
            child->setText(DurationColumn, durationText(job.started, job.finished));
            if (job.exitCode >= 0)
                child->setText(ExitCodeColumn, QString::number(job.exitCode));
            if (job.name == currentJob && run.id == current)
                toSelect = child;
        }
        item->setText(JobsColumn, failed > 0 ? tr("%1 (%2 failed)").arg(run.jobOrder.size()).arg(failed)
                                             : QString::number(run.jobOrder.size()));
        item->setExpanded(expanded.contains(run.id));
        if (run.id == current && currentJob.isEmpty())
            toSelect = item;
    }
    if (toSelect)
        m_tree->setCurrentItem(toSelect);
    applyFilter();
}

void RunsList::setFilterText(const QString &text)
{
    m_filter->setText(text); // applies through textChanged
}

QString RunsList::filterText() const
{
    return m_filter->text();
}

void RunsList::applyFilter()
{
    const QString text = m_filter->text().trimmed();
    int visible = 0;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        bool match = text.isEmpty();
        for (int c = 0; !match && c < m_tree->columnCount(); ++c)
            match = item->text(c).contains(text, Qt::CaseInsensitive);
        for (int j = 0; !match && j < item->childCount(); ++j) {
            const QTreeWidgetItem *child = item->child(j);
            match = child->text(RunColumn).contains(text, Qt::CaseInsensitive) ||
                    child->text(StatusColumn).contains(text, Qt::CaseInsensitive);
        }
        item->setHidden(!match);
        visible += match ? 1 : 0;
    }
    if (m_runs.empty()) {
        m_empty->setText(m_projectDir.isEmpty() ? tr("Open a project to see its runs")
                         : m_loading            ? tr("Reading runs\u2026")
                                                : tr("No runs yet \u2014 press Run (F5)"));
    } else if (visible == 0) {
        m_empty->setText(tr("No runs match \u201c%1\u201d").arg(text));
    }
    const bool empty = visible == 0;
    m_empty->setVisible(empty);
    m_tree->setVisible(!empty);
}

QString RunsList::emptyStateText() const
{
    return m_empty->isVisibleTo(this) ? m_empty->text() : QString();
}

const core::RunRecord *RunsList::recordOf(const QTreeWidgetItem *item) const
{
    if (!item)
        return nullptr;
    const auto it = m_byId.constFind(item->data(RunColumn, RunIdRole).toString());
    return it == m_byId.cend() ? nullptr : &m_runs[*it];
}

void RunsList::activate(QTreeWidgetItem *item)
{
    if (const core::RunRecord *record = recordOf(item))
        Q_EMIT openRunLogs(*record);
}

QMenu *RunsList::createContextMenu(QTreeWidgetItem *item, QWidget *parent)
{
    auto *menu = new QMenu(parent);
    const core::RunRecord *record = recordOf(item);
    if (!record)
        return menu;
    const core::RunRecord run = *record; // the list may be rebuilt while the menu is open
    QAction *open = menu->addAction(tr("Open logs"), this, [this, run] { Q_EMIT openRunLogs(run); });
    open->setObjectName(QStringLiteral("openLogs"));
    const QString job = item->data(RunColumn, JobRole).toString();
    if (job.isEmpty())
        return menu;
    const auto it = run.jobs.find(job);
    if (it == run.jobs.end() || !retryable(it->second.status))
        return menu;
    QAction *retry = menu->addAction(tr("Retry '%1'").arg(job), this,
                                     [this, id = run.id, job] { Q_EMIT retryJobRequested(id, job); });
    retry->setObjectName(QStringLiteral("retryJob"));
    // The run must be over: its record still changes while it runs.
    retry->setEnabled(run.status != core::RunStatus::Running);
    if (!retry->isEnabled())
        retry->setToolTip(tr("The run is still going"));
    return menu;
}

} // namespace trainyard::ui
