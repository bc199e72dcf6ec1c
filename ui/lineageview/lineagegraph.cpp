#include "lineagegraph.h"

#include "lineage/effectivevariables.h"
#include "style/runcolors.h"

#include <QApplication>
#include <QGraphicsPathItem>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsTextItem>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QSet>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <functional>

namespace trainyard::ui {

namespace {

constexpr qreal NodeWidth = 210;
constexpr qreal NodeHeight = 52;
constexpr qreal ColumnGap = 70;
constexpr qreal RowGap = 16;

QColor kindColor(LineageGraph::Kind kind)
{
    switch (kind) {
    case LineageGraph::Kind::Commit:
        return QColor(0x6e, 0x77, 0x81);
    case LineageGraph::Kind::Data:
        return QColor(0x1f, 0x88, 0x3d);
    case LineageGraph::Kind::Image:
        return QColor(0x1f, 0x6f, 0xeb);
    case LineageGraph::Kind::Job:
        return QColor(0x8b, 0x5c, 0xf6);
    case LineageGraph::Kind::Artifact:
        return QColor(0xbf, 0x87, 0x00);
    case LineageGraph::Kind::Subject:
        return QColor(0xd2, 0x99, 0x22);
    case LineageGraph::Kind::UsedByJob:
        return QColor(0x8b, 0x5c, 0xf6);
    case LineageGraph::Kind::UsedByArtifact:
        return QColor(0xbf, 0x87, 0x00);
    }
    return QColor(0x6e, 0x77, 0x81);
}

QString kindName(LineageGraph::Kind kind)
{
    switch (kind) {
    case LineageGraph::Kind::Commit:
        return QObject::tr("commit");
    case LineageGraph::Kind::Data:
        return QObject::tr("data");
    case LineageGraph::Kind::Image:
        return QObject::tr("image");
    case LineageGraph::Kind::Job:
        return QObject::tr("job");
    case LineageGraph::Kind::Artifact:
        return QObject::tr("input");
    case LineageGraph::Kind::Subject:
        return QObject::tr("artifact");
    case LineageGraph::Kind::UsedByJob:
        return QObject::tr("used by");
    case LineageGraph::Kind::UsedByArtifact:
        return QObject::tr("made from it");
    }
    return {};
}

QString shortHash(QString hash)
{
    if (hash.startsWith(QLatin1String("sha256:")))
        hash = hash.mid(7);
    return hash.left(12);
}

QString row(const QString &name, const QString &value)
{
    return QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(name.toHtmlEscaped(), value.toHtmlEscaped());
}

QString table(const QString &title, const QString &rows)
{
    return QStringLiteral("<h3>%1</h3><table cellspacing=\"3\">%2</table>").arg(title.toHtmlEscaped(), rows);
}

QString when(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QObject::tr("—");
}

/// A node: a rounded box with a coloured kind strip, a title and a short second line.
class NodeItem final : public QGraphicsObject
{
public:
    NodeItem(QString key, LineageGraph::Kind kind, QString title, QString subtitle)
        : m_key(std::move(key))
        , m_kind(kind)
        , m_title(std::move(title))
        , m_subtitle(std::move(subtitle))
    {
        setFlag(ItemIsSelectable);
        setCursor(Qt::PointingHandCursor);
        setToolTip(m_title + u'\n' + m_subtitle);
        setZValue(1);
    }
    QString key() const { return m_key; }
    /// A job that wrote scalars is marked with its run's colour, as Compare draws it.
    void setRunColor(const QColor &color) { m_runColor = color; }
    QRectF boundingRect() const override { return QRectF(-1, -1, NodeWidth + 2, NodeHeight + 2); }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override
    {
        const QPalette palette = QApplication::palette();
        const bool selected = option->state & QStyle::State_Selected;
        const bool subject = m_kind == LineageGraph::Kind::Subject;
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(selected  ? palette.color(QPalette::Highlight)
                             : subject ? kindColor(m_kind)
                                       : palette.color(QPalette::Mid),
                             selected || subject ? 2.2 : 1));
        painter->setBrush(palette.color(QPalette::Base));
        painter->drawRoundedRect(QRectF(0, 0, NodeWidth, NodeHeight), 7, 7);
        painter->setPen(Qt::NoPen);
        painter->setBrush(kindColor(m_kind));
        painter->drawRoundedRect(QRectF(0, 0, 6, NodeHeight), 3, 3);
        QFont small = painter->font();
        small.setPointSizeF(small.pointSizeF() * 0.8);
        painter->setFont(small);
        painter->setPen(kindColor(m_kind));
        const QRectF text(14, 4, NodeWidth - 20, NodeHeight - 8);
        painter->drawText(text, Qt::AlignLeft | Qt::AlignTop, kindName(m_kind).toUpper());
        QFont bold = small;
        bold.setPointSizeF(small.pointSizeF() / 0.8);
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(palette.color(QPalette::Text));
        painter->drawText(text.adjusted(0, 13, 0, 0), Qt::AlignLeft | Qt::AlignTop,
                          painter->fontMetrics().elidedText(m_title, Qt::ElideMiddle, int(text.width())));
        painter->setFont(small);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        painter->drawText(text, Qt::AlignLeft | Qt::AlignBottom,
                          painter->fontMetrics().elidedText(m_subtitle, Qt::ElideMiddle, int(text.width())));
        if (m_runColor.isValid()) {
            painter->setPen(m_runColor.darker(130));
            painter->setBrush(m_runColor);
            painter->drawRoundedRect(QRectF(NodeWidth - 16, 6, 10, 10), 2, 2);
        }
    }

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override
    {
        QGraphicsObject::mousePressEvent(event);
        if (auto *graph = qobject_cast<LineageGraph *>(scene()))
            Q_EMIT graph->nodeActivated(m_key, graph->details(m_key));
    }

private:
    QString m_key;
    QColor m_runColor;
    LineageGraph::Kind m_kind;
    QString m_title;
    QString m_subtitle;
};

} // namespace

LineageGraph::LineageGraph(QObject *parent)
    : QGraphicsScene(parent)
{}

LineageGraph::~LineageGraph()
{
    const QSignalBlocker blocker(this);
    clear();
}

QGraphicsItem *LineageGraph::addNode(const QString &key, Kind kind, const QString &title, const QString &subtitle,
                                     const QString &details, int column)
{
    if (QGraphicsItem *existing = m_nodes.value(key))
        return existing;
    auto *node = new NodeItem(key, kind, title, subtitle);
    m_columns[column] << key; // placed by layoutNodes()
    addItem(node);
    m_nodes.insert(key, node);
    m_details.insert(key, details);
    return node;
}

void LineageGraph::addLink(const QString &from, const QString &to, bool faint)
{
    const QGraphicsItem *a = m_nodes.value(from);
    const QGraphicsItem *b = m_nodes.value(to);
    if (!a || !b || a == b)
        return;
    const QPointF p = a->pos() + QPointF(NodeWidth, NodeHeight / 2);
    const QPointF q = b->pos() + QPointF(0, NodeHeight / 2);
    QPainterPath path(p);
    const qreal dx = std::max<qreal>(25, (q.x() - p.x()) / 2);
    path.cubicTo(p + QPointF(dx, 0), q - QPointF(dx, 0), q);
    QColor color = QApplication::palette().color(QPalette::Text);
    color.setAlphaF(faint ? 0.2 : 0.55);
    auto *edge = addPath(path, QPen(color, faint ? 1 : 1.4));
    edge->setZValue(-1);
    ++m_edges;
}

void LineageGraph::reset(const QString &hint)
{
    {
        const QSignalBlocker blocker(this);
        clear();
    }
    m_nodes.clear();
    m_details.clear();
    m_runColors.clear();
    m_columns.clear();
    m_edges = 0;
    m_hint = hint;
}

void LineageGraph::showHint(const QString &text)
{
    reset(text);
    QGraphicsTextItem *item = addText(text);
    item->setDefaultTextColor(QApplication::palette().color(QPalette::PlaceholderText));
    item->setTextWidth(360);
    setSceneRect(itemsBoundingRect().adjusted(-20, -20, 20, 20));
}

void LineageGraph::setReview(const ArtifactReview &review)
{
    reset({});
    const core::ArtifactProvenance &p = review.provenance;
    const QLocale locale(QLocale::English);

    // Left to right by layer: what the runs were made from; the jobs, a column per step of
    // their needs; the artifact; what was made from it.
    addSourceNodes(p, locale);
    const int subjectColumn = addJobNodes(p) + 1;
    addSubjectNode(p.artifact, locale, subjectColumn);
    addUseNodes(review.uses, p.artifact, subjectColumn + 1);
    layoutNodes();

    // Edges: sources → jobs of their run; upstream jobs → consumers; producer → artifact → users → their artifacts.
    addSourceLinks(p);
    addInputLinks(p);
    addUseLinks(review.uses, p.artifact);
    setSceneRect(itemsBoundingRect().adjusted(-20, -20, 20, 20));
}

void LineageGraph::addSourceNodes(const core::ArtifactProvenance &p, const QLocale &locale)
{
    for (const core::LineageCommit &c : p.commits)
        addCommitNode(c, p.runs);
    for (const core::LineageDataVersion &d : p.data)
        addDataNode(d, locale);
    for (const core::LineageImage &i : p.images)
        addImageNode(i, p);
}

void LineageGraph::addCommitNode(const core::LineageCommit &c, const std::vector<core::LineageRun> &runs)
{
    QString rows = row(tr("sha"), c.sha) +
                   row(tr("author"), QStringLiteral("%1 <%2>").arg(c.authorName, c.authorEmail)) +
                   row(tr("committed"), when(c.committed)) + row(tr("message"), c.message);
    for (const core::LineageRun &r : runs) {
        if (r.commitSha == c.sha) {
            rows += row(tr("branch"), r.branch);
            rows += row(tr("uncommitted changes"), r.dirty ? tr("yes (diff %1)").arg(shortHash(r.diffHash)) : tr("no"));
        }
    }
    addNode(QStringLiteral("commit:") + c.sha, Kind::Commit, c.sha.left(10), c.message.section(u'\n', 0, 0),
            table(tr("Commit"), rows), 0);
}

void LineageGraph::addDataNode(const core::LineageDataVersion &d, const QLocale &locale)
{
    const QString rows =
        row(tr("name"), d.name) + row(tr("path"), d.path) + row(tr("hash"), d.hash) +
        row(tr("files"), locale.toString(d.fileCount)) + row(tr("bytes"), locale.toString(d.totalBytes)) +
        (d.dvcMd5.isEmpty() ? QString() : row(tr("DVC md5"), QStringLiteral("%1 (%2)").arg(d.dvcMd5, d.dvcSource)));
    addNode(QStringLiteral("data:%1/%2").arg(d.runId, d.name), Kind::Data, d.name,
            d.hash.isEmpty() ? tr("not versioned") : shortHash(d.hash), table(tr("Data version"), rows), 0);
}

void LineageGraph::addImageNode(const core::LineageImage &i, const core::ArtifactProvenance &p)
{
    QString rows = row(tr("reference"), i.reference) + row(tr("image ID"), i.imageId) +
                   row(tr("digests"), i.repoDigests.join(QStringLiteral(", "))) +
                   (i.buildContextHash.isEmpty() ? QString() : row(tr("built from context"), i.buildContextHash));
    const auto sbom = p.imageSboms.constFind(i.imageId);
    rows += row(tr("bill of materials"),
                sbom == p.imageSboms.constEnd()
                    ? tr("not made (trainyard sbom %1)").arg(i.reference)
                    : tr("%n package(s), %1, CycloneDX sha256 %2", nullptr, sbom->packageCount)
                          .arg(sbom->distribution.isEmpty() ? tr("no os-release") : sbom->distribution,
                               shortHash(sbom->sbomSha256)));
    const auto scan = p.imageScans.constFind(i.imageId);
    QString findings;
    if (scan == p.imageScans.constEnd()) {
        rows += row(tr("vulnerabilities"), tr("not scanned (trainyard scan --osv DIR %1)").arg(i.reference));
    } else {
        rows += row(tr("vulnerabilities"), tr("%1 (scanned %2 against %3)")
                                               .arg(core::SeverityCounts::of(scan->findings).toString(),
                                                    when(scan->scannedAt), scan->sources.join(QStringLiteral("; "))));
        // The worst first, as the store keeps them; a long list is cut with a count of the rest.
        constexpr qsizetype kShown = 25;
        QString list;
        for (qsizetype n = 0; n < scan->findings.size() && n < kShown; ++n) {
            const core::Finding &f = scan->findings.at(n);
            list += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>")
                        .arg(core::severityName(f.severity), f.id.toHtmlEscaped(), f.package.toHtmlEscaped(),
                             f.installedVersion.toHtmlEscaped(),
                             f.fixedVersion.isEmpty() ? tr("no fix")
                                                      : tr("fixed in %1").arg(f.fixedVersion.toHtmlEscaped()));
        }
        if (scan->findings.size() > kShown)
            list += QStringLiteral("<tr><td colspan=\"5\">%1</td></tr>")
                        .arg(tr("… and %n more (trainyard scan --json)", nullptr, int(scan->findings.size() - kShown)));
        if (!list.isEmpty())
            findings = QStringLiteral("<h3>%1</h3><table cellspacing=\"6\">%2</table>").arg(tr("Findings"), list);
    }
    QString subtitle = i.repoDigests.isEmpty() ? (i.imageId.isEmpty() ? tr("not resolved") : shortHash(i.imageId))
                                               : i.repoDigests.first().section(u'@', 1).left(19);
    if (scan != p.imageScans.constEnd()) // the worst it carries, on the card itself (the ID is in the details)
        subtitle = scan->findings.isEmpty() ? tr("no known vulnerability")
                                            : tr("%n finding(s), worst %1", nullptr, int(scan->findings.size()))
                                                  .arg(core::severityName(scan->findings.first().severity));
    addNode(QStringLiteral("image:") + (i.imageId.isEmpty() ? i.reference : i.imageId), Kind::Image, i.reference,
            subtitle, table(tr("Image"), rows) + findings, 0);
}

int LineageGraph::addJobNodes(const core::ArtifactProvenance &p)
{
    // A job's column: one after the deepest of the jobs it waited for (first column: none).
    QHash<QString, int> depth;
    const std::function<int(const QString &)> depthOf = [&](const QString &key) -> int {
        if (const auto it = depth.constFind(key); it != depth.constEnd())
            return *it;
        depth.insert(key, 0); // a cycle (never recorded) stops here
        int d = 0;
        const QString run = key.section(u'/', 0, 0);
        for (const QString &need : p.jobNeeds.value(key)) {
            const QString needKey = run + u'/' + need;
            if (p.jobNeeds.contains(needKey))
                d = std::max(d, depthOf(needKey) + 1);
        }
        depth.insert(key, d);
        return d;
    };
    std::vector<std::pair<int, const core::LineageJob *>> jobs;
    for (const core::LineageJob &j : p.jobs)
        jobs.emplace_back(depthOf(j.runId + u'/' + j.name), &j);
    std::stable_sort(jobs.begin(), jobs.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first < b.first : a.second->started < b.second->started;
    });
    int last = 0;
    for (const auto &[d, job] : jobs) {
        addJobNode(*job, p, 1 + d);
        last = std::max(last, 1 + d);
    }
    return last;
}

void LineageGraph::addJobNode(const core::LineageJob &j, const core::ArtifactProvenance &p, int column)
{
    // Each variable once, with the value the job saw and where it came from.
    QString vars;
    for (const core::EffectiveVariable &v : core::effectiveVariables(p.variables, j.runId, j.name)) {
        const QString origin = v.origin == core::EffectiveVariable::Origin::Pipeline ? tr("pipeline")
                               : v.overridden ? tr("job's own; pipeline: %1").arg(*v.overridden)
                                              : tr("job's own");
        vars += row(v.name, QStringLiteral("%1 (%2)").arg(v.value, origin));
    }
    QString scalars;
    for (const core::LineageScalar &s : p.scalars) {
        if (s.runId == j.runId && s.job == j.name)
            scalars += QStringLiteral("%1=%2 ").arg(s.tag).arg(s.value, 0, 'g', 6);
    }
    // The job's gates with how they came out, and the numbers it reported in files beside them.
    QString gates;
    for (const core::LineageGate &g : p.gates) {
        if (g.runId == j.runId && g.job == j.name)
            gates += row(QStringLiteral("%1 %2 %3").arg(g.metric, g.op).arg(g.threshold),
                         g.value ? tr("%1: %2 (%3)").arg(g.outcome).arg(*g.value, 0, 'g', 6).arg(g.source) : g.outcome);
    }
    QString metrics;
    for (const core::LineageMetric &m : p.metrics) {
        if (m.runId == j.runId && m.job == j.name)
            metrics += row(m.name, QStringLiteral("%1 (%2)").arg(m.value, 0, 'g', 6).arg(m.source));
    }
    const QString rows =
        row(tr("run"), j.runId) + row(tr("stage"), j.stage) + row(tr("status"), j.status) +
        row(tr("exit code"), QString::number(j.exitCode)) + row(tr("attempts"), QString::number(j.attempts)) +
        row(tr("started"), when(j.started)) + row(tr("finished"), when(j.finished)) +
        row(tr("engine"), j.engine + (j.isolation.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(j.isolation))) +
        row(tr("image"), j.image) + row(tr("GPUs"), j.gpus.isEmpty() ? tr("none") : j.gpus.join(u',')) +
        (j.reusedFrom.isEmpty() ? QString() : row(tr("reused from run"), j.reusedFrom)) +
        (vars.isEmpty() ? QString() : row(tr("variables"), QString()) + vars) +
        (scalars.isEmpty() ? QString() : row(tr("final scalars"), scalars.trimmed())) +
        (gates.isEmpty() ? QString() : row(tr("gates"), QString()) + gates) +
        (metrics.isEmpty() ? QString() : row(tr("metrics"), QString()) + metrics);
    const QString key = QStringLiteral("job:%1/%2").arg(j.runId, j.name);
    QGraphicsItem *node = addNode(key, Kind::Job, j.name, QStringLiteral("%1 · %2").arg(j.status, j.stage),
                                  table(tr("Job"), rows), column);
    if (!j.tensorboardDir.isEmpty()) {
        const auto run =
            std::find_if(p.runs.begin(), p.runs.end(), [&](const core::LineageRun &r) { return r.id == j.runId; });
        if (run != p.runs.end()) {
            const QColor color = RunColors::colorFor(QStringLiteral("#%1 %2").arg(run->pipelineIid).arg(j.name));
            static_cast<NodeItem *>(node)->setRunColor(color);
            m_runColors.insert(key, color);
        }
    }
}

void LineageGraph::addSubjectNode(const core::LineageArtifact &a, const QLocale &locale, int column)
{
    const QString subjectRows = row(tr("path"), a.path) + row(tr("sha256"), a.sha256) +
                                row(tr("size"), locale.formattedDataSize(a.size)) + row(tr("job"), a.job) +
                                row(tr("run"), a.runId) +
                                row(tr("expires"), a.expires.isValid() ? when(a.expires) : tr("never"));
    addNode(QStringLiteral("subject"), Kind::Subject, a.path, shortHash(a.sha256), table(tr("Artifact"), subjectRows),
            column);
}

void LineageGraph::addUseNodes(const core::LineageUses &uses, const core::LineageArtifact &a, int column)
{
    const QString subjectJob = QStringLiteral("%1/%2").arg(a.runId, a.job);
    for (const core::LineageJobRef &j : uses.jobs) {
        if (QStringLiteral("%1/%2").arg(j.runId, j.job) == subjectJob)
            continue;
        addNode(QStringLiteral("usedby:%1/%2").arg(j.runId, j.job), Kind::UsedByJob, j.job, tr("run %1").arg(j.runId),
                table(tr("Job that used it"), row(tr("run"), j.runId) + row(tr("job"), j.job)), column);
    }
    for (const core::LineageArtifact &m : uses.artifacts) {
        if (m.sha256 == a.sha256 && m.runId == a.runId)
            continue;
        addNode(QStringLiteral("made:%1/%2").arg(m.runId, m.path), Kind::UsedByArtifact, m.path, shortHash(m.sha256),
                table(tr("Made from it"), row(tr("path"), m.path) + row(tr("sha256"), m.sha256) +
                                              row(tr("job"), m.job) + row(tr("run"), m.runId)),
                column + 1);
    }
}

void LineageGraph::addSourceLinks(const core::ArtifactProvenance &p)
{
    for (const core::LineageJob &j : p.jobs) {
        const QString key = QStringLiteral("job:%1/%2").arg(j.runId, j.name);
        for (const core::LineageRun &r : p.runs) {
            if (r.id == j.runId && !r.commitSha.isEmpty())
                addLink(QStringLiteral("commit:") + r.commitSha, key, true);
        }
        for (const core::LineageDataVersion &d : p.data) {
            if (d.runId == j.runId)
                addLink(QStringLiteral("data:%1/%2").arg(d.runId, d.name), key, true);
        }
        for (const core::LineageImage &i : p.images) {
            if (i.runId == j.runId && (i.reference == j.image || (!j.imageId.isEmpty() && i.imageId == j.imageId)))
                addLink(QStringLiteral("image:") + (i.imageId.isEmpty() ? i.reference : i.imageId), key);
        }
    }
}

void LineageGraph::addInputLinks(const core::ArtifactProvenance &p)
{
    // Artifacts staged from one job into another; then, faint, the other jobs each waited for.
    QSet<QString> linked;
    for (const core::LineageConsumption &c : p.inputs) {
        const QString from = QStringLiteral("job:%1/%2").arg(c.runId, c.producerJob);
        const QString to = QStringLiteral("job:%1/%2").arg(c.runId, c.job);
        if (!linked.contains(from + u'>' + to)) {
            linked.insert(from + u'>' + to);
            addLink(from, to);
        }
    }
    for (auto it = p.jobNeeds.cbegin(); it != p.jobNeeds.cend(); ++it) {
        const QString run = it.key().section(u'/', 0, 0);
        const QString to = QStringLiteral("job:") + it.key();
        for (const QString &need : it.value()) {
            const QString from = QStringLiteral("job:%1/%2").arg(run, need);
            if (!linked.contains(from + u'>' + to)) {
                linked.insert(from + u'>' + to);
                addLink(from, to, true);
            }
        }
    }
}

void LineageGraph::layoutNodes()
{
    // Each column centred on the same line, so the chain from sources to artifact runs straight.
    for (auto it = m_columns.cbegin(); it != m_columns.cend(); ++it) {
        const qsizetype n = it.value().size();
        for (qsizetype i = 0; i < n; ++i) {
            if (QGraphicsItem *node = m_nodes.value(it.value().at(i)))
                node->setPos(it.key() * (NodeWidth + ColumnGap), (qreal(i) - qreal(n - 1) / 2) * (NodeHeight + RowGap));
        }
    }
}

void LineageGraph::addUseLinks(const core::LineageUses &uses, const core::LineageArtifact &a)
{
    addLink(QStringLiteral("job:%1/%2").arg(a.runId, a.job), QStringLiteral("subject"));
    for (const core::LineageJobRef &j : uses.jobs)
        addLink(QStringLiteral("subject"), QStringLiteral("usedby:%1/%2").arg(j.runId, j.job));
    for (const core::LineageArtifact &m : uses.artifacts)
        addLink(QStringLiteral("usedby:%1/%2").arg(m.runId, m.job), QStringLiteral("made:%1/%2").arg(m.runId, m.path));
}

} // namespace trainyard::ui
