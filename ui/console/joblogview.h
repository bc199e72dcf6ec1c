#pragma once

#include "console/ansitext.h"
#include "engine/containerspec.h"

#include <QList>
#include <QString>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QTimer;
class QToolButton;
class QVBoxLayout;

namespace trainyard::ui {

/// The live log of one job: ANSI colours, stderr and system lines set apart, a line cap,
/// follow-tail, search with highlights, pull/build progress and the job's outcome.
class JobLogView final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DefaultMaximumLines = 50000;

    explicit JobLogView(QWidget *parent = nullptr);
    ~JobLogView() override;

    /// Appends lines in one edit block; scrolls to the end when following the tail.
    void appendLines(const QList<core::LogLine> &lines);
    /// Counts lines dropped before they reached the view (the batcher's overflow).
    void noteDroppedLines(qint64 count);

    /// Only the last `lines` lines are kept (earlier ones stay in the job's log file).
    void setMaximumLines(int lines);
    int maximumLines() const { return m_maximumLines; }
    /// Named in the note shown once lines were dropped.
    void setFullLogPath(const QString &path);
    /// Lines received so far, dropped ones included.
    qint64 totalLines() const { return m_totalLines; }

    void setFollowTail(bool follow);
    bool followsTail() const { return m_followTail; }

    /// Shows `label` and a bar; `total` 0 makes it indeterminate.
    void setProgress(const QString &label, qint64 current, qint64 total);
    void clearProgress();

    /// Shows the outcome below the log, e.g. "Job succeeded in 12.3 s (exit code 0)". `status`
    /// is core::jobStatusToString's word; `exitCode` < 0 means there was none. A `reason` (why it
    /// failed, was skipped or cancelled) follows whole, wrapped to the width of the console.
    void setFinished(int exitCode, qint64 durationMs, const QString &status, const QString &reason = {});
    QString footerText() const;
    /// "showing the last 50,000 lines…", empty while nothing was dropped.
    QString capNote() const;

    /// Puts `text` in the search field and highlights it in the visible lines; empty clears.
    void setSearchText(const QString &text);
    /// Puts the keyboard focus in the search field, its text selected (Find, Ctrl+F).
    void focusSearch();
    /// Selects the next (previous) match, wrapping around, and stops following the tail.
    bool findNext();
    bool findPrevious();

    QPlainTextEdit *textEdit() const { return m_text; }

    /// "12.3 s", "4 min 05 s", "1 h 02 min".
    static QString formatDuration(qint64 ms);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    /// The search bar's Previous and Next buttons, connected by connectSignals().
    struct SearchButtons
    {
        QToolButton *previous;
        QToolButton *next;
    };

    // The steps of the constructor.
    /// Adds the search field, Previous, Next and Follow to `layout`; returns Previous and Next.
    SearchButtons createSearchBar(QVBoxLayout *layout);
    /// Adds the pull/build progress label and bar (hidden) to `layout`.
    void createProgressRow(QVBoxLayout *layout);
    /// Adds the note on dropped lines (hidden) to `layout`.
    void createCapNote(QVBoxLayout *layout);
    /// Adds the read-only, monospaced, line-capped log text to `layout`.
    void createLogEdit(QVBoxLayout *layout);
    /// Adds the outcome's bold line (hidden) to `layout`.
    void createFooter(QVBoxLayout *layout);
    /// Connects the search field, the search `buttons`, Follow and the log's scroll bar.
    void connectSignals(const SearchButtons &buttons);
    /// Adds the Find (Ctrl+F), F3 and Shift+F3 shortcuts.
    void createShortcuts();

    bool find(bool backward);
    void updateHighlights();
    /// Counts the matches of the search in the whole log (shortly after typing; when capped lines left).
    void countMatches();
    /// Adds the matches in the `added` lines just appended; with `removed` lines gone, counts all again later.
    void countNewMatches(int added, int removed);
    void showMatchCount();
    static int matchesIn(const QString &text, const QString &needle);
    static constexpr int ManyMatches = 9999; ///< more are shown as "9999+ matches"
    void updateCapNote();
    void scrollToEnd();
    void onScrolled(int value);

    QLabel *m_progressLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_capNote = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_matchCount = nullptr; ///< "12 matches" beside the search
    QTimer *m_countLater = nullptr;
    int m_matches = 0; ///< of the search in the whole log
    QToolButton *m_followButton = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QLabel *m_footer = nullptr;

    AnsiText::State m_stdoutState;
    AnsiText::State m_stderrState;
    AnsiText::State m_systemState;
    int m_maximumLines = DefaultMaximumLines;
    qint64 m_totalLines = 0;
    QString m_fullLogPath;
    bool m_documentEmpty = true; // the document's first block is still unused
    bool m_followTail = true;
    bool m_scrollingItself = false; // our own scrolling must not toggle follow-tail
};

} // namespace trainyard::ui
