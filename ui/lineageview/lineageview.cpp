#include "lineageview.h"

#include "async/onworker.h"

#include "lineagegraph.h"
#include "releasereviewdialog.h"

#include "engine/artifactstore.h"
#include "graphics/zoomableview.h"
#include "lineage/artifactregistry.h"
#include "settings/teamstoredialog.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <utility>

namespace trainyard::ui {

namespace {
constexpr int ArtifactShaRole = Qt::UserRole;
constexpr int RunIdRole = Qt::UserRole + 1;
} // namespace

LineageView::LineageView(QWidget *parent)
    : QWidget(parent)
    , m_query(new LineageQuery(this))
{
    auto *layout = new QVBoxLayout(this);
    QPushButton *refreshButton = createToolBar(layout);
    createPanes(layout);
    createStatusLabel(layout);
    connectSignals(refreshButton);
}

QPushButton *LineageView::createToolBar(QVBoxLayout *layout)
{
    auto *bar = new QHBoxLayout;
    m_scope = new QComboBox(this);
    m_scope->setObjectName(QStringLiteral("lineageScope"));
    m_scope->addItem(tr("This project"));
    m_scope->addItem(tr("Team"));
    m_scope->setToolTip(tr("Team: this project's runs from every machine, in the team's store (Settings ▸ Team "
                           "store)"));
    m_scope->setEnabled(false); // until a team store is found set
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("lineageSearch"));
    m_search->setPlaceholderText(tr("Artifact sha256, path (models/model.txt) or file — Enter shows its lineage"));
    m_search->setClearButtonEnabled(true);
    auto *refresh = new QPushButton(tr("Refresh"), this);
    m_reviewButton = new QPushButton(tr("Release &review…"), this);
    m_reviewButton->setEnabled(false);
    m_saveButton = new QPushButton(tr("Save a &copy…"), this);
    m_saveButton->setObjectName(QStringLiteral("saveArtifactCopy"));
    m_saveButton->setToolTip(tr("Save the artifact's file out of the project's artifact store"));
    m_saveButton->setEnabled(false);
    bar->addWidget(m_scope);
    bar->addWidget(m_search, 1);
    bar->addWidget(refresh);
    m_scanButton = new QPushButton(tr("Scan &image…"), this);
    m_scanButton->setObjectName(QStringLiteral("scanImage"));
    m_scanButton->setToolTip(tr("Click an image in the graph, then scan it for known vulnerabilities (OSV advisories, "
                                "and trivy or grype when installed)"));
    m_scanButton->setEnabled(false);
    bar->addWidget(m_saveButton);
    bar->addWidget(m_scanButton);
    bar->addWidget(m_reviewButton);
    layout->addLayout(bar);
    return refresh;
}

void LineageView::createPanes(QVBoxLayout *layout)
{
    auto *split = new QSplitter(this);
    m_split = split;
    m_list = new QTreeWidget(split);
    m_list->setObjectName(QStringLiteral("artifacts"));
    // The path gets the room; the sha256 is in the tooltip and the details.
    m_list->setHeaderLabels({tr("Artifact"), tr("Job"), tr("Size")});
    m_list->setTextElideMode(Qt::ElideMiddle); // long paths keep their file name
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < 3; ++c)
        m_list->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_graph = new LineageGraph(this);
    m_graph->showHint(emptyGraphHint());
    m_view = new ZoomableView(split);
    m_view->setObjectName(QStringLiteral("lineageGraphView"));
    m_view->setScene(m_graph);
    m_view->setDragMode(QGraphicsView::ScrollHandDrag); // drag the background to pan
    m_view->setToolTip(tr("Click a node for its details. Drag to pan; Ctrl+wheel zooms."));
    // The graph gets the width (its columns run left to right); the details of a node go below it.
    auto *graphAndDetails = new QSplitter(Qt::Vertical, split);
    m_graphSplit = graphAndDetails;
    m_details = new QTextBrowser(graphAndDetails);
    m_details->setObjectName(QStringLiteral("lineageDetails"));
    m_details->setPlaceholderText(tr("Click a node for its details"));
    graphAndDetails->addWidget(m_view);
    graphAndDetails->addWidget(m_details);
    graphAndDetails->setStretchFactor(0, 3);
    graphAndDetails->setStretchFactor(1, 1);
    split->addWidget(m_list);
    split->addWidget(graphAndDetails);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);
}

void LineageView::createStatusLabel(QVBoxLayout *layout)
{
    m_status = new QLabel(tr("Open a project to see the lineage of what its runs produced."), this);
    m_status->setObjectName(QStringLiteral("lineageStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
}

void LineageView::connectSignals(QPushButton *refreshButton)
{
    connect(refreshButton, &QPushButton::clicked, this, &LineageView::refresh);
    connect(m_scope, &QComboBox::currentIndexChanged, this, [this](int index) { setTeamScope(index == 1); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (!m_search->text().trimmed().isEmpty())
            showArtifact(m_search->text().trimmed());
    });
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item && !item->data(0, ArtifactShaRole).toString().isEmpty()) // not a run's heading
            showArtifact(item->data(0, ArtifactShaRole).toString(), item->data(0, RunIdRole).toString());
    });
    connect(m_reviewButton, &QPushButton::clicked, this, &LineageView::openReview);
    connect(m_saveButton, &QPushButton::clicked, this, &LineageView::chooseCopyDestination);
    connect(m_graph, &LineageGraph::nodeActivated, this, [this](const QString &key, const QString &html) {
        m_details->setHtml(html);
        m_selectedImage = key.startsWith(QLatin1String("image:sha256:")) ? key.mid(6) : QString();
        m_scanButton->setEnabled(!m_selectedImage.isEmpty() && m_scanningImage.isEmpty() && !isTeamScope());
    });
    connect(m_scanButton, &QPushButton::clicked, this, [this] { scanSelectedImage(); });
    connect(m_query, &LineageQuery::needsAdvisories, this, [this](const QString &imageId, const QString &reference) {
        if (!endScan(imageId))
            return;
        // Asked without a nested event loop: the view may go while the dialog is open.
        auto *dialog =
            new QFileDialog(this, tr("OSV advisories to scan %1 against (osv.dev's exports, unpacked)").arg(reference));
        dialog->setObjectName(QStringLiteral("osvFolderDialog"));
        dialog->setFileMode(QFileDialog::Directory);
        dialog->setOption(QFileDialog::ShowDirsOnly);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QFileDialog::fileSelected, this,
                [this, imageId, reference](const QString &dir) { startScan(imageId, reference, dir); });
        connect(dialog, &QFileDialog::rejected, this, [this] {
            m_status->setText(tr("Not scanned: the project sets no .trainyard: scan: osv: folder and neither trivy "
                                 "nor grype is installed."));
            Q_EMIT imageScanDone({}, m_status->text());
        });
        dialog->open();
    });
    connect(m_query, &LineageQuery::imageScanned, this,
            [this](const QString &imageId, const QString &reference, const QString &summary) {
                if (!endScan(imageId))
                    return;
                m_status->setText(tr("Scanned %1: %2").arg(reference.toHtmlEscaped(), summary.toHtmlEscaped()));
                if (m_review) { // the node and the checklist show the new scan; the status keeps the news
                    m_scanNote = QStringLiteral(" · ") + m_status->text();
                    m_query->review(m_review->provenance.artifact.sha256, m_review->provenance.artifact.runId);
                }
                Q_EMIT imageScanDone(summary, {});
            });
    connect(m_query, &LineageQuery::scanFailed, this, [this](const QString &imageId, const QString &message) {
        if (!endScan(imageId))
            return;
        m_status->setText(message.toHtmlEscaped());
        Q_EMIT imageScanDone({}, message);
    });
    connect(m_query, &LineageQuery::reviewed, this, &LineageView::showReview);
    connect(m_query, &LineageQuery::failed, this,
            [this](const QString &message) { m_status->setText(message.toHtmlEscaped()); });
    connect(m_query, &LineageQuery::artifactsListed, this, &LineageView::fillArtifactList);
    connect(m_query, &LineageQuery::signedOff, this, [this](const core::LineageSignOff &s) {
        m_status->setText(tr("%1 signed off: %2").arg(s.reviewer.toHtmlEscaped(), s.decision));
    });
}

void LineageView::fillArtifactList(const std::vector<core::LineageArtifact> &artifacts,
                                   const std::vector<core::LineageRun> &runs, bool olderRuns)
{
    QHash<QString, const core::LineageRun *> byId;
    for (const core::LineageRun &r : runs)
        byId.insert(r.id, &r);
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    const QLocale locale(QLocale::English);
    // Grouped by run, newest first (the order they come in): the same path made by two
    // runs is told apart by its run.
    // The items are made apart and given to the view at once, then spanned and expanded: one by
    // one in the view, each heading had it lay out and measure every row again (at the newest
    // 500 runs of a large store, half a minute on the GUI thread).
    QHash<QString, QTreeWidgetItem *> groups;
    QList<QTreeWidgetItem *> headings;
    for (const core::LineageArtifact &a : artifacts) {
        QTreeWidgetItem *&group = groups[a.runId];
        if (!group) {
            group = runHeading(a.runId, byId.value(a.runId));
            headings.append(group);
        }
        auto *item = new QTreeWidgetItem(group, {a.path, a.job, locale.formattedDataSize(a.size)});
        item->setData(0, ArtifactShaRole, a.sha256);
        item->setData(0, RunIdRole, a.runId);
        item->setToolTip(0, a.path + u'\n' + a.sha256);
    }
    m_list->addTopLevelItems(headings);
    for (QTreeWidgetItem *heading : std::as_const(headings))
        heading->setFirstColumnSpanned(true); // only an item in a view can span
    m_list->expandAll();
    const QString where = isTeamScope() ? tr(" in the team's store, from every machine") : QString();
    if (artifacts.empty())
        return;
    if (olderRuns)
        m_status->setText(tr("%n artifact(s) from the newest %1 runs%2. Choose one, or search by hash or path (which "
                             "finds older runs' artifacts too).",
                             nullptr, int(artifacts.size()))
                              .arg(m_query->listedRuns())
                              .arg(where));
    else
        m_status->setText(tr("%n artifact(s) from %1 run(s)%2. Choose one, or search by hash or path.", nullptr,
                             int(artifacts.size()))
                              .arg(groups.size())
                              .arg(where));
}

QTreeWidgetItem *LineageView::runHeading(const QString &runId, const core::LineageRun *run) const
{
    auto *group = new QTreeWidgetItem;
    group->setText(0,
                   run ? tr("#%1 · %2 · %3%4%5")
                             .arg(run->pipelineIid)
                             .arg(run->started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")), run->status,
                                  run->trigger == QLatin1String("reproduce") ? tr(" · reproduction") : QString(),
                                  // The team's runs come from several machines: whose, and where.
                                  isTeamScope() ? tr(" · %1 on %2").arg(run->user, run->host) : QString())
                       : runId);
    group->setToolTip(0, tr("Run %1").arg(runId));
    group->setData(0, RunIdRole, runId);
    QFont bold = m_list->font();
    bold.setBold(true);
    group->setFont(0, bold);
    group->setFlags(group->flags() & ~Qt::ItemIsSelectable);
    return group;
}

LineageView::~LineageView()
{
    m_stopCopy->store(true); // a download still going ends now (its result is dropped)
    m_stopScan->store(true); // so does a scan (a trivy run may take minutes)
}

void LineageView::setProjectDir(const QString &dir)
{
    if (dir == m_query->projectDir() && !dir.isEmpty()) {
        refresh(); // the same project read again: its scope stays
        checkTeamStore();
        return;
    }
    m_query->setProjectDir(dir);
    setTeamScope(false);
    m_teamUrl.clear();
    checkTeamStore();
}

void LineageView::checkTeamStore()
{
    const QString dir = m_query->projectDir();
    if (dir.isEmpty())
        return;
    onWorker(
        this, [dir] { return TeamStoreDialog::target(dir).storeUrl; },
        [this, dir](const QString &url) {
            if (dir != m_query->projectDir())
                return; // another project since
            m_teamUrl = url;
            m_scope->setEnabled(!url.isEmpty());
            if (url.isEmpty() && isTeamScope())
                setTeamScope(false); // the team store was unset: back to the project's
            else if (isTeamScope() && m_query->teamStore() != url)
                setTeamScope(true); // the setting changed: the new store
            Q_EMIT teamStoreChecked(!url.isEmpty());
        });
}

bool LineageView::setTeamScope(bool team)
{
    if (team && m_teamUrl.isEmpty())
        return false;
    {
        const QSignalBlocker quiet(m_scope);
        m_scope->setCurrentIndex(team ? 1 : 0);
    }
    m_query->setTeamStore(team ? m_teamUrl : QString());
    forgetScan(); // its image is of the other store's graph
    if (m_dialog)
        m_dialog->hide(); // its review is of the other store: a sign-off must not go astray
    m_review.reset();
    m_graph->showHint(emptyGraphHint());
    m_list->clear();
    m_details->clear();
    m_reviewButton->setEnabled(false);
    m_saveButton->setEnabled(false);
    refresh();
    return true;
}

QString LineageView::emptyGraphHint()
{
    return tr("Pick an artifact in the list on the left, or search by its path, sha256 or a run id above, to "
              "see what made it (commit, data, image, jobs) and what was made from it.");
}

void LineageView::refresh()
{
    if (!m_query->projectDir().isEmpty())
        m_query->listArtifacts();
}

void LineageView::scanSelectedImage()
{
    if (m_selectedImage.isEmpty())
        return;
    QString reference = m_selectedImage;
    if (m_review) {
        for (const core::LineageImage &i : m_review->provenance.images) {
            if (i.imageId == m_selectedImage)
                reference = i.reference;
        }
    }
    startScan(m_selectedImage, reference, {});
}

void LineageView::startScan(const QString &imageId, const QString &reference, const QString &osvDir)
{
    if (!m_scanningImage.isEmpty() || isTeamScope())
        return; // one scan at a time, of the project's own images
    m_scanningImage = imageId;
    m_scanButton->setEnabled(false);
    m_status->setText(tr("Scanning %1 (reading its file system the first time)…").arg(reference.toHtmlEscaped()));
    m_query->scanImage(imageId, reference, osvDir, m_stopScan);
}

bool LineageView::endScan(const QString &imageId)
{
    if (m_scanningImage.isEmpty() || imageId != m_scanningImage)
        return false; // of a scan the view no longer waits for (another project or scope)
    m_scanningImage.clear();
    m_scanButton->setEnabled(!m_selectedImage.isEmpty() && !isTeamScope());
    return true;
}

void LineageView::forgetScan()
{
    m_scanningImage.clear(); // its answer is dropped; the scan itself goes on to record its result
    m_selectedImage.clear();
    m_scanButton->setEnabled(false);
}

void LineageView::showArtifact(const QString &target, const QString &runId)
{
    m_status->setText(tr("Reading the lineage of %1…").arg(target.toHtmlEscaped()));
    m_query->review(target, runId);
}

void LineageView::showReview(const ArtifactReview &review)
{
    m_review = review;
    m_graph->setReview(review);
    fitGraph();
    m_details->setHtml(m_graph->details(QStringLiteral("subject")));
    m_reviewButton->setEnabled(true);
    m_saveButton->setEnabled(!m_copying);
    if (!m_review || m_selectedImage.isEmpty() ||
        !m_graph->nodeKeys().contains(QStringLiteral("image:") + m_selectedImage)) {
        m_selectedImage.clear(); // the image clicked is not in this graph
        m_scanButton->setEnabled(false);
    }
    const core::ArtifactProvenance &p = review.provenance;
    m_status->setText(
        tr("%1 — made by %2 in run %3 from %4 commit(s), %5 image(s), %6 data version(s); %7")
            .arg(p.artifact.path.toHtmlEscaped(), p.artifact.job, p.artifact.runId)
            .arg(p.commits.size())
            .arg(p.images.size())
            .arg(p.data.size())
            .arg(review.checklist.passed() ? tr("release checklist passes") : tr("release checklist fails")) +
        std::exchange(m_scanNote, QString()));
    if (m_dialog)
        m_dialog->setReview(review);
    Q_EMIT reviewShown();
}

void LineageView::fitGraph()
{
    // The whole graph in view when it fits at a readable size (never enlarged past its own);
    // a larger one stays readable and shows the artifact, the rest a drag away.
    constexpr qreal readable = 0.85;
    m_view->zoomToFit(readable);
    // What does not fit: the artifact at the right edge, as much of what made it as fits to its left.
    if (QGraphicsItem *subject = m_graph->node(QStringLiteral("subject"))) {
        const QRectF node = subject->sceneBoundingRect();
        const qreal halfWidth = m_view->viewport()->width() / (2 * m_view->zoom());
        m_view->centerOn(std::max(node.center().x(), node.right() + 24 - halfWidth), node.center().y());
    }
}

void LineageView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    sizeSplitOnce();
}

void LineageView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    sizeSplitOnce();
}

void LineageView::sizeSplitOnce()
{
    // First real width (a tab is laid out late): the graph gets the most room.
    if (!m_splitSized && isVisible() && width() > 400) {
        m_splitSized = true;
        const int w = m_split->width();
        m_split->setSizes({w * 3 / 10, w - w * 3 / 10});
        const int h = m_graphSplit->height();
        m_graphSplit->setSizes({h * 2 / 3, h - h * 2 / 3});
        if (m_review)
            QTimer::singleShot(0, this, [this] { fitGraph(); }); // once the view has its new size
    }
}

void LineageView::openReview()
{
    if (!m_review)
        return;
    if (!m_dialog)
        m_dialog = new ReleaseReviewDialog(m_query, this);
    m_dialog->setReview(*m_review);
    m_dialog->show();
    m_dialog->raise();
}

void LineageView::chooseCopyDestination()
{
    if (!m_review)
        return;
    const QString name = QFileInfo(m_review->provenance.artifact.path).fileName();
    const QString destination = QFileDialog::getSaveFileName(
        this, tr("Save a copy of %1").arg(m_review->provenance.artifact.path), QDir::home().filePath(name));
    if (!destination.isEmpty())
        saveCopy(destination);
}

void LineageView::saveCopy(const QString &destination)
{
    if (!m_review || m_copying)
        return;
    const core::LineageArtifact artifact = m_review->provenance.artifact;
    const QString projectDir = m_query->projectDir();
    m_copying = true; // one copy at a time
    m_saveButton->setEnabled(false);
    m_status->setText(tr("Saving a copy of %1 to %2…").arg(artifact.path.toHtmlEscaped(), destination.toHtmlEscaped()));
    // From the project's artifact store, else downloaded from the team's registry (both checked).
    onWorker(
        this,
        [projectDir, destination, artifact, stop = m_stopCopy]() -> std::pair<QString, QString> {
            const QString registry = TeamStoreDialog::target(projectDir).registryUrl;
            const auto saved =
                core::ArtifactRegistry::saveCopy(projectDir, artifact, destination, registry, stop.get());
            return saved ? std::pair{saved->source, QString()} : std::pair{QString(), saved.error().message};
        },
        [this, destination, artifact](const std::pair<QString, QString> &result) {
            const auto &[source, error] = result;
            m_copying = false;
            m_saveButton->setEnabled(m_review.has_value());
            m_status->setText(error.isEmpty() ? tr("Saved a copy of %1 (sha256 %2, checked) from %3 to %4")
                                                    .arg(artifact.path.toHtmlEscaped(), artifact.sha256.left(12),
                                                         source.toHtmlEscaped(), destination.toHtmlEscaped())
                                              : error.toHtmlEscaped());
            Q_EMIT copySaved(destination, error);
        });
}

} // namespace trainyard::ui
