// `trainyard runs`, `lineage` and `review`, driving the real executable: on a shell-engine project
// (tst_lineagecli, label unit), and on the offline demo run with real Docker recording every field
// (tst_lineagecli_docker, label docker).
#include "engine/artifactstore.h"
#include "lineage/dataversioner.h"
#include "lineage/lineagestore.h"

#include "engine/buildcontext.h"

#include "support/demoproject.h"

#include "support/files.h"
#include "support/shellproject.h"
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using trainyard::test::writeFile;

using namespace trainyard::core;

namespace {

#ifdef TRAINYARD_LINEAGE_DOCKER
constexpr bool kDocker = true;
#else
constexpr bool kDocker = false;
#endif

struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

CliResult runTrainyard(const QStringList &args, int timeoutMs = 300000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.insert(QStringLiteral("USER"), QStringLiteral("tester"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), args);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QJsonDocument json(const CliResult &r)
{
    return QJsonDocument::fromJson(r.out.toUtf8());
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// The shell-engine project of tst_lineagerecorder, committed in a fresh repository.
bool shellProject(const QString &dir)
{
    return trainyard::test::writeShellProject(dir, "cli-secret-value");
}

} // namespace

class tst_LineageCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpListsTheCommands();
    void noLineageYet();
    void usageErrors_data();
    void usageErrors();
    void shellRunThenQueries();
    void demoRunRecordsEveryField();
};

void tst_LineageCli::helpListsTheCommands()
{
    if (kDocker)
        QSKIP("runs in tst_lineagecli");
    const CliResult help = runTrainyard({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    for (const char *c : {"runs", "lineage", "review"})
        QVERIFY2(help.out.contains(QLatin1String("  ") + QLatin1String(c) + u' '), qPrintable(help.out));
    const CliResult review = runTrainyard({QStringLiteral("review"), QStringLiteral("--help")});
    QCOMPARE(review.exitCode, 0);
    QVERIFY(review.out.startsWith(QStringLiteral("Usage: trainyard review [options] ARTIFACT")));
    QVERIFY(review.out.contains(QStringLiteral("--export")));
}

void tst_LineageCli::noLineageYet()
{
    if (kDocker)
        QSKIP("runs in tst_lineagecli");
    QTemporaryDir dir;
    for (const QStringList &args :
         {QStringList{QStringLiteral("runs")}, QStringList{QStringLiteral("lineage"), QStringLiteral("x")},
          QStringList{QStringLiteral("review"), QStringLiteral("x")}}) {
        const CliResult r = runTrainyard(args + QStringList{QStringLiteral("-C"), dir.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no lineage is recorded")), qPrintable(r.err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral(".trainyard/lineage.db")))); // asking creates nothing
    }
}

void tst_LineageCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("lineage without target") << QStringList{QStringLiteral("lineage")} << "give one TARGET";
    QTest::newRow("lineage target and --uses")
        << QStringList{QStringLiteral("lineage"), QStringLiteral("a"), QStringLiteral("--uses"), QStringLiteral("b")}
        << "give one TARGET";
    QTest::newRow("approve and reject") << QStringList{QStringLiteral("review"), QStringLiteral("a"),
                                                       QStringLiteral("--approve"), QStringLiteral("--reject")}
                                        << "not both";
    QTest::newRow("comment without decision")
        << QStringList{QStringLiteral("review"), QStringLiteral("a"), QStringLiteral("--comment"), QStringLiteral("x")}
        << "go with --approve";
    QTest::newRow("runs limit") << QStringList{QStringLiteral("runs"), QStringLiteral("--limit"), QStringLiteral("0")}
                                << "positive number";
}

void tst_LineageCli::usageErrors()
{
    if (kDocker)
        QSKIP("runs in tst_lineagecli");
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const CliResult r = runTrainyard(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
}

void tst_LineageCli::shellRunThenQueries()
{
    if (kDocker)
        QSKIP("runs in tst_lineagecli");
    QTemporaryDir dir;
    QVERIFY(shellProject(dir.path()));
    const QStringList project{QStringLiteral("-C"), dir.path()};
    const CliResult run =
        runTrainyard(QStringList{QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell")} + project);
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY2(!run.err.contains(QStringLiteral("lineage")), qPrintable(run.err));

    // runs
    const CliResult runs = runTrainyard(QStringList{QStringLiteral("runs"), QStringLiteral("--json")} + project);
    QCOMPARE(runs.exitCode, 0);
    const QJsonArray list = json(runs).array();
    QCOMPARE(list.size(), 1);
    const QJsonObject r = list.first().toObject();
    const QString runId = r.value(QStringLiteral("id")).toString();
    QCOMPARE(r.value(QStringLiteral("status")).toString(), QStringLiteral("success"));
    QCOMPARE(r.value(QStringLiteral("branch")).toString(), QStringLiteral("main"));
    QCOMPARE(r.value(QStringLiteral("engine")).toString(), QStringLiteral("shell"));
    QCOMPARE(r.value(QStringLiteral("user")).toString(), QStringLiteral("tester"));
    QCOMPARE(r.value(QStringLiteral("dirty")).toBool(), false);
    QCOMPARE(r.value(QStringLiteral("commit")).toString().size(), 40);
    const CliResult table = runTrainyard(QStringList{QStringLiteral("runs")} + project);
    QVERIFY(table.out.contains(runId));
    QVERIFY(table.out.contains(QStringLiteral("1 run(s)")));
    QCOMPARE(runTrainyard(QStringList{QStringLiteral("runs"), QStringLiteral("--branch"), QStringLiteral("other"),
                                      QStringLiteral("--json")} +
                          project)
                 .out.trimmed(),
             QStringLiteral("[\n]"));

    // A name, notes and tags for the run: `annotate #N`, listed by `runs`, found by --tag.
    const QString fingerprintBefore = json(runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("--json"),
                                                                    QStringLiteral("models/model.txt")} +
                                                        project))
                                          .object()
                                          .value(QStringLiteral("fingerprint"))
                                          .toString();
    const CliResult annotated =
        runTrainyard(QStringList{QStringLiteral("annotate"), QStringLiteral("#1"), QStringLiteral("--name"),
                                 QStringLiteral("lr sweep baseline"), QStringLiteral("--tag"), QStringLiteral("sweep"),
                                 QStringLiteral("--tag"), QStringLiteral(" baseline "), QStringLiteral("--notes"),
                                 QStringLiteral("first try"), QStringLiteral("--json")} +
                     project);
    QCOMPARE(annotated.exitCode, 0);
    const QJsonObject note = json(annotated).object();
    QCOMPARE(note.value(QStringLiteral("id")).toString(), runId);
    QCOMPARE(note.value(QStringLiteral("name")).toString(), QStringLiteral("lr sweep baseline"));
    QCOMPARE(note.value(QStringLiteral("tags")).toArray(),
             QJsonArray({QStringLiteral("baseline"), QStringLiteral("sweep")}));
    const CliResult untagged = runTrainyard(
        QStringList{QStringLiteral("annotate"), runId, QStringLiteral("--untag"), QStringLiteral("sweep")} + project);
    QCOMPARE(untagged.exitCode, 0);
    QVERIFY2(untagged.out.contains(QStringLiteral("tags:  baseline\n")), qPrintable(untagged.out));
    QVERIFY(untagged.out.contains(QStringLiteral("notes: first try")));
    const QJsonArray tagged = json(runTrainyard(QStringList{QStringLiteral("runs"), QStringLiteral("--json"),
                                                            QStringLiteral("--tag"), QStringLiteral("baseline")} +
                                                project))
                                  .array();
    QCOMPARE(tagged.size(), 1);
    QCOMPARE(tagged.first()[QStringLiteral("name")].toString(), QStringLiteral("lr sweep baseline"));
    QCOMPARE(runTrainyard(QStringList{QStringLiteral("runs"), QStringLiteral("--json"), QStringLiteral("--tag"),
                                      QStringLiteral("sweep")} +
                          project)
                 .out.trimmed(),
             QStringLiteral("[\n]"));
    QVERIFY(runTrainyard(QStringList{QStringLiteral("runs")} + project)
                .out.contains(QStringLiteral("\"lr sweep baseline\" [baseline]")));
    const CliResult badTag = runTrainyard(
        QStringList{QStringLiteral("annotate"), runId, QStringLiteral("--tag"), QString(65, u'x')} + project);
    QCOMPARE(badTag.exitCode, 1);
    QVERIFY2(badTag.err.contains(QStringLiteral("run ") + runId) && badTag.err.contains(QStringLiteral("64")),
             qPrintable(badTag.err));
    const CliResult noRun = runTrainyard(QStringList{QStringLiteral("annotate"), QStringLiteral("#99")} + project);
    QCOMPARE(noRun.exitCode, 1);
    QVERIFY(noRun.err.contains(QStringLiteral("no run '#99'")));
    // Names and notes are not lineage: a sign-off given before stays current.
    QCOMPARE(json(runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("--json"),
                                           QStringLiteral("models/model.txt")} +
                               project))
                 .object()
                 .value(QStringLiteral("fingerprint"))
                 .toString(),
             fingerprintBefore);

    // lineage of an artifact, of the run, and the reverse
    const CliResult model =
        runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("models/model.txt")} + project);
    QCOMPARE(model.exitCode, 0);
    QVERIFY2(model.out.contains(QStringLiteral("produced by job train in run ") + runId), qPrintable(model.out));
    QVERIFY(model.out.contains(QStringLiteral("staged out/clean.csv")));
    const QJsonObject modelJson = json(runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("--json"),
                                                                QStringLiteral("models/model.txt")} +
                                                    project))
                                      .object();
    const QString modelSha =
        modelJson.value(QStringLiteral("artifact")).toObject().value(QStringLiteral("sha256")).toString();
    QCOMPARE(modelSha, DataVersioner::sha256Hex("x,y\n1,0\n2,1\nlr=0.1\n"));
    QCOMPARE(modelJson.value(QStringLiteral("fingerprint")).toString().size(), 64);
    // Where the bytes are: the store's file, named in the text and the JSON.
    const QString storedAt = modelJson.value(QStringLiteral("stored_at")).toString();
    QVERIFY2(storedAt.startsWith(dir.filePath(QStringLiteral(".trainyard/artifacts/sha256/"))), qPrintable(storedAt));
    QCOMPARE(*ArtifactStore::sha256File(storedAt), modelSha.toLatin1());
    QVERIFY2(model.out.contains(QStringLiteral("  stored at ") + storedAt + u'\n'), qPrintable(model.out));
    QCOMPARE(json(runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("--json"), modelSha} + project))
                 .object()
                 .value(QStringLiteral("artifact"))
                 .toObject()
                 .value(QStringLiteral("path"))
                 .toString(),
             QStringLiteral("models/model.txt"));
    const QJsonObject runJson =
        json(runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("--json"), runId} + project)).object();
    QCOMPARE(runJson.value(QStringLiteral("jobs")).toArray().size(), 4);
    // models/model.txt, out/clean.csv, and evaluate's metrics.json with its two report files.
    QCOMPARE(runJson.value(QStringLiteral("artifacts")).toArray().size(), 5);
    QStringList metrics;
    for (const QJsonValue &m : runJson.value(QStringLiteral("metrics")).toArray())
        metrics << m[QStringLiteral("name")].toString() + u'=' +
                       QString::number(m[QStringLiteral("value")].toDouble()) + u'@' +
                       m[QStringLiteral("source")].toString();
    QCOMPARE(
        metrics,
        (QStringList{QStringLiteral("HELD_OUT_ACCURACY=0.885@eval.env"), QStringLiteral("accuracy=0.9@metrics.json"),
                     QStringLiteral("accuracy_top5=0.97@metrics.txt"), QStringLiteral("loss=0.2@metrics.json")}));
    const QString dataHash =
        runJson.value(QStringLiteral("data")).toArray().first().toObject().value(QStringLiteral("sha256")).toString();
    QCOMPARE(dataHash, DataVersioner().version(dir.filePath(QStringLiteral("data")))->hash);
    const CliResult uses =
        runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("--uses"), dataHash} + project);
    QCOMPARE(uses.exitCode, 0);
    QVERIFY2(uses.out.contains(QStringLiteral("models/model.txt")) && uses.out.contains(QStringLiteral("1 run(s)")),
             qPrintable(uses.out));
    const CliResult unused =
        runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("--uses"), QString(64, u'0')} + project);
    QCOMPARE(unused.exitCode, 1);
    const CliResult missing =
        runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("models/none.txt")} + project);
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.err.contains(QStringLiteral("models/none.txt")));

    // review: the shell engine runs no image, so a check fails (exit 3); sign-off and exports still happen.
    const QString report = dir.filePath(QStringLiteral("report.md"));
    const CliResult review = runTrainyard(
        QStringList{QStringLiteral("review"), QStringLiteral("models/model.txt"), QStringLiteral("--approve"),
                    QStringLiteral("--reviewer"), QStringLiteral("Lead"), QStringLiteral("--comment"),
                    QStringLiteral("fine for a test"), QStringLiteral("--export"), report} +
        project);
    QCOMPARE(review.exitCode, 3);
    QVERIFY2(review.out.contains(QStringLiteral("[FAILED ] Every image pinned by digest")), qPrintable(review.out));
    QVERIFY(review.out.contains(QStringLiteral("host shell")));
    QVERIFY(review.out.contains(QStringLiteral("approve by Lead: fine for a test")));
    QVERIFY(review.err.contains(QStringLiteral("approving although some checks failed")));
    QVERIFY(readFile(report).startsWith("# Release review: models/model.txt"));
    const QString provenance = dir.filePath(QStringLiteral("provenance.json"));
    const CliResult exported = runTrainyard(QStringList{QStringLiteral("review"), modelSha, QStringLiteral("--json"),
                                                        QStringLiteral("--export"), provenance} +
                                            project);
    QCOMPARE(exported.exitCode, 3);
    const QJsonObject statement = QJsonDocument::fromJson(readFile(provenance)).object();
    QCOMPARE(statement.value(QStringLiteral("_type")).toString(), QStringLiteral("https://in-toto.io/Statement/v1"));
    QCOMPARE(statement.value(QStringLiteral("subject"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("digest"))
                 .toObject()
                 .value(QStringLiteral("sha256"))
                 .toString(),
             modelSha);
    const QJsonObject reviewJson = json(exported).object();
    QCOMPARE(reviewJson.value(QStringLiteral("passed")).toBool(), false);
    QCOMPARE(reviewJson.value(QStringLiteral("signoffs")).toArray().size(), 1);
    QCOMPARE(reviewJson.value(QStringLiteral("signoffs"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("stale"))
                 .toBool(),
             false);
    QCOMPARE(runTrainyard(QStringList{QStringLiteral("review"), QStringLiteral("models/model.txt"),
                                      QStringLiteral("--export"), dir.filePath(QStringLiteral("r.pdf"))} +
                          project)
                 .exitCode,
             2);
    // The secret is nowhere in what the CLI prints or exports.
    for (const QByteArray &text :
         {readFile(report), readFile(provenance), runJson.isEmpty() ? QByteArray() : QJsonDocument(runJson).toJson()})
        QVERIFY(!text.contains("cli-secret-value"));
}

void tst_LineageCli::demoRunRecordsEveryField()
{
    if (!kDocker)
        QSKIP("needs Docker: runs in tst_lineagecli_docker");
    if (qEnvironmentVariableIsSet("TRAINYARD_SKIP_DOCKER"))
        QSKIP("TRAINYARD_SKIP_DOCKER is set");
    QTemporaryDir dir;
    QVERIFY2(trainyard::test::copyOfflineDemo(dir.path()), "the demo's trainer is not built: build the project first");
    const QStringList project{QStringLiteral("-C"), dir.path()};
    const CliResult run = runTrainyard(
        QStringList{QStringLiteral("run"), QStringLiteral("--approve"), QStringLiteral("export")} + project);
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY2(!run.err.contains(QStringLiteral("lineage")), qPrintable(run.err));

    // Every field, read back through the store.
    auto opened = LineageStore::open(LineageStore::defaultPath(dir.path()));
    QVERIFY(opened);
    LineageStore &store = **opened;
    const auto runs = *store.runs();
    QCOMPARE(runs.size(), size_t(1));
    const LineageRun &r = runs.front();
    QProcess git;
    git.setWorkingDirectory(dir.path());
    git.start(QStringLiteral("git"), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    git.waitForFinished();
    QCOMPARE(r.commitSha, QString::fromLatin1(git.readAllStandardOutput().trimmed()));
    QCOMPARE(r.branch, QStringLiteral("main"));
    QCOMPARE(r.dirty, false);
    QCOMPARE(r.user, QStringLiteral("tester"));
    QCOMPARE(r.trigger, QStringLiteral("cli"));
    QCOMPARE(r.engine, QStringLiteral("docker"));
    QCOMPARE(r.status, QStringLiteral("success"));
    QVERIFY(r.durationMs > 0);
    QCOMPARE(r.pipelineIid, 1);
    QCOMPARE(r.protectedBranches, QStringList{QStringLiteral("main")});
    QCOMPARE((*store.commit(r.commitSha))->message, QStringLiteral("demo"));

    const auto jobs = *store.jobs(r.id);
    QCOMPARE(jobs.size(), size_t(4));
    for (const LineageJob &j : jobs) {
        QCOMPARE(j.status, QStringLiteral("success"));
        QCOMPARE(j.exitCode, 0);
        QCOMPARE(j.attempts, 1);
        QCOMPARE(j.engine, QStringLiteral("docker"));
        QCOMPARE(j.isolation, QStringLiteral("docker container"));
        QCOMPARE(j.image, QStringLiteral("trainyard-demo/trainer:1"));
        QVERIFY(j.imageId.startsWith(QStringLiteral("sha256:")));
        QVERIFY(j.started.isValid() && j.finished >= j.started);
        QVERIFY(j.gpus.isEmpty());
        QCOMPARE(j.cpuFallback, false);
        QCOMPARE(j.tensorboardDir, j.name == QLatin1String("train") ? QStringLiteral("logs") : QString());
    }
    const auto images = *store.images(r.id);
    QCOMPARE(images.size(), size_t(1));
    QCOMPARE(images.front().imageId, jobs.front().imageId);
    const QString context = dir.filePath(QStringLiteral("image"));
    const QStringList ignore = BuildContext::ignorePatterns(context);
    const auto contextVersion = DataVersioner().version(context, {}, nullptr, [&](const QString &rel) {
        return rel == QLatin1String(".dockerignore") || !BuildContext::isExcluded(ignore, rel);
    });
    QCOMPARE(images.front().buildContextHash, contextVersion->hash);

    const auto data = *store.dataVersions(r.id);
    QCOMPARE(data.size(), size_t(1));
    QCOMPARE(data.front().name, QStringLiteral("dataset"));
    QCOMPARE(data.front().hash, DataVersioner().version(dir.filePath(QStringLiteral("data")))->hash);

    // Artifacts match the run record; consumption follows needs (train's need has artifacts: false).
    QFile recordFile(dir.filePath(QStringLiteral(".trainyard/runs/%1.json").arg(r.id)));
    QVERIFY(recordFile.open(QIODevice::ReadOnly));
    const QJsonArray recordJobs =
        QJsonDocument::fromJson(recordFile.readAll()).object().value(QStringLiteral("jobs")).toArray();
    for (const QJsonValue &jv : recordJobs) {
        const QJsonObject job = jv.toObject();
        const auto recorded = *store.artifacts(r.id, job.value(QStringLiteral("name")).toString());
        const QJsonArray files =
            job.value(QStringLiteral("artifacts")).toObject().value(QStringLiteral("files")).toArray();
        QCOMPARE(recorded.size(), size_t(files.size()));
        for (int i = 0; i < files.size(); ++i) {
            QCOMPARE(recorded[size_t(i)].path, files[i].toObject().value(QStringLiteral("path")).toString());
            QCOMPARE(recorded[size_t(i)].sha256, files[i].toObject().value(QStringLiteral("sha256")).toString());
        }
    }
    const auto trainArtifacts = *store.artifacts(r.id, QStringLiteral("train"));
    QVERIFY(!trainArtifacts.empty());
    QVERIFY(trainArtifacts.front().expires.isValid()); // expire_in: 1 week
    QVERIFY(store.consumptions(r.id, QStringLiteral("train"))->empty());
    QCOMPARE(store.consumptions(r.id, QStringLiteral("evaluate"))->size(), trainArtifacts.size());
    QCOMPARE(store.consumptions(r.id, QStringLiteral("export"))->size(), trainArtifacts.size() + 1); // and metrics.json

    QStringList variables;
    const auto recordedVariables = store.variables(r.id);
    QVERIFY(recordedVariables);
    for (const LineageVariable &v : *recordedVariables)
        variables << v.name + u'=' + v.value;
    QVERIFY2(variables.contains(QStringLiteral("EPOCHS=30")) && variables.contains(QStringLiteral("SEED=42")),
             qPrintable(variables.join(u' ')));
    const auto gates = *store.gates(r.id);
    QCOMPARE(gates.size(), size_t(1));
    QCOMPARE(gates.front().outcome, QStringLiteral("passed"));
    QCOMPARE(gates.front().source, QStringLiteral("metrics.json"));
    QVERIFY(*gates.front().value >= 0.85);

    // The release review of the exported model passes every check that can be told (its image was
    // never scanned for vulnerabilities, and the demo sets no scan gate: unknown, not blocking).
    const CliResult review = runTrainyard(
        QStringList{QStringLiteral("review"), QStringLiteral("export/model.tar"), QStringLiteral("--json")} + project);
    QVERIFY2(review.exitCode == 0, qPrintable(review.out + review.err));
    const QJsonObject checklist = json(review).object();
    QCOMPARE(checklist.value(QStringLiteral("passed")).toBool(), true);
    for (const QJsonValue &item : checklist.value(QStringLiteral("checklist")).toArray()) {
        const QString id = item.toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(item.toObject().value(QStringLiteral("state")).toString(),
                 id == QLatin1String("reproducible") || id == QLatin1String("images-scanned")
                     ? QStringLiteral("unknown")
                     : QStringLiteral("passed"));
    }
    const CliResult uses = runTrainyard(QStringList{QStringLiteral("lineage"), QStringLiteral("--uses"),
                                                    images.front().imageId, QStringLiteral("--json")} +
                                        project);
    QCOMPARE(uses.exitCode, 0);
    QCOMPARE(json(uses).object().value(QStringLiteral("jobs")).toArray().size(), 4);
}

QTEST_GUILESS_MAIN(tst_LineageCli)
#include "tst_lineagecli.moc"
