#pragma once

#include "engine/runrecord.h"

#include <QHash>
#include <QString>
#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QMenu;
class QTreeWidget;
class QTreeWidgetItem;

namespace trainyard::ui {

/// The past runs of the project, newest first, from the engine's run records: when, status,
/// duration, commit and jobs; a run expands to its jobs. Double-clicking a run (or "Open logs")
/// asks for its logs; a failed job offers "Retry". The records are read on a worker thread.
class RunsList final : public QWidget
{
    Q_OBJECT

public:
    enum Column { RunColumn, StatusColumn, StartedColumn, DurationColumn, ExitCodeColumn, CommitColumn, JobsColumn };

    explicit RunsList(QWidget *parent = nullptr);
    ~RunsList() override;

    /// Shows the runs of the project in `dir` (reads them at once); empty clears the list.
    void setProjectDir(const QString &dir);
    QString projectDir() const { return m_projectDir; }
    /// Reads the run records again, on a worker thread; refreshed() tells when they are shown.
    void refresh();
    bool isLoading() const { return m_loading; }

    /// Shows only runs whose columns, or whose jobs' names or statuses, contain `text`.
    void setFilterText(const QString &text);
    QString filterText() const;

    /// Every run read, newest first (the filter does not apply).
    const std::vector<core::RunRecord> &runs() const { return m_runs; }
    QTreeWidget *tree() const { return m_tree; }
    /// The message shown instead of the list ("No runs yet — press Run (F5)"), or empty.
    QString emptyStateText() const;
    /// The context menu for `item`, a run or a job row; the caller owns and shows it.
    QMenu *createContextMenu(QTreeWidgetItem *item, QWidget *parent);
    /// The run of a run row or of a job row; nullptr for anything else.
    const core::RunRecord *recordOf(const QTreeWidgetItem *item) const;

    /// "4 min 05 s", or "running" for a run without an end.
    static QString durationText(const QDateTime &started, const QDateTime &finished);

Q_SIGNALS:
    /// The user wants to see the logs of `record` (double click, Enter, or "Open logs").
    void openRunLogs(const trainyard::core::RunRecord &record);
    /// The user wants to run `job` of run `runId` again (it failed or was cancelled there).
    void retryJobRequested(const QString &runId, const QString &job);
    /// A refresh has been shown; `runs` records were read.
    void refreshed(int runs);

private:
    void apply(quint64 generation, std::vector<core::RunRecord> runs);
    void rebuild();
    void applyFilter();
    void activate(QTreeWidgetItem *item);

    QString m_projectDir;
    std::vector<core::RunRecord> m_runs; // newest first
    QHash<QString, size_t> m_byId;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_refreshAgain = false;

    QLineEdit *m_filter = nullptr;
    QTreeWidget *m_tree = nullptr;
    QLabel *m_empty = nullptr;
};

} // namespace trainyard::ui
