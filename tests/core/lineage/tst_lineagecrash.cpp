// Crash consistency of the lineage database: a writer process recording heavily (runs of jobs with
// many artifacts, one transaction per state change) is SIGKILLed 20 times at random moments. Every
// time, the next open finds `integrity_check` ok, every job the writer reported done is there
// with all its artifacts, and the run it was in the middle of is marked interrupted.
#include "lineage/lineagestore.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace trainyard::core;

namespace {

constexpr int kJobs = 5;
constexpr int kArtifactsPerJob = 60;

QString sha(int run, int job, int file)
{
    return QStringLiteral("%1%2%3")
        .arg(run, 8, 16, QLatin1Char('0'))
        .arg(job, 8, 16, QLatin1Char('0'))
        .arg(file, 48, 16, QLatin1Char('0'));
}

/// The writer: records runs until killed; prints "done RUN JOB" after each job's transaction
/// committed, "run RUN" when a run starts.
int writerMain(const QString &db, int firstRun)
{
    auto opened = LineageStore::open(db);
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    LineageStore &store = **opened;
    for (int r = firstRun;; ++r) {
        const QString runId = QStringLiteral("run-%1").arg(r, 6, 10, QLatin1Char('0'));
        LineageRun run;
        run.id = runId;
        run.status = QStringLiteral("running");
        run.pid = QCoreApplication::applicationPid();
        run.host = QSysInfo::machineHostName();
        run.started = QDateTime::currentDateTimeUtc();
        auto ok = store.transaction([&]() -> Result<void> {
            if (auto x = store.recordRun(run); !x)
                return x;
            for (int j = 0; j < kJobs; ++j) {
                LineageJob job;
                job.runId = runId;
                job.name = QStringLiteral("job%1").arg(j);
                job.status = QStringLiteral("pending");
                if (auto x = store.recordJob(job); !x)
                    return x;
            }
            return {};
        });
        if (!ok) {
            std::fprintf(stderr, "%s\n", qPrintable(ok.error().toString()));
            return 1;
        }
        std::printf("run %s\n", qPrintable(runId));
        std::fflush(stdout);
        for (int j = 0; j < kJobs; ++j) {
            LineageJob job;
            job.runId = runId;
            job.name = QStringLiteral("job%1").arg(j);
            job.status = QStringLiteral("running");
            job.started = QDateTime::currentDateTimeUtc();
            if (auto x = store.recordJob(job); !x) {
                std::fprintf(stderr, "%s\n", qPrintable(x.error().toString()));
                return 1;
            }
            std::vector<LineageArtifact> artifacts;
            for (int a = 0; a < kArtifactsPerJob; ++a)
                artifacts.push_back(LineageArtifact{
                    runId, job.name, QStringLiteral("out/file-%1.bin").arg(a), sha(r, j, a), a, false, {}});
            job.status = QStringLiteral("success");
            job.exitCode = 0;
            job.finished = QDateTime::currentDateTimeUtc();
            auto done = store.transaction([&]() -> Result<void> {
                if (auto x = store.recordJob(job); !x)
                    return x;
                if (auto x = store.recordArtifacts(runId, job.name, artifacts); !x)
                    return x;
                return store.recordVariables(
                    runId, job.name, {LineageVariable{runId, job.name, QStringLiteral("N"), QString::number(j)}});
            });
            if (!done) {
                std::fprintf(stderr, "%s\n", qPrintable(done.error().toString()));
                return 1;
            }
            std::printf("done %s %s\n", qPrintable(runId), qPrintable(job.name));
            std::fflush(stdout);
        }
        run.status = QStringLiteral("success");
        run.finished = QDateTime::currentDateTimeUtc();
        if (auto x = store.recordRun(run); !x)
            return 1;
        std::printf("finished %s\n", qPrintable(runId));
        std::fflush(stdout);
    }
}

QString integrityCheck(const QString &path)
{
    QString result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next())
                result = q.value(0).toString();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    return result;
}

} // namespace

class tst_LineageCrash final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedWriterLeavesAConsistentDatabase();
};

void tst_LineageCrash::killedWriterLeavesAConsistentDatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("lineage.db"));
    QVERIFY(LineageStore::open(path)); // the schema exists before the first writer starts
    QStringList allDone;
    int firstRun = 0;
    int interruptedSeen = 0;
    for (int round = 0; round < 20; ++round) {
        QProcess writer;
        writer.start(QCoreApplication::applicationFilePath(),
                     {QStringLiteral("--writer"), path, QString::number(firstRun)});
        QVERIFY(writer.waitForStarted());
        // Let it get into a run, then kill it at a random moment of its work.
        QTRY_VERIFY_WITH_TIMEOUT(writer.bytesAvailable() > 0 || writer.state() != QProcess::Running, 20000);
        QTest::qWait(int(QRandomGenerator::global()->bounded(20, 250)));
        QVERIFY2(writer.state() == QProcess::Running, writer.readAllStandardError().constData());
        ::kill(pid_t(writer.processId()), SIGKILL);
        QVERIFY(writer.waitForFinished(10000));
        QCOMPARE(writer.exitStatus(), QProcess::CrashExit);

        QStringList startedRuns;
        QStringList finishedRuns;
        const QStringList lines = QString::fromUtf8(writer.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        for (const QString &line : lines) {
            const QStringList w = line.split(u' ');
            if (w.first() == QLatin1String("run"))
                startedRuns << w.at(1);
            else if (w.first() == QLatin1String("finished"))
                finishedRuns << w.at(1);
            else if (w.first() == QLatin1String("done") && w.size() == 3)
                allDone << w.at(1) + u' ' + w.at(2);
        }
        QVERIFY(!startedRuns.isEmpty());
        firstRun += startedRuns.size() + 1;

        QCOMPARE(integrityCheck(path), QStringLiteral("ok"));
        auto opened = LineageStore::open(path);
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().toString()));
        LineageStore &store = **opened;
        QVERIFY2(!store.isReadOnly(), qPrintable(store.readOnlyReason()));
        // The run it was in the middle of (if any run was not finished) is marked interrupted now.
        const QString last = startedRuns.last();
        // A kill between the run's last commit and its "finished" line leaves a run that did
        // finish: that one is no interrupted run.
        const bool finishedUnsaid =
            !finishedRuns.contains(last) && (*store.run(last))->status == QLatin1String("success");
        if (!finishedRuns.contains(last) && !finishedUnsaid) {
            QVERIFY2(store.interruptedRuns().contains(last),
                     qPrintable(store.interruptedRuns().join(u',') + u" vs " + last));
            QCOMPARE((*store.run(last))->status, QStringLiteral("interrupted"));
            const auto jobs = store.jobs(last); // a named result: `*store.jobs(last)` would dangle in the loop
            QVERIFY(jobs);
            for (const LineageJob &job : *jobs)
                QVERIFY2(job.status == QLatin1String("success") || job.status == QLatin1String("cancelled"),
                         qPrintable(job.status));
            ++interruptedSeen;
        }
        // Every job reported done, in this round and every earlier one, is there with all it made.
        for (const QString &done : std::as_const(allDone)) {
            const QString runId = done.section(u' ', 0, 0);
            const QString job = done.section(u' ', 1, 1);
            const auto record = store.job(runId, job);
            QVERIFY2(record && *record, qPrintable(done));
            QCOMPARE((*record)->status, QStringLiteral("success"));
            QCOMPARE(store.artifacts(runId, job)->size(), size_t(kArtifactsPerJob));
        }
        LineageRunFilter running;
        running.status = QStringLiteral("running");
        QVERIFY(store.runs(running)->empty());
    }
    QVERIFY(interruptedSeen > 0);
    QVERIFY(allDone.size() > 20);
    qInfo("%lld jobs recorded across 20 kills, %d runs interrupted", qint64(allDone.size()), interruptedSeen);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 4 && qstrcmp(argv[1], "--writer") == 0)
        return writerMain(QString::fromLocal8Bit(argv[2]), QByteArray(argv[3]).toInt());
    tst_LineageCrash test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_lineagecrash.moc"
