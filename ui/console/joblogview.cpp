#include "joblogview.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollBar>
#include <QShortcut>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace trainyard::ui {

namespace {

constexpr qsizetype MaxHighlights = 1000;

bool needsParsing(QStringView text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x20 && c != u'\t'; });
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor errorColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(255, 110, 110) : QColor(190, 30, 30);
}

} // namespace

JobLogView::JobLogView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    const SearchButtons buttons = createSearchBar(layout);
    createProgressRow(layout);
    createCapNote(layout);
    createLogEdit(layout);
    createFooter(layout);
    connectSignals(buttons);
    createShortcuts();
}

JobLogView::SearchButtons JobLogView::createSearchBar(QVBoxLayout *layout)
{
    auto *bar = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setPlaceholderText(tr("Search (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    auto *previous = new QToolButton(this);
    previous->setText(tr("Previous"));
    previous->setToolTip(tr("Previous match (Shift+F3)"));
    auto *next = new QToolButton(this);
    next->setText(tr("Next"));
    next->setToolTip(tr("Next match (F3)"));
    m_followButton = new QToolButton(this);
    m_followButton->setObjectName(QStringLiteral("followTail"));
    m_followButton->setText(tr("Follow"));
    m_followButton->setToolTip(tr("Keep the newest lines in view"));
    m_followButton->setCheckable(true);
    m_followButton->setChecked(true);
    m_matchCount = new QLabel(this);
    m_matchCount->setObjectName(QStringLiteral("matchCount"));
    m_matchCount->setForegroundRole(QPalette::PlaceholderText);
    m_countLater = new QTimer(this);
    m_countLater->setSingleShot(true);
    m_countLater->setInterval(150); // after typing stops
    connect(m_countLater, &QTimer::timeout, this, &JobLogView::countMatches);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_matchCount);
    bar->addWidget(previous);
    bar->addWidget(next);
    bar->addWidget(m_followButton);
    layout->addLayout(bar);
    return {previous, next};
}

void JobLogView::createProgressRow(QVBoxLayout *layout)
{
    auto *progressRow = new QHBoxLayout;
    m_progressLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    progressRow->addWidget(m_progressLabel);
    progressRow->addWidget(m_progress, 1);
    layout->addLayout(progressRow);
    m_progressLabel->hide();
    m_progress->hide();
}

void JobLogView::createCapNote(QVBoxLayout *layout)
{
    m_capNote = new QLabel(this);
    m_capNote->setObjectName(QStringLiteral("capNote"));
    m_capNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_capNote->hide();
    layout->addWidget(m_capNote);
}

void JobLogView::createLogEdit(QVBoxLayout *layout)
{
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("log"));
    m_text->setReadOnly(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setUndoRedoEnabled(false); // an undo stack would keep every line alive
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setStyleHint(QFont::Monospace);
    mono.setFixedPitch(true);
    m_text->setFont(mono);
    m_text->setMaximumBlockCount(m_maximumLines);
    layout->addWidget(m_text, 1);
}

void JobLogView::createFooter(QVBoxLayout *layout)
{
    m_footer = new QLabel(this);
    m_footer->setObjectName(QStringLiteral("footer"));
    QFont bold = m_footer->font();
    bold.setBold(true);
    m_footer->setFont(bold);
    m_footer->setWordWrap(true); // a long reason ("Starting the container: … (HTTP 500)") is read whole
    m_footer->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_footer->hide();
    layout->addWidget(m_footer);
}

void JobLogView::connectSignals(const SearchButtons &buttons)
{
    connect(m_search, &QLineEdit::textChanged, this, &JobLogView::updateHighlights);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_countLater->start(150); });
    connect(m_search, &QLineEdit::returnPressed, this, &JobLogView::findNext);
    connect(buttons.next, &QToolButton::clicked, this, &JobLogView::findNext);
    connect(buttons.previous, &QToolButton::clicked, this, &JobLogView::findPrevious);
    connect(m_followButton, &QToolButton::toggled, this, &JobLogView::setFollowTail);
    QScrollBar *scrollBar = m_text->verticalScrollBar();
    connect(scrollBar, &QScrollBar::valueChanged, this, &JobLogView::onScrolled);
    // QPlainTextEdit handles page steps with the bar's signals blocked: actions are seen here.
    connect(scrollBar, &QScrollBar::actionTriggered, this, [this, scrollBar] {
        if (!m_scrollingItself)
            onScrolled(scrollBar->sliderPosition());
    });
}

void JobLogView::createShortcuts()
{
    auto *findKey = new QShortcut(QKeySequence::Find, this);
    findKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(findKey, &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    auto *nextKey = new QShortcut(QKeySequence(Qt::Key_F3), this);
    nextKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(nextKey, &QShortcut::activated, this, &JobLogView::findNext);
    auto *previousKey = new QShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F3), this);
    previousKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(previousKey, &QShortcut::activated, this, &JobLogView::findPrevious);
}

JobLogView::~JobLogView() = default;

void JobLogView::appendLines(const QList<core::LogLine> &lines)
{
    if (lines.isEmpty())
        return;
    QTextDocument *doc = m_text->document();
    QScrollBar *scrollBar = m_text->verticalScrollBar();
    const int oldValue = scrollBar->value();
    const int blocksBefore = doc->blockCount();
    const bool reuseFirst = m_documentEmpty;

    QTextCharFormat stdoutBase;
    QTextCharFormat stderrBase;
    stderrBase.setForeground(errorColor(palette()));
    QTextCharFormat systemBase;
    systemBase.setFontItalic(true);
    systemBase.setForeground(palette().color(QPalette::PlaceholderText));

    m_scrollingItself = true;
    QTextCursor cursor(doc);
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    for (const core::LogLine &line : lines) {
        const bool err = line.stream == core::LogLine::Stream::Stderr;
        const bool sys = line.stream == core::LogLine::Stream::System;
        const QTextCharFormat &base = err ? stderrBase : sys ? systemBase : stdoutBase;
        if (m_documentEmpty)
            m_documentEmpty = false;
        else
            cursor.insertBlock(QTextBlockFormat(), base);
        if (!needsParsing(line.text)) {
            cursor.insertText(line.text, base);
            continue;
        }
        AnsiText::State &state = err ? m_stderrState : sys ? m_systemState : m_stdoutState;
        for (const AnsiText::Run &run : AnsiText::parse(line.text, state)) {
            QTextCharFormat format = base;
            format.merge(run.format);
            cursor.insertText(run.text, format);
        }
    }
    cursor.endEditBlock();

    const qsizetype expected = blocksBefore + lines.size() - (reuseFirst ? 1 : 0);
    const int removed = int(std::max<qsizetype>(0, expected - doc->blockCount()));
    m_totalLines += lines.size();
    updateCapNote();
    if (m_followTail)
        scrollToEnd();
    else if (removed > 0)
        scrollBar->setValue(std::max(0, oldValue - removed)); // keep the same lines in view
    m_scrollingItself = false;
    if (!m_search->text().isEmpty()) {
        updateHighlights();
        countNewMatches(int(lines.size()), removed);
    }
}

void JobLogView::countNewMatches(int added, int removed)
{
    if (m_countLater->isActive())
        return; // a whole count is due: it will see these lines
    if (removed > 0) {
        // Capped: lines left the top, and their matches with them. Counted again from the
        // whole log, at most once a second while lines stream in.
        if (!m_countLater->isActive())
            m_countLater->start(1000);
        return;
    }
    // Only the lines just added are read: a streaming log does not cost a pass over all of it.
    const QString needle = m_search->text();
    QTextBlock block = m_text->document()->lastBlock();
    for (int i = 0; i < added && block.isValid(); ++i, block = block.previous())
        m_matches += matchesIn(block.text(), needle);
    showMatchCount();
}

void JobLogView::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void JobLogView::noteDroppedLines(qint64 count)
{
    m_totalLines += count;
    updateCapNote();
}

void JobLogView::setMaximumLines(int lines)
{
    m_maximumLines = std::max(1, lines);
    m_text->setMaximumBlockCount(m_maximumLines);
    updateCapNote();
}

void JobLogView::setFullLogPath(const QString &path)
{
    m_fullLogPath = path;
    updateCapNote();
}

void JobLogView::updateCapNote()
{
    if (m_totalLines <= m_maximumLines) {
        m_capNote->hide();
        m_capNote->clear();
        return;
    }
    const QString count = QLocale(QLocale::English).toString(m_maximumLines);
    m_capNote->setText(m_fullLogPath.isEmpty()
                           ? tr("Showing the last %1 lines; earlier lines were dropped.").arg(count)
                           : tr("Showing the last %1 lines; the full log is in %2").arg(count, m_fullLogPath));
    m_capNote->show();
}

QString JobLogView::capNote() const
{
    return m_capNote->text();
}

void JobLogView::setFollowTail(bool follow)
{
    m_followTail = follow;
    if (m_followButton->isChecked() != follow) {
        const QSignalBlocker blocker(m_followButton);
        m_followButton->setChecked(follow);
    }
    if (follow) {
        m_scrollingItself = true;
        scrollToEnd();
        m_scrollingItself = false;
    }
}

void JobLogView::scrollToEnd()
{
    QScrollBar *scrollBar = m_text->verticalScrollBar();
    scrollBar->setValue(scrollBar->maximum());
}

void JobLogView::onScrolled(int value)
{
    if (!m_search->text().isEmpty())
        updateHighlights();
    if (m_scrollingItself)
        return;
    // The user scrolled: up stops following, back to the bottom resumes it.
    const bool atBottom = value >= m_text->verticalScrollBar()->maximum();
    if (atBottom != m_followTail)
        setFollowTail(atBottom);
}

void JobLogView::setProgress(const QString &label, qint64 current, qint64 total)
{
    if (total > 0 && current >= total) {
        clearProgress(); // done: no "hashing data 100%" left behind
        return;
    }
    m_progressLabel->setText(label);
    if (total <= 0) {
        m_progress->setRange(0, 0);
    } else {
        // Byte counts overflow an int: the bar shows per mille.
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(std::clamp<qint64>(current * 1000 / total, 0, 1000)));
    }
    m_progressLabel->show();
    m_progress->show();
}

void JobLogView::clearProgress()
{
    m_progressLabel->hide();
    m_progress->hide();
    m_progress->reset();
}

QString JobLogView::formatDuration(qint64 ms)
{
    if (ms < 60000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    const qint64 seconds = ms / 1000;
    if (seconds < 3600)
        return QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'));
}

void JobLogView::setFinished(int exitCode, qint64 durationMs, const QString &status, const QString &reason)
{
    const QString duration = formatDuration(durationMs);
    QString text;
    if (status == QLatin1String("success"))
        text = tr("Job succeeded in %1").arg(duration);
    else if (status == QLatin1String("cancelled"))
        text = tr("Job cancelled after %1").arg(duration);
    else if (status == QLatin1String("skipped"))
        text = tr("Job skipped");
    else if (status.startsWith(QLatin1String("failed")))
        text = tr("Job %1 in %2").arg(status, duration);
    else
        text = tr("Job finished (%1) in %2").arg(status, duration);
    if (exitCode >= 0)
        text += tr(" (exit code %1)").arg(exitCode);
    // The exit code is in the text already; another reason is said after it.
    if (!reason.isEmpty() && status != QLatin1String("success") &&
        reason != QStringLiteral("exit code %1").arg(exitCode))
        text += QStringLiteral(": ") + reason;
    m_footer->setText(text);
    QPalette pal = m_footer->palette();
    pal.setColor(QPalette::WindowText, status.startsWith(QLatin1String("failed"))
                                           ? errorColor(palette())
                                           : palette().color(QPalette::WindowText));
    m_footer->setPalette(pal);
    m_footer->show();
    clearProgress();
}

QString JobLogView::footerText() const
{
    return m_footer->isVisibleTo(this) ? m_footer->text() : QString();
}

void JobLogView::setSearchText(const QString &text)
{
    m_search->setText(text);
}

bool JobLogView::findNext()
{
    return find(false);
}

bool JobLogView::findPrevious()
{
    return find(true);
}

bool JobLogView::find(bool backward)
{
    const QString needle = m_search->text();
    if (needle.isEmpty())
        return false;
    QTextDocument *doc = m_text->document();
    const QTextDocument::FindFlags flags = backward ? QTextDocument::FindBackward : QTextDocument::FindFlags();
    QTextCursor found = doc->find(needle, m_text->textCursor(), flags);
    if (found.isNull()) { // wrap around
        QTextCursor from(doc);
        if (backward)
            from.movePosition(QTextCursor::End);
        found = doc->find(needle, from, flags);
    }
    if (found.isNull())
        return false;
    setFollowTail(false); // otherwise the next batch would scroll the match away
    m_text->setTextCursor(found);
    m_text->ensureCursorVisible();
    updateHighlights();
    return true;
}

void JobLogView::updateHighlights()
{
    // Only the visible lines are searched: cheap at any log size, and always up to date.
    QList<QTextEdit::ExtraSelection> selections;
    const QString needle = m_search->text();
    if (!needle.isEmpty()) {
        QTextCharFormat format;
        format.setBackground(QColor(255, 215, 0, 170));
        format.setForeground(QColor(Qt::black));
        QTextBlock block = m_text->cursorForPosition(QPoint(0, 0)).block();
        const int last = m_text->cursorForPosition(QPoint(0, m_text->viewport()->height())).blockNumber();
        for (; block.isValid() && block.blockNumber() <= last && selections.size() < MaxHighlights;
             block = block.next()) {
            const QString text = block.text();
            for (qsizetype at = text.indexOf(needle, 0, Qt::CaseInsensitive);
                 at >= 0 && selections.size() < MaxHighlights;
                 at = text.indexOf(needle, at + needle.size(), Qt::CaseInsensitive)) {
                QTextCursor match(block);
                match.setPosition(block.position() + int(at));
                match.setPosition(block.position() + int(at + needle.size()), QTextCursor::KeepAnchor);
                selections.append(QTextEdit::ExtraSelection{match, format});
            }
        }
    }
    m_text->setExtraSelections(selections);
}

int JobLogView::matchesIn(const QString &text, const QString &needle)
{
    int count = 0;
    for (qsizetype at = text.indexOf(needle, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(needle, at + needle.size(), Qt::CaseInsensitive))
        ++count;
    return count;
}

void JobLogView::countMatches()
{
    m_matches = 0;
    const QString needle = m_search->text();
    // The log holds at most maximumLines() lines; counting stops at a number nobody reads one by one.
    for (QTextBlock block = m_text->document()->begin();
         !needle.isEmpty() && block.isValid() && m_matches <= ManyMatches; block = block.next())
        m_matches += matchesIn(block.text(), needle);
    showMatchCount();
}

void JobLogView::showMatchCount()
{
    if (m_search->text().isEmpty())
        m_matchCount->clear();
    else
        m_matchCount->setText(m_matches == 0            ? tr("no match")
                              : m_matches > ManyMatches ? tr("%1+ matches").arg(ManyMatches)
                              : m_matches == 1          ? tr("1 match")
                                                        : tr("%1 matches").arg(m_matches));
}

void JobLogView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (!m_search->text().isEmpty())
        updateHighlights();
}

} // namespace trainyard::ui
