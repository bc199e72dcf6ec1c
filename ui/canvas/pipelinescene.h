#pragma once

#include "engine/jobstatus.h"
#include "pipeline/pipeline.h"

#include <QDateTime>
#include <QGraphicsScene>
#include <QHash>
#include <QSet>
#include <QTimer>

#include <optional>

class QGraphicsPathItem;
class QGraphicsRectItem;
class QPalette;

namespace trainyard::ui {

class JobCardItem;

/// The pipeline as a picture: stages are lanes left to right (`.pre` first, `.post` last), each
/// job a card in its lane, `needs` drawn as edges and the implicit "after the previous stage"
/// order as faint ones. Rebuilt from the model; cards are found by job name.
///
/// When editable, the mouse composes: a card dropped on another lane asks to move the job there,
/// a drag from a card's port to another card asks for a `needs` edge, and Delete on a selected
/// edge or card asks to remove it. The scene only asks (signals); the document makes the edit
/// and the scene is rebuilt from the new model.
class PipelineScene final : public QGraphicsScene
{
    Q_OBJECT

public:
    /// Item data keys: what an item is, and which stage or jobs it belongs to.
    enum DataKey { KindKey = 0, StageKey = 1, FromKey = 2, ToKey = 3 };

    explicit PipelineScene(QObject *parent = nullptr);
    ~PipelineScene() override;

    /// Shows `pipeline` (jobs that are `when: never` are left out, parallel instances are one card).
    void setPipeline(const core::Pipeline &pipeline, const std::vector<core::Error> &lint = {});
    JobCardItem *card(const QString &job) const;
    QStringList lanes() const { return m_lanes; }
    int needsEdgeCount() const { return m_needsEdges; }
    int implicitEdgeCount() const { return m_implicitEdges; }
    /// Implicit edges not drawn because the earlier lane holds too many jobs.
    int implicitEdgesOmitted() const { return m_implicitOmitted; }
    static constexpr int kMaxImplicitFanIn = 12;
    /// The needs edge `job` ← `need`, or nullptr.
    QGraphicsPathItem *needsEdge(const QString &job, const QString &need) const;
    /// The lane (background) of `stage`, or nullptr.
    QGraphicsRectItem *lane(const QString &stage) const;
    /// The stage whose lane holds the scene x coordinate, or empty.
    QString stageAt(const QPointF &scenePos) const;

    /// Live status of a job (parallel instances update their shared card); `started` makes a
    /// running card count its elapsed time.
    /// The run's full reason and warnings for a job (the card's tooltip and warning count).
    void setJobNotes(const QString &job, const QString &reason, const QStringList &warnings);
    /// A job's status in the run shown; `started` and `finished` give a running card its elapsed
    /// time and a finished one its duration.
    /// What a running job's card says after its time: where an engine with a queue has it
    /// ("waiting for GPUs (Resources)", "running on gpu01"). Ignored for a card not running.
    void setJobDetail(const QString &job, const QString &detail);
    void setJobStatus(const QString &job, core::JobStatus status, const QString &detail = {},
                      const QDateTime &started = {}, const QDateTime &finished = {});
    /// Forgets every card's live status (a new run, or back to editing).
    void clearJobStatus();
    /// Whether waiting manual jobs show their "Approve" button (while a run is active).
    void setApprovalsEnabled(bool enabled);

    /// Whether the mouse may compose (off while a run is active).
    void setEditable(bool editable);
    bool isEditable() const { return m_editable; }

Q_SIGNALS:
    /// A card was dropped on another stage's lane.
    void moveJobRequested(const QString &job, const QString &stage);
    /// An edge was drawn from `need`'s port to `job`: `job` should need `need`.
    void addNeedRequested(const QString &job, const QString &need);
    /// A selected needs edge was deleted.
    void removeNeedRequested(const QString &job, const QString &need);
    /// A selected card was deleted.
    void removeJobRequested(const QString &job);
    /// The "Approve" button of a waiting manual job was clicked.
    void approveRequested(const QString &job);
    /// The selected card changed (empty: none).
    void currentJobChanged(const QString &job);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    struct Edge
    {
        QGraphicsPathItem *item = nullptr;
        QString from;
        QString to;
        bool implicit = false;
    };
    void addEdge(const JobCardItem *from, const JobCardItem *to, bool implicit);
    static QPainterPath edgePath(const QPointF &a, const QPointF &b);
    void updateEdges();
    void highlightLane(const QString &stage);
    JobCardItem *cardAt(const QPointF &scenePos, const JobCardItem *except = nullptr) const;
    void tickElapsed();

    // The steps of setPipeline().
    /// The job name of the selected card (the last one, if several), or empty.
    QString selectedJob() const;
    /// Each card's live status, by job name.
    QHash<QString, std::optional<core::JobStatus>> cardStatuses() const;
    /// Gives each card what its job says now; for a pipeline laid out as the scene is (m_layout).
    void updateCards(const core::Pipeline &pipeline, const QHash<QString, QStringList> &problems);
    /// Removes every item (without signals) and forgets the cards, lanes and edges.
    void resetScene();
    /// Adds a title over each lane of m_lanes; returns each stage's lane index.
    QHash<QString, int> addLaneTitles(const QPalette &palette);
    /// Adds a card for each shown job key, in its lane, restoring its live status; returns the rows of each lane.
    QHash<int, int> addCards(const core::Pipeline &pipeline, const QHash<QString, QStringList> &problems,
                             const QHash<QString, int> &laneOf,
                             const QHash<QString, std::optional<core::JobStatus>> &statuses);
    /// Adds the lane backgrounds, sized to the tallest lane.
    void addLaneBackgrounds(const QHash<int, int> &rowsInLane, const QPalette &palette);
    /// Adds the edges into each job's card: its needs, or the implicit order after the previous used lane.
    void addEdges(const core::Pipeline &pipeline, const QHash<QString, int> &laneOf);
    /// Adds an edge into `to` from each of `job`'s needs not `drawn` yet.
    void addNeedsEdges(const core::Job &job, const JobCardItem *to, QSet<QPair<QString, QString>> &drawn);
    /// Adds an implicit edge into `to` from every card of the nearest used lane before `lane` not
    /// `drawn` yet; none when that lane holds more than kMaxImplicitFanIn cards (the lanes' order
    /// says it, and thousands of dashed lines would hide the needs edges and cost seconds an edit).
    void addImplicitEdges(const JobCardItem *to, int lane, const QHash<int, QList<const JobCardItem *>> &cardsByLane,
                          QSet<QPair<QString, QString>> &drawn);
    /// Selects the card of `selected` again, or says the current job is gone.
    void restoreSelection(const QString &selected);

    /// Emits after the current mouse event has returned: the edit rebuilds the scene.
    template <typename F> void later(F emitter);

    /// What the items were laid out from (see layoutKey() in the .cpp): an edit that leaves it
    /// as it is changes the cards' words, and nothing is built again.
    QString m_layout;
    QHash<QString, JobCardItem *> m_cards; // by base name
    QHash<QString, QString> m_baseOf;      // instance name -> base name
    QHash<QString, QString> m_stageOf;     // base name -> stage
    QStringList m_lanes;
    QHash<QString, QGraphicsRectItem *> m_laneItems;
    std::vector<Edge> m_edges;
    int m_needsEdges = 0;
    int m_implicitEdges = 0;
    int m_implicitOmitted = 0;
    bool m_editable = false;
    bool m_approvals = false;
    // Drawing a needs edge from a card's port.
    JobCardItem *m_connectFrom = nullptr;
    QGraphicsPathItem *m_rubberEdge = nullptr;
    bool m_dragging = false;
    QString m_highlightedLane;
    QTimer m_elapsedTimer;
};

} // namespace trainyard::ui
