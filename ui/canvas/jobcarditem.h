#pragma once

#include "engine/jobstatus.h"

#include <QGraphicsObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace trainyard::ui {

/// One job on the canvas: its name, short image and badges (GPU, manual, allow-failure,
/// artifacts, matrix × N), coloured by its live status. A view of the model, keyed by job name.
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
        int gpus = 0;            ///< -1 = all
        bool manual = false;
        bool allowFailure = false;
        bool artifacts = false;
        int instances = 1;       ///< parallel / matrix instances
        QStringList problems;    ///< validator and linter messages for this job
    };

    explicit JobCardItem(Content content, QGraphicsItem *parent = nullptr);

    const QString &jobName() const { return m_content.name; }
    const Content &content() const { return m_content; }
    void setStatus(std::optional<core::JobStatus> status, const QString &detail = {});
    std::optional<core::JobStatus> status() const { return m_status; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QStringList badges() const;

    Content m_content;
    std::optional<core::JobStatus> m_status;
    QString m_detail;
};

} // namespace trainyard::ui
