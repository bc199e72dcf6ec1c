#pragma once

#include "lineagequery.h"

#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>

class QComboBox;
class QGraphicsView;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTextBrowser;
class QTreeWidget;
class QTreeWidgetItem;
class QVBoxLayout;

namespace trainyard::ui {

class LineageGraph;
class ReleaseReviewDialog;
class ZoomableView;

/// The lineage of the project's artifacts: a list of what the runs produced, a search by hash,
/// path or run id, the chosen artifact's graph (made from → artifact → made from it) with the
/// details of a clicked node, and the release review of it. All queries run on worker threads.
class LineageView final : public QWidget
{
    Q_OBJECT

public:
    explicit LineageView(QWidget *parent = nullptr);
    ~LineageView() override;

    void setProjectDir(const QString &dir);
    /// Looks again (on a worker) whether a team store is set, which enables the Team scope.
    void checkTeamStore();
    /// Shows the team's lineage of this project (its runs from every machine) instead of the
    /// project's own; false when no team store is set.
    bool setTeamScope(bool team);
    bool isTeamScope() const { return !m_query->teamStore().isEmpty(); }
    QComboBox *scopeBox() const { return m_scope; }
    /// Re-reads the list of artifacts (after a run).
    void refresh();
    /// Shows the lineage of `target` (sha256, path as collected, or a file).
    void showArtifact(const QString &target, const QString &runId = {});
    /// Opens the release review of the artifact shown.
    void openReview();
    /// Scans the image whose node was clicked last (Scan image…): against the project's
    /// `.trainyard: scan: osv:` and the installed trivy/grype, else a folder asked for; on a
    /// worker, the review shown again when it is recorded (imageScanDone).
    void scanSelectedImage();
    /// The image ID of the image node clicked last in the graph shown; empty: none.
    QString selectedImage() const { return m_selectedImage; }
    QPushButton *scanImageButton() const { return m_scanButton; }
    /// Asks where, then saves a copy of the artifact shown (see saveCopy).
    void chooseCopyDestination();
    /// Copies the artifact shown out of the content-addressed store to `destination` on a worker
    /// thread, checking its sha256 on the way (a `.part` file renamed at the end, so a failed copy
    /// leaves nothing half-written); answers with copySaved.
    void saveCopy(const QString &destination);

    QTreeWidget *artifactList() const { return m_list; }
    LineageGraph *graph() const { return m_graph; }
    /// The graph's view: Ctrl+wheel zooms, dragging pans, View ▸ Zoom to fit and Actual size work on it.
    ZoomableView *graphView() const { return m_view; }
    /// What the graph says while no artifact is shown.
    static QString emptyGraphHint();
    QTextBrowser *detailsPane() const { return m_details; }
    QLabel *statusLabel() const { return m_status; }
    const std::optional<ArtifactReview> &current() const { return m_review; }
    ReleaseReviewDialog *reviewDialog() const { return m_dialog; }
    LineageQuery *query() const { return m_query; }

Q_SIGNALS:
    /// checkTeamStore() found out whether a team store is set.
    void teamStoreChecked(bool available);
    /// A review was shown (a search, a click in the list, or after a sign-off).
    void reviewShown();
    /// A copy of an artifact was written to `destination`, or failed with `error`.
    void copySaved(const QString &destination, const QString &error);
    /// scanSelectedImage() ended: `summary` says what was found, or `error` why it was not scanned.
    void imageScanDone(const QString &summary, const QString &error);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    // The steps of the constructor.
    /// Adds the search field and the Refresh, Save a copy… and Release review… buttons to `layout`; returns Refresh.
    QPushButton *createToolBar(QVBoxLayout *layout);
    /// Adds the splitter of the artifact list, the graph's view and the details pane to `layout`.
    void createPanes(QVBoxLayout *layout);
    /// Adds the status line to `layout`.
    void createStatusLabel(QVBoxLayout *layout);
    /// Connects the search, the list, the buttons (`refreshButton` among them), the graph and the query.
    void connectSignals(QPushButton *refreshButton);
    /// Lists `artifacts` under a heading for each of their runs (newest first) and says how many
    /// there are, and where older runs' are when the list leaves them out.
    void fillArtifactList(const std::vector<core::LineageArtifact> &artifacts,
                          const std::vector<core::LineageRun> &runs, bool olderRuns);
    /// A new heading for the list, of the run `runId` (`run` its record, null when unknown), not
    /// yet in the list.
    QTreeWidgetItem *runHeading(const QString &runId, const core::LineageRun *run) const;

    /// Scans `imageId` on a worker (one at a time; never in the Team scope).
    void startScan(const QString &imageId, const QString &reference, const QString &osvDir);
    /// A scan of `imageId` answered: false when the view no longer waits for it.
    bool endScan(const QString &imageId);
    /// Another project or scope: the scan's answer is not waited for, the selection goes.
    void forgetScan();

    void sizeSplitOnce();
    void fitGraph();
    void showReview(const ArtifactReview &review);

    LineageQuery *m_query;
    QComboBox *m_scope; ///< This project | Team
    QString m_teamUrl;  ///< the team store set for the project (TeamPush::configured); empty: none
    QLineEdit *m_search;
    QTreeWidget *m_list;
    QSplitter *m_split = nullptr;
    QSplitter *m_graphSplit = nullptr; ///< the graph above the details of a node
    bool m_splitSized = false;
    LineageGraph *m_graph;
    ZoomableView *m_view;
    QTextBrowser *m_details;
    QLabel *m_status;
    QPushButton *m_reviewButton;
    QPushButton *m_saveButton;
    QPushButton *m_scanButton;
    QString m_selectedImage; ///< the image ID of the image node clicked last
    QString m_scanningImage; ///< the image a Scan image… runs for; empty: none
    /// Set when the view goes: a scan (its export, a scanner) stops then.
    std::shared_ptr<std::atomic_bool> m_stopScan = std::make_shared<std::atomic_bool>(false);
    QString m_scanNote;     ///< what the last scan found, added to the status of the review it asked for
    bool m_copying = false; ///< a Save a copy… is running
    /// Set when the view goes: a download from the team's registry stops then, not at its end.
    std::shared_ptr<std::atomic_bool> m_stopCopy = std::make_shared<std::atomic_bool>(false);
    ReleaseReviewDialog *m_dialog = nullptr;
    std::optional<ArtifactReview> m_review;
};

} // namespace trainyard::ui
