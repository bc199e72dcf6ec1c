// A project's lineage database lost or damaged (hardening issue: M5 and "damaged database"): it
// is never silently recreated empty, a run refuses to go ahead unrecorded unless told to
// (--no-record), and `trainyard doctor --rebuild-db` makes a new one from the run records.
#include "support/cli.h"
#include "support/files.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::test;

class tst_DamagedDb final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void truncatedDatabaseIsRefusedAndRebuilt();
    void garbageDatabaseIsRebuilt();
    void newProjectStillStartsEmpty();
    void checkDbFindsDamageAnywhere();

private:
    static bool makeProject(const QString &dir);
    static void truncate(const QString &db);
};

bool tst_DamagedDb::makeProject(const QString &dir)
{
    return writeFile(dir + QStringLiteral("/.gitlab-ci.yml"), "train:\n  script: [echo trained]\n") &&
           writeFile(dir + QStringLiteral("/.gitignore"), ".trainyard/\n") && commitAll(dir);
}

void tst_DamagedDb::truncate(const QString &db)
{
    QFile::remove(db + QStringLiteral("-wal"));
    QFile::remove(db + QStringLiteral("-shm"));
    QFile f(db);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
}

void tst_DamagedDb::truncatedDatabaseIsRefusedAndRebuilt()
{
    QTemporaryDir tmp;
    const QString project = tmp.path();
    QVERIFY(makeProject(project));
    const QStringList run{QStringLiteral("run"), QStringLiteral("-C"), project, QStringLiteral("--engine"),
                          QStringLiteral("shell")};
    QCOMPARE(runTrainyard(run).exitCode, 0);
    const QString db = project + QStringLiteral("/.trainyard/lineage.db");
    truncate(db);

    const CliResult runs = runTrainyard({QStringLiteral("runs"), QStringLiteral("-C"), project});
    QVERIFY2(runs.exitCode != 0, qPrintable(runs.out)); // was: exit 0 and no runs
    QVERIFY2(
        runs.err.contains(QLatin1String("the lineage database is empty (0 bytes), though this project has run before")),
        qPrintable(runs.err));
    QVERIFY2(runs.err.contains(QLatin1String("trainyard doctor --rebuild-db -C")), qPrintable(runs.err));
    QCOMPARE(QFileInfo(db).size(), 0); // nothing was changed

    const CliResult refused = runTrainyard(run);
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QLatin1String("Nothing ran")), qPrintable(refused.err));
    QVERIFY(refused.err.contains(QLatin1String("--no-record")));
    QVERIFY(!refused.out.contains(QLatin1String("trained")));

    const CliResult unrecorded = runTrainyard(run + QStringList{QStringLiteral("--no-record")});
    QCOMPARE(unrecorded.exitCode, 0);
    QVERIFY(unrecorded.err.contains(QLatin1String("--no-record: this run's lineage is not recorded")));
    QVERIFY(unrecorded.out.contains(QLatin1String("trained")));
    QCOMPARE(QFileInfo(db).size(), 0);

    const CliResult rebuilt =
        runTrainyard({QStringLiteral("doctor"), QStringLiteral("--rebuild-db"), QStringLiteral("-C"), project});
    QVERIFY2(rebuilt.exitCode == 0, qPrintable(rebuilt.err));
    // The run made with --no-record left no record to rebuild from.
    QVERIFY2(rebuilt.out.contains(QLatin1String(": 1 run(s) from .trainyard/runs/; the old file is kept as")),
             qPrintable(rebuilt.out));
    const QStringList kept =
        QDir(project + QStringLiteral("/.trainyard")).entryList({QStringLiteral("lineage.db.damaged-*")});
    QCOMPARE(kept.size(), 1);

    const CliResult listed =
        runTrainyard({QStringLiteral("runs"), QStringLiteral("-C"), project, QStringLiteral("--json")});
    QCOMPARE(listed.exitCode, 0);
    const QJsonArray array = QJsonDocument::fromJson(listed.out.toUtf8()).array();
    QCOMPARE(array.size(), 1);
    const CliResult lineage = runTrainyard({QStringLiteral("lineage"), QStringLiteral("-C"), project,
                                            array.first().toObject().value(QStringLiteral("id")).toString()});
    QVERIFY2(lineage.exitCode == 0 && lineage.out.contains(QLatin1String("train")),
             qPrintable(lineage.out + lineage.err));

    const CliResult again =
        runTrainyard({QStringLiteral("doctor"), QStringLiteral("--rebuild-db"), QStringLiteral("-C"), project});
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains(QLatin1String("opens fine: nothing to rebuild")), qPrintable(again.err));
}

void tst_DamagedDb::garbageDatabaseIsRebuilt()
{
    QTemporaryDir tmp;
    const QString project = tmp.path();
    QVERIFY(makeProject(project));
    QCOMPARE(runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), project, QStringLiteral("--engine"),
                           QStringLiteral("shell")})
                 .exitCode,
             0);
    const QString db = project + QStringLiteral("/.trainyard/lineage.db");
    truncate(db);
    QVERIFY(writeFile(db, QByteArray(8192, 'x')));
    const CliResult rebuilt =
        runTrainyard({QStringLiteral("doctor"), QStringLiteral("--rebuild-db"), QStringLiteral("-C"), project});
    QVERIFY2(rebuilt.exitCode == 0, qPrintable(rebuilt.err + rebuilt.out));
    QVERIFY(rebuilt.out.contains(QLatin1String(": 1 run(s)")));
}

void tst_DamagedDb::newProjectStillStartsEmpty()
{
    // An empty file in a project that never ran is no loss: it becomes a new database.
    QTemporaryDir tmp;
    const QString project = tmp.path();
    QVERIFY(makeProject(project));
    QVERIFY(writeFile(project + QStringLiteral("/.trainyard/lineage.db"), QByteArray()));
    const CliResult runs = runTrainyard({QStringLiteral("runs"), QStringLiteral("-C"), project});
    QVERIFY2(runs.exitCode == 0, qPrintable(runs.err));
}

void tst_DamagedDb::checkDbFindsDamageAnywhere()
{
    // Opening reads the header only; `doctor --check-db` reads every page.
    QTemporaryDir tmp;
    const QString project = tmp.path();
    QVERIFY(makeProject(project));
    const QStringList run{QStringLiteral("run"), QStringLiteral("-C"), project, QStringLiteral("--engine"),
                          QStringLiteral("shell")};
    for (int i = 0; i < 3; ++i)
        QCOMPARE(runTrainyard(run).exitCode, 0);
    const QStringList check{QStringLiteral("doctor"), QStringLiteral("--check-db"), QStringLiteral("-C"), project};
    const CliResult fine = runTrainyard(check);
    QVERIFY2(fine.exitCode == 0, qPrintable(fine.err));
    QVERIFY2(fine.out.contains(QLatin1String("lineage.db: ok (integrity_check of ")), qPrintable(fine.out));

    const QString db = project + QStringLiteral("/.trainyard/lineage.db");
    QVERIFY(!QFileInfo::exists(db + QStringLiteral("-wal")) || QFileInfo(db + QStringLiteral("-wal")).size() == 0);
    const qint64 pageSize = 4096;
    const qint64 pages = QFileInfo(db).size() / pageSize;
    QVERIFY(pages > 4);
    {
        QFile f(db);
        QVERIFY(f.open(QIODevice::ReadWrite));
        for (qint64 page = 1; page < pages; ++page) { // every page but the first (the schema)
            f.seek(page * pageSize);
            f.write(QByteArray(64, '\x7f'));
        }
    }
    const CliResult damaged = runTrainyard(check);
    QCOMPARE(damaged.exitCode, 1);
    QVERIFY2(damaged.err.contains(QLatin1String("is damaged (integrity_check:")), qPrintable(damaged.err));
    QVERIFY(damaged.err.contains(QLatin1String("--rebuild-db")));
    // A command that meets a damaged page says what checks it.
    const CliResult runs = runTrainyard({QStringLiteral("runs"), QStringLiteral("-C"), project});
    QVERIFY(runs.exitCode != 0);
    QVERIFY2(runs.err.contains(QLatin1String("trainyard doctor --check-db")), qPrintable(runs.err));
    // And the rebuild agrees it is damaged.
    const CliResult rebuilt =
        runTrainyard({QStringLiteral("doctor"), QStringLiteral("--rebuild-db"), QStringLiteral("-C"), project});
    QVERIFY2(rebuilt.exitCode == 0, qPrintable(rebuilt.err));
    QVERIFY2(rebuilt.out.contains(QLatin1String(": 3 run(s) from .trainyard/runs/")), qPrintable(rebuilt.out));
}

QTEST_GUILESS_MAIN(tst_DamagedDb)
#include "tst_damageddb.moc"
