// CompareView: its layout, the runs, the chart grid, the table, the status and drops (see also compareview*.cpp).
#include "compareview.h"

#include "async/onworker.h"
#include "layout/flowlayout.h"
#include "settings/teamstoredialog.h"

#include "comparemodel.h"
#include "comparerunlist.h"
#include "comparetable.h"
#include "metrics/logdirscanner.h"
#include "scalarchart.h"
#include "style/runcolors.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace trainyard::ui {

namespace {

constexpr int ChartWidth = 470; ///< a grid column per this many pixels of width
constexpr int ChartHeight = 300;

bool isLogdirPath(const QString &path)
{
    const QFileInfo info(path);
    return info.isDir() || (info.isFile() && core::LogdirScanner::isEventFileName(info.fileName()));
}

} // namespace

CompareView::CompareView(QWidget *parent)
    : QWidget(parent)
    , m_model(new CompareModel(this))
    , m_runList(new CompareRunList(this))
    , m_table(new CompareTable(this))
    , m_tagRegex(QString(), QRegularExpression::CaseInsensitiveOption)
{
    setAcceptDrops(true);

    QWidget *left = createRunsPane();
    QWidget *right = createChartsPane();
    layOut(left, right);
    connectSignals();
    updateCharts();
    updateStatus();
}

QWidget *CompareView::createRunsPane()
{
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(6, 6, 0, 6);
    m_scope = new QComboBox(left);
    m_scope->setObjectName(QStringLiteral("compareScope"));
    m_scope->addItem(tr("This project"));
    m_scope->addItem(tr("Team"));
    m_scope->setToolTip(tr("Team: this project's runs from every machine, in the team's store, their event files "
                           "downloaded from the team's registry (Settings \u25b8 Team store)"));
    m_scope->setEnabled(false); // until a team store is found set
    connect(m_scope, &QComboBox::currentIndexChanged, this, [this](int index) { setTeamScope(index == 1); });
    leftLayout->addWidget(m_scope);
    leftLayout->addWidget(m_runList, 1);
    // Which charts: beside the runs, so the controls above fit a window that leaves room for docks.
    m_tagFilter = new QLineEdit(left);
    m_tagFilter->setPlaceholderText(tr("Filter tags (regex)"));
    m_tagFilter->setClearButtonEnabled(true);
    connect(m_tagFilter, &QLineEdit::textChanged, this, [this](const QString &text) { setTagFilter(text); });
    leftLayout->addWidget(m_tagFilter);
    m_status = new QLabel(left);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    QFont small = m_status->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_status->setFont(small);
    leftLayout->addWidget(m_status);
    m_runList->view()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_runList->view(), &QWidget::customContextMenuRequested, this, &CompareView::runListMenu);
    return left;
}

QWidget *CompareView::createChartsPane()
{
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 6, 6, 6);
    m_tabs = new QTabWidget(right);
    m_tabs->setDocumentMode(true);
    m_scroll = new QScrollArea(m_tabs);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    createChartGrid();
    m_scroll->setWidget(m_grid);
    m_tabs->addTab(m_scroll, tr("Charts"));
    m_tabs->addTab(m_table, tr("Table"));
    rightLayout->addWidget(m_tabs, 1);
    return right;
}

void CompareView::createChartGrid()
{
    m_grid = new QWidget(m_scroll);
    m_grid->setAutoFillBackground(true);
    QPalette white = m_grid->palette();
    white.setColor(QPalette::Window, Qt::white);
    m_grid->setPalette(white);
    auto *gridOuter = new QVBoxLayout(m_grid);
    gridOuter->setContentsMargins(4, 4, 4, 4);
    m_gridLayout = new QGridLayout;
    m_gridLayout->setSpacing(6);
    gridOuter->addLayout(m_gridLayout);
    m_placeholder = new QLabel(m_grid);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setMargin(24);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    gridOuter->addWidget(m_placeholder, 1);
    gridOuter->addStretch(0);
}

void CompareView::layOut(QWidget *left, QWidget *right)
{
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter = splitter;
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({240, 900});
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createTopBar());
    layout->addWidget(splitter, 1);
}

QWidget *CompareView::createTopBar()
{
    // The controls span the view, so the run list's width does not depend on theirs; in a narrow
    // window they wrap onto a second row instead of making the window wider.
    auto *bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("compareControls"));
    auto *flow = new FlowLayout(bar);
    flow->setContentsMargins(6, 6, 6, 0);
    auto *open = new QPushButton(tr("Open logdir…"), bar);
    open->setToolTip(tr("Add a TensorBoard logdir (or drop a folder on this view)"));
    connect(open, &QPushButton::clicked, this, &CompareView::chooseLogdir);
    flow->addWidget(open);
    createControls(bar, flow);
    return bar;
}

void CompareView::connectSignals()
{
    m_tableTimer.setSingleShot(true);
    m_tableTimer.setInterval(50);
    connect(&m_tableTimer, &QTimer::timeout, this, &CompareView::updateTable);
    connect(m_model, &CompareModel::runsChanged, this, &CompareView::runsChanged);
    connect(m_model, &CompareModel::runDataChanged, this, [this](const QStringList &keys) {
        // A run's first data changes its look in the list (no longer "loading"); later data
        // only the charts and the table.
        const bool first =
            std::any_of(keys.begin(), keys.end(), [this](const QString &k) { return !m_loaded.contains(k); });
        for (const QString &key : keys)
            m_loaded.insert(key);
        if (first)
            m_runList->setRuns(m_model->runs());
        updateCharts();
    });
    connect(m_model, &CompareModel::loadingChanged, this, [this](bool loading) {
        updateStatus();
        Q_EMIT loadingChanged(loading);
    });
    connect(m_model, &CompareModel::problemFound, this, &CompareView::showProblem);
    connect(m_runList, &CompareRunList::selectionChanged, this, &CompareView::updateCharts);
    connect(m_runList, &CompareRunList::runHovered, this, &CompareView::runHovered);
    connect(m_table, &CompareTable::runHovered, this, &CompareView::runHovered);
}

CompareView::~CompareView() = default;

void CompareView::setProjectDir(const QString &dir)
{
    if (dir != m_model->projectDir()) {
        const QSignalBlocker quiet(m_scope);
        m_scope->setCurrentIndex(0); // a project opens with its own runs
        m_teamUrl.clear();
        m_teamRegistry.clear();
        m_scope->setEnabled(false);
    }
    m_model->setProjectDir(dir);
    checkTeamStore();
}

void CompareView::checkTeamStore()
{
    const QString dir = m_model->projectDir();
    if (dir.isEmpty())
        return;
    onWorker(
        this, [dir] { return TeamStoreDialog::target(dir); },
        [this, dir](const core::TeamPush::Target &target) {
            if (dir != m_model->projectDir())
                return; // another project since
            m_teamUrl = target.storeUrl;
            m_teamRegistry = target.registryUrl;
            m_scope->setEnabled(!m_teamUrl.isEmpty());
            if (isTeamScope())
                setTeamScope(!m_teamUrl.isEmpty()); // unset: back to the project's; changed: the new store
            Q_EMIT teamStoreChecked(!m_teamUrl.isEmpty());
        });
}

bool CompareView::setTeamScope(bool team)
{
    if (team && m_teamUrl.isEmpty())
        return false;
    {
        const QSignalBlocker quiet(m_scope);
        m_scope->setCurrentIndex(team ? 1 : 0);
    }
    m_model->setTeamStore(team ? m_teamUrl : QString(), team ? m_teamRegistry : QString());
    return true;
}

bool CompareView::isTeamScope() const
{
    return !m_model->teamStore().isEmpty();
}

void CompareView::showPipelineRuns(const QStringList &runIds)
{
    setTeamScope(false); // runs recorded here (the Runs list's own scope)
    m_focus = QSet<QString>(runIds.cbegin(), runIds.cend());
    m_focusSeen.clear();
    setRunFilter(QString());
    applyFocus();
    m_model->refreshProject(); // a run that just ended may not be listed yet
}

void CompareView::applyFocus()
{
    if (m_focus.isEmpty())
        return;
    QSet<QString> listed;
    for (const CompareRun &run : m_model->runs()) {
        if (!run.recorded || run.runId.isEmpty())
            continue;
        listed.insert(run.runId);
        if (m_focusSeen.contains(run.key))
            continue; // the user may have changed it since
        m_focusSeen.insert(run.key);
        m_runList->setChecked(run.key, m_focus.contains(run.runId));
    }
    // Once every run asked for is listed, runs that come later are shown as usual (checked).
    if (listed.contains(m_focus)) {
        m_focus.clear();
        m_focusSeen.clear();
    }
}

void CompareView::setHighlightedRuns(const QSet<QString> &keys)
{
    m_highlight = keys;
    for (ScalarChart *chart : std::as_const(m_charts))
        chart->setHighlightedRuns(keys);
    m_runList->setHighlightedRuns(keys);
    m_table->setHighlightedRuns(keys);
}

void CompareView::highlightPipelineRun(const QString &runId)
{
    QSet<QString> keys;
    for (const CompareRun &run : m_model->runs()) {
        if (!runId.isEmpty() && run.runId == runId)
            keys.insert(run.key);
    }
    setHighlightedRuns(keys);
}

void CompareView::runHovered(const QString &key)
{
    setHighlightedRuns(key.isEmpty() ? QSet<QString>{} : QSet<QString>{key});
    const CompareRun *run = key.isEmpty() ? nullptr : m_model->run(key);
    Q_EMIT pipelineRunsHovered(run && !run->runId.isEmpty() ? QStringList{run->runId} : QStringList{});
}

void CompareView::refreshRuns()
{
    m_model->refreshProject();
}

void CompareView::addLogdir(const QString &path)
{
    m_model->addLogdir(path);
}

bool CompareView::setRunFilter(const QString &pattern)
{
    return m_runList->setFilter(pattern);
}

bool CompareView::setTagFilter(const QString &pattern)
{
    const QRegularExpression regex(pattern, QRegularExpression::CaseInsensitiveOption);
    if (!regex.isValid()) {
        m_tagFilter->setStyleSheet(QStringLiteral("QLineEdit { background: #fde8e8; }"));
        m_tagFilter->setToolTip(tr("Not a valid regular expression: %1").arg(regex.errorString()));
        return false;
    }
    m_tagFilter->setStyleSheet({});
    m_tagFilter->setToolTip({});
    if (m_tagFilter->text() != pattern)
        m_tagFilter->setText(pattern);
    m_tagRegex = regex;
    updateCharts();
    return true;
}

QString CompareView::tagFilter() const
{
    return m_tagRegex.pattern();
}

QStringList CompareView::selectedRunKeys() const
{
    return m_runList->selectedKeys();
}

QString CompareView::currentTag() const
{
    if (m_charts.contains(m_currentTag))
        return m_currentTag;
    return m_charts.isEmpty() ? QString() : m_charts.firstKey();
}

bool CompareView::isBusy() const
{
    if (m_model->isLoading() || m_tableTimer.isActive())
        return true;
    return std::any_of(m_charts.begin(), m_charts.end(), [](const ScalarChart *c) { return c->isPreparing(); });
}

QString CompareView::placeholderText() const
{
    return m_placeholder->isVisible() || m_charts.isEmpty() ? m_placeholder->text() : QString();
}

void CompareView::runsChanged()
{
    m_runList->setRuns(m_model->runs());
    applyFocus();
    updateCharts();
    updateStatus();
}

void CompareView::updateCharts()
{
    std::vector<ChartRun> runs;
    QStringList tags;
    for (const QString &key : m_runList->selectedKeys()) {
        const CompareRun *run = m_model->run(key);
        if (!run || !run->scalars)
            continue;
        runs.push_back(ChartRun{run->key, run->shownName(), RunColors::colorFor(run->name), run->scalars});
        for (const auto &[tag, series] : run->scalars->series) {
            if (!series.isEmpty() && !tags.contains(tag) && m_tagRegex.match(tag).hasMatch())
                tags << tag;
        }
    }
    tags.sort();

    bool layoutChanged = false;
    for (auto it = m_charts.begin(); it != m_charts.end();) {
        if (tags.contains(it.key())) {
            ++it;
            continue;
        }
        delete it.value();
        it = m_charts.erase(it);
        layoutChanged = true;
    }
    for (const QString &tag : std::as_const(tags)) {
        ScalarChart *chart = m_charts.value(tag);
        if (!chart) {
            chart = new ScalarChart(tag, m_grid);
            chart->setMinimumHeight(ChartHeight);
            chart->setSmoothing(m_weight);
            chart->setXAxisMode(m_mode);
            chart->setLogY(m_logY);
            chart->setIgnoreOutliers(m_ignoreOutliers);
            chart->setHighlightedRuns(m_highlight);
            connect(chart, &ScalarChart::runHovered, this, &CompareView::runHovered);
            connect(chart, &ScalarChart::activated, this, [this, tag] { m_currentTag = tag; });
            connect(chart, &ScalarChart::exportRequested, this,
                    [this, tag](const QString &format) { exportInteractively(format, tag); });
            m_charts.insert(tag, chart);
            layoutChanged = true;
        }
        chart->setRuns(runs);
    }
    if (layoutChanged)
        layoutCharts();

    QString placeholder;
    if (m_charts.isEmpty()) {
        if (m_model->runs().empty() && m_model->isLoading())
            placeholder = tr("Reading runs…");
        else if (m_model->runs().empty() && isTeamScope())
            placeholder = tr("No run of this project in the team's store has collected TensorBoard scalars yet.");
        else if (m_model->runs().empty())
            placeholder = tr("No scalars yet.\n\nRuns of jobs that set `.trainyard: jobs: <job>: tensorboard: <dir>` "
                             "appear here once they write event files. Or open a TensorBoard logdir — or drop a "
                             "folder on this view.");
        else if (runs.empty())
            placeholder = tr("No run selected: check runs in the list (or clear its filter).");
        else if (m_model->tags().isEmpty() && m_model->isLoading())
            placeholder = tr("Reading scalars…");
        else if (m_model->tags().isEmpty())
            placeholder = isTeamScope() ? tr("No scalars could be read for these runs: the event files of another "
                                             "machine's run come from the team's registry (Settings \u25b8 Team "
                                             "store). The problems are listed on the left; the Table tab shows "
                                             "their parameters and final metrics.")
                                        : tr("The selected runs have no scalars.");
        else
            placeholder = tr("No tag of the selected runs matches the tag filter.");
    }
    m_placeholder->setText(placeholder);
    m_placeholder->setVisible(!placeholder.isEmpty());
    m_tableTimer.start();
}

void CompareView::layoutCharts()
{
    const int width = m_scroll->viewport()->width();
    const int columns = std::max(1, width / ChartWidth);
    m_gridColumns = columns;
    while (m_gridLayout->count() > 0)
        delete m_gridLayout->takeAt(0);
    int i = 0;
    for (ScalarChart *chart : std::as_const(m_charts)) {
        m_gridLayout->addWidget(chart, i / columns, i % columns);
        chart->show();
        ++i;
    }
    for (int c = 0; c < columns; ++c)
        m_gridLayout->setColumnStretch(c, 1);
}

void CompareView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    sizeSplitOnce();
}

void CompareView::sizeSplitOnce()
{
    // The run list's first width once the view has its real one (in a tab it is laid out late).
    if (!m_splitSized && isVisible() && width() > 400) {
        m_splitSized = true;
        const int list = std::clamp(width() / 4, 200, 320);
        m_splitter->setSizes({list, width() - list});
    }
}

void CompareView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    sizeSplitOnce();
    if (std::max(1, m_scroll->viewport()->width() / ChartWidth) != m_gridColumns)
        layoutCharts();
}

void CompareView::updateTable()
{
    std::vector<const CompareRun *> runs;
    for (const QString &key : m_runList->selectedKeys()) {
        if (const CompareRun *run = m_model->run(key))
            runs.push_back(run);
    }
    m_table->setRuns(runs, shownTags());
}

void CompareView::updateStatus()
{
    QStringList parts;
    if (m_model->isLoading())
        parts << tr("Reading…");
    const int runs = int(m_model->runs().size());
    parts << (runs == 1 ? tr("1 run") : tr("%1 runs").arg(runs));
    const int problems = int(m_model->problems().size());
    if (problems > 0)
        parts << (problems == 1 ? tr("1 problem (hover for details)")
                                : tr("%1 problems (hover for details)").arg(problems));
    m_status->setText(parts.join(QStringLiteral(" · ")));
    QStringList tips;
    for (const core::Error &e : m_model->problems())
        tips << e.toString();
    if (tips.size() > 10)
        tips = tips.mid(tips.size() - 10);
    m_status->setToolTip(tips.join(u'\n'));
}

void CompareView::showProblem(const core::Error &problem)
{
    updateStatus();
    Q_EMIT problemFound(problem);
}

void CompareView::chooseLogdir()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a TensorBoard logdir"));
    if (!dir.isEmpty())
        addLogdir(dir);
}

void CompareView::runListMenu(const QPoint &pos)
{
    const QModelIndex index = m_runList->view()->indexAt(pos);
    if (!index.isValid() || index.parent().isValid())
        return;
    const QString group = index.data(Qt::DisplayRole).toString();
    if (!m_model->logdirs().contains(group))
        return;
    QMenu menu(this);
    menu.addAction(tr("Remove this logdir"), this, [this, group] { m_model->removeLogdir(group); });
    menu.exec(m_runList->view()->viewport()->mapToGlobal(pos));
}

void CompareView::dragEnterEvent(QDragEnterEvent *event)
{
    if (!event->mimeData()->hasUrls())
        return;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile() && isLogdirPath(url.toLocalFile())) {
            event->acceptProposedAction();
            return;
        }
    }
}

void CompareView::dropEvent(QDropEvent *event)
{
    bool added = false;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile() && isLogdirPath(url.toLocalFile())) {
            addLogdir(url.toLocalFile());
            added = true;
        }
    }
    if (added)
        event->acceptProposedAction();
}

} // namespace trainyard::ui
