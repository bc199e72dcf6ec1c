#include "pipelinescene.h"

#include "jobcarditem.h"

#include <QApplication>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QKeyEvent>
#include <QPalette>
#include <QPen>

namespace trainyard::ui {

namespace {
constexpr qreal LaneWidth = JobCardItem::Width + 60;
constexpr qreal LaneTop = 44;
constexpr qreal CardGap = 18;

const QString NeedsKind = QStringLiteral("needs");
const QString ImplicitKind = QStringLiteral("implicit");
const QString LaneKind = QStringLiteral("lane");

/// An edge: thin to look at, wide to click; a needs edge can be selected and deleted.
class EdgeItem final : public QGraphicsPathItem
{
public:
    EdgeItem(const QPainterPath &path, bool implicit)
        : QGraphicsPathItem(path)
        , m_implicit(implicit)
    {
        setFlag(ItemIsSelectable, !implicit);
        setZValue(-1);
        applyPen(false);
    }
    QPainterPath shape() const override
    {
        QPainterPathStroker stroker;
        stroker.setWidth(m_implicit ? 1 : 10);
        return stroker.createStroke(path());
    }
    void applyPen(bool selected)
    {
        const QPalette palette = QApplication::palette();
        QColor color = selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Text);
        color.setAlphaF(m_implicit ? 0.15 : selected ? 1.0 : 0.65);
        QPen pen(color, m_implicit ? 1 : selected ? 2.6 : 1.6);
        if (m_implicit)
            pen.setStyle(Qt::DashLine);
        setPen(pen);
    }

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override
    {
        if (change == ItemSelectedHasChanged)
            applyPen(value.toBool());
        return QGraphicsPathItem::itemChange(change, value);
    }

private:
    bool m_implicit;
};

/// The problems of `pipeline` and the `lint` findings, by the job they are about.
QHash<QString, QStringList> problemsByJob(const core::Pipeline &pipeline, const std::vector<core::Error> &lint)
{
    QHash<QString, QStringList> problems;
    for (const auto &list : {pipeline.problems, lint}) {
        for (const core::Error &e : list) {
            if (!e.job.isEmpty())
                problems[e.job] << e.toString();
        }
    }
    return problems;
}

/// The stages that get a lane: every stage, but `.pre` and `.post` only when a shown job uses them.
QStringList shownStages(const core::Pipeline &pipeline)
{
    QStringList lanes;
    for (const QString &stage : pipeline.stages) {
        bool used = false;
        for (const core::Job &j : pipeline.jobs)
            used = used || (j.stage == stage && j.when != core::When::Never);
        if (used || (stage != QLatin1String(".pre") && stage != QLatin1String(".post")))
            lanes << stage;
    }
    return lanes;
}

/// How many shown instances each job key has (parallel jobs: one card per job key).
/// What the scene's items are laid out from: the lanes and, job by job, its names, stage, whether
/// it is shown and what it needs. Pipelines with the same key differ only in what their cards say.
QString layoutKey(const core::Pipeline &pipeline, const QStringList &lanes)
{
    QString key = lanes.join(u'\x1e');
    for (const core::Job &job : pipeline.jobs) {
        key += u'\n';
        key += job.name;
        key += u'\x1f';
        key += job.baseName;
        key += u'\x1f';
        key += job.stage;
        key += job.when == core::When::Never ? u'0' : u'1';
        if (!job.needs) {
            key += u'-';
            continue;
        }
        for (const core::Need &n : *job.needs) {
            key += u'\x1e';
            key += n.job;
        }
    }
    return key;
}

QHash<QString, int> instanceCounts(const core::Pipeline &pipeline)
{
    QHash<QString, int> instances;
    for (const core::Job &job : pipeline.jobs) {
        if (job.when != core::When::Never)
            instances[job.baseName]++;
    }
    return instances;
}

/// What the card of `job`'s key shows.
JobCardItem::Content cardContent(const core::Job &job, const QHash<QString, int> &instances,
                                 const QHash<QString, QStringList> &problems)
{
    JobCardItem::Content c;
    c.name = job.baseName;
    c.image = job.image.name;
    c.gpus = job.gpuCount();
    c.manual = job.when == core::When::Manual;
    c.allowFailure = job.allowFailure;
    c.artifacts = !job.artifacts.isEmpty();
    c.instances = instances.value(job.baseName, 1);
    c.problems = problems.value(job.name) + problems.value(job.baseName);
    c.problems.removeDuplicates();
    return c;
}

} // namespace

PipelineScene::PipelineScene(QObject *parent)
    : QGraphicsScene(parent)
{
    m_elapsedTimer.setInterval(1000);
    connect(&m_elapsedTimer, &QTimer::timeout, this, &PipelineScene::tickElapsed);
    connect(this, &QGraphicsScene::selectionChanged, this, [this] {
        QString job;
        for (QGraphicsItem *item : selectedItems()) {
            if (auto *c = dynamic_cast<JobCardItem *>(item)) {
                job = c->jobName();
                break;
            }
        }
        Q_EMIT currentJobChanged(job);
    });
}

PipelineScene::~PipelineScene()
{
    // Items go before the scene's members; their deselection must not reach listeners.
    const QSignalBlocker blocker(this);
    clear();
}

template <typename F> void PipelineScene::later(F emitter)
{
    QMetaObject::invokeMethod(this, emitter, Qt::QueuedConnection);
}

JobCardItem *PipelineScene::card(const QString &job) const
{
    return m_cards.value(m_baseOf.value(job, job));
}

QGraphicsPathItem *PipelineScene::needsEdge(const QString &job, const QString &need) const
{
    for (const Edge &e : m_edges) {
        if (!e.implicit && e.to == job && e.from == need)
            return e.item;
    }
    return nullptr;
}

QGraphicsRectItem *PipelineScene::lane(const QString &stage) const
{
    return m_laneItems.value(stage);
}

QString PipelineScene::stageAt(const QPointF &scenePos) const
{
    if (scenePos.x() < 0)
        return {};
    const int i = int(scenePos.x() / LaneWidth);
    return i < m_lanes.size() ? m_lanes[i] : QString();
}

void PipelineScene::setJobDetail(const QString &job, const QString &detail)
{
    if (JobCardItem *c = card(job); c && c->status() == core::JobStatus::Running)
        c->setStatus(core::JobStatus::Running, detail);
}

void PipelineScene::setJobStatus(const QString &job, core::JobStatus status, const QString &detail,
                                 const QDateTime &started, const QDateTime &finished)
{
    JobCardItem *c = card(job);
    if (!c)
        return;
    c->setStatus(status, detail);
    c->setApprovable(m_approvals && status == core::JobStatus::Manual);
    if ((status == core::JobStatus::Running || core::isFinal(status)) && started.isValid())
        c->setStarted(started);
    if (core::isFinal(status) && finished.isValid())
        c->setFinished(finished);
    if (status == core::JobStatus::Running && !m_elapsedTimer.isActive())
        m_elapsedTimer.start();
}

void PipelineScene::setJobNotes(const QString &job, const QString &reason, const QStringList &warnings)
{
    if (JobCardItem *c = card(job))
        c->setRunNotes(reason, warnings);
}

void PipelineScene::clearJobStatus()
{
    for (JobCardItem *c : std::as_const(m_cards))
        c->setStatus(std::nullopt);
    m_elapsedTimer.stop();
}

void PipelineScene::setApprovalsEnabled(bool enabled)
{
    m_approvals = enabled;
    for (JobCardItem *c : std::as_const(m_cards))
        c->setApprovable(enabled && c->status() == core::JobStatus::Manual);
}

void PipelineScene::tickElapsed()
{
    bool running = false;
    for (JobCardItem *c : std::as_const(m_cards)) {
        if (c->status() == core::JobStatus::Running) {
            running = true;
            c->update();
        }
    }
    if (!running)
        m_elapsedTimer.stop();
}

void PipelineScene::setEditable(bool editable)
{
    m_editable = editable;
    for (JobCardItem *c : std::as_const(m_cards))
        c->setEditable(editable);
}

QPainterPath PipelineScene::edgePath(const QPointF &a, const QPointF &b)
{
    QPainterPath path(a);
    if (b.x() - a.x() > LaneWidth && qAbs(b.y() - a.y()) < JobCardItem::Height) {
        // Past a lane on the same row: bow under the cards between instead of hiding behind them.
        const qreal dip = JobCardItem::Height * 1.2;
        path.cubicTo(a + QPointF(40, dip), b + QPointF(-40, dip), b);
        return path;
    }
    const qreal dx = std::max<qreal>(30, (b.x() - a.x()) / 2);
    path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b);
    return path;
}

void PipelineScene::addEdge(const JobCardItem *from, const JobCardItem *to, bool implicit)
{
    const QPointF a = from->pos() + QPointF(JobCardItem::Width, JobCardItem::Height / 2);
    const QPointF b = to->pos() + QPointF(0, JobCardItem::Height / 2);
    auto *item = new EdgeItem(edgePath(a, b), implicit);
    item->setData(KindKey, implicit ? ImplicitKind : NeedsKind);
    item->setData(FromKey, from->jobName());
    item->setData(ToKey, to->jobName());
    if (!implicit)
        item->setToolTip(tr("'%1' needs '%2' (select and press Delete to remove)").arg(to->jobName(), from->jobName()));
    addItem(item);
    m_edges.push_back(Edge{item, from->jobName(), to->jobName(), implicit});
    (implicit ? m_implicitEdges : m_needsEdges)++;
}

void PipelineScene::updateEdges()
{
    for (const Edge &e : m_edges) {
        const JobCardItem *from = m_cards.value(e.from);
        const JobCardItem *to = m_cards.value(e.to);
        if (from && to)
            e.item->setPath(edgePath(from->pos() + QPointF(JobCardItem::Width, JobCardItem::Height / 2),
                                     to->pos() + QPointF(0, JobCardItem::Height / 2)));
    }
}

void PipelineScene::highlightLane(const QString &stage)
{
    if (stage == m_highlightedLane)
        return;
    const QPalette palette = QApplication::palette();
    if (QGraphicsRectItem *old = m_laneItems.value(m_highlightedLane))
        old->setBrush(palette.color(QPalette::AlternateBase));
    m_highlightedLane = stage;
    if (QGraphicsRectItem *now = m_laneItems.value(stage)) {
        QColor c = palette.color(QPalette::Highlight);
        c.setAlphaF(0.18);
        now->setBrush(c);
    }
}

JobCardItem *PipelineScene::cardAt(const QPointF &scenePos, const JobCardItem *except) const
{
    for (QGraphicsItem *item : items(scenePos)) {
        for (; item; item = item->parentItem()) {
            if (auto *c = dynamic_cast<JobCardItem *>(item); c && c != except)
                return c;
        }
    }
    return nullptr;
}

void PipelineScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_editable && event->button() == Qt::LeftButton) {
        JobCardItem *c = cardAt(event->scenePos());
        if (c && JobCardItem::portRect().contains(c->mapFromScene(event->scenePos()))) {
            m_connectFrom = c;
            const QPalette palette = QApplication::palette();
            QPen pen(palette.color(QPalette::Highlight), 2, Qt::DashLine);
            m_rubberEdge = addPath(edgePath(c->portScenePos(), event->scenePos()), pen);
            m_rubberEdge->setZValue(3);
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
}

void PipelineScene::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_connectFrom) {
        m_rubberEdge->setPath(edgePath(m_connectFrom->portScenePos(), event->scenePos()));
        JobCardItem *target = cardAt(event->scenePos(), m_connectFrom);
        for (JobCardItem *c : std::as_const(m_cards))
            c->setOpacity(target && c != target && c != m_connectFrom ? 0.55 : 1.0);
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
    if (m_editable && (event->buttons() & Qt::LeftButton) && mouseGrabberItem()) {
        // Cards being dragged: keep their edges attached and show the lane they would land in.
        QString target;
        for (QGraphicsItem *item : selectedItems()) {
            if (auto *c = dynamic_cast<JobCardItem *>(item); c && c->pos() != c->homePos()) {
                m_dragging = true;
                target = stageAt(c->sceneBoundingRect().center());
            }
        }
        if (m_dragging) {
            updateEdges();
            highlightLane(target);
        }
    }
}

void PipelineScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_connectFrom) {
        const QString need = m_connectFrom->jobName();
        JobCardItem *target = cardAt(event->scenePos(), m_connectFrom);
        const QString job = target ? target->jobName() : QString();
        delete m_rubberEdge;
        m_rubberEdge = nullptr;
        m_connectFrom = nullptr;
        for (JobCardItem *c : std::as_const(m_cards))
            c->setOpacity(1.0);
        event->accept();
        if (!job.isEmpty())
            later([this, job, need] { Q_EMIT addNeedRequested(job, need); });
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    if (!m_dragging)
        return;
    m_dragging = false;
    highlightLane({});
    // Each moved card either lands in another lane (an edit) or snaps back home.
    QList<QPair<QString, QString>> moves;
    for (JobCardItem *c : std::as_const(m_cards)) {
        if (c->pos() == c->homePos())
            continue;
        const QString stage = stageAt(c->sceneBoundingRect().center());
        if (!stage.isEmpty() && stage != m_stageOf.value(c->jobName()))
            moves << qMakePair(c->jobName(), stage);
        c->setPos(c->homePos());
    }
    updateEdges();
    for (const auto &[job, stage] : std::as_const(moves))
        later([this, job, stage] { Q_EMIT moveJobRequested(job, stage); });
}

void PipelineScene::keyPressEvent(QKeyEvent *event)
{
    if (m_editable && (event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace)) {
        QList<QPair<QString, QString>> needs;
        QStringList jobs;
        for (QGraphicsItem *item : selectedItems()) {
            if (item->data(KindKey).toString() == NeedsKind)
                needs << qMakePair(item->data(ToKey).toString(), item->data(FromKey).toString());
            else if (auto *c = dynamic_cast<JobCardItem *>(item))
                jobs << c->jobName();
        }
        if (!needs.isEmpty() || !jobs.isEmpty()) {
            event->accept();
            // Edges first: deleting a job rebuilds the scene.
            for (const auto &[job, need] : std::as_const(needs))
                later([this, job, need] { Q_EMIT removeNeedRequested(job, need); });
            for (const QString &job : std::as_const(jobs))
                later([this, job] { Q_EMIT removeJobRequested(job); });
            return;
        }
    }
    QGraphicsScene::keyPressEvent(event);
}

void PipelineScene::setPipeline(const core::Pipeline &pipeline, const std::vector<core::Error> &lint)
{
    // The selection and live status survive a rebuild (an edit, undo or redo).
    // Problems by job, shown on the cards.
    const QHash<QString, QStringList> problems = problemsByJob(pipeline, lint);
    QStringList lanes = shownStages(pipeline);
    const QPalette palette = QApplication::palette();
    // A new palette (a dark theme) paints every item anew.
    QString layout = QString::number(palette.cacheKey()) + layoutKey(pipeline, lanes);
    if (!m_cards.isEmpty() && layout == m_layout) {
        // An edit that moves nothing (an image, a script): on a pipeline of thousands of jobs,
        // building every item again would take most of a frame.
        updateCards(pipeline, problems);
        return;
    }
    const QString selected = selectedJob();
    const QHash<QString, std::optional<core::JobStatus>> statuses = cardStatuses();
    resetScene();

    m_lanes = std::move(lanes);
    m_layout = std::move(layout);
    const QHash<QString, int> laneOf = addLaneTitles(palette);
    const QHash<int, int> rowsInLane = addCards(pipeline, problems, laneOf, statuses);
    // Lane backgrounds, sized to the tallest lane.
    addLaneBackgrounds(rowsInLane, palette);
    // Edges: needs, or the implicit order after every job of the previous used lane.
    addEdges(pipeline, laneOf);
    setSceneRect(itemsBoundingRect().adjusted(-20, -20, 20, 20));
    restoreSelection(selected);
}

void PipelineScene::updateCards(const core::Pipeline &pipeline, const QHash<QString, QStringList> &problems)
{
    const QHash<QString, int> instances = instanceCounts(pipeline);
    QSet<QString> done; // parallel instances share their card, which shows the first
    for (const core::Job &job : pipeline.jobs) {
        if (job.when == core::When::Never || done.contains(job.baseName))
            continue;
        done.insert(job.baseName);
        if (JobCardItem *c = m_cards.value(job.baseName))
            c->setContent(cardContent(job, instances, problems));
    }
}

QString PipelineScene::selectedJob() const
{
    QString selected;
    for (QGraphicsItem *item : selectedItems()) {
        if (auto *c = dynamic_cast<JobCardItem *>(item))
            selected = c->jobName();
    }
    return selected;
}

QHash<QString, std::optional<core::JobStatus>> PipelineScene::cardStatuses() const
{
    QHash<QString, std::optional<core::JobStatus>> statuses;
    for (JobCardItem *c : std::as_const(m_cards))
        statuses.insert(c->jobName(), c->status());
    return statuses;
}

void PipelineScene::resetScene()
{
    {
        const QSignalBlocker blocker(this);
        if (m_rubberEdge) {
            m_rubberEdge = nullptr;
            m_connectFrom = nullptr;
        }
        clear();
    }
    m_layout.clear();
    m_cards.clear();
    m_baseOf.clear();
    m_stageOf.clear();
    m_lanes.clear();
    m_laneItems.clear();
    m_edges.clear();
    m_highlightedLane.clear();
    m_dragging = false;
    m_needsEdges = 0;
    m_implicitEdges = 0;
    m_implicitOmitted = 0;
}

QHash<QString, int> PipelineScene::addLaneTitles(const QPalette &palette)
{
    QHash<QString, int> laneOf;
    for (int i = 0; i < m_lanes.size(); ++i) {
        laneOf.insert(m_lanes[i], i);
        auto *title = addSimpleText(m_lanes[i]);
        QFont f = title->font();
        f.setBold(true);
        title->setFont(f);
        title->setBrush(palette.color(QPalette::Text));
        title->setPos(i * LaneWidth + 12, 12);
        title->setData(KindKey, LaneKind);
        title->setData(StageKey, m_lanes[i]);
        title->setToolTip(tr("Stage '%1' (right-click to add, rename, move or remove stages)").arg(m_lanes[i]));
    }
    return laneOf;
}

QHash<int, int> PipelineScene::addCards(const core::Pipeline &pipeline, const QHash<QString, QStringList> &problems,
                                        const QHash<QString, int> &laneOf,
                                        const QHash<QString, std::optional<core::JobStatus>> &statuses)
{
    const QHash<QString, int> instances = instanceCounts(pipeline);
    QHash<int, int> rowsInLane;
    for (const core::Job &job : pipeline.jobs) {
        if (job.when == core::When::Never)
            continue;
        m_baseOf.insert(job.name, job.baseName);
        if (m_cards.contains(job.baseName))
            continue;
        auto *card = new JobCardItem(cardContent(job, instances, problems));
        const int lane = laneOf.value(job.stage, 0);
        const int row = rowsInLane.value(lane, 0);
        rowsInLane.insert(lane, row + 1);
        card->setHomePos(QPointF(lane * LaneWidth + 20, LaneTop + row * (JobCardItem::Height + CardGap)));
        card->setEditable(m_editable);
        connect(card, &JobCardItem::approveClicked, this, &PipelineScene::approveRequested);
        if (const auto it = statuses.constFind(job.baseName); it != statuses.cend() && *it)
            card->setStatus(*it);
        addItem(card);
        m_cards.insert(job.baseName, card);
        m_stageOf.insert(job.baseName, job.stage);
    }
    return rowsInLane;
}

void PipelineScene::addLaneBackgrounds(const QHash<int, int> &rowsInLane, const QPalette &palette)
{
    int maxRows = 1;
    for (int rows : rowsInLane)
        maxRows = std::max(maxRows, rows);
    for (int i = 0; i < m_lanes.size(); ++i) {
        QColor shade = palette.color(QPalette::AlternateBase);
        auto *laneItem = addRect(i * LaneWidth + 6, 4, LaneWidth - 12,
                                 LaneTop + maxRows * (JobCardItem::Height + CardGap) + 30, QPen(Qt::NoPen), shade);
        laneItem->setZValue(-2);
        laneItem->setData(KindKey, LaneKind);
        laneItem->setData(StageKey, m_lanes[i]);
        m_laneItems.insert(m_lanes[i], laneItem);
    }
}

void PipelineScene::addEdges(const core::Pipeline &pipeline, const QHash<QString, int> &laneOf)
{
    // The cards of each lane, in the order they were added, looked up once (not per job).
    QHash<int, QList<const JobCardItem *>> cardsByLane;
    QSet<const JobCardItem *> placed; // parallel instances share their card
    for (const core::Job &job : pipeline.jobs) {
        const JobCardItem *c = card(job.name);
        if (!c || placed.contains(c))
            continue;
        placed.insert(c);
        const int lane = laneOf.value(m_stageOf.value(c->jobName()), -1);
        if (lane >= 0)
            cardsByLane[lane].append(c);
    }
    QSet<QPair<QString, QString>> drawn;
    for (const core::Job &job : pipeline.jobs) {
        const JobCardItem *to = card(job.name);
        if (!to || job.when == core::When::Never)
            continue;
        if (job.needs) {
            addNeedsEdges(job, to, drawn);
            continue;
        }
        addImplicitEdges(to, laneOf.value(job.stage, 0), cardsByLane, drawn);
    }
}

void PipelineScene::addNeedsEdges(const core::Job &job, const JobCardItem *to, QSet<QPair<QString, QString>> &drawn)
{
    for (const core::Need &n : *job.needs) {
        const JobCardItem *from = card(n.job);
        if (from && from != to && !drawn.contains({from->jobName(), to->jobName()})) {
            drawn.insert({from->jobName(), to->jobName()});
            addEdge(from, to, false);
        }
    }
}

void PipelineScene::addImplicitEdges(const JobCardItem *to, int lane,
                                     const QHash<int, QList<const JobCardItem *>> &cardsByLane,
                                     QSet<QPair<QString, QString>> &drawn)
{
    for (int prev = lane - 1; prev >= 0; --prev) {
        const QList<const JobCardItem *> from = cardsByLane.value(prev);
        if (from.isEmpty())
            continue;
        if (from.size() > kMaxImplicitFanIn) {
            m_implicitOmitted += int(from.size());
            break;
        }
        for (const JobCardItem *f : from) {
            if (f != to && !drawn.contains({f->jobName(), to->jobName()})) {
                drawn.insert({f->jobName(), to->jobName()});
                addEdge(f, to, true);
            }
        }
        break;
    }
}

void PipelineScene::restoreSelection(const QString &selected)
{
    {
        const QSignalBlocker blocker(this);
        if (JobCardItem *c = m_cards.value(selected))
            c->setSelected(true);
    }
    if (!m_cards.contains(selected) && !selected.isEmpty())
        Q_EMIT currentJobChanged({});
}

} // namespace trainyard::ui
