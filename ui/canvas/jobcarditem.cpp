#include "jobcarditem.h"

#include "style/statuscolors.h"

#include <QApplication>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace trainyard::ui {

JobCardItem::JobCardItem(Content content, QGraphicsItem *parent)
    : QGraphicsObject(parent)
    , m_content(std::move(content))
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(1);
    updateToolTip();
}

void JobCardItem::setContent(Content content)
{
    if (content == m_content)
        return;
    m_content = std::move(content);
    updateToolTip();
    update();
}

void JobCardItem::updateToolTip()
{
    QStringList tip{m_content.name};
    if (!m_content.image.isEmpty())
        tip << tr("image: %1").arg(m_content.image);
    tip << m_content.problems;
    if (!m_reason.isEmpty())
        tip << m_reason;
    for (const QString &w : m_warnings)
        tip << tr("warning: %1").arg(w);
    // As rich text, which Qt wraps: a long failure reason is read whole, not as one line off-screen.
    QStringList escaped;
    for (const QString &line : std::as_const(tip))
        escaped << line.toHtmlEscaped();
    setToolTip(QStringLiteral("<qt>") + escaped.join(QStringLiteral("<br>")) + QStringLiteral("</qt>"));
}

void JobCardItem::setRunNotes(const QString &reason, const QStringList &warnings)
{
    if (reason == m_reason && warnings == m_warnings)
        return;
    m_reason = reason;
    m_warnings = warnings;
    updateToolTip();
    update();
}

void JobCardItem::setStatus(std::optional<core::JobStatus> status, const QString &detail)
{
    m_status = status;
    m_detail = detail;
    if (!status)
        setRunNotes({}, {});
    if (!status || *status == core::JobStatus::Pending || *status == core::JobStatus::Manual)
        m_started = {};
    if (!status || !core::isFinal(*status))
        m_finished = {};
    update();
}

void JobCardItem::setFinished(const QDateTime &finished)
{
    m_finished = finished;
    update();
}

void JobCardItem::setStarted(const QDateTime &started)
{
    m_started = started;
    update();
}

QString JobCardItem::statusLine(const QDateTime &now) const
{
    if (!m_status)
        return m_content.image.section(u'/', -1);
    QStringList parts{core::jobStatusToString(*m_status)};
    const auto clock = [](qint64 s) {
        s = std::max<qint64>(0, s);
        return s >= 3600 ? QStringLiteral("%1:%2:%3")
                               .arg(s / 3600)
                               .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
                               .arg(s % 60, 2, 10, QLatin1Char('0'))
                         : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    };
    if (*m_status == core::JobStatus::Running && m_started.isValid())
        parts << clock(m_started.secsTo(now));
    else if (core::isFinal(*m_status) && m_started.isValid() && m_finished.isValid())
        parts << clock(m_started.secsTo(m_finished)); // how long it took
    if (!m_detail.isEmpty())
        parts << m_detail;
    if (!m_warnings.isEmpty())
        parts << tr("⚠ %n warning(s)", nullptr, int(m_warnings.size()));
    return parts.join(QStringLiteral(" · "));
}

void JobCardItem::setEditable(bool editable)
{
    m_editable = editable;
    setFlag(ItemIsMovable, editable);
    setCursor(editable ? Qt::OpenHandCursor : Qt::ArrowCursor);
    update();
}

void JobCardItem::setHomePos(const QPointF &pos)
{
    m_homePos = pos;
    setPos(pos);
}

void JobCardItem::setApprovable(bool approvable)
{
    m_approvable = approvable;
    update();
}

QRectF JobCardItem::approveRect()
{
    return QRectF(Width - 78, 24, 70, 20);
}

QRectF JobCardItem::badgesRect()
{
    return QRectF(14, Height - 22, Width - 22, 16);
}

void JobCardItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_approvable && event->button() == Qt::LeftButton && approveRect().contains(event->pos())) {
        event->accept();
        Q_EMIT approveClicked(m_content.name);
        return;
    }
    if (m_editable)
        setCursor(Qt::ClosedHandCursor);
    QGraphicsObject::mousePressEvent(event);
}

void JobCardItem::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_editable)
        setCursor(Qt::OpenHandCursor);
    QGraphicsObject::mouseReleaseEvent(event);
}

QRectF JobCardItem::portRect()
{
    return QRectF(Width - 9, Height / 2 - 9, 18, 18);
}

void JobCardItem::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = true;
    update();
    QGraphicsObject::hoverEnterEvent(event);
}

void JobCardItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = false;
    update();
    QGraphicsObject::hoverLeaveEvent(event);
}

QRectF JobCardItem::boundingRect() const
{
    return QRectF(0, 0, Width, Height).adjusted(-2, -2, 2, 2).united(portRect().adjusted(-1, -1, 1, 1));
}

QStringList JobCardItem::badges() const
{
    QStringList out;
    if (m_content.gpus != 0)
        out << (m_content.gpus < 0 ? tr("GPU all") : tr("GPU %1").arg(m_content.gpus));
    if (m_content.manual)
        out << tr("manual");
    if (m_content.allowFailure)
        out << tr("may fail");
    if (m_content.artifacts)
        out << tr("artifacts");
    if (m_content.instances > 1)
        out << QStringLiteral("\u00d7 %1").arg(m_content.instances);
    return out;
}

void JobCardItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget)
{
    Q_UNUSED(widget);
    const QPalette palette = QApplication::palette();
    const QRectF r(0, 0, Width, Height);
    painter->setRenderHint(QPainter::Antialiasing);
    const bool selected = option->state & QStyle::State_Selected;
    painter->setPen(
        QPen(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Mid), selected ? 2.5 : 1));
    painter->setBrush(palette.color(QPalette::Base));
    painter->drawRoundedRect(r, 8, 8);
    // The status stripe on the left edge.
    painter->setPen(Qt::NoPen);
    painter->setBrush(jobStatusColor(m_status, palette));
    painter->drawRoundedRect(QRectF(0, 0, 6, Height), 3, 3);

    QFont bold = painter->font();
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(palette.color(QPalette::Text));
    const QRectF text = r.adjusted(14, 6, -8, -6);
    painter->drawText(text, Qt::AlignLeft | Qt::AlignTop,
                      painter->fontMetrics().elidedText(m_content.name, Qt::ElideRight, int(text.width()) - 18));
    if (!m_content.problems.isEmpty()) {
        painter->setPen(QColor(0xcf, 0x22, 0x2e));
        painter->drawText(text, Qt::AlignRight | Qt::AlignTop, QStringLiteral("\u26a0"));
    }
    QFont small = painter->font();
    small.setBold(false);
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter->setFont(small);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    const QString second = statusLine();
    painter->drawText(
        text.adjusted(0, 20, 0, 0), Qt::AlignLeft | Qt::AlignTop,
        // Cut at the end: what a job waits for reads from its first words ("held until its n…"),
        // and a cluster's reason code in parentheses comes last.
        painter->fontMetrics().elidedText(second, Qt::ElideRight, int(text.width()) - (m_approvable ? 80 : 0)));
    painter->drawText(badgesRect(), Qt::AlignLeft | Qt::AlignBottom,
                      painter->fontMetrics().elidedText(badges().join(QStringLiteral("  ·  ")), Qt::ElideRight,
                                                        int(badgesRect().width())));
    if (m_approvable) {
        const QColor manual = jobStatusColor(core::JobStatus::Manual, palette);
        painter->setPen(Qt::NoPen);
        painter->setBrush(manual);
        painter->drawRoundedRect(approveRect(), 4, 4);
        painter->setPen(Qt::white);
        QFont f = painter->font();
        f.setBold(true);
        painter->setFont(f);
        painter->drawText(approveRect(), Qt::AlignCenter, tr("Approve"));
    }
    // The needs port: drag from here to another card to make that card need this one.
    if (m_editable && (m_hovered || selected)) {
        QColor port = palette.color(QPalette::Highlight);
        painter->setPen(QPen(port, 1.5));
        painter->setBrush(palette.color(QPalette::Base));
        painter->drawEllipse(portRect().center(), 5.5, 5.5);
        painter->setBrush(port);
        painter->drawEllipse(portRect().center(), 2.5, 2.5);
    }
}

} // namespace trainyard::ui
