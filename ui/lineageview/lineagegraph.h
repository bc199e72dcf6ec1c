#pragma once

#include "lineagequery.h"

#include <QColor>
#include <QGraphicsScene>
#include <QHash>
#include <QMap>

#include <vector>

class QLocale;

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
    /// No artifact shown: the graph is cleared and says `text` (what to do to see one).
    void showHint(const QString &text);
    /// The hint shown, or empty while a graph is.
    QString hint() const { return m_hint; }
    /// Node keys ("job:RUN/NAME", "commit:SHA", "data:RUN/NAME", "image:ID", "artifact:SHA",
    /// "subject", "usedby:RUN/NAME", "made:SHA") of what is shown.
    QStringList nodeKeys() const { return m_nodes.keys(); }
    int edgeCount() const { return m_edges; }
    /// The details of a node as HTML (what the details pane shows when it is clicked).
    QString details(const QString &key) const { return m_details.value(key); }
    QGraphicsItem *node(const QString &key) const { return m_nodes.value(key); }
    /// The run colour a job node is marked with (its run's curves in Compare); invalid for nodes
    /// of jobs that wrote no scalars.
    QColor runColor(const QString &key) const { return m_runColors.value(key); }

Q_SIGNALS:
    void nodeActivated(const QString &key, const QString &detailsHtml);

private:
    /// Empties the scene and everything kept about its nodes; `hint` is what it will say.
    void reset(const QString &hint);
    /// Adds a node to `column` (below the ones already there); layoutNodes() places it.
    QGraphicsItem *addNode(const QString &key, Kind kind, const QString &title, const QString &subtitle,
                           const QString &details, int column);
    /// Places the nodes: a column each, left to right, every column centred on the same line.
    void layoutNodes();
    void addLink(const QString &from, const QString &to, bool faint = false);

    // The steps of setReview().
    /// Adds column 0: the commits, data versions and images the runs were made from.
    void addSourceNodes(const core::ArtifactProvenance &p, const QLocale &locale);
    /// Adds the node of commit `c`, with the branch and changes of the `runs` made from it.
    void addCommitNode(const core::LineageCommit &c, const std::vector<core::LineageRun> &runs);
    /// Adds the node of data version `d`.
    void addDataNode(const core::LineageDataVersion &d, const QLocale &locale);
    /// Adds the node of image `i`.
    /// An image and, when made, its bill of materials and its latest vulnerability scan.
    void addImageNode(const core::LineageImage &i, const core::ArtifactProvenance &p);
    /// Adds the jobs from column 1 on, a column per step of their needs (the jobs they waited
    /// for to the left); returns the last job column.
    int addJobNodes(const core::ArtifactProvenance &p);
    /// Adds the node of job `j`, with its variables and final scalars from `p`.
    void addJobNode(const core::LineageJob &j, const core::ArtifactProvenance &p, int column);
    /// Adds the artifact `a` in `column`.
    void addSubjectNode(const core::LineageArtifact &a, const QLocale &locale, int column);
    /// Adds what was made from artifact `a`: the jobs that used it in `column`, their artifacts after.
    void addUseNodes(const core::LineageUses &uses, const core::LineageArtifact &a, int column);
    /// Links each job to the commit, data versions and images of its run.
    void addSourceLinks(const core::ArtifactProvenance &p);
    /// Links the jobs that produced staged artifacts to the jobs they were staged into (once a
    /// pair), and faintly each job to the others it waited for.
    void addInputLinks(const core::ArtifactProvenance &p);
    /// Links the producer to artifact `a`, `a` to the jobs that used it, and those to their artifacts.
    void addUseLinks(const core::LineageUses &uses, const core::LineageArtifact &a);

    QHash<QString, QGraphicsItem *> m_nodes;
    QHash<QString, QColor> m_runColors;
    QHash<QString, QString> m_details;
    QMap<int, QStringList> m_columns; ///< column → node keys, top to bottom
    QString m_hint;
    int m_edges = 0;
};

} // namespace trainyard::ui
