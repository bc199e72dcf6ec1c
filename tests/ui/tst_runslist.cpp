// RunsList and RunLogLoader: past runs from the engine's records in a temporary project, newest
// first, with their jobs, a filter, the open-logs and retry signals; a past run's logs read back
// into the run console, capped.
#include "console/joblogview.h"
#include "console/runconsole.h"
#include "engine/joblogfile.h"
#include "lineage/lineagestore.h"
#include "lineage/runhistory.h"
#include "lineage/runrecordimport.h"
#include "runs/runannotationdialog.h"
#include "runs/runlogloader.h"
#include "runs/runslist.h"
#include "style/runcolors.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "support/recordedruns.h"
#include <QTextBlock>
#include <QTimer>
#include <QTreeWidget>

using namespace trainyard::core;
using namespace trainyard::ui;

Q_DECLARE_METATYPE(trainyard::core::RunRecord)

namespace {

const QDateTime kT0 = QDateTime(QDate(2024, 5, 1), QTime(9, 0), Qt::UTC);

JobRecord job(const QString &name, JobStatus status, int exitCode, qint64 startSec, qint64 seconds,
              const QString &runId)
{
    JobRecord j;
    j.name = name;
    j.stage = QStringLiteral("test");
    j.status = status;
    j.exitCode = exitCode;
    if (status != JobStatus::Skipped) {
        j.started = kT0.addSecs(startSec);
        j.finished = j.started.addSecs(seconds);
    }
    j.logFile = QStringLiteral(".trainyard/logs/") + runId + u'/' + name + QStringLiteral(".log");
    return j;
}

RunRecord run(const QString &id, qint64 iid, RunStatus status, qint64 startSec, const std::vector<JobRecord> &jobs)
{
    RunRecord r;
    r.id = id;
    r.pipelineIid = iid;
    r.branch = QStringLiteral("main");
    r.commitSha = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
    r.dirty = iid == 2;
    r.status = status;
    r.started = kT0.addSecs(startSec);
    r.finished = r.started.addSecs(125);
    for (const JobRecord &j : jobs) {
        r.jobs[j.name] = j;
        r.jobOrder << j.name;
    }
    return r;
}

bool writeLog(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

QStringList blocks(const JobLogView *view)
{
    QStringList out;
    for (QTextBlock b = view->textEdit()->document()->begin(); b.isValid(); b = b.next())
        out << b.text();
    return out;
}

} // namespace

class tst_RunsList final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void emptyProject();
    void newestFirstWithJobs();
    void listsTheNewestOfMany();
    void filter();
    void filterTerms();
    void filterByImageAndDataFromLineage();
    void nameTagsAndNotes();
    void compareAndReproduceActions();
    void doubleClickOpensLogs();
    void contextMenuOffersRetryOnFailedJobs();
    void refreshKeepsSelectionAndExpansion();
    void readTail_data();
    void readTail();
    void readTailOfLargeLog();
    void loaderFillsConsoleCapped();

private:
    bool refresh(RunsList &list);

    std::unique_ptr<QTemporaryDir> m_project;
    RunRecord m_first;  // success
    RunRecord m_second; // failed: job b failed with exit code 2
    RunRecord m_third;  // cancelled
};

void tst_RunsList::init()
{
    m_project = std::make_unique<QTemporaryDir>();
    m_first =
        run(QStringLiteral("20240501-090000-aaaa"), 1, RunStatus::Success, 0,
            {job(QStringLiteral("build"), JobStatus::Success, 0, 0, 30, QStringLiteral("20240501-090000-aaaa")),
             job(QStringLiteral("train"), JobStatus::Success, 0, 30, 95, QStringLiteral("20240501-090000-aaaa"))});
    m_second =
        run(QStringLiteral("20240501-100000-bbbb"), 2, RunStatus::Failed, 3600,
            {job(QStringLiteral("build"), JobStatus::Success, 0, 3600, 30, QStringLiteral("20240501-100000-bbbb")),
             job(QStringLiteral("evaluate"), JobStatus::Failed, 2, 3630, 12, QStringLiteral("20240501-100000-bbbb")),
             job(QStringLiteral("report"), JobStatus::Skipped, -1, 0, 0, QStringLiteral("20240501-100000-bbbb"))});
    m_third =
        run(QStringLiteral("20240501-110000-cccc"), 3, RunStatus::Cancelled, 7200,
            {job(QStringLiteral("build"), JobStatus::Cancelled, 137, 7200, 5, QStringLiteral("20240501-110000-cccc"))});
    m_third.branch = QStringLiteral("feature/lr");
    m_third.commitSha = QStringLiteral("fedcba9876543210fedcba9876543210fedcba98");
    // Saved out of order: the list sorts.
    QVERIFY(trainyard::test::recordRun(m_project->path(), m_second));
    QVERIFY(trainyard::test::recordRun(m_project->path(), m_third));
    QVERIFY(trainyard::test::recordRun(m_project->path(), m_first));
}

bool tst_RunsList::refresh(RunsList &list)
{
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.refresh();
    return refreshed.wait(10000);
}

void tst_RunsList::emptyProject()
{
    RunsList list;
    list.show();
    QCOMPARE(list.emptyStateText(), QStringLiteral("Open a project to see its runs"));
    QTemporaryDir empty;
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.setProjectDir(empty.path());
    QVERIFY(list.isLoading());
    QVERIFY(refreshed.wait(10000));
    QCOMPARE(refreshed.at(0).at(0).toInt(), 0);
    QCOMPARE(list.emptyStateText(), QStringLiteral("No runs yet \u2014 press Run (F5)"));
    QVERIFY(!list.tree()->isVisible());
}

void tst_RunsList::newestFirstWithJobs()
{
    RunsList list;
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.setProjectDir(m_project->path());
    QVERIFY(refreshed.wait(10000));
    QCOMPARE(refreshed.at(0).at(0).toInt(), 3);
    QTreeWidget *tree = list.tree();
    QCOMPARE(tree->topLevelItemCount(), 3);
    QCOMPARE(list.recordOf(tree->topLevelItem(0))->id, m_third.id);
    QCOMPARE(list.recordOf(tree->topLevelItem(1))->id, m_second.id);
    QCOMPARE(list.recordOf(tree->topLevelItem(2))->id, m_first.id);
    QVERIFY(list.emptyStateText().isEmpty());
    QVERIFY(!list.findChild<QLabel *>(QStringLiteral("moreRuns"))->isVisibleTo(&list)); // all of them are listed

    const QTreeWidgetItem *second = tree->topLevelItem(1);
    QCOMPARE(second->text(RunsList::RunColumn), QStringLiteral("#2")); // the id is in the tooltip
    QVERIFY(second->toolTip(RunsList::RunColumn).contains(QStringLiteral("20240501-100000-bbbb")));
    QCOMPARE(second->text(RunsList::StatusColumn), QStringLiteral("failed"));
    QVERIFY(!second->icon(RunsList::StatusColumn).isNull());
    QCOMPARE(second->foreground(RunsList::StatusColumn).color(), QColor(0xcf, 0x22, 0x2e));
    QCOMPARE(tree->topLevelItem(2)->foreground(RunsList::StatusColumn).color(), QColor(0x2d, 0xa4, 0x4e));
    QCOMPARE(second->text(RunsList::DurationColumn), JobLogView::formatDuration(125000));
    QCOMPARE(second->text(RunsList::CommitColumn), QStringLiteral("main @ 01234567*")); // dirty
    QCOMPARE(tree->topLevelItem(2)->text(RunsList::CommitColumn), QStringLiteral("main @ 01234567"));
    QCOMPARE(second->text(RunsList::JobsColumn), QStringLiteral("3 (1 failed)"));
    QCOMPARE(second->text(RunsList::StartedColumn),
             QLocale().toString(kT0.addSecs(3600).toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss")));

    QCOMPARE(second->childCount(), 3);
    const QTreeWidgetItem *evaluate = second->child(1);
    QCOMPARE(evaluate->text(RunsList::RunColumn), QStringLiteral("evaluate"));
    QCOMPARE(evaluate->text(RunsList::StatusColumn), QStringLiteral("\u2717 failed"));
    QCOMPARE(evaluate->text(RunsList::ExitCodeColumn), QStringLiteral("2"));
    QCOMPARE(evaluate->text(RunsList::DurationColumn), JobLogView::formatDuration(12000));
    const QTreeWidgetItem *report = second->child(2);
    QCOMPARE(report->text(RunsList::StatusColumn), QStringLiteral("\u00BB skipped"));
    QVERIFY(report->text(RunsList::ExitCodeColumn).isEmpty());
    QVERIFY(report->text(RunsList::DurationColumn).isEmpty());
    QCOMPARE(second->child(0)->text(RunsList::ExitCodeColumn), QStringLiteral("0"));
}

void tst_RunsList::listsTheNewestOfMany()
{
    // What the list reads does not grow with the store: the newest kListed runs, and a line
    // saying where the others are.
    QTemporaryDir project;
    const int total = RunHistory::kListed + 3;
    {
        auto store = LineageStore::open(LineageStore::defaultPath(project.path()));
        QVERIFY(store);
        QVERIFY((*store)->transaction([&]() -> Result<void> {
            for (int i = 1; i <= total; ++i) {
                const RunRecord r = run(QStringLiteral("20240501-000000-%1").arg(i, 4, 10, QLatin1Char('0')), i,
                                        RunStatus::Success, i * 60, {});
                if (!RunRecordImport::write(**store, r))
                    return tl::unexpected(Error::error(QStringLiteral("not written")));
            }
            return {};
        }));
    }
    RunsList list;
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.setProjectDir(project.path());
    QVERIFY(refreshed.wait(20000));
    QCOMPARE(refreshed.at(0).at(0).toInt(), RunHistory::kListed);
    QCOMPARE(list.tree()->topLevelItemCount(), RunHistory::kListed);
    QCOMPARE(list.tree()->topLevelItem(0)->text(RunsList::RunColumn), QStringLiteral("#%1").arg(total));
    QCOMPARE(list.tree()->topLevelItem(RunHistory::kListed - 1)->text(RunsList::RunColumn), QStringLiteral("#4"));
    auto *more = list.findChild<QLabel *>(QStringLiteral("moreRuns"));
    QVERIFY(more->isVisibleTo(&list));
    QVERIFY(more->text().contains(QStringLiteral("trainyard runs")));
}

void tst_RunsList::filter()
{
    RunsList list;
    list.show();
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.setProjectDir(m_project->path());
    QVERIFY(refreshed.wait(10000));
    QTreeWidget *tree = list.tree();
    auto visibleIds = [&] {
        QStringList ids;
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            if (!tree->topLevelItem(i)->isHidden())
                ids << list.recordOf(tree->topLevelItem(i))->id;
        }
        return ids;
    };
    list.setFilterText(QStringLiteral("EVALUATE")); // a job name, any case
    QCOMPARE(visibleIds(), QStringList{m_second.id});
    list.setFilterText(QStringLiteral("cancelled"));
    QCOMPARE(visibleIds(), QStringList{m_third.id});
    list.setFilterText(QStringLiteral("#1"));
    QCOMPARE(visibleIds(), QStringList{m_first.id});
    list.setFilterText(QStringLiteral("build")); // every run has a build job
    QCOMPARE(visibleIds().size(), 3);
    QVERIFY(list.emptyStateText().isEmpty());
    list.setFilterText(QStringLiteral("no-such-thing"));
    QVERIFY(visibleIds().isEmpty());
    QCOMPARE(list.emptyStateText(), QStringLiteral("No runs match \u201cno-such-thing\u201d"));
    // Typing into the box filters too.
    list.setFilterText(QString());
    QLineEdit *box = list.findChild<QLineEdit *>(QStringLiteral("filter"));
    QVERIFY(box);
    QTest::keyClicks(box, QStringLiteral("bbbb"));
    QCOMPARE(visibleIds(), QStringList{m_second.id});
    box->clear();
    QCOMPARE(visibleIds().size(), 3);
}

void tst_RunsList::nameTagsAndNotes()
{
    RunsList list;
    list.show();
    list.setProjectDir(m_project->path());
    QTRY_COMPARE(list.runs().size(), size_t(3));
    QTreeWidget *tree = list.tree();
    auto rowOf = [&](const QString &id) -> QTreeWidgetItem * {
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            if (list.recordOf(tree->topLevelItem(i))->id == id)
                return tree->topLevelItem(i);
        }
        return nullptr;
    };
    // The context menu offers it.
    std::unique_ptr<QMenu> menu(list.createContextMenu(rowOf(m_first.id), nullptr));
    QVERIFY(menu->findChild<QAction *>(QStringLiteral("annotateRun")));

    // The dialog's tags are a comma-separated list.
    RunAnnotationDialog dialog(QStringLiteral("Run #1"), {});
    dialog.nameEdit()->setText(QStringLiteral("  lr sweep baseline "));
    dialog.tagsEdit()->setText(QStringLiteral("sweep, baseline,, sweep "));
    dialog.notesEdit()->setPlainText(QStringLiteral("first try\n"));
    const trainyard::core::LineageRunAnnotation a = dialog.annotation();
    QCOMPARE(a.name, QStringLiteral("lr sweep baseline"));
    QCOMPARE(a.tags, (QStringList{QStringLiteral("sweep"), QStringLiteral("baseline")}));
    QCOMPARE(a.notes, QStringLiteral("first try"));

    // Written on a worker thread, then shown after the number; notes in the tooltip.
    QSignalSpy annotated(&list, &RunsList::annotated);
    list.annotate(m_first.id, a);
    QVERIFY(annotated.wait(10000));
    QCOMPARE(rowOf(m_first.id)->text(RunsList::RunColumn), QStringLiteral("#1 lr sweep baseline  [baseline, sweep]"));
    QVERIFY(rowOf(m_first.id)->toolTip(RunsList::RunColumn).endsWith(QStringLiteral("first try")));
    list.setFilterText(QStringLiteral("tag:baseline"));
    QCOMPARE(list.visibleRunIds(), QStringList{m_first.id});
    list.setFilterText(QStringLiteral("sweep")); // a free word finds names and tags
    QCOMPARE(list.visibleRunIds(), QStringList{m_first.id});
    list.setFilterText(QString());

    // Kept in the lineage database: a new list (or the CLI) reads them back.
    RunsList again;
    again.setProjectDir(m_project->path());
    QTRY_COMPARE(again.runs().size(), size_t(3));
    QCOMPARE(again.annotationOf(m_first.id),
             (trainyard::core::LineageRunAnnotation{QStringLiteral("lr sweep baseline"), QStringLiteral("first try"),
                                                    QStringList{QStringLiteral("baseline"), QStringLiteral("sweep")}}));

    // A job that writes scalars wears the colour Compare draws its curves in, and so does its run.
    {
        auto store = LineageStore::open(LineageStore::defaultPath(m_project->path()));
        QVERIFY(store);
        auto build = (*store)->job(m_first.id, QStringLiteral("build"));
        QVERIFY(build && *build);
        LineageJob withScalars = **build;
        withScalars.tensorboardDir = QStringLiteral("logs");
        QVERIFY((*store)->recordJob(withScalars));
    }
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.refresh();
    QVERIFY(refreshed.wait(10000));
    const QColor color = RunColors::colorFor(QStringLiteral("#1 build"));
    QCOMPARE(rowOf(m_first.id)->data(RunsList::RunColumn, RunsList::RunColorRole).value<QColor>(), color);
    QCOMPARE(rowOf(m_first.id)->child(0)->data(RunsList::RunColumn, RunsList::RunColorRole).value<QColor>(), color);
    QVERIFY(!rowOf(m_second.id)->data(RunsList::RunColumn, RunsList::RunColorRole).isValid());

    // Hovering a run tells Compare (which highlights its curves); Compare's hover marks it here.
    QSignalSpy hovered(&list, &RunsList::runHovered);
    Q_EMIT tree->itemEntered(rowOf(m_second.id)->child(0), 0);
    QCOMPARE(hovered.size(), 1);
    QCOMPARE(hovered.front().at(0).toString(), m_second.id);
    list.setHighlightedRuns({m_first.id});
    QVERIFY(rowOf(m_first.id)->font(RunsList::RunColumn).bold());
    QVERIFY(!rowOf(m_second.id)->font(RunsList::RunColumn).bold());
    list.refresh(); // a refresh keeps it
    QVERIFY(refreshed.wait(10000));
    QVERIFY(rowOf(m_first.id)->font(RunsList::RunColumn).bold());
    list.setHighlightedRuns({});
    QVERIFY(!rowOf(m_first.id)->font(RunsList::RunColumn).bold());

    // A tag that is too long is refused with the reason; nothing changes.
    QSignalSpy failed(&list, &RunsList::annotationFailed);
    list.annotate(m_first.id, trainyard::core::LineageRunAnnotation{{}, {}, QStringList{QString(65, u'x')}});
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.front().at(1).toString().contains(QStringLiteral("64")));
    QCOMPARE(list.annotationOf(m_first.id).name, QStringLiteral("lr sweep baseline"));
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (auto *box = qobject_cast<QMessageBox *>(w))
            box->close();
    }
}

void tst_RunsList::filterTerms()
{
    RunsList list;
    list.show();
    list.setProjectDir(m_project->path());
    QTRY_COMPARE(list.runs().size(), size_t(3));
    list.setFilterText(QStringLiteral("branch:main"));
    QCOMPARE(list.visibleRunIds(), (QStringList{m_second.id, m_first.id}));
    list.setFilterText(QStringLiteral("branch:feature/lr"));
    QCOMPARE(list.visibleRunIds(), QStringList{m_third.id});
    list.setFilterText(QStringLiteral("status:fail"));
    QCOMPARE(list.visibleRunIds(), QStringList{m_second.id});
    list.setFilterText(QStringLiteral("commit:FEDCBA98")); // a prefix, any case
    QCOMPARE(list.visibleRunIds(), QStringList{m_third.id});
    list.setFilterText(QStringLiteral("commit:0123 status:success"));
    QCOMPARE(list.visibleRunIds(), QStringList{m_first.id});
    list.setFilterText(QStringLiteral("branch:main evaluate")); // a term and a free word
    QCOMPARE(list.visibleRunIds(), QStringList{m_second.id});
    list.setFilterText(QStringLiteral("branch:main status:cancelled"));
    QVERIFY(list.visibleRunIds().isEmpty());
    QCOMPARE(list.emptyStateText(), QStringLiteral("No runs match \u201cbranch:main status:cancelled\u201d"));
}

void tst_RunsList::filterByImageAndDataFromLineage()
{
    {
        auto store = LineageStore::open(LineageStore::defaultPath(m_project->path()));
        QVERIFY2(store, store ? "" : qPrintable(store.error().toString()));
        for (const RunRecord *r : {&m_first, &m_second, &m_third}) {
            LineageRun lr;
            lr.id = r->id;
            lr.status = runStatusToString(r->status);
            lr.started = r->started;
            lr.finished = r->finished;
            QVERIFY((*store)->recordRun(lr));
            LineageJob job;
            job.runId = r->id;
            job.name = QStringLiteral("build");
            job.status = QStringLiteral("success");
            job.image = QStringLiteral("trainer:1");
            job.imageId = r == &m_first ? QStringLiteral("sha256:1111") : QStringLiteral("sha256:2222");
            QVERIFY((*store)->recordJob(job));
            LineageDataVersion data;
            data.runId = r->id;
            data.name = QStringLiteral("dataset");
            data.path = QStringLiteral("data");
            data.hash = r == &m_third ? QStringLiteral("sha256:dddd") : QStringLiteral("sha256:cccc");
            QVERIFY((*store)->recordDataVersion(data));
        }
    }
    RunsList list;
    list.show();
    list.setProjectDir(m_project->path());
    QTRY_COMPARE(list.runs().size(), size_t(3));
    list.setFilterText(QStringLiteral("image:sha256:2222"));
    // Asked on a worker thread: nothing is shown as a match until the answer is in.
    QTRY_VERIFY(!list.isFilterLoading());
    QCOMPARE(list.visibleRunIds(), (QStringList{m_third.id, m_second.id}));
    list.setFilterText(QStringLiteral("image:trainer:1")); // the reference as written
    QTRY_COMPARE(list.visibleRunIds().size(), 3);
    list.setFilterText(QStringLiteral("data:sha256:cccc"));
    QTRY_VERIFY(!list.isFilterLoading());
    QCOMPARE(list.visibleRunIds(), (QStringList{m_second.id, m_first.id}));
    list.setFilterText(QStringLiteral("data:sha256:cccc image:sha256:2222"));
    QTRY_VERIFY(!list.isFilterLoading());
    QCOMPARE(list.visibleRunIds(), QStringList{m_second.id});
    list.setFilterText(QStringLiteral("data:sha256:ffff"));
    QTRY_VERIFY(!list.isFilterLoading());
    QVERIFY(list.visibleRunIds().isEmpty());
    list.setFilterText(QString());
    QCOMPARE(list.visibleRunIds().size(), 3);
}

void tst_RunsList::compareAndReproduceActions()
{
    RunsList list;
    list.show();
    list.setProjectDir(m_project->path());
    QTRY_COMPARE(list.runs().size(), size_t(3));
    QTreeWidget *tree = list.tree();
    QSignalSpy compare(&list, &RunsList::compareRequested);
    QSignalSpy reproduce(&list, &RunsList::reproduceRequested);

    // Two runs selected: the menu of either compares both, newest first.
    tree->topLevelItem(0)->setSelected(true);
    tree->topLevelItem(2)->setSelected(true);
    QCOMPARE(list.selectedRunIds(), (QStringList{m_third.id, m_first.id}));
    std::unique_ptr<QMenu> menu(list.createContextMenu(tree->topLevelItem(2), nullptr));
    auto *action = menu->findChild<QAction *>(QStringLiteral("compareRuns"));
    QVERIFY(action);
    QCOMPARE(action->text(), QStringLiteral("Compare scalars of 2 runs"));
    action->trigger();
    QCOMPARE(compare.count(), 1);
    QCOMPARE(compare.at(0).at(0).toStringList(), (QStringList{m_third.id, m_first.id}));
    // The menu of a run outside the selection compares that run alone.
    menu.reset(list.createContextMenu(tree->topLevelItem(1), nullptr));
    menu->findChild<QAction *>(QStringLiteral("compareRuns"))->trigger();
    QCOMPARE(compare.at(1).at(0).toStringList(), QStringList{m_second.id});

    // Reproduce: a clean, finished run with a commit can be; one with uncommitted changes not.
    auto *again = menu->findChild<QAction *>(QStringLiteral("reproduceRun"));
    QVERIFY(again);
    QVERIFY(!again->isEnabled()); // run #2 was dirty
    QVERIFY(again->toolTip().contains(QStringLiteral("uncommitted")));
    menu.reset(list.createContextMenu(tree->topLevelItem(2), nullptr));
    again = menu->findChild<QAction *>(QStringLiteral("reproduceRun"));
    QVERIFY(again->isEnabled());
    again->trigger();
    QCOMPARE(reproduce.count(), 1);
    QCOMPARE(reproduce.at(0).at(0).toString(), m_first.id);
}

void tst_RunsList::doubleClickOpensLogs()
{
    qRegisterMetaType<RunRecord>();
    RunsList list;
    list.resize(900, 400);
    list.show();
    QVERIFY(QTest::qWaitForWindowExposed(&list));
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.setProjectDir(m_project->path());
    QVERIFY(refreshed.wait(10000));
    QSignalSpy open(&list, &RunsList::openRunLogs);
    QTreeWidget *tree = list.tree();
    QTreeWidgetItem *second = tree->topLevelItem(1);
    const QPoint at = tree->visualItemRect(second).center();
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(open.count(), 1);
    const RunRecord record = open.at(0).at(0).value<RunRecord>();
    QCOMPARE(record.id, m_second.id);
    QCOMPARE(record.jobOrder, m_second.jobOrder);
    QCOMPARE(record.jobs.at(QStringLiteral("evaluate")).exitCode, 2);
    QVERIFY(!second->isExpanded()); // a double click opens logs, it does not fold

    // Enter on the current item does the same.
    tree->setCurrentItem(tree->topLevelItem(0));
    QTest::keyClick(tree, Qt::Key_Return);
    QCOMPARE(open.count(), 2);
    QCOMPARE(open.at(1).at(0).value<RunRecord>().id, m_third.id);
}

void tst_RunsList::contextMenuOffersRetryOnFailedJobs()
{
    qRegisterMetaType<RunRecord>();
    RunsList list;
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.setProjectDir(m_project->path());
    QVERIFY(refreshed.wait(10000));
    QSignalSpy open(&list, &RunsList::openRunLogs);
    QSignalSpy retry(&list, &RunsList::retryJobRequested);
    QTreeWidgetItem *second = list.tree()->topLevelItem(1);

    std::unique_ptr<QMenu> runMenu(list.createContextMenu(second, nullptr));
    QAction *openLogs = runMenu->findChild<QAction *>(QStringLiteral("openLogs"));
    QVERIFY(openLogs);
    QVERIFY(!runMenu->findChild<QAction *>(QStringLiteral("retryJob"))); // a run, not a job
    openLogs->trigger();
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.at(0).at(0).value<RunRecord>().id, m_second.id);
    QAction *copyId = runMenu->findChild<QAction *>(QStringLiteral("copyRunId"));
    QVERIFY(copyId);
    copyId->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), m_second.id); // for `trainyard reproduce RUN` and friends

    std::unique_ptr<QMenu> failedMenu(list.createContextMenu(second->child(1), nullptr)); // evaluate: failed
    QAction *retryAction = failedMenu->findChild<QAction *>(QStringLiteral("retryJob"));
    QVERIFY(retryAction);
    QVERIFY(retryAction->isEnabled());
    QCOMPARE(retryAction->text(), QStringLiteral("Retry 'evaluate'"));
    retryAction->trigger();
    QCOMPARE(retry.count(), 1);
    QCOMPARE(retry.at(0).at(0).toString(), m_second.id);
    QCOMPARE(retry.at(0).at(1).toString(), QStringLiteral("evaluate"));

    std::unique_ptr<QMenu> okMenu(list.createContextMenu(second->child(0), nullptr)); // build: success
    QVERIFY(okMenu->findChild<QAction *>(QStringLiteral("openLogs")));
    QVERIFY(!okMenu->findChild<QAction *>(QStringLiteral("retryJob")));
    std::unique_ptr<QMenu> cancelledMenu(list.createContextMenu(list.tree()->topLevelItem(0)->child(0), nullptr));
    QVERIFY(cancelledMenu->findChild<QAction *>(QStringLiteral("retryJob")));

    // While a run is still going, its failed job cannot be retried yet.
    RunRecord live = m_second;
    live.id = QStringLiteral("20240501-120000-dddd");
    live.pipelineIid = 4;
    live.status = RunStatus::Running;
    live.finished = {};
    QVERIFY(trainyard::test::recordRun(m_project->path(), live));
    QVERIFY(refresh(list));
    QTreeWidgetItem *liveItem = list.tree()->topLevelItem(0);
    QCOMPARE(list.recordOf(liveItem)->id, live.id);
    QCOMPARE(liveItem->text(RunsList::DurationColumn), QStringLiteral("running"));
    std::unique_ptr<QMenu> liveMenu(list.createContextMenu(liveItem->child(1), nullptr));
    QVERIFY(!liveMenu->findChild<QAction *>(QStringLiteral("retryJob"))->isEnabled());
}

void tst_RunsList::refreshKeepsSelectionAndExpansion()
{
    RunsList list;
    QSignalSpy refreshed(&list, &RunsList::refreshed);
    list.setProjectDir(m_project->path());
    QVERIFY(refreshed.wait(10000));
    QTreeWidget *tree = list.tree();
    tree->topLevelItem(1)->setExpanded(true);
    tree->setCurrentItem(tree->topLevelItem(1)->child(1));

    RunRecord next = m_first;
    next.id = QStringLiteral("20240502-090000-eeee");
    next.pipelineIid = 4;
    QVERIFY(trainyard::test::recordRun(m_project->path(), next));
    QVERIFY(refresh(list));
    QCOMPARE(tree->topLevelItemCount(), 4);
    QCOMPARE(list.recordOf(tree->topLevelItem(0))->id, next.id);
    QTreeWidgetItem *second = tree->topLevelItem(2);
    QCOMPARE(list.recordOf(second)->id, m_second.id);
    QVERIFY(second->isExpanded());
    QVERIFY(!tree->topLevelItem(0)->isExpanded());
    QCOMPARE(tree->currentItem(), second->child(1));

    // Another project: its own runs only, and a scan of the old one is not shown.
    QTemporaryDir other;
    list.setProjectDir(m_project->path());
    list.setProjectDir(other.path());
    QTRY_VERIFY_WITH_TIMEOUT(!list.isLoading(), 10000);
    QTest::qWait(100);
    QCOMPARE(tree->topLevelItemCount(), 0);
    QVERIFY(list.runs().empty());
}

void tst_RunsList::readTail_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("maxLines");
    QTest::addColumn<QStringList>("expected"); // stream letter + text
    QTest::addColumn<qint64>("total");

    QTest::newRow("empty") << QByteArray() << 10 << QStringList{} << qint64(0);
    QTest::newRow("all fit") << QByteArray("  one\nE two\n# three\n") << 10
                             << QStringList{QStringLiteral("o:one"), QStringLiteral("e:two"), QStringLiteral("s:three")}
                             << qint64(3);
    QTest::newRow("capped") << QByteArray("  1\n  2\n  3\n  4\n  5\n") << 2
                            << QStringList{QStringLiteral("o:4"), QStringLiteral("o:5")} << qint64(5);
    QTest::newRow("no final newline") << QByteArray("  1\n  2\nE 3") << 2
                                      << QStringList{QStringLiteral("o:2"), QStringLiteral("e:3")} << qint64(3);
    QTest::newRow("exactly max") << QByteArray("  1\n  2\n") << 2
                                 << QStringList{QStringLiteral("o:1"), QStringLiteral("o:2")} << qint64(2);
    QTest::newRow("empty lines and untagged")
        << QByteArray("  a\n\nraw text\n  \n") << 3
        << QStringList{QStringLiteral("o:"), QStringLiteral("o:raw text"), QStringLiteral("o:")} << qint64(4);
    QTest::newRow("CRLF and UTF-8") << QByteArray("  gr\xc3\xbc\xc3\x9f\r\n# [MASKED] token\r\n") << 5
                                    << QStringList{QStringLiteral("o:gr\u00fc\u00df"),
                                                   QStringLiteral("s:[MASKED] token")}
                                    << qint64(2);
}

void tst_RunsList::readTail()
{
    QFETCH(QByteArray, content);
    QFETCH(int, maxLines);
    QFETCH(QStringList, expected);
    QFETCH(qint64, total);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("job.log"));
    QVERIFY(writeLog(path, content));
    const auto tail = trainyard::core::JobLogFile::readTail(path, maxLines);
    QVERIFY2(tail, tail ? "" : qPrintable(tail.error().toString()));
    QVERIFY(tail->exists);
    QStringList got;
    for (const LogLine &l : tail->lines) {
        const char *s = l.stream == LogLine::Stream::Stderr ? "e:" : l.stream == LogLine::Stream::System ? "s:" : "o:";
        got << QLatin1String(s) + l.text;
    }
    QCOMPARE(got, expected);
    QCOMPARE(tail->totalLines, total);

    const auto missing = trainyard::core::JobLogFile::readTail(dir.filePath(QStringLiteral("none.log")), maxLines);
    QVERIFY(missing);
    QVERIFY(!missing->exists);
    QVERIFY(missing->lines.isEmpty());
}

void tst_RunsList::readTailOfLargeLog()
{
    // More than one read block (1 MiB) each way: the tail and the count of the lines before it.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.log"));
    QByteArray content;
    const int lines = 300000;
    for (int i = 1; i <= lines; ++i)
        content += (i % 7 == 0 ? "E line " : "  line ") + QByteArray::number(i) + '\n';
    QVERIFY(content.size() > 3 * (1 << 20));
    QVERIFY(writeLog(path, content));
    QElapsedTimer clock;
    clock.start();
    const auto tail = trainyard::core::JobLogFile::readTail(path, 50000);
    qInfo("last 50,000 of %d lines (%lld bytes) read in %lld ms", lines, qint64(content.size()), clock.elapsed());
    QVERIFY(tail);
    QCOMPARE(tail->totalLines, qint64(lines));
    QCOMPARE(tail->lines.size(), 50000);
    QCOMPARE(tail->lines.first().text, QStringLiteral("line 250001"));
    QCOMPARE(tail->lines.last().text, QStringLiteral("line 300000"));
    int stderrLines = 0;
    for (int i = 0; i < tail->lines.size(); ++i) {
        const int number = 250001 + i;
        const auto expected = number % 7 == 0 ? LogLine::Stream::Stderr : LogLine::Stream::Stdout;
        if (tail->lines.at(i).stream != expected || tail->lines.at(i).text != QStringLiteral("line %1").arg(number))
            QFAIL(qPrintable(QStringLiteral("line %1 read back wrong: %2").arg(number).arg(tail->lines.at(i).text)));
        stderrLines += expected == LogLine::Stream::Stderr ? 1 : 0;
    }
    QVERIFY(stderrLines > 7000);
}

void tst_RunsList::loaderFillsConsoleCapped()
{
    // Run 2's logs: build prints 60,000 lines (more than the console keeps), evaluate a few with
    // stderr, report was skipped and has no log.
    const QString root = m_project->path();
    QByteArray big;
    for (int i = 1; i <= 60000; ++i)
        big += "  line " + QByteArray::number(i) + '\n';
    QVERIFY(writeLog(QDir(root).filePath(m_second.jobs.at(QStringLiteral("build")).logFile), big));
    QVERIFY(writeLog(QDir(root).filePath(m_second.jobs.at(QStringLiteral("evaluate")).logFile),
                     "# $ python evaluate.py\n  accuracy 0.41\nE token=[MASKED] rejected\n"));

    RunConsole console(nullptr);
    console.viewFor(QStringLiteral("stale-job")); // from an earlier run: replaced
    RunLogLoader loader(&console);
    QCOMPARE(loader.maximumLines(), JobLogView::DefaultMaximumLines);
    QSignalSpy finished(&loader, &RunLogLoader::finished);

    QElapsedTimer clock;
    qint64 last = 0;
    qint64 worstGap = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&] {
        worstGap = std::max(worstGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    clock.start();
    ticker.start();
    loader.load(root, m_second);
    QVERIFY(loader.isLoading());
    QCOMPARE(console.count(), 3); // the tabs are there at once, with final states
    QVERIFY(!console.existingView(QStringLiteral("stale-job")));
    QVERIFY(finished.wait(30000));
    ticker.stop();
    qInfo("60,000 + 3 lines loaded in %lld ms; longest event-loop gap %lld ms", clock.elapsed(), worstGap);
    QVERIFY2(worstGap < 150, qPrintable(QString::number(worstGap))); // the files were read off the UI thread
    QCOMPARE(finished.at(0).at(0).toString(), m_second.id);
    QVERIFY(!loader.isLoading());

    QStringList titles;
    for (int i = 0; i < console.count(); ++i)
        titles << console.tabText(i);
    QCOMPARE(titles, (QStringList{QStringLiteral("\u2713 build"), QStringLiteral("\u2717 evaluate"),
                                  QStringLiteral("\u00BB report")}));

    JobLogView *build = console.existingView(QStringLiteral("build"));
    const QStringList buildLines = blocks(build);
    QCOMPARE(buildLines.size(), JobLogView::DefaultMaximumLines);
    QCOMPARE(buildLines.first(), QStringLiteral("line 10001"));
    QCOMPARE(buildLines.last(), QStringLiteral("line 60000"));
    QCOMPARE(build->totalLines(), qint64(60000));
    const QString fullPath = QDir(root).filePath(m_second.jobs.at(QStringLiteral("build")).logFile);
    QVERIFY2(build->capNote().contains(QStringLiteral("50,000")) && build->capNote().contains(fullPath),
             qPrintable(build->capNote()));
    QVERIFY2(build->footerText().startsWith(QStringLiteral("Job succeeded")), qPrintable(build->footerText()));

    JobLogView *evaluate = console.existingView(QStringLiteral("evaluate"));
    QCOMPARE(blocks(evaluate), (QStringList{QStringLiteral("$ python evaluate.py"), QStringLiteral("accuracy 0.41"),
                                            QStringLiteral("token=[MASKED] rejected")}));
    QVERIFY(evaluate->capNote().isEmpty());
    QVERIFY2(evaluate->footerText().contains(QStringLiteral("exit code 2")), qPrintable(evaluate->footerText()));
    JobLogView *report = console.existingView(QStringLiteral("report"));
    QCOMPARE(report->footerText(), QStringLiteral("Job skipped"));
    QCOMPARE(report->totalLines(), qint64(0));

    // A lower cap, and a log file that went missing: said in the tab, not a dialog.
    QVERIFY(QFile::remove(QDir(root).filePath(m_second.jobs.at(QStringLiteral("evaluate")).logFile)));
    loader.setMaximumLines(100);
    loader.load(root, m_second);
    QVERIFY(finished.wait(30000));
    QCOMPARE(blocks(console.existingView(QStringLiteral("build"))).first(), QStringLiteral("line 59901"));
    QCOMPARE(blocks(console.existingView(QStringLiteral("build"))).size(), 100);
    const QStringList missing = blocks(console.existingView(QStringLiteral("evaluate")));
    QCOMPARE(missing.size(), 1);
    QVERIFY2(missing.first().contains(QStringLiteral("is missing")), qPrintable(missing.first()));
}

QTEST_MAIN(tst_RunsList)
#include "tst_runslist.moc"
