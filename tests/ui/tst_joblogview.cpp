// JobLogView on the offscreen platform: formats, search, follow-tail, footer, progress and the cap.
#include "console/joblogview.h"

#include <QAbstractButton>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollBar>
#include <QTest>
#include <QTextBlock>

using namespace trainyard::ui;
using trainyard::core::LogLine;

namespace {

QList<LogLine> numbered(int from, int count, LogLine::Stream stream = LogLine::Stream::Stdout)
{
    QList<LogLine> lines;
    lines.reserve(count);
    for (int i = from; i < from + count; ++i)
        lines.append(LogLine{stream, QStringLiteral("line %1").arg(i)});
    return lines;
}

QTextCharFormat formatOfBlock(const QPlainTextEdit *edit, int block)
{
    return edit->document()->findBlockByNumber(block).begin().fragment().charFormat();
}

QString topLine(const QPlainTextEdit *edit)
{
    return edit->cursorForPosition(QPoint(0, 0)).block().text();
}

} // namespace

class tst_JobLogView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendsLines();
    void streamsLookDifferent();
    void rendersAnsi();
    void searchHighlightsAndFinds();
    void searchKeys();
    void followTail();
    void positionKeptWhileCapped();
    void footer_data();
    void footer();
    void footerGivesTheWholeReasonWrapped();
    void progress();
    void capRespected();
};

void tst_JobLogView::appendsLines()
{
    JobLogView view;
    view.appendLines({LogLine{LogLine::Stream::Stdout, QStringLiteral("first")},
                      LogLine{LogLine::Stream::Stdout, QStringLiteral("token=[MASKED]")}});
    view.appendLines({LogLine{LogLine::Stream::Stdout, QString()}});
    view.appendLines({LogLine{LogLine::Stream::Stdout, QStringLiteral("last")}});
    QCOMPARE(view.textEdit()->document()->blockCount(), 4);
    QCOMPARE(view.textEdit()->toPlainText(), QStringLiteral("first\ntoken=[MASKED]\n\nlast"));
    QCOMPARE(view.totalLines(), 4);
    QVERIFY(view.textEdit()->isReadOnly());
    QVERIFY(view.textEdit()->font().fixedPitch());
    QVERIFY(view.capNote().isEmpty());
}

void tst_JobLogView::streamsLookDifferent()
{
    JobLogView view;
    view.appendLines({LogLine{LogLine::Stream::Stdout, QStringLiteral("out")},
                      LogLine{LogLine::Stream::Stderr, QStringLiteral("err")},
                      LogLine{LogLine::Stream::System, QStringLiteral("sys")}});
    const QTextCharFormat out = formatOfBlock(view.textEdit(), 0);
    const QTextCharFormat err = formatOfBlock(view.textEdit(), 1);
    const QTextCharFormat sys = formatOfBlock(view.textEdit(), 2);
    QVERIFY(!out.hasProperty(QTextFormat::ForegroundBrush));
    QVERIFY(err.hasProperty(QTextFormat::ForegroundBrush));
    QVERIFY(err.foreground().color().red() > err.foreground().color().green());
    QVERIFY(sys.fontItalic());
    QVERIFY(!out.fontItalic());
}

void tst_JobLogView::rendersAnsi()
{
    JobLogView view;
    const QChar e(0x1b);
    view.appendLines({LogLine{LogLine::Stream::Stdout, e + QStringLiteral("[1;32mPASS") + e + QStringLiteral("[0m ok")},
                      LogLine{LogLine::Stream::Stderr, QStringLiteral("10%\r100%") + e + QStringLiteral("[K")},
                      LogLine{LogLine::Stream::Stderr, e + QStringLiteral("[34mblue on stderr")}});
    QCOMPARE(view.textEdit()->toPlainText(), QStringLiteral("PASS ok\n100%\nblue on stderr"));
    const QTextCharFormat pass = formatOfBlock(view.textEdit(), 0);
    QCOMPARE(pass.fontWeight(), int(QFont::Bold));
    QCOMPARE(pass.foreground().color(), QColor(0x0d, 0xbc, 0x79));
    // ANSI colours win over the stderr colour.
    QCOMPARE(formatOfBlock(view.textEdit(), 2).foreground().color(), QColor(0x24, 0x72, 0xc8));
}

void tst_JobLogView::searchHighlightsAndFinds()
{
    JobLogView view;
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QList<LogLine> lines = numbered(0, 200);
    lines[3].text += QStringLiteral(" Needle here and needle there");
    lines[150].text += QStringLiteral(" needle far down");
    view.setFollowTail(false);
    view.textEdit()->verticalScrollBar()->setValue(0);
    view.appendLines(lines);
    QCOMPARE(view.textEdit()->verticalScrollBar()->value(), 0);

    view.setSearchText(QStringLiteral("needle"));
    const QList<QTextEdit::ExtraSelection> visible = view.textEdit()->extraSelections();
    QCOMPARE(visible.size(), 2); // line 150 is not on screen: only the visible lines are highlighted
    for (const QTextEdit::ExtraSelection &s : visible)
        QCOMPARE(s.cursor.selectedText().toLower(), QStringLiteral("needle"));
    QCOMPARE(visible.first().cursor.blockNumber(), 3);

    QVERIFY(view.findNext());
    QCOMPARE(view.textEdit()->textCursor().blockNumber(), 3);
    QCOMPARE(view.textEdit()->textCursor().selectedText(), QStringLiteral("Needle"));
    QVERIFY(view.findNext());
    QCOMPARE(view.textEdit()->textCursor().blockNumber(), 3);
    QVERIFY(view.findNext());
    QCOMPARE(view.textEdit()->textCursor().blockNumber(), 150);
    QVERIFY(!view.followsTail());
    // Now line 150 is on screen and highlighted.
    bool highlighted150 = false;
    for (const QTextEdit::ExtraSelection &s : view.textEdit()->extraSelections())
        highlighted150 = highlighted150 || s.cursor.blockNumber() == 150;
    QVERIFY(highlighted150);
    QVERIFY(view.findNext()); // wraps around
    QCOMPARE(view.textEdit()->textCursor().blockNumber(), 3);
    QVERIFY(view.findPrevious()); // wraps backwards
    QCOMPARE(view.textEdit()->textCursor().blockNumber(), 150);

    view.setSearchText(QStringLiteral("absent"));
    QVERIFY(view.textEdit()->extraSelections().isEmpty());
    QVERIFY(!view.findNext());
    view.setSearchText(QString());
    QVERIFY(view.textEdit()->extraSelections().isEmpty());
    // The count is of the whole log, off-screen lines included; new lines update it.
    auto *count = view.findChild<QLabel *>(QStringLiteral("matchCount"));
    QVERIFY(count);
    QTRY_COMPARE(count->text(), QString()); // no search, no count
    view.setSearchText(QStringLiteral("needle"));
    QTRY_COMPARE(count->text(), QStringLiteral("3 matches"));
    view.appendLines({LogLine{LogLine::Stream::Stdout, QStringLiteral("one more needle")}});
    QTRY_COMPARE(count->text(), QStringLiteral("4 matches"));
    view.setSearchText(QStringLiteral("haystack"));
    QTRY_COMPARE(count->text(), QStringLiteral("no match"));
}

void tst_JobLogView::searchKeys()
{
    JobLogView view;
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowActive(&view));
    QList<LogLine> lines = numbered(0, 50);
    lines[10].text = QStringLiteral("alpha");
    lines[20].text = QStringLiteral("alpha");
    view.appendLines(lines);
    view.textEdit()->setFocus();
    auto *search = view.findChild<QLineEdit *>(QStringLiteral("search"));
    QVERIFY(search);
    QTest::keyClick(view.textEdit(), Qt::Key_F, Qt::ControlModifier);
    QVERIFY(search->hasFocus());
    QTest::keyClicks(search, QStringLiteral("alpha"));
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(view.textEdit()->textCursor().blockNumber(), 10);
    QTest::keyClick(search, Qt::Key_F3);
    QCOMPARE(view.textEdit()->textCursor().blockNumber(), 20);
    QTest::keyClick(view.textEdit(), Qt::Key_F3, Qt::ShiftModifier);
    QCOMPARE(view.textEdit()->textCursor().blockNumber(), 10);
}

void tst_JobLogView::followTail()
{
    JobLogView view;
    view.resize(600, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QScrollBar *bar = view.textEdit()->verticalScrollBar();
    QVERIFY(view.followsTail());
    view.appendLines(numbered(0, 1000));
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum());

    // Off: new lines do not move the view.
    view.setFollowTail(false);
    bar->setValue(10);
    view.appendLines(numbered(1000, 1000));
    QCOMPARE(bar->value(), 10);
    QVERIFY(!view.followsTail());

    // On again: jumps to the end and stays there.
    view.setFollowTail(true);
    QCOMPARE(bar->value(), bar->maximum());
    view.appendLines(numbered(2000, 10));
    QCOMPARE(bar->value(), bar->maximum());

    // The user scrolling up stops following; back at the bottom resumes it.
    bar->triggerAction(QAbstractSlider::SliderPageStepSub);
    QVERIFY(!view.followsTail());
    auto *button = view.findChild<QAbstractButton *>(QStringLiteral("followTail"));
    QVERIFY(button);
    QVERIFY(!button->isChecked());
    const int kept = bar->value();
    view.appendLines(numbered(2010, 10));
    QCOMPARE(bar->value(), kept);
    bar->triggerAction(QAbstractSlider::SliderToMaximum);
    QVERIFY(view.followsTail());
    QVERIFY(button->isChecked());

    // The toggle button drives it as well.
    button->click();
    QVERIFY(!view.followsTail());
    button->click();
    QVERIFY(view.followsTail());
}

void tst_JobLogView::positionKeptWhileCapped()
{
    JobLogView view;
    view.setMaximumLines(2000);
    view.resize(600, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.appendLines(numbered(0, 2000));
    view.setFollowTail(false);
    view.textEdit()->verticalScrollBar()->setValue(1500);
    const QString before = topLine(view.textEdit());
    QCOMPARE(before, QStringLiteral("line 1500"));
    view.appendLines(numbered(2000, 300)); // drops lines 0–299
    QCOMPARE(view.textEdit()->document()->firstBlock().text(), QStringLiteral("line 300"));
    QCOMPARE(topLine(view.textEdit()), before);
    QVERIFY(!view.followsTail());
}

void tst_JobLogView::footer_data()
{
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("text");
    QTest::newRow("success") << 0 << qint64(12345) << QStringLiteral("success")
                             << QStringLiteral("Job succeeded in 12.3 s (exit code 0)");
    QTest::newRow("failed") << 2 << qint64(65000) << QStringLiteral("failed")
                            << QStringLiteral("Job failed in 1 min 05 s (exit code 2)");
    QTest::newRow("allowed") << 1 << qint64(500) << QStringLiteral("failed (allowed)")
                             << QStringLiteral("Job failed (allowed) in 0.5 s (exit code 1)");
    QTest::newRow("cancelled") << -1 << qint64(3723000) << QStringLiteral("cancelled")
                               << QStringLiteral("Job cancelled after 1 h 02 min");
}

void tst_JobLogView::footer()
{
    QFETCH(int, exitCode);
    QFETCH(qint64, ms);
    QFETCH(QString, status);
    QFETCH(QString, text);
    JobLogView view;
    QVERIFY(view.footerText().isEmpty());
    view.setProgress(QStringLiteral("Pulling"), 1, 2);
    view.setFinished(exitCode, ms, status);
    QCOMPARE(view.footerText(), text);
    QVERIFY(!view.findChild<QProgressBar *>(QStringLiteral("progress"))->isVisibleTo(&view));
}

void tst_JobLogView::footerGivesTheWholeReasonWrapped()
{
    const QString reason = QStringLiteral(
        "Starting the container: the Docker Engine API answered HTTP 500 (Internal Server Error): failed to create "
        "task for container: failed to create shim task: OCI runtime create failed: unable to start container process");
    JobLogView view;
    view.resize(400, 300);
    view.show();
    view.setFinished(-1, 800, QStringLiteral("failed"), reason);
    QCOMPARE(view.footerText(), QStringLiteral("Job failed in 0.8 s: ") + reason); // whole, not elided
    auto *footer = view.findChild<QLabel *>(QStringLiteral("footer"));
    QVERIFY(footer->wordWrap());
    QVERIFY(footer->heightForWidth(400) > 2 * footer->fontMetrics().height()); // wraps onto lines at 400 px
    // An exit code said once; success has no reason.
    view.setFinished(2, 800, QStringLiteral("failed"), QStringLiteral("exit code 2"));
    QCOMPARE(view.footerText(), QStringLiteral("Job failed in 0.8 s (exit code 2)"));
}

void tst_JobLogView::progress()
{
    JobLogView view;
    auto *bar = view.findChild<QProgressBar *>(QStringLiteral("progress"));
    QVERIFY(bar);
    QVERIFY(!bar->isVisibleTo(&view));
    view.setProgress(QStringLiteral("Downloading layer"), 3'000'000'000LL, 6'000'000'000LL);
    QVERIFY(bar->isVisibleTo(&view));
    QCOMPARE(bar->value() * 2, bar->maximum());
    view.setProgress(QStringLiteral("Building"), 5, 0);
    QCOMPARE(bar->maximum(), 0); // indeterminate
    view.clearProgress();
    QVERIFY(!bar->isVisibleTo(&view));
    // A step that has finished leaves nothing behind.
    view.setProgress(QStringLiteral("hashing data 'dataset'"), 10, 20);
    QVERIFY(bar->isVisibleTo(&view));
    view.setProgress(QStringLiteral("hashing data 'dataset'"), 20, 20);
    QVERIFY(!bar->isVisibleTo(&view));
}

void tst_JobLogView::capRespected()
{
    JobLogView view;
    QCOMPARE(view.maximumLines(), 50000);
    for (int from = 0; from < 60000; from += 5000)
        view.appendLines(numbered(from, 5000));
    QVERIFY(view.textEdit()->document()->blockCount() <= 50001);
    QCOMPARE(view.textEdit()->document()->firstBlock().text(), QStringLiteral("line 10000"));
    QCOMPARE(view.textEdit()->document()->lastBlock().text(), QStringLiteral("line 59999"));
    QCOMPARE(view.totalLines(), 60000);
    QVERIFY(view.capNote().contains(QStringLiteral("last 50,000 lines")));
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("capNote"))->isVisibleTo(&view));
    view.setFullLogPath(QStringLiteral(".trainyard/logs/r1/train.log"));
    QVERIFY(view.capNote().contains(QStringLiteral("the full log is in .trainyard/logs/r1/train.log")));

    // The match count follows lines added, and lines that left the top of a capped log.
    JobLogView small;
    small.setMaximumLines(100);
    small.setSearchText(QStringLiteral("line 1"));
    auto *count = small.findChild<QLabel *>(QStringLiteral("matchCount"));
    QTRY_COMPARE(count->text(), QStringLiteral("no match"));
    small.appendLines(numbered(0, 50)); // line 1, line 10..19
    QCOMPARE(count->text(), QStringLiteral("11 matches"));
    small.appendLines(numbered(50, 100)); // lines 0..49 leave: only line 100..149 are kept
    QTRY_COMPARE_WITH_TIMEOUT(count->text(), QStringLiteral("50 matches"), 3000);
}

QTEST_MAIN(tst_JobLogView)
#include "tst_joblogview.moc"
