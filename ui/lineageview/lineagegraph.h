#pragma once

#include "lineagequery.h"

#include <QGraphicsScene>
#include <QHash>

namespace trainyard::ui {

/// An artifact's lineage as a graph, read left to right: what it was made from (commit, data
/// versions, images), the jobs upstream of it, the artifact itself, and what was made from it
/// since (the jobs that used it and their artifacts). A click on a node asks for its details.
class LineageGraph final : public QGraphicsScene
{
    Q_OBJECT

public:
    enum class Kind { Commit, Data, Image, Job, Artifact, Subject, UsedByJob, UsedByArtifact };

    explicit LineageGraph(QObject *parent = nullptr);
    ~LineageGraph() override;

    void setReview(const ArtifactReview &review);
    /// Node keys ("job:RUN/NAME", "commit:SHA", "data:RUN/NAME", "image:ID", "artifact:SHA",
    /// "subject", "usedby:RUN/NAME", "made:SHA") of what is shown.
    QStringList nodeKeys() const { return m_nodes.keys(); }
    int edgeCount() const { return m_edges; }
    /// The details of a node as HTML (what the details pane shows when it is clicked).
    QString details(const QString &key) const { return m_details.value(key); }
    QGraphicsItem *node(const QString &key) const { return m_nodes.value(key); }

Q_SIGNALS:
    void nodeActivated(const QString &key, const QString &detailsHtml);

private:
    QGraphicsItem *addNode(const QString &key, Kind kind, const QString &title, const QString &subtitle,
                           const QString &details, int column, int row);
    void addLink(const QString &from, const QString &to, bool faint = false);

    QHash<QString, QGraphicsItem *> m_nodes;
    QHash<QString, QString> m_details;
    int m_edges = 0;
};

} // namespace trainyard::ui
