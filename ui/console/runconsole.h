#pragma once

#include "engine/jobstatus.h"
#include "engine/runrecord.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QTabWidget>

class QLabel;

namespace trainyard::ui {

class JobLogView;
class LogBatcher;

/// The run console: one tab per job with its live log, fed by a LogBatcher, in the run's job
/// order, each tab titled with a status glyph. The empty job name is the run itself (image pulls).
class RunConsole final : public QTabWidget
{
    Q_OBJECT

public:
    explicit RunConsole(LogBatcher *batcher, QWidget *parent = nullptr);
    ~RunConsole() override;

    /// Tabs follow this order (the run's job order); jobs not in it go last, the run's tab first.
    void setJobOrder(const QStringList &jobs);
    /// The view of `job`, created (as a tab) on first use.
    JobLogView *viewFor(const QString &job);
    /// The view of `job` if it has one already.
    JobLogView *existingView(const QString &job) const;

    void setJobStatus(const QString &job, core::JobStatus status);
    /// Forwards a pull/build progress report to the job's view; `total` 0: unknown size.
    void setProgress(const QString &job, const QString &label, qint64 current, qint64 total);

    /// Removes every tab, view and status: a blank console for the next run.
    void reset();
    /// Says which run the tabs are of ("Run #3 · running"), in the tab bar's corner; empty: none.
    void setRunTitle(const QString &text);
    QString runTitle() const;
    /// Replaces the tabs with the jobs of a finished run, in its order, with their final status
    /// and outcome footer; their log lines come after (RunLogLoader reads them from disk).
    void showPastRun(const core::RunRecord &record);

    /// A one-character sign for the tab title, e.g. ✓ for success.
    static QString statusGlyph(core::JobStatus status);
    /// What an empty console says (drawn where the tabs would be).
    static QString emptyText();

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int rank(const QString &job) const;
    QString jobAt(int index) const;
    void updateTitle(const QString &job);

    QLabel *m_runTitle = nullptr;
    QStringList m_order;
    QHash<QString, JobLogView *> m_views;
    QHash<QString, core::JobStatus> m_status;
};

} // namespace trainyard::ui
