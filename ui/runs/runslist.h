#pragma once

#include "engine/runrecord.h"
#include "lineage/lineagerecords.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QTreeWidget;
class QTreeWidgetItem;

namespace trainyard::ui {

/// The past runs of the project, newest first, from the engine's run records: when, status,
/// duration, commit and jobs; a run expands to its jobs. Double-clicking a run (or "Open logs")
/// asks for its logs; a failed job offers "Retry"; selected runs can be compared (their scalars)
/// or a run reproduced, or named, tagged and given notes. The filter takes free text (a run's
/// name and tags too) and `branch:`, `status:`, `commit:`, `tag:`, `image:` and `data:` terms;
/// the last two are looked up in the lineage database. Records and lineage are read, and names
/// written, on worker threads.
class RunsList final : public QWidget
{
    Q_OBJECT

public:
    enum Column { RunColumn, StatusColumn, StartedColumn, DurationColumn, ExitCodeColumn, CommitColumn, JobsColumn };

    explicit RunsList(QWidget *parent = nullptr);
    ~RunsList() override;

    /// Shows the runs of the project in `dir` (reads them at once); empty clears the list.
    void setProjectDir(const QString &dir);
    /// Looks again (on a worker) whether a team store is set, which enables the Team scope.
    void checkTeamStore();
    /// Lists this project's runs from every machine, in the team's store (read only: logs,
    /// Compare, Retry and Reproduce need a run recorded here); false when no team store is set.
    bool setTeamScope(bool team);
    bool isTeamScope() const { return !m_teamUrl.isEmpty() && m_teamScope; }
    QComboBox *scopeBox() const { return m_scope; }
    QString projectDir() const { return m_projectDir; }
    /// Reads the run records again, on a worker thread; refreshed() tells when they are shown.
    void refresh();
    bool isLoading() const { return m_loading; }

    /// Shows only runs that match every term of `text`: `branch:NAME`, `status:STATUS`,
    /// `commit:SHA-PREFIX`, `image:REFERENCE-OR-DIGEST`, `data:HASH` (image and data from the
    /// lineage database), and free words found in a column or a job's name or status.
    void setFilterText(const QString &text);
    QString filterText() const;

    /// Every run read, newest first (the filter does not apply).
    const std::vector<core::RunRecord> &runs() const { return m_runs; }
    /// A run's name, notes and tags (empty when it has none).
    core::LineageRunAnnotation annotationOf(const QString &runId) const { return m_annotations.value(runId); }
    /// Writes a run's name, notes and tags to the lineage database on a worker thread; the list
    /// shows them once written (annotated()), or says why not (annotationFailed()).
    void annotate(const QString &runId, const core::LineageRunAnnotation &annotation);
    /// Asks for a run's name, notes and tags in a dialog, then annotate()s.
    void editAnnotation(const QString &runId);
    /// Run `runId` used the host shell, not a container engine (a retry of it runs there too).
    /// The engine run `runId` used ("docker", "shell", "slurm"); empty when it is not listed.
    QString engineOf(const QString &runId) const;
    QTreeWidget *tree() const { return m_tree; }
    /// The message shown instead of the list ("No runs yet — press Run (F5)"), or empty.
    QString emptyStateText() const;
    /// The context menu for `item`, a run or a job row; the caller owns and shows it.
    QMenu *createContextMenu(QTreeWidgetItem *item, QWidget *parent);
    /// The run of a run row or of a job row; nullptr for anything else.
    const core::RunRecord *recordOf(const QTreeWidgetItem *item) const;

    /// The ids of the selected runs (a selected job row counts for its run), newest first.
    QStringList selectedRunIds() const;
    /// Ids of the runs shown now (passing the filter), newest first.
    QStringList visibleRunIds() const;
    /// True while the lineage database is asked which runs match an image: or data: term.
    bool isFilterLoading() const { return m_lineageLoading; }

    /// The colour a run row (the first job with scalars) or a job row with scalars is drawn with,
    /// as Compare draws its curves (RunColors of "#N job"); invalid for rows without scalars.
    static constexpr int RunColorRole = Qt::UserRole + 20;
    /// Runs hovered elsewhere (Compare): their rows are shown in bold. Empty clears.
    void setHighlightedRuns(const QStringList &runIds);
    QStringList highlightedRuns() const { return m_highlight; }
    /// "4 min 05 s", or "running" for a run without an end.
    static QString durationText(const QDateTime &started, const QDateTime &finished);

Q_SIGNALS:
    /// checkTeamStore() found out whether a team store is set.
    void teamStoreChecked(bool available);
    /// The user wants to see the logs of `record` (double click, Enter, or "Open logs").
    void openRunLogs(const trainyard::core::RunRecord &record);
    /// The user wants to run `job` of run `runId` again (it failed or was cancelled there).
    void retryJobRequested(const QString &runId, const QString &job);
    /// The user wants the scalars of these runs side by side (the Compare view).
    void compareRequested(const QStringList &runIds);
    /// The user wants run `runId` reproduced (same commit, images and data; artifacts compared).
    void reproduceRequested(const QString &runId);
    /// A run's name, notes or tags were written.
    void annotated(const QString &runId);
    /// They could not be (`message` says why); the list is unchanged.
    void annotationFailed(const QString &runId, const QString &message);
    /// The pointer is over run `runId`'s row (or one of its jobs); empty when it left the list.
    void runHovered(const QString &runId);
    /// A refresh has been shown; `runs` records were read.
    void refreshed(int runs);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Listing
    {
        std::vector<core::RunRecord> runs;
        QHash<QString, core::LineageRunAnnotation> annotations;
        QHash<QString, QStringList> tensorboardJobs; ///< by run id
        QHash<QString, QString> hosts;               ///< the machine each ran on, by run id
        QString error;                               ///< why the runs could not be read (team scope)
    };
    void apply(quint64 generation, Listing listing);
    void rebuild();
    void applyFilter();
    void lookUpLineage(const QString &image, const QString &data);
    void activate(QTreeWidgetItem *item);

    QString m_projectDir;
    std::vector<core::RunRecord> m_runs; // newest first
    QHash<QString, core::LineageRunAnnotation> m_annotations;
    QStringList m_highlight;
    QHash<QString, QStringList> m_tensorboardJobs; ///< jobs with scalars, by run: they get the run's colour
    QHash<QString, size_t> m_byId;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_refreshAgain = false;
    QString m_lineageQuery;      ///< the image:/data: terms of the filter now
    QString m_lineageIdsFor;     ///< the terms m_lineageIds were found for
    QSet<QString> m_lineageIds;  ///< runs the lineage database matched for them
    bool m_lineageStale = false; ///< runs were re-read: ask the database again
    QString m_lineageError;
    bool m_lineageLoading = false;
    quint64 m_lineageGeneration = 0;

    QComboBox *m_scope = nullptr; ///< This project | Team
    QString m_teamUrl;            ///< the team store set for the project; empty: none
    bool m_teamScope = false;
    QHash<QString, QString> m_hosts;
    QString m_readError;
    QLineEdit *m_filter = nullptr;
    QTreeWidget *m_tree = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_more = nullptr; ///< says that older runs are not listed
};

} // namespace trainyard::ui
