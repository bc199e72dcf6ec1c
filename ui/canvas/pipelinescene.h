#pragma once

#include "engine/jobstatus.h"
#include "pipeline/pipeline.h"

#include <QGraphicsScene>
#include <QHash>

namespace trainyard::ui {

class JobCardItem;

/// The pipeline as a picture: stages are lanes left to right (`.pre` first, `.post` last), each
/// job a card in its lane, `needs` drawn as edges and the implicit "after the previous stage"
/// order as faint ones. Rebuilt from the model; cards are found by job name.
class PipelineScene final : public QGraphicsScene
{
    Q_OBJECT

public:
    explicit PipelineScene(QObject *parent = nullptr);

    /// Shows `pipeline` (jobs that are `when: never` are left out, parallel instances are one card).
    void setPipeline(const core::Pipeline &pipeline, const std::vector<core::Error> &lint = {});
    JobCardItem *card(const QString &job) const;
    QStringList lanes() const { return m_lanes; }
    int needsEdgeCount() const { return m_needsEdges; }
    int implicitEdgeCount() const { return m_implicitEdges; }
    /// Live status of a job (parallel instances update their shared card).
    void setJobStatus(const QString &job, core::JobStatus status, const QString &detail = {});

private:
    void addEdge(const JobCardItem *from, const JobCardItem *to, bool implicit);

    QHash<QString, JobCardItem *> m_cards;   // by base name
    QHash<QString, QString> m_baseOf;         // instance name -> base name
    QStringList m_lanes;
    int m_needsEdges = 0;
    int m_implicitEdges = 0;
};

} // namespace trainyard::ui
