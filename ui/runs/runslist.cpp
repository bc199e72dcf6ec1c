#include "runslist.h"

#include "async/onworker.h"
#include "console/joblogview.h"
#include "console/runconsole.h"
#include "lineage/lineagestore.h"
#include "lineage/runhistory.h"
#include "runannotationdialog.h"
#include "settings/teamstoredialog.h"
#include "style/runcolors.h"
#include "style/statuscolors.h"

#include <QClipboard>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPointer>
#include <QSet>
#include <QSignalBlocker>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace trainyard::ui {

namespace {

constexpr int RunIdRole = Qt::UserRole + 1;
constexpr int JobRole = Qt::UserRole + 2;

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
    m_filter->setPlaceholderText(tr("Filter: text, branch:, status:, commit:, image:, data:"));
    m_filter->setToolTip(tr("<p>Every term must match:</p>"
                            "<p><b>branch:</b>main &nbsp; <b>status:</b>failed &nbsp; <b>commit:</b>1a2b3c "
                            "&nbsp; <b>image:</b>reference, image ID or digest &nbsp; <b>data:</b>data version "
                            "hash or DVC md5</p><p>Other words are looked for in the columns and the jobs' "
                            "names.</p>"));
    m_filter->setClearButtonEnabled(true);
    m_scope = new QComboBox(this);
    m_scope->setObjectName(QStringLiteral("runsScope"));
    m_scope->addItem(tr("This project"));
    m_scope->addItem(tr("Team"));
    m_scope->setToolTip(tr("Team: this project's runs from every machine, in the team's store (Settings \u25b8 Team "
                           "store)"));
    m_scope->setEnabled(false); // until a team store is found set
    connect(m_scope, &QComboBox::currentIndexChanged, this, [this](int index) { setTeamScope(index == 1); });
    auto *row = new QHBoxLayout;
    row->addWidget(m_scope);
    row->addWidget(m_filter, 1);
    layout->addLayout(row);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("runs"));
    m_tree->setColumnCount(JobsColumn + 1);
    m_tree->setHeaderLabels(
        {tr("Run"), tr("Status"), tr("Started"), tr("Duration"), tr("Exit code"), tr("Commit"), tr("Jobs")});
    m_tree->setExpandsOnDoubleClick(false); // a double click opens the logs
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection); // several runs to compare
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    // Hovering a run highlights its curves in Compare.
    m_tree->setMouseTracking(true);
    m_tree->viewport()->installEventFilter(this);
    connect(m_tree, &QTreeWidget::itemEntered, this,
            [this](QTreeWidgetItem *item) { Q_EMIT runHovered(item->data(RunColumn, RunIdRole).toString()); });
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_tree, 1);

    m_more = new QLabel(this);
    m_more->setObjectName(QStringLiteral("moreRuns"));
    m_more->setWordWrap(true);
    m_more->setForegroundRole(QPalette::PlaceholderText);
    m_more->setText(tr("The newest %1 runs are listed here (and in Compare). <code>trainyard runs</code> lists "
                       "every one, with --commit, --image and --data to find older ones.")
                        .arg(core::RunHistory::kListed));
    m_more->hide();
    layout->addWidget(m_more);

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
    if (dir != m_projectDir) {
        m_teamUrl.clear();
        m_teamScope = false;
        const QSignalBlocker quiet(m_scope);
        m_scope->setCurrentIndex(0);
        m_scope->setEnabled(false);
    }
    m_projectDir = dir;
    checkTeamStore();
    ++m_generation; // a scan of the previous project is not shown
    m_loading = false;
    m_refreshAgain = false;
    m_runs.clear();
    m_more->hide();
    m_lineageQuery.clear();
    m_lineageIdsFor.clear(); // the other project's answer is not this one's
    if (!dir.isEmpty())
        refresh();
    rebuild();
}

void RunsList::checkTeamStore()
{
    if (m_projectDir.isEmpty())
        return;
    onWorker(
        this, [dir = m_projectDir] { return TeamStoreDialog::target(dir).storeUrl; },
        [this, dir = m_projectDir](const QString &url) {
            if (dir != m_projectDir)
                return; // another project since
            const bool changed = url != m_teamUrl;
            m_teamUrl = url;
            m_scope->setEnabled(!url.isEmpty());
            if (url.isEmpty()) {
                const QSignalBlocker quiet(m_scope);
                m_scope->setCurrentIndex(0);
            }
            if (changed && m_teamScope) // the list shown was of another store
                setTeamScope(!url.isEmpty());
            Q_EMIT teamStoreChecked(!url.isEmpty());
        });
}

bool RunsList::setTeamScope(bool team)
{
    if (team && m_teamUrl.isEmpty())
        return false;
    {
        const QSignalBlocker quiet(m_scope);
        m_scope->setCurrentIndex(team ? 1 : 0);
    }
    m_teamScope = team;
    ++m_generation; // a scan of the other scope is not shown
    m_loading = false;
    m_refreshAgain = false;
    m_runs.clear();
    m_hosts.clear();
    m_more->hide();
    refresh();
    rebuild();
    return true;
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
    onWorker(
        this,
        [dir = m_projectDir, team = isTeamScope() ? m_teamUrl : QString()] {
            // The lineage store is the one record of runs (those of the CLI too); an unreadable
            // one shows as no runs here, and says why in the Lineage view.
            Listing listing;
            core::Result<std::vector<core::RunHistory::Run>> history = std::vector<core::RunHistory::Run>{};
            if (team.isEmpty()) {
                // One more than is listed: whether there are older ones to mention.
                history = core::RunHistory::read(dir, core::RunHistory::kListed + 1);
            } else {
                // The team's store: this project's runs from every machine, known by its git remote.
                history = core::RunHistory::readTeam(dir, team, core::RunHistory::kListed + 1);
                if (!history)
                    listing.error = history.error().message;
            }
            if (history) {
                for (core::RunHistory::Run &run : *history) {
                    listing.hosts.insert(run.record.id, run.host);
                    if (!run.annotation.isEmpty())
                        listing.annotations.insert(run.record.id, run.annotation);
                    if (!run.tensorboardJobs.isEmpty())
                        listing.tensorboardJobs.insert(run.record.id, run.tensorboardJobs);
                    listing.runs.push_back(std::move(run.record));
                }
            }
            return listing;
        },
        [this, generation = m_generation](Listing listing) { apply(generation, std::move(listing)); });
}

void RunsList::apply(quint64 generation, Listing listing)
{
    if (generation != m_generation)
        return;
    m_loading = false;
    std::vector<core::RunRecord> runs = std::move(listing.runs);
    m_annotations = std::move(listing.annotations);
    m_tensorboardJobs = std::move(listing.tensorboardJobs);
    m_hosts = std::move(listing.hosts);
    m_readError = listing.error;
    std::reverse(runs.begin(), runs.end()); // RunHistory lists the oldest first
    const bool more = runs.size() > size_t(core::RunHistory::kListed);
    if (more)
        runs.resize(size_t(core::RunHistory::kListed));
    m_more->setVisible(more);
    m_runs = std::move(runs);
    m_lineageStale = true; // new runs may match an image: or data: term: ask again
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
    for (size_t i = 0; i < m_runs.size(); ++i)
        m_byId.insert(m_runs[i].id, i); // all of them first: a reproduction names an older run
    const QPalette pal = palette();
    const qreal ratio = devicePixelRatioF();
    QTreeWidgetItem *toSelect = nullptr;
    for (size_t i = 0; i < m_runs.size(); ++i) {
        const core::RunRecord &run = m_runs[i];
        auto *item = new QTreeWidgetItem(m_tree);
        item->setData(RunColumn, RunIdRole, run.id);
        // The number is what people say ("run #3"); the id (for the CLI) is in the tooltip and "Copy run id".
        if (isTeamScope()) {
            // A team's runs come from several machines (each numbers its own): whose, and where.
            item->setText(RunColumn, tr("#%1 · %2 on %3").arg(run.pipelineIid).arg(run.user, m_hosts.value(run.id)));
            item->setToolTip(RunColumn, tr("Run %1 (pipeline #%2 on %3), by %4, in the team's store")
                                            .arg(run.id)
                                            .arg(run.pipelineIid)
                                            .arg(m_hosts.value(run.id), run.user));
        } else if (run.reproduces.isEmpty()) {
            item->setText(RunColumn, tr("#%1").arg(run.pipelineIid));
            item->setToolTip(RunColumn, tr("Run %1 (pipeline #%2), triggered from %3 by %4")
                                            .arg(run.id)
                                            .arg(run.pipelineIid)
                                            .arg(run.trigger, run.user.isEmpty() ? tr("unknown") : run.user));
        } else {
            // "#5 ↻ #2": a run of its own that reproduces #2 (checked out in a worktree).
            const auto original = m_byId.find(run.reproduces);
            const QString of =
                original == m_byId.end() ? run.reproduces : tr("#%1").arg(m_runs[original.value()].pipelineIid);
            item->setText(RunColumn, tr("#%1 \u21bb %2").arg(run.pipelineIid).arg(of));
            item->setToolTip(RunColumn, tr("Run %1 (pipeline #%2) reproduces run %3 (%4): its commit, images and "
                                           "data, run again in a worktree")
                                            .arg(run.id)
                                            .arg(run.pipelineIid)
                                            .arg(of, run.reproduces));
        }
        // A name and tags people gave the run follow its number; notes are in the tooltip.
        if (const auto a = m_annotations.constFind(run.id); a != m_annotations.cend()) {
            QString text = item->text(RunColumn);
            if (!a->name.isEmpty())
                text += u' ' + a->name;
            if (!a->tags.isEmpty())
                text += QStringLiteral("  [%1]").arg(a->tags.join(QStringLiteral(", ")));
            item->setText(RunColumn, text);
            if (!a->notes.isEmpty())
                item->setToolTip(RunColumn, item->toolTip(RunColumn) + QStringLiteral("\n\n") + a->notes);
        }
        if (const QStringList scalarJobs = m_tensorboardJobs.value(run.id); !scalarJobs.isEmpty()) {
            const QColor runColor =
                RunColors::colorFor(QStringLiteral("#%1 %2").arg(run.pipelineIid).arg(scalarJobs.front()));
            item->setIcon(RunColumn, RunColors::swatch(runColor));
            item->setData(RunColumn, RunColorRole, runColor);
        }
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
            if (m_tensorboardJobs.value(run.id).contains(job.name)) {
                // The colour Compare draws this job's curves with ("#3 train").
                const QColor runColor =
                    RunColors::colorFor(QStringLiteral("#%1 %2").arg(run.pipelineIid).arg(job.name));
                child->setIcon(RunColumn, RunColors::swatch(runColor));
                child->setData(RunColumn, RunColorRole, runColor);
            }
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
    setHighlightedRuns(m_highlight);
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

namespace {

struct RunFilterTerms
{
    QString branch, status, commit, tag, image, data;
    QStringList words;
};

RunFilterTerms parseFilter(const QString &text)
{
    RunFilterTerms t;
    for (const QString &token : text.split(u' ', Qt::SkipEmptyParts)) {
        const qsizetype colon = token.indexOf(u':');
        const QString key = colon > 0 ? token.left(colon).toLower() : QString();
        const QString value = token.mid(colon + 1);
        if (key == QLatin1String("branch"))
            t.branch = value;
        else if (key == QLatin1String("status"))
            t.status = value;
        else if (key == QLatin1String("commit"))
            t.commit = value;
        else if (key == QLatin1String("tag"))
            t.tag = value;
        else if (key == QLatin1String("image"))
            t.image = value;
        else if (key == QLatin1String("data"))
            t.data = value;
        else
            t.words << token;
    }
    return t;
}

} // namespace

void RunsList::applyFilter()
{
    const QString text = m_filter->text().trimmed();
    const RunFilterTerms terms = parseFilter(text);
    // image: and data: are answered by the lineage database, on a worker thread.
    const QString lineageQuery =
        terms.image.isEmpty() && terms.data.isEmpty() ? QString() : terms.image + QChar(0) + terms.data;
    if (lineageQuery != m_lineageQuery || m_lineageStale) {
        m_lineageQuery = lineageQuery;
        m_lineageStale = false;
        m_lineageError.clear();
        if (!lineageQuery.isEmpty())
            lookUpLineage(terms.image, terms.data);
        else
            m_lineageLoading = false;
    }
    int visible = 0;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        const core::RunRecord *run = recordOf(item);
        bool match = run != nullptr;
        if (match && !terms.branch.isEmpty())
            match = run->branch.compare(terms.branch, Qt::CaseInsensitive) == 0;
        if (match && !terms.status.isEmpty())
            match = core::runStatusToString(run->status).startsWith(terms.status, Qt::CaseInsensitive);
        if (match && !terms.commit.isEmpty())
            match = run->commitSha.startsWith(terms.commit, Qt::CaseInsensitive);
        if (match && !terms.tag.isEmpty())
            match = m_annotations.value(run->id).tags.contains(terms.tag, Qt::CaseInsensitive);
        if (match && !m_lineageQuery.isEmpty())
            match = m_lineageIdsFor == m_lineageQuery && m_lineageIds.contains(run->id); // else still looking
        for (const QString &word : terms.words) {
            bool found = run && run->id.contains(word, Qt::CaseInsensitive);
            for (int c = 0; !found && c < m_tree->columnCount(); ++c)
                found = item->text(c).contains(word, Qt::CaseInsensitive);
            for (int j = 0; !found && j < item->childCount(); ++j) {
                const QTreeWidgetItem *child = item->child(j);
                found = child->text(RunColumn).contains(word, Qt::CaseInsensitive) ||
                        child->text(StatusColumn).contains(word, Qt::CaseInsensitive);
            }
            match = match && found;
        }
        item->setHidden(!match);
        visible += match ? 1 : 0;
    }
    if (m_runs.empty()) {
        m_empty->setText(m_projectDir.isEmpty()   ? tr("Open a project to see its runs")
                         : m_loading              ? tr("Reading runs\u2026")
                         : !m_readError.isEmpty() ? m_readError
                         : isTeamScope()          ? tr("No runs of this project in the team's store yet")
                                                  : tr("No runs yet \u2014 press Run (F5)"));
    } else if (visible == 0) {
        m_empty->setText(m_lineageLoading && m_lineageIdsFor != m_lineageQuery
                             ? tr("Looking up the lineage of the runs\u2026")
                         : !m_lineageError.isEmpty() ? m_lineageError
                                                     : tr("No runs match \u201c%1\u201d").arg(text));
    }
    const bool empty = visible == 0;
    m_empty->setVisible(empty);
    m_tree->setVisible(!empty);
}

void RunsList::lookUpLineage(const QString &image, const QString &data)
{
    m_lineageLoading = true;
    const quint64 generation = ++m_lineageGeneration;
    const QString dbPath = core::LineageStore::defaultPath(m_projectDir);
    onWorker(
        this,
        [dbPath, image, data]() -> core::Result<QSet<QString>> {
            if (!QFileInfo::exists(dbPath))
                return QSet<QString>{}; // nothing recorded yet: nothing matches
            core::LineageStore::Options options;
            options.integrity = core::LineageStore::IntegrityCheck::None; // a read: the run service's open checks
            options.recoverInterrupted = false;
            auto store = core::LineageStore::open(dbPath, options);
            if (!store)
                return tl::unexpected(store.error());
            core::LineageRunFilter filter;
            filter.image = image;
            filter.dataHash = data;
            auto runs = (*store)->runs(filter);
            if (!runs)
                return tl::unexpected(runs.error());
            QSet<QString> ids;
            for (const core::LineageRun &r : *runs)
                ids.insert(r.id);
            return ids;
        },
        [this, generation, query = m_lineageQuery](core::Result<QSet<QString>> ids) {
            if (generation != m_lineageGeneration)
                return; // the filter changed meanwhile
            m_lineageLoading = false;
            m_lineageIdsFor = query;
            m_lineageIds.clear();
            if (ids)
                m_lineageIds = std::move(*ids);
            else
                m_lineageError = tr("The lineage database could not be read: %1").arg(ids.error().toString());
            applyFilter();
        });
}

QString RunsList::engineOf(const QString &runId) const
{
    const auto it = std::find_if(m_runs.begin(), m_runs.end(), [&](const core::RunRecord &r) { return r.id == runId; });
    return it == m_runs.end() ? QString() : it->engine;
}

QStringList RunsList::selectedRunIds() const
{
    QSet<QString> selected;
    for (const QTreeWidgetItem *item : m_tree->selectedItems())
        selected.insert(item->data(RunColumn, RunIdRole).toString());
    QStringList ids;
    for (const core::RunRecord &run : m_runs) {
        if (selected.contains(run.id))
            ids << run.id;
    }
    return ids;
}

QStringList RunsList::visibleRunIds() const
{
    QStringList ids;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_tree->topLevelItem(i);
        if (!item->isHidden())
            ids << item->data(RunColumn, RunIdRole).toString();
    }
    return ids;
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
    if (isTeamScope())
        return; // its logs are on the machine it ran on
    if (const core::RunRecord *record = recordOf(item))
        Q_EMIT openRunLogs(*record);
}

bool RunsList::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_tree->viewport() && event->type() == QEvent::Leave)
        Q_EMIT runHovered(QString());
    return QWidget::eventFilter(watched, event);
}

void RunsList::setHighlightedRuns(const QStringList &runIds)
{
    m_highlight = runIds;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        QFont font = item->font(RunColumn);
        font.setBold(runIds.contains(item->data(RunColumn, RunIdRole).toString()));
        if (font != item->font(RunColumn))
            item->setFont(RunColumn, font);
    }
}

void RunsList::editAnnotation(const QString &runId)
{
    const auto it = m_byId.constFind(runId);
    if (it == m_byId.cend())
        return;
    RunAnnotationDialog dialog(tr("Run #%1").arg(m_runs[it.value()].pipelineIid), annotationOf(runId), this);
    if (dialog.exec() == QDialog::Accepted)
        annotate(runId, dialog.annotation());
}

void RunsList::annotate(const QString &runId, const core::LineageRunAnnotation &annotation)
{
    if (m_projectDir.isEmpty())
        return;
    onWorker(
        this,
        [dir = m_projectDir, runId, annotation]() -> QString {
            auto store = core::LineageStore::open(core::LineageStore::defaultPath(dir));
            if (!store)
                return store.error().message;
            if ((*store)->isReadOnly())
                return (*store)->readOnlyReason();
            auto ok = (*store)->annotateRun(runId, annotation);
            return ok ? QString() : ok.error().message;
        },
        [this, runId, annotation](const QString &error) {
            if (!error.isEmpty()) {
                Q_EMIT annotationFailed(runId, error);
                auto *box = new QMessageBox(QMessageBox::Warning, tr("Run not annotated"),
                                            tr("The run's name, tags and notes could not be saved:\n%1").arg(error),
                                            QMessageBox::Ok, this);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open(); // not exec(): the list goes on
                return;
            }
            core::LineageRunAnnotation saved = annotation;
            saved.tags.sort();
            if (saved.isEmpty())
                m_annotations.remove(runId);
            else
                m_annotations.insert(runId, saved);
            rebuild();
            refresh(); // a listing read before the write must not bring the old name back
            Q_EMIT annotated(runId);
        });
}

QMenu *RunsList::createContextMenu(QTreeWidgetItem *item, QWidget *parent)
{
    auto *menu = new QMenu(parent);
    menu->setToolTipsVisible(true); // why an action is disabled
    const core::RunRecord *record = recordOf(item);
    if (!record)
        return menu;
    const core::RunRecord run = *record; // the list may be rebuilt while the menu is open
    QAction *open = menu->addAction(tr("Open logs"), this, [this, run] { Q_EMIT openRunLogs(run); });
    open->setObjectName(QStringLiteral("openLogs"));
    QAction *copyId =
        menu->addAction(tr("Copy run id"), this, [id = run.id] { QGuiApplication::clipboard()->setText(id); });
    copyId->setObjectName(QStringLiteral("copyRunId"));
    QStringList toCompare = selectedRunIds();
    if (!toCompare.contains(run.id))
        toCompare = QStringList{run.id};
    QAction *compare = menu->addAction(toCompare.size() > 1 ? tr("Compare scalars of %1 runs").arg(toCompare.size())
                                                            : tr("Compare scalars"),
                                       this, [this, toCompare] { Q_EMIT compareRequested(toCompare); });
    compare->setObjectName(QStringLiteral("compareRuns"));
    QAction *reproduce =
        menu->addAction(tr("Reproduce run\u2026"), this, [this, id = run.id] { Q_EMIT reproduceRequested(id); });
    reproduce->setObjectName(QStringLiteral("reproduceRun"));
    reproduce->setEnabled(run.status != core::RunStatus::Running && !run.commitSha.isEmpty() && !run.dirty);
    if (!reproduce->isEnabled())
        reproduce->setToolTip(run.status == core::RunStatus::Running ? tr("The run is still going")
                              : run.commitSha.isEmpty()
                                  ? tr("The run has no commit: it was not made in a git repository")
                                  : tr("The run was made from uncommitted changes"));
    QAction *annotate =
        menu->addAction(tr("Name, tags and notes\u2026"), this, [this, id = run.id] { editAnnotation(id); });
    annotate->setObjectName(QStringLiteral("annotateRun"));
    if (isTeamScope()) {
        // A run of the team's store: its logs, scalars and workspace are on the machine it ran on.
        const QString elsewhere = tr("A run of the team's store: this needs it recorded on this machine (the "
                                     "Lineage view's Team scope shows its lineage)");
        for (QAction *a : {open, compare, reproduce, annotate}) {
            a->setEnabled(false);
            a->setToolTip(elsewhere);
        }
        return menu;
    }
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
