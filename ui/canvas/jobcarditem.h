#pragma once

#include "engine/jobstatus.h"

#include <QDateTime>
#include <QGraphicsObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace trainyard::ui {

/// One job on the canvas: its name, short image and badges (GPU, manual, allow-failure,
/// artifacts, matrix × N), coloured by its live status. A view of the model, keyed by job name.
/// When the canvas is editable the card can be dragged to another stage's lane, and the round
/// port on its right edge starts a `needs` edge (the scene does both).
class JobCardItem final : public QGraphicsObject
{
    Q_OBJECT

public:
    static constexpr qreal Width = 210;
    static constexpr qreal Height = 74;

    struct Content
    {
        QString name;
        QString image;
        int gpus = 0; ///< -1 = all
        bool manual = false;
        bool allowFailure = false;
        bool artifacts = false;
        int instances = 1;    ///< parallel / matrix instances
        QStringList problems; ///< validator and linter messages for this job

        bool operator==(const Content &) const = default;
    };

    explicit JobCardItem(Content content, QGraphicsItem *parent = nullptr);

    const QString &jobName() const { return m_content.name; }
    const Content &content() const { return m_content; }
    /// What the card says, changed in place (an edit that moved nothing on the canvas).
    void setContent(Content content);
    void setStatus(std::optional<core::JobStatus> status, const QString &detail = {});
    std::optional<core::JobStatus> status() const { return m_status; }
    /// The run's words on this job: why it failed or was skipped (`reason`, in full) and what it
    /// warns about (artifact paths that matched nothing). Shown in the tooltip; warnings also as
    /// a count on the card.
    void setRunNotes(const QString &reason, const QStringList &warnings);
    const QStringList &warnings() const { return m_warnings; }
    /// When the job started running: a running card shows the time since then.
    void setStarted(const QDateTime &started);
    /// When a job that ran ended: a finished card shows how long it took.
    void setFinished(const QDateTime &finished);
    /// "running · 1:05" for a running job with a start time, "success · 0:12" for one that ran;
    /// what the card's second line says.
    QString statusLine(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    /// Movable by the mouse, with a port for drawing needs edges.
    void setEditable(bool editable);
    bool isEditable() const { return m_editable; }
    /// Where the scene laid the card out; a drag that changes nothing snaps back here.
    QPointF homePos() const { return m_homePos; }
    void setHomePos(const QPointF &pos);
    /// Shows an "Approve" button on the card (a manual job waiting in a run).
    void setApprovable(bool approvable);
    bool isApprovable() const { return m_approvable; }
    /// The "Approve" button, in item coordinates: on the status line, right, so the badges below keep their room.
    static QRectF approveRect();
    /// The line of badges (GPU, manual, may fail, artifacts, instances), in item coordinates.
    static QRectF badgesRect();
    /// The port for needs edges, in item coordinates; generous for the mouse.
    static QRectF portRect();
    /// The port's centre in scene coordinates.
    QPointF portScenePos() const { return mapToScene(portRect().center()); }

Q_SIGNALS:
    void approveClicked(const QString &job);

public:
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QStringList badges() const;

    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

    void updateToolTip();

    Content m_content;
    QString m_reason;
    QStringList m_warnings;
    std::optional<core::JobStatus> m_status;
    QString m_detail;
    QDateTime m_started;
    QDateTime m_finished;
    QPointF m_homePos;
    bool m_editable = false;
    bool m_hovered = false;
    bool m_approvable = false;
};

} // namespace trainyard::ui
