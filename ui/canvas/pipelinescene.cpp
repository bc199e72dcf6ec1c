#include "pipelinescene.h"

#include "jobcarditem.h"

#include <QApplication>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QPalette>
#include <QPen>

namespace trainyard::ui {

namespace {
constexpr qreal LaneWidth = JobCardItem::Width + 60;
constexpr qreal LaneTop = 44;
constexpr qreal CardGap = 18;
} // namespace

PipelineScene::PipelineScene(QObject *parent)
    : QGraphicsScene(parent)
{
}

JobCardItem *PipelineScene::card(const QString &job) const
{
    return m_cards.value(m_baseOf.value(job, job));
}

void PipelineScene::setJobStatus(const QString &job, core::JobStatus status, const QString &detail)
{
    if (JobCardItem *c = card(job))
        c->setStatus(status, detail);
}

void PipelineScene::addEdge(const JobCardItem *from, const JobCardItem *to, bool implicit)
{
    const QPointF a = from->pos() + QPointF(JobCardItem::Width, JobCardItem::Height / 2);
    const QPointF b = to->pos() + QPointF(0, JobCardItem::Height / 2);
    QPainterPath path(a);
    const qreal dx = std::max<qreal>(30, (b.x() - a.x()) / 2);
    path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b);
    const QPalette palette = QApplication::palette();
    QColor color = palette.color(QPalette::Text);
    color.setAlphaF(implicit ? 0.15 : 0.65);
    QPen pen(color, implicit ? 1 : 1.6);
    if (implicit)
        pen.setStyle(Qt::DashLine);
    auto *item = addPath(path, pen);
    item->setZValue(-1);
    item->setData(0, implicit ? QStringLiteral("implicit") : QStringLiteral("needs"));
    (implicit ? m_implicitEdges : m_needsEdges)++;
}

void PipelineScene::setPipeline(const core::Pipeline &pipeline, const std::vector<core::Error> &lint)
{
    clear();
    m_cards.clear();
    m_baseOf.clear();
    m_lanes.clear();
    m_needsEdges = 0;
    m_implicitEdges = 0;
    const QPalette palette = QApplication::palette();

    // Problems by job, shown on the cards.
    QHash<QString, QStringList> problems;
    for (const auto &list : {pipeline.problems, lint}) {
        for (const core::Error &e : list) {
            if (!e.job.isEmpty())
                problems[e.job] << e.toString();
        }
    }

    QHash<QString, int> laneOf;
    QHash<int, int> rowsInLane;
    for (const QString &stage : pipeline.stages) {
        bool used = false;
        for (const core::Job &j : pipeline.jobs)
            used = used || (j.stage == stage && j.when != core::When::Never);
        if (used || (stage != QLatin1String(".pre") && stage != QLatin1String(".post")))
            m_lanes << stage;
    }
    for (int i = 0; i < m_lanes.size(); ++i) {
        laneOf.insert(m_lanes[i], i);
        auto *title = addSimpleText(m_lanes[i]);
        QFont f = title->font();
        f.setBold(true);
        title->setFont(f);
        title->setBrush(palette.color(QPalette::Text));
        title->setPos(i * LaneWidth + 12, 12);
    }
    QHash<QString, int> instances; // parallel jobs: one card per job key
    for (const core::Job &job : pipeline.jobs) {
        if (job.when != core::When::Never)
            instances[job.baseName]++;
    }
    for (const core::Job &job : pipeline.jobs) {
        if (job.when == core::When::Never)
            continue;
        m_baseOf.insert(job.name, job.baseName);
        if (m_cards.contains(job.baseName))
            continue;
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
        auto *card = new JobCardItem(c);
        const int lane = laneOf.value(job.stage, 0);
        const int row = rowsInLane.value(lane, 0);
        rowsInLane.insert(lane, row + 1);
        card->setPos(lane * LaneWidth + 20, LaneTop + row * (JobCardItem::Height + CardGap));
        addItem(card);
        m_cards.insert(job.baseName, card);
    }
    // Lane backgrounds, sized to the tallest lane.
    int maxRows = 1;
    for (int rows : rowsInLane)
        maxRows = std::max(maxRows, rows);
    for (int i = 0; i < m_lanes.size(); ++i) {
        QColor shade = palette.color(QPalette::AlternateBase);
        auto *lane = addRect(i * LaneWidth + 6, 4, LaneWidth - 12, LaneTop + maxRows * (JobCardItem::Height + CardGap),
                             QPen(Qt::NoPen), shade);
        lane->setZValue(-2);
    }
    // Edges: needs, or the implicit order after every job of the previous used lane.
    QSet<QPair<QString, QString>> drawn;
    for (const core::Job &job : pipeline.jobs) {
        const JobCardItem *to = card(job.name);
        if (!to || job.when == core::When::Never)
            continue;
        if (job.needs) {
            for (const core::Need &n : *job.needs) {
                const JobCardItem *from = card(n.job);
                if (from && from != to && !drawn.contains({from->jobName(), to->jobName()})) {
                    drawn.insert({from->jobName(), to->jobName()});
                    addEdge(from, to, false);
                }
            }
            continue;
        }
        const int lane = laneOf.value(job.stage, 0);
        for (int prev = lane - 1; prev >= 0; --prev) {
            if (!rowsInLane.value(prev))
                continue;
            for (auto it = m_cards.cbegin(); it != m_cards.cend(); ++it) {
                const JobCardItem *from = it.value();
                if (int(from->pos().x() / LaneWidth) == prev && !drawn.contains({from->jobName(), to->jobName()})) {
                    drawn.insert({from->jobName(), to->jobName()});
                    addEdge(from, to, true);
                }
            }
            break;
        }
    }
    setSceneRect(itemsBoundingRect().adjusted(-20, -20, 20, 20));
}

} // namespace trainyard::ui
