// LineageStore: every recorded field read back, migrations from every earlier schema version,
// integrity failure → read-only, interrupted runs, and concurrent writers (threads, processes).
// Built twice: tst_lineagestore against SQLite files, tst_lineagestore_postgres against a real
// PostgreSQL server the test fixture starts (TRAINYARD_TEST_POSTGRES_URL); what only a project's
// file does (its checks, its stat cache, marking its host's runs) is skipped there, saying so.
#include "common/processidentity.h"
#include "lineage/lineageschema.h"
#include "lineage/lineagestore.h"
#include "lineage/postgreslineagestore.h"

#include "lineagesample.h"
#include "support/testserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <thread>

using namespace trainyard::core;
using trainyard::test::hex64;

namespace {

#ifdef TRAINYARD_LINEAGE_POSTGRES
constexpr bool kServer = true;
#else
constexpr bool kServer = false;
#endif

#define SKIP_ON_SERVER(why)                                                                                            \
    if (kServer)                                                                                                       \
    QSKIP(why)

/// A plain connection named `name` to a store's `location`: a file, or a server's URL.
QSqlDatabase rawDatabase(const QString &location, const QString &name)
{
    if (PostgresLineageStore::isUrl(location))
        return trainyard::test::serverConnection(location, name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(location);
    return db;
}

/// Where a test's store lives: `file` in `dir`, or (the PostgreSQL build) the test server's
/// database, emptied first.
QString storeAt(const QTemporaryDir &dir, const QString &file = QStringLiteral("lineage.db"))
{
    if (!kServer)
        return dir.filePath(file);
    trainyard::test::emptyTestServer();
    return trainyard::test::testServerUrl();
}

std::unique_ptr<LineageStore> openStore(const QString &path, LineageStore::Options options = {})
{
    auto store = LineageStore::open(path, options);
    if (!store) {
        qWarning("%s", qPrintable(store.error().toString()));
        return nullptr;
    }
    return std::move(*store);
}

/// Runs `statements` (separated by ";\n") on a plain connection to `path`.
bool execScript(const QString &path, const QString &script, int userVersion)
{
    bool ok = true;
    {
        QSqlDatabase db = rawDatabase(path, QStringLiteral("fixture"));
        ok = db.open();
        QSqlQuery q(db);
        for (const QString &statement : script.split(QStringLiteral(";\n"), Qt::SkipEmptyParts)) {
            if (statement.trimmed().isEmpty())
                continue;
            if (!q.exec(statement)) {
                qWarning("%s: %s", qPrintable(statement.left(80)), qPrintable(q.lastError().text()));
                ok = false;
            }
        }
        ok = ok && q.exec(kServer ? QStringLiteral("UPDATE trainyard_schema SET version = %1").arg(userVersion)
                                  : QStringLiteral("PRAGMA user_version = %1").arg(userVersion));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("fixture"));
    return ok;
}

/// One value of a plain query on `path` (read with a connection of its own).
QVariant scalarQuery(const QString &path, const QString &sql)
{
    QVariant v;
    {
        QSqlDatabase db = rawDatabase(path, QStringLiteral("peek"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                v = q.value(0);
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    return v;
}

/// `count` sample runs (one commit, one data version, one artifact sha256).
void writeSampleRuns(LineageStore &store, int count)
{
    for (int i = 0; i < count; ++i)
        trainyard::test::writeSampleRun(store, QStringLiteral("20240501-120000-%1").arg(i, 4, 16, QLatin1Char('0')),
                                        QString(40, u'1'), hex64('d'), hex64('5'));
}

/// Scribbles over the b-tree page headers of three pages in the middle of the database at `path`.
bool scribbleOverMiddlePages(const QString &path)
{
    const qint64 pageSize = scalarQuery(path, QStringLiteral("PRAGMA page_size")).toLongLong();
    const qint64 pages = pageSize > 0 ? QFileInfo(path).size() / pageSize : 0;
    QFile f(path);
    if (pages <= 6 || !f.open(QIODevice::ReadWrite))
        return false;
    for (qint64 page = pages / 2; page < pages / 2 + 3; ++page) {
        if (!f.seek(page * pageSize) || f.write(QByteArray(64, '\x7f')) != 64)
            return false;
    }
    return true;
}

/// The writer process of concurrentProcessesWrite: `--writer DB PREFIX COUNT`.
int writerMain(const QString &db, const QString &prefix, int count)
{
    auto store = LineageStore::open(db);
    if (!store) {
        fprintf(stderr, "%s\n", qPrintable(store.error().toString()));
        return 1;
    }
    for (int i = 0; i < count; ++i) {
        const QString id = QStringLiteral("%1-%2").arg(prefix).arg(i, 5, 10, QLatin1Char('0'));
        auto ok = (*store)->transaction([&]() -> Result<void> {
            LineageRun run;
            run.id = id;
            run.status = QStringLiteral("success");
            run.host = QStringLiteral("writer");
            if (auto r = (*store)->recordRun(run); !r)
                return r;
            LineageJob job;
            job.runId = id;
            job.name = QStringLiteral("train");
            job.status = QStringLiteral("success");
            if (auto r = (*store)->recordJob(job); !r)
                return r;
            return (*store)->recordArtifacts(
                id, QStringLiteral("train"),
                {LineageArtifact{id, QStringLiteral("train"), QStringLiteral("model"), hex64('1'), 1, false, {}}});
        });
        if (!ok) {
            fprintf(stderr, "%s\n", qPrintable(ok.error().toString()));
            return 1;
        }
    }
    return 0;
}

/// The numbering process of pipelineNumbersAreNeverShared: `--numberer DB PREFIX COUNT`; prints
/// the numbers it was given, one a line.
int numbererMain(const QString &db, const QString &prefix, int count)
{
    auto store = LineageStore::open(db);
    if (!store)
        return 1;
    for (int i = 0; i < count; ++i) {
        auto iid =
            (*store)->allocatePipelineIid(QStringLiteral("%1-%2").arg(prefix).arg(i), QStringLiteral("/project"));
        if (!iid) {
            fprintf(stderr, "%s\n", qPrintable(iid.error().toString()));
            return 1;
        }
        printf("%lld\n", static_cast<long long>(*iid));
    }
    return 0;
}

} // namespace

class tst_LineageStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsSchemaWithPragmas();
    void everyRecordedFieldReadsBack();
    void valuesRoundTripExactly();
    void upsertsReplace();
    void gatesAreEvaluated_data();
    void gatesAreEvaluated();
    void gatesRecordedAfterScalars();
    void metricsReplaceAJobsSetAndEvaluateGates();
    void signOffsAreAppendOnly();
    void imageScansReplaceEarlierOnes();
    void runFilters();
    void migratesEveryEarlierVersion_data();
    void migratesEveryEarlierVersion();
    void migratesFrozenFixtures_data();
    void migratesFrozenFixtures();
    void integrityFailureOpensReadOnly();
    void damageAfterAnUncleanEndIsFoundAtOpen();
    void truncatedFileIsFoundAtOpen();
    void notADatabaseIsAnError();
    void newerSchemaIsReadOnly();
    void interruptedRunIsMarkedAtOpen();
    void hashCacheKeepsEntriesUnderRoot();
    void everyWriteQueuesTheRunForTheTeam();
    void teamStoreUrlsNeverShowASecret();
    void concurrentThreadsWrite();
    void concurrentFirstOpens();
    void reproductionsKnowWhatTheyReproduce();
    void concurrentProcessesWrite();
    void pipelineNumbersAreNeverShared();
    void reusedPidIsNotALiveRun();
};

void tst_LineageStore::createsSchemaWithPragmas()
{
    QTemporaryDir dir;
    const QString path = kServer ? storeAt(dir) : dir.filePath(QStringLiteral("project/.trainyard/lineage.db"));
    if (!kServer)
        QCOMPARE(LineageStore::defaultPath(dir.filePath(QStringLiteral("project"))), path);
    auto store = openStore(path);
    QVERIFY(store);
    QVERIFY(!store->isReadOnly());
    QCOMPARE(store->schemaVersion(), LineageSchema::latestVersion());
    QVERIFY(LineageSchema::latestVersion() >= 2);
    if (kServer) {
        QCOMPARE(scalarQuery(path, QStringLiteral("SELECT version FROM trainyard_schema")).toInt(),
                 LineageSchema::latestVersion());
        // Text compares byte by byte, as in SQLite: "a/b" sorts before "a0" and "B" before "a".
        QCOMPARE(scalarQuery(path, QStringLiteral("SELECT collation_name FROM information_schema.columns "
                                                  "WHERE table_name = 'artifacts' AND column_name = 'path'"))
                     .toString(),
                 QStringLiteral("C"));
        // Whole numbers are 64-bit: sizes past 2 GiB fit.
        QCOMPARE(scalarQuery(path, QStringLiteral("SELECT data_type FROM information_schema.columns "
                                                  "WHERE table_name = 'artifacts' AND column_name = 'size'"))
                     .toString(),
                 QStringLiteral("bigint"));
    } else {
        QCOMPARE(scalarQuery(path, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(scalarQuery(path, QStringLiteral("PRAGMA user_version")).toInt(), LineageSchema::latestVersion());
    }
    // Foreign keys are enforced on the store's connections: a job of an unknown run is refused.
    LineageJob orphan;
    orphan.runId = QStringLiteral("no-such-run");
    orphan.name = QStringLiteral("x");
    orphan.status = QStringLiteral("pending");
    const auto refused = store->recordJob(orphan);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QStringLiteral("FOREIGN KEY"), Qt::CaseInsensitive),
             qPrintable(refused.error().message));
    QVERIFY(refused.error().location.file.endsWith(kServer ? QStringLiteral("lineage") : QStringLiteral("lineage.db")));
}

void tst_LineageStore::everyRecordedFieldReadsBack()
{
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    const auto s = trainyard::test::writeSampleRun(*store, QStringLiteral("20240501-120000-00a1"), QString(40, u'f'),
                                                   hex64('d'), hex64('5'), QStringLiteral("main"), true);

    auto run = store->run(s.runId);
    QVERIFY(run && *run);
    const LineageRun &r = **run;
    QCOMPARE(r.id, s.runId);
    QCOMPARE(r.pipelineIid, 7);
    QCOMPARE(r.projectDir, QStringLiteral("/work/project"));
    QCOMPARE(r.pipelineFile, QStringLiteral(".gitlab-ci.yml"));
    QCOMPARE(r.branch, QStringLiteral("main"));
    QCOMPARE(r.commitSha, s.commit);
    QCOMPARE(r.dirty, true);
    QCOMPARE(r.diffHash, hex64('d'));
    QCOMPARE(r.user, QStringLiteral("ada"));
    QCOMPARE(r.host, QStringLiteral("elsewhere"));
    QCOMPARE(r.pid, 1);
    QCOMPARE(r.trigger, QStringLiteral("cli"));
    QCOMPARE(r.engine, QStringLiteral("docker"));
    QCOMPARE(r.status, QStringLiteral("success"));
    QCOMPARE(r.started, QDateTime(QDate(2024, 5, 1), QTime(12, 2, 41), QTimeZone::utc()));
    QCOMPARE(r.finished, r.started.addSecs(90));
    QCOMPARE(r.durationMs, 90000);
    QCOMPARE(r.protectedBranches, (QStringList{QStringLiteral("main"), QStringLiteral("release")}));

    auto commit = store->commit(s.commit);
    QVERIFY(commit && *commit);
    QCOMPARE((*commit)->authorName, QStringLiteral("Ada"));
    QCOMPARE((*commit)->authorEmail, QStringLiteral("ada@example.org"));
    QCOMPARE((*commit)->message, QStringLiteral("Train v1\n\nbody"));
    QCOMPARE((*commit)->committed, r.started);

    auto jobs = store->jobs(s.runId);
    QVERIFY(jobs);
    QCOMPARE(jobs->size(), size_t(4));
    const LineageJob &train = jobs->at(1);
    QCOMPARE(train.name, QStringLiteral("train"));
    QCOMPARE(train.stage, QStringLiteral("train"));
    QCOMPARE(train.status, QStringLiteral("success"));
    QCOMPARE(train.exitCode, 0);
    QCOMPARE(train.attempts, 1);
    QCOMPARE(train.started, r.started.addSecs(10));
    QCOMPARE(train.finished, r.started.addSecs(19));
    QCOMPARE(train.engine, QStringLiteral("docker"));
    QCOMPARE(train.isolation, QStringLiteral("docker container"));
    QCOMPARE(train.image, QStringLiteral("trainer:1"));
    QCOMPARE(train.imageId, s.imageId);
    QCOMPARE(train.gpus, (QStringList{QStringLiteral("0"), QStringLiteral("1")}));
    QCOMPARE(train.cpuFallback, false);
    QCOMPARE(train.logFile, QStringLiteral(".trainyard/logs/%1/train.log").arg(s.runId));
    QCOMPARE(train.tensorboardDir, QStringLiteral("logs"));
    QVERIFY(train.reusedFrom.isEmpty());
    QCOMPARE(*store->jobEdges(s.runId, QStringLiteral("export")),
             (QStringList{QStringLiteral("evaluate"), QStringLiteral("train")}));

    auto images = store->images(s.runId);
    QVERIFY(images);
    QCOMPARE(images->size(), size_t(2));
    QCOMPARE(images->at(1).reference, QStringLiteral("trainer:1"));
    QCOMPARE(images->at(1).buildContextHash, hex64('b'));
    QCOMPARE(images->at(0).repoDigests, QStringList{QStringLiteral("alpine@sha256:") + hex64('a')});

    auto data = store->dataVersions(s.runId);
    QVERIFY(data && data->size() == 1);
    QCOMPARE(data->front().name, QStringLiteral("dataset"));
    QCOMPARE(data->front().path, QStringLiteral("data"));
    QCOMPARE(data->front().hash, hex64('d'));
    QCOMPARE(data->front().fileCount, 2);
    QCOMPARE(data->front().totalBytes, 1234);
    QCOMPARE(data->front().dvcMd5, QStringLiteral("0123456789abcdef0123456789abcdef.dir"));
    QCOMPARE(data->front().dvcSource, QStringLiteral("data.dvc"));

    auto artifacts = store->artifacts(s.runId, QStringLiteral("train"));
    QVERIFY(artifacts && artifacts->size() == 2);
    const LineageArtifact &model = artifacts->at(1);
    QCOMPARE(model.path, QStringLiteral("models/model.txt"));
    QCOMPARE(model.sha256, s.modelSha);
    QCOMPARE(model.size, 42);
    QCOMPARE(model.job, QStringLiteral("train"));
    QCOMPARE(model.expires, r.started.addDays(7));
    QCOMPARE(store->artifacts(s.runId, QStringLiteral("export"))->front().executable, true);
    QCOMPARE(store->artifactsBySha(s.modelSha)->size(), size_t(1));
    QCOMPARE(store->artifactsByPath(QStringLiteral("export/model.tar"))->front().sha256, s.exportSha);

    auto consumed = store->consumptions(s.runId, QStringLiteral("export"));
    QVERIFY(consumed && consumed->size() == 1);
    QCOMPARE(consumed->front().producerJob, QStringLiteral("train"));
    QCOMPARE(consumed->front().path, QStringLiteral("models/model.txt"));
    QCOMPARE(consumed->front().sha256, s.modelSha);

    auto variables = store->variables(s.runId);
    QVERIFY(variables && variables->size() == 2);
    QCOMPARE(variables->at(0).job, QString());
    QCOMPARE(variables->at(0).name, QStringLiteral("EPOCHS"));
    QCOMPARE(variables->at(0).value, QStringLiteral("30"));
    QCOMPARE(variables->at(1).job, QStringLiteral("train"));

    auto scalars = store->scalars(s.runId);
    QVERIFY(scalars && scalars->size() == 2);
    QCOMPARE(scalars->at(0).tag, QStringLiteral("accuracy"));
    QCOMPARE(scalars->at(0).value, 0.91);

    auto gates = store->gates(s.runId);
    QVERIFY(gates && gates->size() == 1);
    QCOMPARE(gates->front().metric, QStringLiteral("accuracy"));
    QCOMPARE(gates->front().op, QStringLiteral(">="));
    QCOMPARE(gates->front().threshold, 0.85);
    QCOMPARE(gates->front().value, std::optional<double>(0.9));
    QCOMPARE(gates->front().outcome, QStringLiteral("passed"));
    QCOMPARE(gates->front().source, QStringLiteral("metrics.json"));

    QVERIFY(store->recordReproduction(LineageReproduction{s.runId, QStringLiteral("repro-1"), false,
                                                          QStringLiteral("model differs"), r.finished.addDays(1)}));
    auto repro = store->reproductions(s.runId);
    QVERIFY(repro && repro->size() == 1);
    QCOMPARE(repro->front().reproductionRunId, QStringLiteral("repro-1"));
    QCOMPARE(repro->front().identical, false);
    QCOMPARE(repro->front().differences, QStringLiteral("model differs"));
    QCOMPARE(repro->front().compared, r.finished.addDays(1));
}

void tst_LineageStore::valuesRoundTripExactly()
{
    // What the server's literals must carry unchanged: quotes, backslashes, the placeholder and
    // separator characters, dollar quotes, any Unicode; 64-bit sizes; doubles to the last bit.
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    const QString awkward =
        QStringLiteral("it's \"quoted\" \\ back\\slash ? ; $$ -- /* x */ \u00e9\u4e2d\U0001F600\nline 2\t");
    const QString sha = QString(40, u'a');
    QVERIFY(store->recordCommit(LineageCommit{sha, awkward, QStringLiteral("a@b"), awkward, {}}));
    auto commit = store->commit(sha);
    QVERIFY(commit && *commit);
    QCOMPARE((*commit)->message, awkward);
    QCOMPARE((*commit)->authorName, awkward);
    QVERIFY(!(*commit)->committed.isValid()); // NULL stays NULL

    LineageRun run;
    run.id = QStringLiteral("r1");
    run.status = QStringLiteral("success");
    QVERIFY(store->recordRun(run));
    LineageJob job;
    job.runId = run.id;
    job.name = QStringLiteral("train");
    job.status = QStringLiteral("success");
    QVERIFY(store->recordJob(job));
    const qint64 big = 5'000'000'000'123;
    QVERIFY(store->recordArtifacts(run.id, job.name,
                                   {LineageArtifact{run.id, job.name, awkward, hex64('1'), big, true, {}}}));
    auto artifacts = store->artifacts(run.id);
    QVERIFY(artifacts && artifacts->size() == 1);
    QCOMPARE(artifacts->front().path, awkward);
    QCOMPARE(artifacts->front().size, big);
    QVERIFY(artifacts->front().executable);

    const std::vector<double> values{0.1 + 0.2, 1e-300, -2.5e300, 123456789.123456789};
    std::vector<LineageMetric> metrics;
    for (size_t i = 0; i < values.size(); ++i)
        metrics.push_back(LineageMetric{run.id, job.name, QStringLiteral("m%1").arg(i), values[i], awkward});
    QVERIFY(store->recordMetrics(run.id, job.name, metrics));
    auto back = store->metrics(run.id);
    QVERIFY(back && back->size() == values.size());
    for (const LineageMetric &m : *back) {
        const double expected = values[size_t(m.name.mid(1).toInt())];
        QCOMPARE(std::bit_cast<quint64>(m.value), std::bit_cast<quint64>(expected)); // every bit, not fuzzily
        QCOMPARE(m.source, awkward);
    }
}

void tst_LineageStore::upsertsReplace()
{
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    const auto s = trainyard::test::writeSampleRun(*store, QStringLiteral("20240501-120000-0001"), QString(40, u'1'),
                                                   hex64('d'), hex64('5'));
    QVERIFY(store->recordArtifacts(
        s.runId, QStringLiteral("train"),
        {LineageArtifact{
            s.runId, QStringLiteral("train"), QStringLiteral("models/v2.txt"), hex64('6'), 1, false, {}}}));
    auto artifacts = store->artifacts(s.runId, QStringLiteral("train"));
    QCOMPARE(artifacts->size(), size_t(1));
    QCOMPARE(artifacts->front().path, QStringLiteral("models/v2.txt"));

    LineageRun run = **store->run(s.runId);
    run.status = QStringLiteral("failed");
    QVERIFY(store->recordRun(run));
    QCOMPARE((*store->run(s.runId))->status, QStringLiteral("failed"));
    QCOMPARE(store->runs()->size(), size_t(1));

    // A failing body rolls back everything it wrote.
    const auto failed = store->transaction([&]() -> Result<void> {
        if (auto r = store->recordVariables(s.runId, QString(), {}); !r)
            return r;
        return tl::unexpected(Error::error(QStringLiteral("stop")));
    });
    QVERIFY(!failed);
    QCOMPARE(store->variables(s.runId)->size(), size_t(2));

    // Jobs read back in the order the run planned them, whenever (and whether) they started.
    const QStringList planned{QStringLiteral("zeta-test"), QStringLiteral("build"), QStringLiteral("alpha-deploy")};
    LineageRun second = run;
    second.id = s.runId + QStringLiteral("-2");
    QVERIFY(store->recordRun(second));
    for (const QString &name : planned) {
        LineageJob j;
        j.runId = second.id;
        j.name = name;
        j.status = QStringLiteral("pending");
        QVERIFY(store->recordJob(j));
    }
    LineageJob built; // build started first; the deploy was skipped, the test never started
    built.runId = second.id;
    built.name = QStringLiteral("build");
    built.status = QStringLiteral("success");
    built.started = QDateTime::currentDateTimeUtc();
    QVERIFY(store->recordJob(built));
    const auto jobs = store->jobs(second.id);
    QVERIFY(jobs);
    QStringList order;
    for (const LineageJob &j : *jobs)
        order << j.name;
    QCOMPARE(order, planned);
}

void tst_LineageStore::gatesAreEvaluated_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<double>("threshold");
    QTest::addColumn<QString>("tag");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("outcome");
    QTest::newRow(">= passes") << ">=" << 0.85 << "accuracy" << 0.85 << "passed";
    QTest::newRow(">= fails") << ">=" << 0.85 << "accuracy" << 0.84 << "failed";
    QTest::newRow("> at bar fails") << ">" << 0.5 << "accuracy" << 0.5 << "failed";
    QTest::newRow("< passes") << "<" << 0.5 << "accuracy" << 0.2 << "passed";
    QTest::newRow("<= fails") << "<=" << 0.5 << "accuracy" << 0.7 << "failed";
    QTest::newRow("== passes") << "==" << 3.0 << "accuracy" << 3.0 << "passed";
    QTest::newRow("tag suffix") << ">=" << 0.85 << "eval/accuracy" << 0.9 << "passed";
    QTest::newRow("other tag: still pending") << ">=" << 0.85 << "loss" << 0.9 << "pending";
}

void tst_LineageStore::gatesAreEvaluated()
{
    QFETCH(QString, op);
    QFETCH(double, threshold);
    QFETCH(QString, tag);
    QFETCH(double, value);
    QFETCH(QString, outcome);
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    const QString run = QStringLiteral("20240501-120000-0002");
    trainyard::test::writeSampleRun(*store, run, QString(40, u'1'), hex64('d'), hex64('5'));
    // export has no scalars yet: only the values recorded here count.
    QVERIFY(store->recordGates(
        run, QStringLiteral("export"),
        {LineageGate{run, QStringLiteral("export"), QStringLiteral("accuracy"), op, threshold, std::nullopt, {}, {}}}));
    QVERIFY(store->recordScalars(run, QStringLiteral("export"), {{tag, value}}));
    const auto gates = store->gates(run);
    const auto it = std::find_if(gates->begin(), gates->end(),
                                 [](const LineageGate &g) { return g.job == QLatin1String("export"); });
    QVERIFY(it != gates->end());
    QCOMPARE(it->outcome, outcome);
    if (outcome != QLatin1String("pending")) {
        QCOMPARE(it->value, std::optional<double>(value));
        QCOMPARE(it->source, QStringLiteral("scalars"));
    }
    QVERIFY(store->closePendingGates(run));
    const auto closed = store->gates(run);
    const auto again = std::find_if(closed->begin(), closed->end(),
                                    [](const LineageGate &g) { return g.job == QLatin1String("export"); });
    QCOMPARE(again->outcome, outcome == QLatin1String("pending") ? QStringLiteral("not measured") : outcome);
}

void tst_LineageStore::gatesRecordedAfterScalars()
{
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    const QString run = QStringLiteral("20240501-120000-0003");
    trainyard::test::writeSampleRun(*store, run, QString(40, u'1'), hex64('d'), hex64('5'));
    // The sample recorded train's scalars (loss 0.25) before this gate exists.
    QVERIFY(store->recordGates(
        run, QStringLiteral("train"),
        {LineageGate{
            run, QStringLiteral("train"), QStringLiteral("loss"), QStringLiteral("<"), 0.2, std::nullopt, {}, {}}}));
    const auto gates = store->gates(run);
    const auto it = std::find_if(gates->begin(), gates->end(),
                                 [](const LineageGate &g) { return g.job == QLatin1String("train"); });
    QCOMPARE(it->outcome, QStringLiteral("failed"));
    QCOMPARE(it->value, std::optional<double>(0.25));
}

void tst_LineageStore::metricsReplaceAJobsSetAndEvaluateGates()
{
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    const QString run = QStringLiteral("20240501-120000-0004");
    trainyard::test::writeSampleRun(*store, run, QString(40, u'1'), hex64('d'), hex64('5'));
    const QString train = QStringLiteral("train");
    QVERIFY(store->recordGates(
        run, train, {LineageGate{run, train, QStringLiteral("f1"), QStringLiteral(">="), 0.8, std::nullopt, {}, {}}}));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    QVERIFY(store->recordMetrics(run, train,
                                 {LineageMetric{run, train, QStringLiteral("f1"), 0.7, QStringLiteral("metrics.txt")},
                                  LineageMetric{run, train, QStringLiteral("old"), 1, QStringLiteral("build.env")}}));
    // Recording the job's metrics again replaces its set; NaN survives the round trip.
    QVERIFY(store->recordMetrics(
        run, train,
        {LineageMetric{run, train, QStringLiteral("f1"), 0.85, QStringLiteral("metrics.txt")},
         LineageMetric{run, train, QStringLiteral("diverged"), nan, QStringLiteral("build.env")}}));
    const auto metrics = store->metrics(run);
    QVERIFY(metrics);
    QCOMPARE(metrics->size(), size_t(2));
    QCOMPARE(metrics->at(0).name, QStringLiteral("diverged"));
    QVERIFY(std::isnan(metrics->at(0).value));
    QCOMPARE(metrics->at(1).name, QStringLiteral("f1"));
    QCOMPARE(metrics->at(1).value, 0.85);
    QCOMPARE(metrics->at(1).source, QStringLiteral("metrics.txt"));
    const auto gates = store->gates(run);
    const auto it = std::find_if(gates->begin(), gates->end(),
                                 [](const LineageGate &g) { return g.metric == QLatin1String("f1"); });
    QVERIFY(it != gates->end());
    QCOMPARE(it->outcome, QStringLiteral("passed"));
    QCOMPARE(it->source, QStringLiteral("metrics.txt"));
}

void tst_LineageStore::imageScansReplaceEarlierOnes()
{
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    const QString image = QStringLiteral("sha256:") + hex64('a');
    QVERIFY(store->imageSbom(image) && !*store->imageSbom(image));
    QVERIFY(store->imageScan(image) && !*store->imageScan(image));

    QVERIFY(store->recordImageSbom({image, hex64('b').toUpper(), QStringLiteral("debian-12"), 120, {}}));
    const auto sbom = store->imageSbom(image);
    QVERIFY(sbom && *sbom);
    QCOMPARE((*sbom)->sbomSha256, hex64('b')); // lower case, as hashes are kept
    QCOMPARE((*sbom)->distribution, QStringLiteral("debian-12"));
    QCOMPARE((*sbom)->packageCount, 120);
    QVERIFY((*sbom)->createdAt.isValid());

    const auto finding = [](const char *id, const char *package, Severity severity) {
        Finding f;
        f.id = QString::fromLatin1(id);
        f.package = QString::fromLatin1(package);
        f.ecosystem = Ecosystem::Debian;
        f.installedVersion = QStringLiteral("1.0-1");
        f.fixedVersion = QStringLiteral("1.0-2");
        f.severity = severity;
        f.source = QStringLiteral("osv");
        f.summary = QStringLiteral("a flaw");
        return f;
    };
    LineageImageScan first{image,
                           QDateTime::currentDateTimeUtc().addSecs(-60),
                           {QStringLiteral("osv: /a (2 advisories)")},
                           {finding("DSA-1", "libssl3", Severity::Medium),
                            finding("DSA-2", "libc6", Severity::Critical),
                            finding("DSA-2", "libc6", Severity::Critical)}}; // a report listing a pair twice
    QVERIFY(store->recordImageScan(first));
    auto read = store->imageScan(image);
    QVERIFY(read && *read);
    QCOMPARE((*read)->findings.size(), 2);
    QCOMPARE((*read)->findings.first().id, QStringLiteral("DSA-2")); // worst first
    QCOMPARE((*read)->findings.first().severity, Severity::Critical);
    QCOMPARE((*read)->findings.first().ecosystem, Ecosystem::Debian);
    QCOMPARE((*read)->findings.first().fixedVersion, QStringLiteral("1.0-2"));
    QCOMPARE((*read)->sources, first.sources);

    // An older scan offered "if newer" (another machine's push) leaves the recorded one.
    LineageImageScan older{image, first.scannedAt.addSecs(-600), {QStringLiteral("osv: old")}, {}};
    const auto kept = store->recordImageScanIfNewer(older);
    QVERIFY(kept && !*kept);
    QCOMPARE((*store->imageScan(image))->findings.size(), 2);
    // A newer scan replaces the findings: the verdict is the latest one's.
    LineageImageScan newer{image, QDateTime::currentDateTimeUtc(), {QStringLiteral("osv: /b (1 advisory)")}, {}};
    const auto replaced = store->recordImageScanIfNewer(newer);
    QVERIFY(replaced && *replaced);
    read = store->imageScan(image);
    QVERIFY(read && *read);
    QVERIFY((*read)->findings.isEmpty());
    QCOMPARE((*read)->sources, newer.sources);
}

void tst_LineageStore::signOffsAreAppendOnly()
{
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    auto store = openStore(path);
    QVERIFY(store);
    LineageSignOff s{
        0,  hex64('5'), QStringLiteral("run"), QStringLiteral("Lead"), QStringLiteral("approve"), QStringLiteral("ok"),
        {}, hex64('f')};
    const auto first = store->addSignOff(s);
    QVERIFY(first);
    s.decision = QStringLiteral("reject");
    const auto second = store->addSignOff(s);
    QVERIFY(second);
    QVERIFY(*second > *first);
    const auto all = store->signOffs(hex64('5'));
    QCOMPARE(all->size(), size_t(2));
    QCOMPARE(all->at(0).decision, QStringLiteral("approve"));
    QCOMPARE(all->at(1).decision, QStringLiteral("reject"));
    QCOMPARE(all->at(0).reviewer, QStringLiteral("Lead"));
    QCOMPARE(all->at(0).fingerprint, hex64('f'));
    QVERIFY(all->at(0).signedAt.isValid());

    s.decision = QStringLiteral("maybe");
    QVERIFY(!store->addSignOff(s));
    s.decision = QStringLiteral("approve");
    s.reviewer = QStringLiteral("  ");
    QVERIFY(!store->addSignOff(s));

    // Not even SQL can change or remove one.
    {
        QSqlDatabase db = rawDatabase(path, QStringLiteral("raw"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(!q.exec(QStringLiteral("UPDATE signoffs SET decision = 'approve'")));
        QVERIFY(q.lastError().text().contains(QStringLiteral("append-only")));
        QVERIFY(!q.exec(QStringLiteral("DELETE FROM signoffs")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    QCOMPARE(store->signOffs(hex64('5'))->size(), size_t(2));
}

void tst_LineageStore::runFilters()
{
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    trainyard::test::writeSampleRun(*store, QStringLiteral("20240501-120000-0010"),
                                    QStringLiteral("aaaa") + QString(36, u'0'), hex64('1'), hex64('5'));
    trainyard::test::writeSampleRun(*store, QStringLiteral("20240501-120000-0020"),
                                    QStringLiteral("bbbb") + QString(36, u'0'), hex64('2'), hex64('6'),
                                    QStringLiteral("feature"));
    QCOMPARE(store->runs()->size(), size_t(2));
    QCOMPARE(store->runs()->front().id, QStringLiteral("20240501-120000-0020")); // newest first
    LineageRunFilter f;
    f.branch = QStringLiteral("feature");
    QCOMPARE(store->runs(f)->size(), size_t(1));
    f = {};
    f.commit = QStringLiteral("aaaa");
    QCOMPARE(store->runs(f)->front().id, QStringLiteral("20240501-120000-0010"));
    f = {};
    f.dataHash = hex64('2');
    QCOMPARE(store->runs(f)->front().id, QStringLiteral("20240501-120000-0020"));
    f = {};
    f.image = QStringLiteral("alpine@sha256:") + hex64('a');
    QCOMPARE(store->runs(f)->size(), size_t(2));
    f.limit = 1;
    QCOMPARE(store->runs(f)->size(), size_t(1));
    f = {};
    f.status = QStringLiteral("failed");
    QCOMPARE(store->runs(f)->size(), size_t(0));
}

void tst_LineageStore::migratesEveryEarlierVersion_data()
{
    QTest::addColumn<int>("from");
    for (int v = 0; v < LineageSchema::latestVersion(); ++v)
        QTest::addRow("v%d", v) << v;
}

void tst_LineageStore::migratesEveryEarlierVersion()
{
    QFETCH(int, from);
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    if (from > 0) {
        LineageStore::Options options;
        options.schemaVersion = from;
        auto old = openStore(path, options);
        QVERIFY(old);
        QCOMPARE(old->schemaVersion(), from);
    } else if (!kServer) {
        QFile empty(path);
        QVERIFY(empty.open(QIODevice::WriteOnly)); // version 0: an empty file
    }
    auto store = openStore(path);
    QVERIFY(store);
    QCOMPARE(store->schemaVersion(), LineageSchema::latestVersion());
    // The migrated database takes everything a new one does.
    const auto s = trainyard::test::writeSampleRun(*store, QStringLiteral("20240501-120000-0030"), QString(40, u'3'),
                                                   hex64('d'), hex64('5'));
    QCOMPARE(store->artifactsBySha(s.modelSha)->size(), size_t(1));
    QCOMPARE(store->images(s.runId)->front().repoDigests.size(), 1);
    QCOMPARE(store->dataVersions(s.runId)->front().dvcSource, QStringLiteral("data.dvc"));
    if (!kServer)
        QCOMPARE(scalarQuery(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void tst_LineageStore::migratesFrozenFixtures_data()
{
    // Databases written by earlier versions, frozen as SQL text, with data in them.
    QTest::addColumn<int>("version");
    QTest::newRow("v1") << 1;
    QTest::newRow("v2") << 2;
}

void tst_LineageStore::migratesFrozenFixtures()
{
    SKIP_ON_SERVER("frozen SQLite files");
    QFETCH(int, version);
    QFile fixture(QStringLiteral(TRAINYARD_TEST_DATA "/lineage/schema-v%1.sql").arg(version));
    QVERIFY2(fixture.open(QIODevice::ReadOnly), qPrintable(fixture.fileName()));
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    QVERIFY(execScript(path, QString::fromUtf8(fixture.readAll()), version));
    auto store = openStore(path);
    QVERIFY(store);
    QCOMPARE(store->schemaVersion(), LineageSchema::latestVersion());

    const QString runId = QStringLiteral("20240101-100000-0001");
    auto run = store->run(runId);
    QVERIFY(run && *run);
    QCOMPARE((*run)->branch, QStringLiteral("main"));
    QCOMPARE((*run)->status, QStringLiteral("success"));
    auto images = store->images(runId);
    QVERIFY(images && images->size() == 1);
    // v1 kept repo digests as lines of text; v2 made them rows: both come back the same.
    QCOMPARE(images->front().repoDigests, (QStringList{QStringLiteral("mirror.example/trainer@sha256:") + hex64('2'),
                                                       QStringLiteral("trainer@sha256:") + hex64('1')}));
    auto uses = store->jobsUsingImage(QStringLiteral("sha256:") + hex64('1'));
    QVERIFY(uses && uses->size() == 1);
    QCOMPARE(uses->front().job, QStringLiteral("train"));
    auto artifacts = store->artifacts(runId);
    QVERIFY(artifacts && artifacts->size() == 1);
    QCOMPARE(artifacts->front().sha256, hex64('5'));
    auto data = store->dataVersions(runId);
    QCOMPARE(data->front().hash, hex64('d'));
    QCOMPARE(data->front().dvcMd5, version >= 2 ? QStringLiteral("00112233445566778899aabbccddeeff.dir") : QString());
    // Sign-offs of the old version are kept, and are append-only now.
    QCOMPARE(store->signOffs(hex64('5'))->size(), size_t(1));
    QVERIFY(store->recordReproduction(LineageReproduction{runId, QStringLiteral("r2"), true, {}, {}}));
}

void tst_LineageStore::integrityFailureOpensReadOnly()
{
    SKIP_ON_SERVER("a project's SQLite file only: its header, pages and checks");
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    {
        auto store = openStore(path);
        QVERIFY(store);
        writeSampleRuns(*store, 40);
    } // the last connection checkpoints the WAL into the file
    QVERIFY(!QFile::exists(path + QStringLiteral("-wal")) || QFileInfo(path + QStringLiteral("-wal")).size() == 0);
    QVERIFY(scribbleOverMiddlePages(path));
    {
        // Opening does not read every page (it costs the same at 10 runs as at a million): a
        // damaged page is met when it is read, and the error names the check and the mend.
        auto cheap = LineageStore::open(path);
        QVERIFY(cheap);
        QVERIFY(!(*cheap)->isReadOnly());
        QStringList errors;
        auto runs = (*cheap)->runs();
        if (!runs)
            errors << runs.error().message;
        for (int i = 0; runs && i < int(runs->size()); ++i) {
            if (auto a = (*cheap)->artifacts(runs->at(i).id); !a)
                errors << a.error().message;
            if (auto j = (*cheap)->jobs(runs->at(i).id); !j)
                errors << j.error().message;
        }
        QVERIFY(!errors.isEmpty());
        QVERIFY2(errors.front().contains(QStringLiteral("`trainyard doctor --check-db`")), qPrintable(errors.front()));
    }
    // The full check (doctor --check-db) finds it at once.
    LineageStore::Options full;
    full.integrity = LineageStore::IntegrityCheck::Full;
    auto store = LineageStore::open(path, full);
    QVERIFY2(store, store ? "" : qPrintable(store.error().toString()));
    QVERIFY((*store)->isReadOnly());
    QVERIFY2((*store)->readOnlyReason().contains(QStringLiteral("integrity_check")),
             qPrintable((*store)->readOnlyReason()));
    QVERIFY((*store)->readOnlyReason().contains(path));
    QVERIFY((*store)->readOnlyReason().contains(QStringLiteral("read-only")));
    // Writes are refused with that message, not attempted.
    LineageRun run;
    run.id = QStringLiteral("new");
    run.status = QStringLiteral("running");
    const auto refused = (*store)->recordRun(run);
    QVERIFY(!refused);
    QCOMPARE(refused.error().message, (*store)->readOnlyReason());
}

void tst_LineageStore::damageAfterAnUncleanEndIsFoundAtOpen()
{
    SKIP_ON_SERVER("a project's SQLite file only: its header, pages and checks");
    // A run whose process died (the project's interrupted-run marker): the next open runs
    // quick_check before marking it, and finds the damage.
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    {
        auto store = openStore(path);
        QVERIFY(store);
        writeSampleRuns(*store, 40);
        LineageRun run;
        run.id = QStringLiteral("dead");
        run.status = QStringLiteral("running");
        run.pid = 2147483; // beyond pid_max: no such process
        run.host = QSysInfo::machineHostName();
        QVERIFY(store->recordRun(run));
    }
    QVERIFY(scribbleOverMiddlePages(path));
    auto store = LineageStore::open(path);
    QVERIFY2(store, store ? "" : qPrintable(store.error().toString()));
    QVERIFY2((*store)->readOnlyReason().contains(QStringLiteral("damaged (quick_check")),
             qPrintable((*store)->readOnlyReason()));
    QVERIFY((*store)->interruptedRuns().isEmpty()); // nothing written into a damaged file
}

void tst_LineageStore::truncatedFileIsFoundAtOpen()
{
    SKIP_ON_SERVER("a project's SQLite file only: its header, pages and checks");
    // A copy cut short: its header counts more pages than the file holds. Found from the header
    // alone, whatever the size.
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    {
        auto store = openStore(path);
        QVERIFY(store);
        writeSampleRuns(*store, 40);
    }
    QVERIFY(LineageSchema::headerProblem(path).isEmpty());
    const qint64 pageSize = scalarQuery(path, QStringLiteral("PRAGMA page_size")).toLongLong();
    QVERIFY(QFile::resize(path, QFileInfo(path).size() - 3 * pageSize));
    auto store = LineageStore::open(path);
    QVERIFY2(store, store ? "" : qPrintable(store.error().toString()));
    QVERIFY2((*store)->readOnlyReason().contains(QStringLiteral("damaged (header:")) &&
                 (*store)->readOnlyReason().contains(QStringLiteral("truncated")),
             qPrintable((*store)->readOnlyReason()));
}

void tst_LineageStore::notADatabaseIsAnError()
{
    SKIP_ON_SERVER("a project's SQLite file only: its header, pages and checks");
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(8192, 'x'));
    f.close();
    auto store = LineageStore::open(path);
    QVERIFY(!store);
    QVERIFY2(store.error().message.contains(path), qPrintable(store.error().message));
    QVERIFY2(store.error().message.contains(QStringLiteral("not a database")), qPrintable(store.error().message));
}

void tst_LineageStore::newerSchemaIsReadOnly()
{
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    QVERIFY(openStore(path));
    QVERIFY(execScript(path, QString(), 99));
    auto store = openStore(path);
    QVERIFY(store);
    QVERIFY(store->isReadOnly());
    QVERIFY2(store->readOnlyReason().contains(QStringLiteral("newer Trainyard")), qPrintable(store->readOnlyReason()));
    QVERIFY(store->runs()); // reading still works
}

void tst_LineageStore::interruptedRunIsMarkedAtOpen()
{
    SKIP_ON_SERVER("a project's own store marks its host's runs; a team's server does not");
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    // A pid that is certainly gone: a process that ran and was reaped.
    QProcess gone;
    gone.start(QStringLiteral("true"));
    QVERIFY(gone.waitForFinished());
    const qint64 deadPid = gone.processId() ? gone.processId() : 999999;
    {
        auto store = openStore(path);
        QVERIFY(store);
        const auto record = [&](const QString &id, qint64 pid, const QString &host) {
            LineageRun run;
            run.id = id;
            run.status = QStringLiteral("running");
            run.pid = pid;
            run.host = host;
            run.started = QDateTime::currentDateTimeUtc();
            QVERIFY(store->recordRun(run));
            for (const auto &[name, status] : {std::pair{QStringLiteral("done"), QStringLiteral("success")},
                                               std::pair{QStringLiteral("busy"), QStringLiteral("running")},
                                               std::pair{QStringLiteral("later"), QStringLiteral("pending")}}) {
                LineageJob job;
                job.runId = id;
                job.name = name;
                job.status = status;
                job.started = status == QLatin1String("pending") ? QDateTime() : run.started;
                QVERIFY(store->recordJob(job));
            }
        };
        record(QStringLiteral("dead"), 2147483, QSysInfo::machineHostName()); // beyond pid_max: no such process
        record(QStringLiteral("alive"), QCoreApplication::applicationPid(), QSysInfo::machineHostName());
        record(QStringLiteral("remote"), 2147483, QStringLiteral("another-host"));
        Q_UNUSED(deadPid);
        // All pushed to the team's store while they ran.
        const auto pushed = store->outbox();
        for (const LineageOutboxEntry &e : *pushed)
            QVERIFY(*store->markPushed(e));
    }
    auto store = openStore(path);
    QVERIFY(store);
    // The one marked interrupted is queued again: the team's store must not keep it "running".
    const auto queued = store->outbox();
    QCOMPARE(queued->size(), size_t(1));
    QCOMPARE(queued->front().runId, QStringLiteral("dead"));
    QCOMPARE(store->interruptedRuns(), QStringList{QStringLiteral("dead")});
    QCOMPARE((*store->run(QStringLiteral("dead")))->status, QStringLiteral("interrupted"));
    QVERIFY((*store->run(QStringLiteral("dead")))->finished.isValid());
    QCOMPARE((*store->job(QStringLiteral("dead"), QStringLiteral("done")))->status, QStringLiteral("success"));
    QCOMPARE((*store->job(QStringLiteral("dead"), QStringLiteral("busy")))->status, QStringLiteral("cancelled"));
    QCOMPARE((*store->job(QStringLiteral("dead"), QStringLiteral("busy")))->reason,
             QStringLiteral("the run was interrupted"));
    QCOMPARE((*store->job(QStringLiteral("dead"), QStringLiteral("later")))->status, QStringLiteral("cancelled"));
    QCOMPARE((*store->run(QStringLiteral("alive")))->status, QStringLiteral("running"));
    QCOMPARE((*store->run(QStringLiteral("remote")))->status, QStringLiteral("running"));
    // Marked once: the next open finds nothing more.
    QVERIFY(openStore(path)->interruptedRuns().isEmpty());
}

void tst_LineageStore::hashCacheKeepsEntriesUnderRoot()
{
    SKIP_ON_SERVER("a team's server keeps no machine's stat cache (PostgresLineageStore::hashCache is in memory)");
    QTemporaryDir dir;
    auto store = openStore(storeAt(dir));
    QVERIFY(store);
    auto cache = store->hashCache();
    QHash<QString, CachedFileHash> entries;
    entries.insert(QStringLiteral("/data/a/x"), CachedFileHash{1, 2, 3, hex64('1')});
    entries.insert(QStringLiteral("/data/a/sub/y"), CachedFileHash{4, 5, 6, hex64('2')});
    entries.insert(QStringLiteral("/data/ab/z"), CachedFileHash{7, 8, 9, hex64('3')});
    entries.insert(QStringLiteral("/data/a"), CachedFileHash{0, 0, 0, hex64('4')});
    QVERIFY(cache->update(entries, {}));
    auto under = cache->entriesUnder(QStringLiteral("/data/a"));
    QCOMPARE(under.size(), 3);
    QVERIFY(!under.contains(QStringLiteral("/data/ab/z")));
    QCOMPARE(under.value(QStringLiteral("/data/a/sub/y")).mtimeNs, 5);
    QCOMPARE(under.value(QStringLiteral("/data/a/sub/y")).inode, quint64(6));
    QVERIFY(cache->update({}, {QStringLiteral("/data/a/x")}));
    QCOMPARE(cache->entriesUnder(QStringLiteral("/data/a")).size(), 2);
}

void tst_LineageStore::everyWriteQueuesTheRunForTheTeam()
{
    SKIP_ON_SERVER("a team's server pushes nowhere: it queues nothing");
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    {
        // Runs recorded before the outbox existed are queued by the migration that makes it.
        LineageStore::Options options;
        options.schemaVersion = 8;
        auto old = openStore(path, options);
        QVERIFY(old);
        QVERIFY(old->outbox()->empty()); // no outbox at version 8
    }
    QVERIFY(execScript(path,
                       QStringLiteral("INSERT INTO runs (id, pipeline_iid, project_dir, trigger_source, status) "
                                      "VALUES ('old', 1, '/p', 'cli', 'success')"),
                       8));
    auto store = openStore(path);
    QVERIFY(store);
    auto queued = store->outbox();
    QCOMPARE(queued->size(), size_t(1));
    QCOMPARE(queued->front().runId, QStringLiteral("old"));
    QVERIFY(*store->markPushed(queued->front()));
    QVERIFY(store->outbox()->empty());

    // Each kind of write queues its run once, counting the writes.
    LineageRun run;
    run.id = QStringLiteral("new");
    run.status = QStringLiteral("running");
    QVERIFY(store->recordRun(run));
    QCOMPARE(store->outbox()->front().revision, 1);
    LineageJob job;
    job.runId = run.id;
    job.name = QStringLiteral("train");
    job.status = QStringLiteral("success");
    QVERIFY(store->recordJob(job));
    QVERIFY(store->recordScalars(run.id, job.name, {{QStringLiteral("loss"), 0.5}}));
    QVERIFY(store->annotateRun(run.id, LineageRunAnnotation{QStringLiteral("n"), {}, {}}));
    QVERIFY(store->addSignOff(
        LineageSignOff{0, hex64('7'), run.id, QStringLiteral("Lead"), QStringLiteral("approve"), {}, {}, hex64('f')}));
    queued = store->outbox();
    QCOMPARE(queued->size(), size_t(1));
    QCOMPARE(queued->front().revision, 5);
    // Written again after it was read for a push: it stays queued.
    QVERIFY(store->recordJob(job));
    QCOMPARE(*store->markPushed(queued->front()), false);
    QCOMPARE(store->outbox()->front().revision, 6);
    // A write that fails queues nothing.
    LineageJob orphan = job;
    orphan.runId = QStringLiteral("no-such-run");
    QVERIFY(!store->recordJob(orphan));
    QCOMPARE(store->outbox()->size(), size_t(1));
    QCOMPARE(store->outbox(0)->size(), size_t(0)); // limit
}

void tst_LineageStore::teamStoreUrlsNeverShowASecret()
{
    SKIP_ON_SERVER("needs no server: runs in tst_lineagestore");
    const auto shown = [](const QString &url) { return PostgresLineageStore::displayUrl(QUrl(url)); };
    QCOMPARE(shown(QStringLiteral("postgresql://ada:pw-1@db:5432/lineage?sslmode=require")),
             QStringLiteral("postgresql://ada@db:5432/lineage?sslmode=require"));
    QCOMPARE(
        shown(QStringLiteral("postgresql://ada@db/lineage?sslpassword=pw-2&PASSWORD=pw-3&sslmode=verify-full#pw-4")),
        QStringLiteral("postgresql://ada@db/lineage?sslmode=verify-full"));
    QCOMPARE(shown(QStringLiteral("postgresql://ada:p@ss@db/lineage")).contains(QStringLiteral("p@ss")), false);
    // Refused before any connection, the secret not repeated.
    for (const QString &url : {QStringLiteral("postgresql://ada@127.0.0.1:1/lineage?Password=pw-5"),
                               QStringLiteral("postgresql://ada@127.0.0.1:1/lineage?sslpassword=pw-5")}) {
        const auto opened = LineageStore::open(url);
        QVERIFY(!opened);
        QVERIFY2(opened.error().message.contains(QStringLiteral("PGPASSWORD")), qPrintable(opened.error().message));
        QVERIFY(!opened.error().message.contains(QStringLiteral("pw-5")));
    }
    // An option value that would add an option of its own (Qt joins them with spaces).
    const auto smuggled =
        LineageStore::open(QStringLiteral("postgresql://ada@127.0.0.1:1/lineage?sslmode=disable%20host=evil"));
    QVERIFY(!smuggled);
    QVERIFY2(smuggled.error().message.contains(QStringLiteral("'sslmode'")), qPrintable(smuggled.error().message));
}

void tst_LineageStore::reproductionsKnowWhatTheyReproduce()
{
    // A version-4 store: a reproduction carried the number of the run it reproduced and said
    // which run only in the reproductions table. Version 5 gives its run row `reproduces`.
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    {
        LineageStore::Options options;
        options.schemaVersion = 4;
        QVERIFY(openStore(path, options));
    }
    const QString insert = QStringLiteral("INSERT INTO runs (id, pipeline_iid, project_dir, trigger_source, status) "
                                          "VALUES ('%1', 2, '/p', '%2', 'success')");
    QVERIFY(execScript(path,
                       insert.arg(QStringLiteral("orig"), QStringLiteral("cli")) + QStringLiteral(";\n") +
                           insert.arg(QStringLiteral("copy"), QStringLiteral("reproduce")) + QStringLiteral(";\n") +
                           QStringLiteral("INSERT INTO reproductions (original_run_id, reproduction_run_id, "
                                          "identical, compared_at) VALUES ('orig', 'copy', 1, '2026-01-01')"),
                       4));
    {
        // A store left at version 4 (opened read-only, it is not migrated) still reads its runs.
        LineageStore::Options options;
        options.schemaVersion = 4;
        auto old = openStore(path, options);
        QVERIFY(old);
        QCOMPARE(old->schemaVersion(), 4);
        auto copy = old->run(QStringLiteral("copy"));
        QVERIFY2(copy && *copy, copy ? "" : qPrintable(copy.error().toString()));
        QCOMPARE((*copy)->reproduces, QString());
        QCOMPARE(old->runs()->size(), size_t(2));
    }
    auto store = openStore(path);
    QVERIFY(store);
    QCOMPARE((*store->run(QStringLiteral("copy")))->reproduces, QStringLiteral("orig"));
    QCOMPARE((*store->run(QStringLiteral("orig")))->reproduces, QString());
    // Written and read back as any other field.
    LineageRun again = **store->run(QStringLiteral("copy"));
    again.id = QStringLiteral("copy2");
    QVERIFY(store->recordRun(again));
    QCOMPARE((*store->run(QStringLiteral("copy2")))->reproduces, QStringLiteral("orig"));
}

void tst_LineageStore::concurrentFirstOpens()
{
    // A new database opened by several connections at the same moment (a run's recorder and the
    // store that numbers it; two `trainyard run`s on a fresh project): each one opens writable
    // and records, none is told "database is locked" by the switch to WAL.
    QTemporaryDir dir;
    constexpr int kRounds = 40;
    constexpr int kThreads = 4;
    QStringList errors;
    std::mutex errorMutex;
    for (int round = 0; round < kRounds; ++round) {
        const QString path = storeAt(dir, QStringLiteral("lineage-%1.db").arg(round));
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                ++ready;
                while (ready.load() < kThreads) // all open at once
                    std::this_thread::yield();
                auto store = LineageStore::open(path);
                Result<void> ok = store ? Result<void>() : tl::unexpected(store.error());
                if (ok && (*store)->isReadOnly())
                    ok = tl::unexpected(Error::error(QStringLiteral("opened read-only")));
                if (ok) {
                    LineageRun run;
                    run.id = QStringLiteral("r%1").arg(t);
                    run.status = QStringLiteral("success");
                    ok = (*store)->recordRun(run);
                }
                if (!ok) {
                    std::lock_guard lock(errorMutex);
                    errors << ok.error().toString();
                }
            });
        }
        for (std::thread &t : threads)
            t.join();
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        auto store = LineageStore::open(path);
        QVERIFY(store);
        QCOMPARE((*store)->runs()->size(), size_t(kThreads));
    }
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
}

void tst_LineageStore::concurrentThreadsWrite()
{
    // Threads sharing one store, and a second store on the same file (like another process).
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    auto store = openStore(path);
    auto other = openStore(path);
    QVERIFY(store && other);
    constexpr int kThreads = 4;
    constexpr int kRuns = 60;
    std::atomic<int> failures{0};
    QStringList errors;
    std::mutex errorMutex;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            LineageStore &s = t % 2 ? *other : *store;
            for (int i = 0; i < kRuns; ++i) {
                const QString id = QStringLiteral("t%1-%2").arg(t).arg(i);
                auto ok = s.transaction([&]() -> Result<void> {
                    LineageRun run;
                    run.id = id;
                    run.status = QStringLiteral("success");
                    if (auto r = s.recordRun(run); !r)
                        return r;
                    LineageJob job;
                    job.runId = id;
                    job.name = QStringLiteral("j");
                    job.status = QStringLiteral("success");
                    return s.recordJob(job);
                });
                if (!ok) {
                    ++failures;
                    std::lock_guard lock(errorMutex);
                    errors << ok.error().toString();
                }
                // Reads interleave with the writes.
                LineageRunFilter newest;
                newest.limit = 5;
                if (!s.runs(newest))
                    ++failures;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QVERIFY2(failures == 0, qPrintable(errors.join(u'\n')));
    QCOMPARE(store->runs()->size(), size_t(kThreads * kRuns));
}

void tst_LineageStore::concurrentProcessesWrite()
{
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    QVERIFY(openStore(path)); // created once, so both writers find the schema
    constexpr int kRuns = 150;
    QProcess a, b;
    for (auto [p, prefix] : {std::pair{&a, QStringLiteral("a")}, std::pair{&b, QStringLiteral("b")}})
        p->start(QCoreApplication::applicationFilePath(),
                 {QStringLiteral("--writer"), path, prefix, QString::number(kRuns)});
    QVERIFY(a.waitForFinished(120000));
    QVERIFY(b.waitForFinished(120000));
    QVERIFY2(a.exitCode() == 0 && a.readAllStandardError().isEmpty(), "writer a reported an error");
    QVERIFY2(b.exitCode() == 0 && b.readAllStandardError().isEmpty(), "writer b reported an error");
    auto store = openStore(path);
    QCOMPARE(store->runs()->size(), size_t(2 * kRuns));
    QCOMPARE(store->artifactsBySha(hex64('1'))->size(), size_t(2 * kRuns));
}

// The hardening issue's M3: runs started at the same time got the same CI_PIPELINE_IID (#3, #3,
// #4, #4). Four processes take 25 numbers each at once: 1 to 100, each once.
void tst_LineageStore::pipelineNumbersAreNeverShared()
{
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    {
        auto store = openStore(path);
        LineageRun earlier; // a run numbered before numbers were handed out by the store
        earlier.id = QStringLiteral("earlier");
        earlier.projectDir = QStringLiteral("/project");
        earlier.pipelineIid = 3;
        earlier.status = QStringLiteral("success");
        QVERIFY(store->recordRun(earlier));
    }
    constexpr int kEach = 25;
    std::vector<std::unique_ptr<QProcess>> processes;
    for (int i = 0; i < 4; ++i) {
        processes.push_back(std::make_unique<QProcess>());
        processes.back()->start(
            QCoreApplication::applicationFilePath(),
            {QStringLiteral("--numberer"), path, QStringLiteral("p%1").arg(i), QString::number(kEach)});
    }
    QList<qint64> numbers;
    for (auto &p : processes) {
        QVERIFY(p->waitForFinished(120000));
        QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        for (const QByteArray &line : p->readAllStandardOutput().split('\n'))
            if (!line.isEmpty())
                numbers << line.toLongLong();
    }
    std::sort(numbers.begin(), numbers.end());
    QList<qint64> expected;
    for (qint64 n = 4; n < 4 + 4 * kEach; ++n)
        expected << n;
    QCOMPARE(numbers, expected);
    // The same run asked again keeps its number.
    auto store = openStore(path);
    const qint64 first = *store->allocatePipelineIid(QStringLiteral("p0-0"), QStringLiteral("/project"));
    QVERIFY(numbers.contains(first));
    QCOMPARE(*store->allocatePipelineIid(QStringLiteral("p0-0"), QStringLiteral("/project")), first);
    QCOMPARE(*store->allocatePipelineIid(QStringLiteral("new"), QStringLiteral("/project")), 4 + 4 * kEach);
    QCOMPARE(*store->allocatePipelineIid(QStringLiteral("elsewhere"), QStringLiteral("/other")), 1);
}

// The hardening issue: a run counted as live while its pid existed, so a reused pid kept a dead
// run "running" with its container up. The process's start time tells them apart.
void tst_LineageStore::reusedPidIsNotALiveRun()
{
    SKIP_ON_SERVER("a project's own store marks its host's runs; a team's server does not");
    QTemporaryDir dir;
    const QString path = storeAt(dir);
    QProcess other; // a live process that is not the run's
    other.start(QStringLiteral("sleep"), {QStringLiteral("30")});
    QVERIFY(other.waitForStarted());
    const qint64 pid = other.processId();
    QVERIFY(!ProcessIdentity::startOf(pid).isEmpty());
    {
        auto store = openStore(path);
        for (const auto &[id, start] : {std::pair{QStringLiteral("reused"), QStringLiteral("another-boot:12345")},
                                        std::pair{QStringLiteral("live"), ProcessIdentity::startOf(pid)},
                                        std::pair{QStringLiteral("old"), QString()}}) {
            LineageRun run;
            run.id = id;
            run.status = QStringLiteral("running");
            run.pid = pid;
            run.processStart = start;
            run.host = QSysInfo::machineHostName();
            QVERIFY(store->recordRun(run));
        }
    }
    auto store = openStore(path);
    QCOMPARE(store->interruptedRuns(), QStringList{QStringLiteral("reused")});
    QCOMPARE((*store->run(QStringLiteral("live")))->status, QStringLiteral("running"));
    QCOMPARE((*store->run(QStringLiteral("live")))->processStart, ProcessIdentity::startOf(pid));
    other.kill();
    other.waitForFinished();
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 5 && qstrcmp(argv[1], "--numberer") == 0)
        return numbererMain(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]),
                            QByteArray(argv[4]).toInt());
    if (argc == 5 && qstrcmp(argv[1], "--writer") == 0)
        return writerMain(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]),
                          QByteArray(argv[4]).toInt());
    tst_LineageStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_lineagestore.moc"
