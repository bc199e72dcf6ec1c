// LineageSync and `trainyard sync`: a project's runs pushed to a real PostgreSQL server (the
// fixture `postgres` starts it): every record arrives as recorded, a second push doubles nothing,
// a server that goes away leaves the runs queued and the next sync completes them.
#include "engine/artifactstore.h"
#include "engine/dockerclient.h"
#include "lineage/artifactregistry.h"
#include "lineage/lineagestore.h"
#include "lineage/lineagesync.h"
#include "lineage/postgreslineagestore.h"
#include "lineage/provenance.h"
#include "lineage/runscalarslocator.h"
#include "lineage/teampush.h"

#include "lineagesample.h"
#include "support/files.h"
#include "support/registryserver.h"
#include "support/scalarsproject.h"
#include "support/shellproject.h"
#include "support/testserver.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUuid>

#include <csignal>
#include <sys/types.h>

using namespace trainyard::core;
using trainyard::test::hex64;

namespace {

QString teamUrl()
{
    return trainyard::test::testServerUrl();
}

/// Runs the test server's script: `halt` (the server goes away) or `start` (it comes back).
bool serverScript(const QString &command)
{
    QStringList args{QStringLiteral(TRAINYARD_SOURCE_DIR "/tests/tools/postgres-server.sh"), command,
                     qEnvironmentVariable("TRAINYARD_TEST_POSTGRES_DIR")};
    if (command == QLatin1String("start"))
        args << QString::number(QUrl(teamUrl()).port());
    return QProcess::execute(QStringLiteral("bash"), args) == 0;
}

/// Everything a store holds of a run, as JSON (toJson of each record), to compare two stores.
QJsonObject snapshot(const LineageStore &store, const QString &runId)
{
    QJsonObject o;
    const auto run = store.run(runId);
    if (!run || !*run)
        return o;
    QJsonObject r = toJson(**run);
    r.insert(QStringLiteral("name"), (*run)->annotation.name);
    r.insert(QStringLiteral("tags"), QJsonArray::fromStringList((*run)->annotation.tags));
    o.insert(QStringLiteral("run"), r);
    if (const auto c = store.commit((*run)->commitSha); c && *c)
        o.insert(QStringLiteral("commit"), toJson(**c));
    const auto add = [&](const QString &key, const auto &list) {
        QJsonArray a;
        for (const auto &item : list)
            a.append(toJson(item));
        o.insert(key, a);
    };
    // (Each result is held before a loop walks it: a temporary's contents die with it.)
    const auto jobs = store.jobs(runId);
    const auto artifacts = store.artifacts(runId);
    QJsonObject edges;
    for (const LineageJob &j : *jobs)
        edges.insert(j.name, QJsonArray::fromStringList(*store.jobEdges(runId, j.name)));
    o.insert(QStringLiteral("edges"), edges);
    add(QStringLiteral("jobs"), *store.jobs(runId));
    add(QStringLiteral("images"), *store.images(runId));
    add(QStringLiteral("data"), *store.dataVersions(runId));
    add(QStringLiteral("artifacts"), *store.artifacts(runId));
    add(QStringLiteral("consumptions"), *store.consumptions(runId));
    add(QStringLiteral("variables"), *store.variables(runId));
    add(QStringLiteral("scalars"), *store.scalars(runId));
    add(QStringLiteral("metrics"), *store.metrics(runId));
    add(QStringLiteral("gates"), *store.gates(runId));
    add(QStringLiteral("reproductions"), *store.reproductions(runId));
    std::vector<LineageSignOff> signOffs;
    for (const LineageArtifact &a : *artifacts) {
        const auto given = store.signOffs(a.sha256);
        for (LineageSignOff s : *given) {
            s.id = 0;             // the team store numbers its own
            s.signedInAs.clear(); // and records the login that pushed it (onlyLeadsSignOffTheServerSays)
            signOffs.push_back(s);
        }
    }
    add(QStringLiteral("signoffs"), signOffs);
    return o;
}

struct Cli
{
    int code = -1;
    QString out;
    QString err;
};

Cli runCli(const QStringList &args, const QString &teamUrl = {}, const QMap<QString, QString> &extraEnv = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("TRAINYARD_LINEAGE_URL"));
    env.remove(QStringLiteral("TRAINYARD_REGISTRY"));
    if (!teamUrl.isEmpty())
        env.insert(QStringLiteral("TRAINYARD_LINEAGE_URL"), teamUrl);
    for (auto it = extraEnv.cbegin(); it != extraEnv.cend(); ++it)
        env.insert(it.key(), it.value());
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), args);
    Cli r;
    if (!p.waitForFinished(60000))
        return r;
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace

class tst_LineageSync final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { trainyard::test::emptyTestServer(); }
    void everyRecordArrivesOnce();
    void changedRunIsPushedAgain();
    void imageScansFollowTheirRuns();
    void serverGoneLeavesRunsQueued();
    void serverStoppedInsideARun();
    void syncCommand();
    void runPushesAsItEnds();
    void onlyLeadsSignOffTheServerSays();
    void artifactsGoToTheTeamRegistry();
    void builtImagesGoToTheTeamRegistry();
    void teamRunsScalarsComeFromTheRegistry();
    void fourMachinesPushAtOnce();
    void killedPushIsCompletedByTheNext();
    void twoPushesOfOneProjectTakeTurns();
};

void tst_LineageSync::everyRecordArrivesOnce()
{
    QTemporaryDir dir;
    auto local = LineageStore::open(dir.filePath(QStringLiteral("lineage.db")));
    QVERIFY(local);
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
        ids << QStringLiteral("20240501-120000-%1").arg(i, 4, 10, QLatin1Char('0'));
        trainyard::test::writeSampleRun(**local, ids.last(), QString(40, QChar(u'a' + i)), hex64('d'),
                                        hex64(char('1' + i)));
    }
    QVERIFY((*local)->annotateRun(
        ids[0], LineageRunAnnotation{QStringLiteral("baseline"), QStringLiteral("n"), {QStringLiteral("keep")}}));
    QVERIFY((*local)->addSignOff(LineageSignOff{0,
                                                hex64('1'),
                                                ids[0],
                                                QStringLiteral("Lead"),
                                                QStringLiteral("approve"),
                                                QStringLiteral("ok"),
                                                {},
                                                hex64('f')}));
    QCOMPARE((*local)->outbox()->size(), size_t(3));

    auto team = LineageStore::open(teamUrl());
    QVERIFY2(team, team ? "" : qPrintable(team.error().toString()));
    int lastDone = -1;
    auto report = LineageSync::pushQueued(**local, **team, [&](int done, int total) {
        QCOMPARE(total, 3);
        lastDone = done;
    });
    QVERIFY(report);
    QVERIFY2(report->failed.isEmpty(), qPrintable(report->failed.join(u'\n')));
    QCOMPARE(report->pushed, 3);
    QCOMPARE(lastDone, 3);
    QVERIFY((*local)->outbox()->empty());
    QCOMPARE((*team)->runs()->size(), size_t(3));
    for (const QString &id : std::as_const(ids))
        QCOMPARE(QJsonDocument(snapshot(**team, id)).toJson(), QJsonDocument(snapshot(**local, id)).toJson());

    // Pushed again on purpose (a push cut short before its run left the outbox): nothing doubles.
    for (const QString &id : std::as_const(ids))
        QVERIFY(LineageSync::pushRun(**local, **team, id));
    QCOMPARE((*team)->runs()->size(), size_t(3));
    QCOMPARE((*team)->signOffs(hex64('1'))->size(), size_t(1));
    QCOMPARE((*team)->artifactsBySha(hex64('1'))->size(), size_t(1));
    QCOMPARE(QJsonDocument(snapshot(**team, ids[0])).toJson(), QJsonDocument(snapshot(**local, ids[0])).toJson());
    // The team store answers the reverse queries across what was pushed.
    QCOMPARE((*team)->jobsUsingData(hex64('d'))->size(), (*local)->jobsUsingData(hex64('d'))->size());
}

void tst_LineageSync::changedRunIsPushedAgain()
{
    QTemporaryDir dir;
    auto local = LineageStore::open(dir.filePath(QStringLiteral("lineage.db")));
    QVERIFY(local);
    const QString id = QStringLiteral("20240501-120000-0001");
    trainyard::test::writeSampleRun(**local, id, QString(40, u'a'), hex64('d'), hex64('5'));
    auto team = LineageStore::open(teamUrl());
    QVERIFY(team);
    QVERIFY(LineageSync::pushQueued(**local, **team));
    QVERIFY((*local)->outbox()->empty());

    // A run changes after its push (renamed; a job's artifacts replaced): it is queued again, and
    // the team store ends as the project's store is, the replaced artifact gone there too.
    QVERIFY((*local)->annotateRun(id, LineageRunAnnotation{QStringLiteral("renamed"), {}, {}}));
    QVERIFY((*local)->recordArtifacts(
        id, QStringLiteral("train"),
        {LineageArtifact{id, QStringLiteral("train"), QStringLiteral("models/v2.txt"), hex64('6'), 1, false, {}}}));
    const auto queued = (*local)->outbox();
    QCOMPARE(queued->size(), size_t(1));
    QVERIFY(queued->front().revision >= 2);
    // A push that read the run before a later write does not take it off the outbox.
    LineageOutboxEntry stale = queued->front();
    stale.revision -= 1;
    QCOMPARE(*(*local)->markPushed(stale), false);
    QCOMPARE((*local)->outbox()->size(), size_t(1));

    auto report = LineageSync::pushQueued(**local, **team);
    QVERIFY(report && report->pushed == 1);
    QCOMPARE((*(*team)->run(id))->annotation.name, QStringLiteral("renamed"));
    QVERIFY((*team)->artifactsBySha(hex64('5'))->empty());
    QCOMPARE((*team)->artifactsBySha(hex64('6'))->size(), size_t(1));
    QCOMPARE(QJsonDocument(snapshot(**team, id)).toJson(), QJsonDocument(snapshot(**local, id)).toJson());

    // A set emptied in the project (the job's artifacts all gone, its variables too) is emptied
    // in the team's store, not left as it was.
    QVERIFY((*local)->recordArtifacts(id, QStringLiteral("train"), {}));
    QVERIFY((*local)->recordVariables(id, QStringLiteral("train"), {}));
    report = LineageSync::pushQueued(**local, **team);
    QVERIFY(report && report->pushed == 1);
    QVERIFY((*team)->artifactsBySha(hex64('6'))->empty());
    QCOMPARE(QJsonDocument(snapshot(**team, id)).toJson(), QJsonDocument(snapshot(**local, id)).toJson());
}

void tst_LineageSync::imageScansFollowTheirRuns()
{
    QTemporaryDir dir;
    auto local = LineageStore::open(dir.filePath(QStringLiteral("lineage.db")));
    QVERIFY(local);
    const QString id = QStringLiteral("20240501-120000-0002");
    const auto sample = trainyard::test::writeSampleRun(**local, id, QString(40, u'b'), hex64('d'), hex64('5'));
    auto team = LineageStore::open(teamUrl());
    QVERIFY(team);
    QVERIFY(LineageSync::pushQueued(**local, **team));
    QVERIFY((*local)->outbox()->empty());

    // A scan made after the run was pushed queues the run again, and reaches the team with it.
    Finding f;
    f.id = QStringLiteral("DSA-1");
    f.package = QStringLiteral("libssl3");
    f.ecosystem = Ecosystem::Debian;
    f.severity = Severity::Critical;
    f.source = QStringLiteral("osv");
    const QDateTime earlier = QDateTime::currentDateTimeUtc().addSecs(-3600);
    QVERIFY((*local)->recordImageSbom({sample.imageId, hex64('c'), QStringLiteral("debian-12"), 12, {}}));
    QVERIFY((*local)->recordImageScan({sample.imageId, earlier, {QStringLiteral("osv: a")}, {f}}));
    QCOMPARE((*local)->outbox()->size(), size_t(1));
    QVERIFY(LineageSync::pushQueued(**local, **team));
    auto there = (*team)->imageScan(sample.imageId);
    QVERIFY(there && *there);
    QCOMPARE((*there)->findings.size(), 1);
    QCOMPARE((*there)->findings.first().severity, Severity::Critical);
    QCOMPARE((*(*team)->imageSbom(sample.imageId))->sbomSha256, hex64('c'));

    // Another machine's newer scan on the team's store is not replaced by this older one.
    QVERIFY(
        (*team)->recordImageScan({sample.imageId, QDateTime::currentDateTimeUtc(), {QStringLiteral("osv: b")}, {}}));
    QVERIFY((*local)->recordImageScan({sample.imageId, earlier.addSecs(60), {QStringLiteral("osv: a2")}, {f}}));
    QVERIFY(LineageSync::pushQueued(**local, **team));
    there = (*team)->imageScan(sample.imageId);
    QCOMPARE((*there)->sources, QStringList{QStringLiteral("osv: b")});
    QVERIFY((*there)->findings.isEmpty());
}

void tst_LineageSync::serverGoneLeavesRunsQueued()
{
    QTemporaryDir dir;
    auto local = LineageStore::open(dir.filePath(QStringLiteral("lineage.db")));
    QVERIFY(local);
    trainyard::test::writeSampleRun(**local, QStringLiteral("r1"), QString(40, u'a'), hex64('d'), hex64('5'));
    {
        auto team = LineageStore::open(teamUrl());
        QVERIFY(team);
        QVERIFY(LineageSync::pushQueued(**local, **team));
    }
    trainyard::test::writeSampleRun(**local, QStringLiteral("r2"), QString(40, u'b'), hex64('d'), hex64('6'));
    trainyard::test::writeSampleRun(**local, QStringLiteral("r3"), QString(40, u'c'), hex64('d'), hex64('7'));

    QVERIFY(serverScript(QStringLiteral("halt")));
    QUrl withPassword(teamUrl());
    withPassword.setPassword(QStringLiteral("pw-never-shown"));
    struct Restart
    {
        ~Restart() { serverScript(QStringLiteral("start")); }
    } restart;
    auto gone = LineageStore::open(withPassword.toString());
    QVERIFY(!gone);
    QVERIFY2(gone.error().message.contains(QStringLiteral("127.0.0.1")), qPrintable(gone.error().message));
    QVERIFY2(!gone.error().toString().contains(QStringLiteral("pw-never-shown")), qPrintable(gone.error().toString()));
    QCOMPARE((*local)->outbox()->size(), size_t(2)); // nothing lost

    QVERIFY(serverScript(QStringLiteral("start")));
    auto back = LineageStore::open(teamUrl());
    QVERIFY2(back, back ? "" : qPrintable(back.error().toString()));
    auto report = LineageSync::pushQueued(**local, **back);
    QVERIFY(report && report->failed.isEmpty());
    QCOMPARE(report->pushed, 2);
    QCOMPARE((*back)->runs()->size(), size_t(3)); // nothing doubled
}

void tst_LineageSync::serverStoppedInsideARun()
{
    // A project whose second job waits for a signal of the test's, so the server can be stopped
    // while the run is in the middle of it.
    QTemporaryDir project;
    const QString dir = project.path();
    const QString go = project.filePath(QStringLiteral("go"));
    trainyard::test::writeFile(dir + QStringLiteral("/.gitlab-ci.yml"),
                               "stages: [prepare, train]\n"
                               "prepare:\n  stage: prepare\n  script: [mkdir -p out, echo data > out/clean.csv]\n"
                               "  artifacts:\n    paths: [out/]\n"
                               "train:\n  stage: train\n  script:\n    - echo waiting\n"
                               "    - while [ ! -f '" +
                                   go.toUtf8() +
                                   "' ]; do sleep 0.1; done\n    - mkdir -p models && echo weights > models/m.txt\n"
                                   "  artifacts:\n    paths: [models/]\n");
    trainyard::test::writeFile(dir + QStringLiteral("/.gitignore"), ".trainyard/\ngo\n");
    trainyard::test::shell(dir, QStringLiteral("git init -q -b main && git add -A && git -c user.name=t -c "
                                               "user.email=t@t commit -qm init && git remote add origin "
                                               "https://gitlab.example.org/ml/demo.git"));
    const QStringList run{QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"),
                          QStringLiteral("-C"), dir};
    // One run pushed while all is well.
    trainyard::test::writeFile(go, "");
    Cli r = runCli(run, teamUrl());
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 1 run(s)")), qPrintable(r.out + r.err));
    QFile::remove(go);

    // The next: the server goes away while its second job runs.
    QProcess second;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TRAINYARD_LINEAGE_URL"), teamUrl());
    second.setProcessEnvironment(env);
    second.start(QStringLiteral(TRAINYARD_EXE), run);
    QByteArray seen;
    QTRY_VERIFY_WITH_TIMEOUT((seen += second.readAllStandardOutput()).contains("[train] waiting") ||
                                 second.state() == QProcess::NotRunning,
                             30000);
    QVERIFY(second.state() == QProcess::Running);
    struct Restart
    {
        ~Restart() { serverScript(QStringLiteral("start")); }
    } restart;
    QVERIFY(serverScript(QStringLiteral("halt")));
    trainyard::test::writeFile(go, "");
    QVERIFY(second.waitForFinished(60000));
    const QString err = QString::fromUtf8(second.readAllStandardError());
    QCOMPARE(second.exitCode(), 0); // the run ran: the team store is not needed for that
    QVERIFY2(err.contains(QStringLiteral("stay queued")), qPrintable(err));
    {
        auto local = LineageStore::open(LineageStore::defaultPath(dir));
        QVERIFY(local);
        QCOMPARE((*local)->outbox()->size(), size_t(1));
        QCOMPARE((*local)->runs()->size(), size_t(2));
    }

    // Back: sync pushes the run that waited, whole; again pushes nothing; no run is there twice.
    QVERIFY(serverScript(QStringLiteral("start")));
    r = runCli({QStringLiteral("sync"), QStringLiteral("-C"), dir}, teamUrl());
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 1 run(s)")), qPrintable(r.out + r.err));
    r = runCli({QStringLiteral("sync"), QStringLiteral("-C"), dir}, teamUrl());
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 0 run(s)")), qPrintable(r.out + r.err));
    auto team = LineageStore::open(teamUrl());
    QVERIFY(team);
    auto local = LineageStore::open(LineageStore::defaultPath(dir));
    const auto teamRuns = (*team)->runs();
    QCOMPARE(teamRuns->size(), size_t(2));
    for (const LineageRun &pushed : *teamRuns) {
        QCOMPARE(pushed.status, QStringLiteral("success"));
        QCOMPARE(QJsonDocument(snapshot(**team, pushed.id)).toJson(),
                 QJsonDocument(snapshot(**local, pushed.id)).toJson());
    }
}

void tst_LineageSync::syncCommand()
{
    QTemporaryDir project;
    {
        auto local = LineageStore::open(LineageStore::defaultPath(project.path()));
        QVERIFY(local);
        trainyard::test::writeSampleRun(**local, QStringLiteral("r1"), QString(40, u'a'), hex64('d'), hex64('5'));
    }
    // No team store set: a usage error that says how to set one.
    Cli r = runCli({QStringLiteral("sync"), QStringLiteral("-C"), project.path()});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("TRAINYARD_LINEAGE_URL")), qPrintable(r.err));

    // A wrong password: refused by the server, the password never printed.
    QUrl wrong(teamUrl());
    wrong.setPassword(QStringLiteral("not-the-password"));
    r = runCli(
        {QStringLiteral("sync"), QStringLiteral("-C"), project.path(), QStringLiteral("--team-url"), wrong.toString()});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("password authentication failed")), qPrintable(r.err));
    QVERIFY2(!r.err.contains(QStringLiteral("not-the-password")) && !r.out.contains(QStringLiteral("not-the-password")),
             qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("stay queued")), qPrintable(r.err));

    r = runCli({QStringLiteral("sync"), QStringLiteral("-C"), project.path()}, teamUrl());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("pushed 1 run(s)")), qPrintable(r.out));
    r = runCli({QStringLiteral("sync"), QStringLiteral("-C"), project.path()}, teamUrl());
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 0 run(s)")), qPrintable(r.out + r.err));
    auto team = LineageStore::open(teamUrl());
    QVERIFY(team);
    QCOMPARE((*team)->runs()->size(), size_t(1));

    // Or the pipeline file names the store (never with a password).
    trainyard::test::writeFile(project.filePath(QStringLiteral(".gitlab-ci.yml")),
                               ".trainyard:\n  lineage:\n    url: " + teamUrl().toUtf8() + "\ntrain:\n  script: x\n");
    {
        auto local = LineageStore::open(LineageStore::defaultPath(project.path()));
        trainyard::test::writeSampleRun(**local, QStringLiteral("r2"), QString(40, u'b'), hex64('d'), hex64('6'));
    }
    r = runCli({QStringLiteral("sync"), QStringLiteral("-C"), project.path()});
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 1 run(s)")), qPrintable(r.out + r.err));
    QCOMPARE((*team)->runs()->size(), size_t(2));
}

/// The shell-engine project of tst_lineagerecorder in `dir`, with a masked secret, committed, its
/// remote "origin" at ml/demo.
bool shellProject(const QString &dir)
{
    return trainyard::test::writeShellProject(dir, "team-secret-value",
                                              QStringLiteral("https://gitlab.example.org/ml/demo.git"));
}

void tst_LineageSync::runPushesAsItEnds()
{
    QTemporaryDir project;
    const QString dir = project.path();
    QVERIFY(shellProject(dir));
    const QStringList run{QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"),
                          QStringLiteral("-C"), dir};

    // The team store cannot be reached: the run runs and is recorded; it waits in the outbox.
    Cli r = runCli(run, QStringLiteral("postgresql://nobody@127.0.0.1:1/lineage?connect_timeout=2"));
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains(QStringLiteral("warning: team store:")) && r.err.contains(QStringLiteral("stay queued")),
             qPrintable(r.err));
    {
        auto local = LineageStore::open(LineageStore::defaultPath(dir));
        QVERIFY(local);
        QCOMPARE((*local)->outbox()->size(), size_t(1));
    }

    // Reachable: the next run is pushed as it ends, with the one that waited.
    r = runCli(run, teamUrl());
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QStringLiteral("pushed 2 run(s)")), qPrintable(r.out + r.err));
    auto team = LineageStore::open(teamUrl());
    QVERIFY(team);
    const auto runs = (*team)->runs();
    QCOMPARE(runs->size(), size_t(2));
    for (const LineageRun &pushed : *runs) {
        QCOMPARE(pushed.engine, QStringLiteral("shell"));
        QVERIFY(!(*team)->jobs(pushed.id)->empty());
        // A masked secret never reaches the team's store.
        const auto variables = (*team)->variables(pushed.id);
        QVERIFY(!variables->empty());
        for (const LineageVariable &v : *variables)
            QVERIFY2(!v.value.contains(QStringLiteral("team-secret-value")), qPrintable(v.name));
    }
    auto local = LineageStore::open(LineageStore::defaultPath(dir));
    QVERIFY((*local)->outbox()->empty());
    QCOMPARE(runs->front().projectPath, QStringLiteral("ml/demo"));

    // A colleague's clone of the same project, on another machine (another project store).
    QTemporaryDir colleague;
    QVERIFY(shellProject(colleague.path()));
    r = runCli({QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"), QStringLiteral("-C"),
                colleague.path()},
               teamUrl());
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 1 run(s)")), qPrintable(r.out + r.err));
    // The project's own store has its two runs; the team's view has all three, with where they ran.
    r = runCli({QStringLiteral("runs"), QStringLiteral("-C"), dir});
    QVERIFY2(r.out.contains(QStringLiteral("2 run(s)")), qPrintable(r.out));
    r = runCli({QStringLiteral("runs"), QStringLiteral("--team"), QStringLiteral("-C"), dir}, teamUrl());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("3 run(s)")) && r.out.contains(QStringLiteral("HOST")), qPrintable(r.out));
    r = runCli({QStringLiteral("runs"), QStringLiteral("--team"), QStringLiteral("--json"), QStringLiteral("-C"), dir},
               teamUrl());
    const QJsonArray teamRuns = QJsonDocument::fromJson(r.out.toUtf8()).array();
    QCOMPARE(teamRuns.size(), 3);
    for (const QJsonValue &v : teamRuns)
        QCOMPARE(v[QStringLiteral("project")].toString(), QStringLiteral("ml/demo"));
    // Without a team store set, --team says how to set one.
    r = runCli({QStringLiteral("runs"), QStringLiteral("--team"), QStringLiteral("-C"), dir});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("TRAINYARD_LINEAGE_URL")), qPrintable(r.err));
}

void tst_LineageSync::onlyLeadsSignOffTheServerSays()
{
    // Two people with their own logins on the server (roles are the cluster's: made once).
    {
        QSqlDatabase db = trainyard::test::serverConnection(teamUrl(), QStringLiteral("admin"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        for (const char *who : {"alice", "lena"})
            QVERIFY2(q.exec(QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%1') "
                                           "THEN CREATE ROLE %1 LOGIN PASSWORD '%1-pw'; END IF; END $$")
                                .arg(QLatin1String(who))),
                     qPrintable(q.lastError().text()));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("admin"));
    const auto as = [](const QString &who) {
        QUrl url(teamUrl());
        url.setUserName(who);
        url.setPassword(who + QStringLiteral("-pw"));
        return url.toString();
    };

    // The administrator sets the store up: alice an engineer, lena a lead.
    Cli init = runCli({QStringLiteral("store"), QStringLiteral("init"), teamUrl(), QStringLiteral("--engineer"),
                       QStringLiteral("alice"), QStringLiteral("--lead"), QStringLiteral("lena")});
    QVERIFY2(init.code == 0, qPrintable(init.out + init.err));
    QVERIFY2(init.out.contains(QStringLiteral("leads: lena")), qPrintable(init.out));
    // Run again (after an upgrade): the same, no error.
    QCOMPARE(runCli({QStringLiteral("store"), QStringLiteral("init"), teamUrl()}).code, 0);
    // A role name is a name, whatever it holds: a dot stays in it, SQL in it is never run.
    init = runCli({QStringLiteral("store"), QStringLiteral("init"), teamUrl(), QStringLiteral("--lead"),
                   QStringLiteral("jane.doe")});
    QCOMPARE(init.code, 1);
    QVERIFY2(init.err.contains(QStringLiteral("role \"jane.doe\" does not exist")), qPrintable(init.err));
    init = runCli({QStringLiteral("store"), QStringLiteral("init"), teamUrl(), QStringLiteral("--engineer"),
                   QStringLiteral("\"x\"; DROP TABLE runs; --")});
    QCOMPARE(init.code, 1);
    {
        auto still = LineageStore::open(teamUrl());
        QVERIFY(still && (*still)->runs()); // the table is there
    }

    QTemporaryDir dir;
    auto local = LineageStore::open(dir.filePath(QStringLiteral("lineage.db")));
    QVERIFY(local);
    const QString runId = QStringLiteral("20240501-120000-0001");
    trainyard::test::writeSampleRun(**local, runId, QString(40, u'a'), hex64('d'), hex64('5'));
    // alice signed off in her own project (where no one stops her).
    QVERIFY((*local)->addSignOff(
        LineageSignOff{0, hex64('5'), runId, QStringLiteral("alice"), QStringLiteral("approve"), {}, {}, hex64('f')}));

    // Pushed as alice: the run's lineage arrives; the server refuses her sign-off, and says why.
    auto alice = LineageStore::open(as(QStringLiteral("alice")));
    QVERIFY2(alice, alice ? "" : qPrintable(alice.error().toString()));
    auto report = LineageSync::pushQueued(**local, **alice);
    QVERIFY(report);
    QVERIFY2(report->failed.isEmpty(), qPrintable(report->failed.join(u'\n')));
    QCOMPARE(report->pushed, 1);
    QCOMPARE(report->refused.size(), 1);
    QVERIFY2(report->refused.front().contains(QStringLiteral("permission denied")) &&
                 report->refused.front().contains(QStringLiteral("Only leads may sign off")),
             qPrintable(report->refused.front()));
    QVERIFY((*alice)->run(runId)->has_value());
    QVERIFY((*alice)->signOffs(hex64('5'))->empty());
    QCOMPARE((*local)->outbox()->size(), size_t(1)); // kept queued, so the sign-off is tried again
    // Nor can she by hand: the server, not the client, decides.
    const auto direct = (*alice)->addSignOff(
        LineageSignOff{0, hex64('5'), runId, QStringLiteral("alice"), QStringLiteral("approve"), {}, {}, hex64('f')});
    QVERIFY(!direct);
    QVERIFY2(direct.error().message.contains(QStringLiteral("Only leads may sign off")),
             qPrintable(direct.error().message));

    // The server stamped who pushed the run, whatever the client says.
    QCOMPARE((*alice)->run(runId)->value().pushedBy, QStringLiteral("alice"));

    // lena, a lead, may sign off, but alice's run stays alice's: lena's push of the same project
    // is refused by the server (row-level security), with whose run it is.
    auto lena = LineageStore::open(as(QStringLiteral("lena")));
    QVERIFY(lena);
    report = LineageSync::pushQueued(**local, **lena);
    QVERIFY(report);
    QCOMPARE(report->pushed, 0);
    QCOMPARE(report->failed.size(), 1);
    QVERIFY2(report->failed.front().contains(QStringLiteral("row-level security")) &&
                 report->failed.front().contains(QStringLiteral("as pushed by alice: a run is changed only by the")),
             qPrintable(report->failed.front()));
    QCOMPARE((*local)->outbox()->size(), size_t(1));
    // Nor by hand: a job of alice's run cannot be rewritten, her artifacts cannot be taken away,
    // and an UPDATE of her run changes nothing.
    LineageJob job = (*alice)->jobs(runId)->front();
    job.status = QStringLiteral("failed");
    QVERIFY(!(*lena)->recordJob(job));
    const auto aliceArtifacts = (*alice)->artifacts(runId);
    QVERIFY(!aliceArtifacts->empty());
    (void)(*lena)->recordArtifacts(runId, aliceArtifacts->front().job, {});
    QCOMPARE((*alice)->artifacts(runId)->size(), aliceArtifacts->size());
    {
        QSqlDatabase db = trainyard::test::serverConnection(as(QStringLiteral("lena")), QStringLiteral("lena-sql"));
        db.setPassword(QStringLiteral("lena-pw"));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        QVERIFY2(q.exec(QStringLiteral("UPDATE runs SET status = 'failed', pushed_by = 'lena'")),
                 qPrintable(q.lastError().text()));
        QCOMPARE(q.numRowsAffected(), 0);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("lena-sql"));
    QCOMPARE((*alice)->run(runId)->value().status, QStringLiteral("success"));
    QCOMPARE((*alice)->jobs(runId)->front().status, QStringLiteral("success"));
    // Nor the commit the run was made from (its details are its sha's: filled once, never
    // rewritten), nor a reproduction of alice's run that vouches for it.
    const QString commitSha = (*alice)->run(runId)->value().commitSha;
    const QString author = (*alice)->commit(commitSha)->value().authorName;
    QVERIFY((*lena)->recordCommit(LineageCommit{
        commitSha, QStringLiteral("Mallory"), QStringLiteral("m@x"), QStringLiteral("not what was built"), {}}));
    QCOMPARE((*alice)->commit(commitSha)->value().authorName, author);
    {
        QSqlDatabase db = trainyard::test::serverConnection(as(QStringLiteral("lena")), QStringLiteral("lena-sql"));
        db.setPassword(QStringLiteral("lena-pw"));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("UPDATE commits SET message = 'rewritten'")));
        QCOMPARE(q.numRowsAffected(), 0);
        QVERIFY(q.exec(QStringLiteral("DELETE FROM commits")));
        QCOMPARE(q.numRowsAffected(), 0);
        QVERIFY(!q.exec(QStringLiteral("UPDATE pipeline_numbers SET iid = 1")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("lena-sql"));
    QCOMPARE((*alice)->commit(commitSha)->value().authorName, author);
    QVERIFY(!(*lena)->recordReproduction(LineageReproduction{
        runId, QStringLiteral("20240501-130000-0001"), true, {}, QDateTime::currentDateTimeUtc(), false}));
    QVERIFY((*alice)->reproductions(runId)->empty());

    // lena signs off; the name she gives is hers to choose, the login the server records is not.
    QVERIFY((*lena)->addSignOff(LineageSignOff{
        0, hex64('5'), runId, QStringLiteral("bob"), QStringLiteral("approve"), QStringLiteral("ok"), {}, hex64('f')}));
    const auto given = (*alice)->signOffs(hex64('5')); // everyone reads them
    QVERIFY(given && given->size() == 1);
    QCOMPARE(given->front().reviewer, QStringLiteral("bob"));
    QCOMPARE(given->front().signedInAs, QStringLiteral("lena"));

    // The same from the command line, on the team's store: reverse lineage across the team, and
    // the review of an artifact of any engineer's run, signed off where the server allows it.
    QTemporaryDir elsewhere; // a machine with no project store at all
    Cli uses = runCli({QStringLiteral("lineage"), QStringLiteral("--team"), QStringLiteral("--uses"), hex64('d'),
                       QStringLiteral("-C"), elsewhere.path()},
                      as(QStringLiteral("alice")));
    QVERIFY2(uses.code == 0 && uses.out.contains(runId), qPrintable(uses.out + uses.err));
    const QStringList review{QStringLiteral("review"),    QStringLiteral("--team"), hex64('5'),
                             QStringLiteral("--approve"), QStringLiteral("-C"),     elsewhere.path()};
    Cli refusedCli = runCli(review, as(QStringLiteral("alice")));
    QCOMPARE(refusedCli.code, 1);
    QVERIFY2(refusedCli.err.contains(QStringLiteral("Only leads may sign off")), qPrintable(refusedCli.err));
    QVERIFY(!refusedCli.err.contains(QStringLiteral("alice-pw")));
    Cli accepted = runCli(review, as(QStringLiteral("lena")));
    QVERIFY2(accepted.code == 0 || accepted.code == 3, qPrintable(accepted.out + accepted.err)); // 3: a check failed
    QCOMPARE((*alice)->signOffs(hex64('5'))->size(), size_t(2));
    QVERIFY2(accepted.out.contains(QStringLiteral("approve by bob (signed in to the team store as lena)")),
             qPrintable(accepted.out));
    // (Sign-offs stay append-only for everyone: tst_lineagestore_postgres signOffsAreAppendOnly.)

    // A run pushed before the server knew pushers (schema < 11) is made theirs by whoever pushes
    // it next.
    {
        QSqlDatabase db = trainyard::test::serverConnection(teamUrl(), QStringLiteral("admin"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        for (const char *sql : {"ALTER TABLE runs DISABLE TRIGGER runs_pushed_by", "UPDATE runs SET pushed_by = ''",
                                "ALTER TABLE runs ENABLE TRIGGER runs_pushed_by"})
            QVERIFY2(q.exec(QLatin1String(sql)), qPrintable(q.lastError().text()));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("admin"));
    { // Claimed by a push, never deleted: lena's DELETE of the unclaimed run removes nothing.
        QSqlDatabase db = trainyard::test::serverConnection(as(QStringLiteral("lena")), QStringLiteral("lena-sql"));
        db.setPassword(QStringLiteral("lena-pw"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY2(q.exec(QStringLiteral("DELETE FROM runs")), qPrintable(q.lastError().text()));
        QCOMPARE(q.numRowsAffected(), 0);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("lena-sql"));
    report = LineageSync::pushQueued(**local, **lena);
    QVERIFY2(report && report->failed.isEmpty() && report->pushed == 1,
             report ? qPrintable(report->failed.join(u'\n')) : "");
    QCOMPARE((*alice)->run(runId)->value().pushedBy, QStringLiteral("lena"));
}

void tst_LineageSync::artifactsGoToTheTeamRegistry()
{
    QTemporaryDir tmp;
    QDir().mkpath(tmp.filePath(QStringLiteral("docker"))); // no login of the tester's is read
    auto registry = std::make_unique<trainyard::test::RegistryServer>(tmp.filePath(QStringLiteral("registry")));
    QVERIFY2(registry->error().isEmpty(), qPrintable(registry->error()));
    const auto withRegistry = [&] {
        return QMap<QString, QString>{
            {QStringLiteral("TRAINYARD_REGISTRY"), registry->host() + QStringLiteral("/ml/demo")},
            {QStringLiteral("DOCKER_CONFIG"), tmp.filePath(QStringLiteral("docker"))}};
    };
    const QString dir = tmp.filePath(QStringLiteral("project"));
    QVERIFY(shellProject(dir));
    const QStringList run{QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"),
                          QStringLiteral("-C"), dir};
    Cli r = runCli(run, teamUrl(), withRegistry());
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QStringLiteral("pushed the artifacts of 1 run(s) to %1/ml/demo/artifacts: 5 file(s) sent")
                                .arg(registry->host())) &&
                 r.out.contains(QStringLiteral("pushed 1 run(s)")),
             qPrintable(r.out.right(1500) + r.err));

    // In the registry: the run's manifest, an OCI artifact of Trainyard's type, one layer a file.
    auto team = LineageStore::open(teamUrl());
    QVERIFY(team);
    const QString runId = (*team)->runs()->front().id;
    const auto artifacts = (*team)->artifacts(runId);
    // out/clean.csv, models/model.txt, metrics.json, eval.env and the metrics report metrics.txt
    QCOMPARE(artifacts->size(), size_t(5));
    OciRegistryClient client(*ArtifactRegistry::repositoryFor(registry->host() + QStringLiteral("/ml/demo")));
    const auto manifest = client.manifest(runId);
    QVERIFY2(manifest, manifest ? "" : qPrintable(manifest.error().message));
    const QJsonObject m = QJsonDocument::fromJson(*manifest).object();
    QCOMPARE(m.value(QLatin1String("artifactType")).toString(), QString(ArtifactRegistry::kRunArtifactType));
    const QJsonArray layers = m.value(QLatin1String("layers")).toArray();
    QCOMPARE(layers.size(), 5);
    QStringList titles;
    for (const QJsonValue &l : layers)
        titles << l[QStringLiteral("annotations")][QStringLiteral("org.opencontainers.image.title")].toString();
    QVERIFY2(titles.contains(QStringLiteral("train/models/model.txt")), qPrintable(titles.join(u' ')));

    // Another machine, no project there: the artifact is downloaded by its sha256 and checked.
    QTemporaryDir elsewhere;
    const QString copy = elsewhere.filePath(QStringLiteral("model.txt"));
    r = runCli({QStringLiteral("lineage"), QStringLiteral("--team"), QStringLiteral("models/model.txt"),
                QStringLiteral("--fetch"), copy, QStringLiteral("-C"), elsewhere.path()},
               teamUrl(), withRegistry());
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("sha256 checked")), qPrintable(r.out + r.err));
    QFile model(copy);
    QVERIFY(model.open(QIODevice::ReadOnly));
    QCOMPARE(model.readAll(), QByteArray("x,y\n1,0\n2,1\nlr=0.1\n"));
    // Without a registry set, it says how to set one.
    r = runCli({QStringLiteral("lineage"), QStringLiteral("--team"), QStringLiteral("models/model.txt"),
                QStringLiteral("--fetch"), copy, QStringLiteral("-C"), elsewhere.path()},
               teamUrl());
    QVERIFY2(r.code == 1 && r.err.contains(QStringLiteral("TRAINYARD_REGISTRY")), qPrintable(r.err));

    // The registry gone: the run runs and is recorded, and its lineage waits with its artifacts
    // (the team store never names an artifact no one can fetch).
    registry->stop();
    r = runCli(run, teamUrl(), withRegistry());
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains(QStringLiteral("cannot be reached")) && r.err.contains(QStringLiteral("stay queued")),
             qPrintable(r.err));
    QCOMPARE((*team)->runs()->size(), size_t(1));
    // Back (same storage, another port): sync pushes the run that waited; its files, the same
    // bytes as the first run's, are there already.
    registry = std::make_unique<trainyard::test::RegistryServer>(tmp.filePath(QStringLiteral("registry")));
    QVERIFY2(registry->error().isEmpty(), qPrintable(registry->error()));
    r = runCli({QStringLiteral("sync"), QStringLiteral("-C"), dir}, teamUrl(), withRegistry());
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 1 run(s)")), qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QStringLiteral("5 there already")), qPrintable(r.out));
    QCOMPARE((*team)->runs()->size(), size_t(2));

    // A run whose model is gone from the project (cleaned) and was never in the registry: its
    // lineage waits, the message says why and how to share it without the file.
    trainyard::test::writeFile(dir + QStringLiteral("/data/train.csv"), "x,y\n3,1\n");
    registry->stop();
    r = runCli(run, teamUrl(), withRegistry());
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    auto local = LineageStore::open(LineageStore::defaultPath(dir));
    const QString third = (*local)->outbox()->front().runId;
    const auto thirdArtifacts = (*local)->artifacts(third);
    for (const LineageArtifact &a : *thirdArtifacts) {
        if (a.path == QLatin1String("models/model.txt"))
            QVERIFY(QFile::remove(ArtifactStore::objectPath(dir + QStringLiteral("/.trainyard/artifacts"), a.sha256)));
    }
    registry = std::make_unique<trainyard::test::RegistryServer>(tmp.filePath(QStringLiteral("registry")));
    QVERIFY2(registry->error().isEmpty(), qPrintable(registry->error()));
    r = runCli({QStringLiteral("sync"), QStringLiteral("-C"), dir}, teamUrl(), withRegistry());
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("models/model.txt")) &&
                 r.err.contains(QStringLiteral("trainyard sync --registry none")),
             qPrintable(r.err));
    QCOMPARE((*team)->runs()->size(), size_t(2));
    r = runCli(
        {QStringLiteral("sync"), QStringLiteral("-C"), dir, QStringLiteral("--registry"), QStringLiteral("none")},
        teamUrl(), withRegistry());
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 1 run(s)")), qPrintable(r.out + r.err));
    QCOMPARE((*team)->runs()->size(), size_t(3));
}

void tst_LineageSync::builtImagesGoToTheTeamRegistry()
{
    // An image built on this machine (FROM scratch, a static busybox, a stamp of this test's).
    DockerClient docker;
    if (!docker.ping())
        QSKIP("no Docker engine (bash .ci/start-docker)");
    QTemporaryDir tmp;
    const QString context = tmp.filePath(QStringLiteral("context"));
    QVERIFY(QDir().mkpath(context));
    QVERIFY(QFile::copy(QStringLiteral("/bin/busybox"), context + QStringLiteral("/busybox")));
    trainyard::test::writeFile(context + QStringLiteral("/Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n"
                                                                        "COPY stamp /stamp\n");
    trainyard::test::writeFile(context + QStringLiteral("/stamp"), QUuid::createUuid().toByteArray());
    const QString reference = QStringLiteral("trainyard-test/teamimage:1");
    QVERIFY(docker.buildImage(context, QString(), reference, {}));
    struct Remove
    {
        DockerClient &docker;
        QString ref;
        ~Remove() { (void)docker.removeImage(ref, true); }
    } remove{docker, reference};
    const QString imageId = docker.inspectImage(reference)->id;
    remove.ref = imageId; // with the tag the push gives it

    QDir().mkpath(tmp.filePath(QStringLiteral("docker")));
    qputenv("DOCKER_CONFIG", tmp.filePath(QStringLiteral("docker")).toUtf8());
    struct Unset // put back however the test ends
    {
        ~Unset() { qunsetenv("DOCKER_CONFIG"); }
    } unset;
    trainyard::test::RegistryServer registry(tmp.filePath(QStringLiteral("registry")));
    QVERIFY2(registry.error().isEmpty(), qPrintable(registry.error()));
    const QString prefix = registry.host() + QStringLiteral("/ml/demo");

    // Two runs that used it, recorded in the project (their files left out: this is about images).
    auto local = LineageStore::open(tmp.filePath(QStringLiteral("lineage.db")));
    QVERIFY(local);
    for (const QString &id : {QStringLiteral("20240501-120000-0001"), QStringLiteral("20240501-120000-0002")}) {
        trainyard::test::writeSampleRun(**local, id, QString(40, u'a'), hex64('d'), hex64('5'));
        const auto jobs = (*local)->jobs(id); // held: a temporary's contents die with it
        for (const LineageJob &j : *jobs)
            QVERIFY((*local)->recordArtifacts(id, j.name, {}));
        QVERIFY((*local)->recordImage(LineageImage{id, reference, imageId, {}, hex64('c')}));
    }
    const TeamPush::Outcome outcome = TeamPush::push(**local, TeamPush::Target{teamUrl(), prefix});
    QVERIFY2(outcome.ok, qPrintable(outcome.problems.join(u'\n') + outcome.warnings.join(u'\n')));
    QVERIFY2(outcome.said.join(u'\n').contains(QStringLiteral("pushed 1 image(s) built here to ") + prefix),
             qPrintable(outcome.said.join(u'\n')));
    QCOMPARE(outcome.pushed, 2);

    // Both runs name the digest it has in the team's registry, which resolves there.
    auto team = LineageStore::open(teamUrl());
    QVERIFY(team);
    QString digest;
    for (const QString &id : {QStringLiteral("20240501-120000-0001"), QStringLiteral("20240501-120000-0002")}) {
        const auto images = (*team)->images(id);
        const auto it = std::find_if(images->cbegin(), images->cend(),
                                     [&](const LineageImage &i) { return i.reference == reference; });
        QVERIFY(it != images->cend());
        QCOMPARE(it->imageId, imageId);
        const QStringList ours = it->repoDigests.filter(prefix + QStringLiteral("/trainyard-test/teamimage@sha256:"));
        QCOMPARE(ours.size(), 1);
        QVERIFY(digest.isEmpty() || digest == ours.front());
        digest = ours.front();
    }
    OciRegistryClient client(*RegistryRepository::parse(prefix + QStringLiteral("/trainyard-test/teamimage")));
    const auto manifest = client.manifest(digest.section(u'@', 1));
    QVERIFY2(manifest, manifest ? "" : qPrintable(manifest.error().message));
}

/// A project folder in `dir` whose store holds `count` sample runs, their ids starting `prefix`.
bool projectWithRuns(const QString &dir, const QString &prefix, int count)
{
    auto local = LineageStore::open(LineageStore::defaultPath(dir));
    if (!local)
        return false;
    for (int i = 0; i < count; ++i)
        trainyard::test::writeSampleRun(**local, QStringLiteral("%1-%2").arg(prefix).arg(i, 4, 10, QLatin1Char('0')),
                                        QString(40, u'c'), hex64('d'), hex64(char('a' + i % 6)));
    return int((*local)->outbox()->size()) == count;
}

QProcess *startSync(const QString &project, QObject *parent)
{
    auto *p = new QProcess(parent);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TRAINYARD_LINEAGE_URL"), teamUrl());
    p->setProcessEnvironment(env);
    p->start(QStringLiteral(TRAINYARD_EXE), {QStringLiteral("sync"), QStringLiteral("-C"), project});
    return p;
}

void tst_LineageSync::fourMachinesPushAtOnce()
{
    // Four machines, 50 runs each, pushing into one server at the same moment: 200 runs, none
    // lost, none doubled, no deadlock (the runs share commits, data versions and artifact hashes).
    constexpr int kMachines = 4;
    constexpr int kRuns = 50;
    QTemporaryDir dir;
    for (int m = 0; m < kMachines; ++m)
        QVERIFY(projectWithRuns(dir.filePath(QString::number(m)), QStringLiteral("m%1").arg(m), kRuns));
    QVERIFY(LineageStore::open(teamUrl())); // the schema made once, as `store init` would
    std::vector<QProcess *> syncs;
    for (int m = 0; m < kMachines; ++m)
        syncs.push_back(startSync(dir.filePath(QString::number(m)), this));
    for (QProcess *p : syncs) {
        QVERIFY(p->waitForFinished(120000));
        QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
    }
    auto team = LineageStore::open(teamUrl());
    QVERIFY(team);
    const auto runs = (*team)->runs();
    QCOMPARE(runs->size(), size_t(kMachines * kRuns));
    QSet<QString> ids;
    for (const LineageRun &r : *runs)
        ids.insert(r.id);
    QCOMPARE(ids.size(), kMachines * kRuns);
    QCOMPARE((*team)->jobsUsingData(hex64('d'))->size(), size_t(kMachines * kRuns * 4)); // 4 jobs a run
}

void tst_LineageSync::killedPushIsCompletedByTheNext()
{
    constexpr int kRuns = 300;
    QTemporaryDir dir;
    QVERIFY(projectWithRuns(dir.path(), QStringLiteral("k"), kRuns));
    QVERIFY(LineageStore::open(teamUrl()));
    // Killed in the middle of its push (kill -9: nothing to clean up after itself).
    QProcess *first = startSync(dir.path(), this);
    QVERIFY(first->waitForStarted());
    {
        // Once some runs have arrived (however long the start takes on a loaded machine).
        auto watch = LineageStore::open(teamUrl());
        QVERIFY(watch);
        QTRY_VERIFY_WITH_TIMEOUT((*watch)->runs()->size() >= 5, 30000);
    }
    QVERIFY2(first->state() == QProcess::Running, "the push ended before it could be killed");
    ::kill(pid_t(first->processId()), SIGKILL);
    QVERIFY(first->waitForFinished(10000));
    {
        auto local = LineageStore::open(LineageStore::defaultPath(dir.path()));
        auto team = LineageStore::open(teamUrl());
        QVERIFY(local && team);
        const size_t queued = (*local)->outbox()->size();
        const size_t there = (*team)->runs()->size();
        QVERIFY2(queued > 0 && queued < size_t(kRuns), qPrintable(QString::number(queued)));
        // What reached the team store is whole runs only, and the rest is still queued (a run may
        // be both: pushed, killed before it left the outbox; the next push writes it again).
        QVERIFY(there + queued >= size_t(kRuns));
    }
    QProcess *second = startSync(dir.path(), this);
    QVERIFY(second->waitForFinished(120000));
    QVERIFY2(second->exitCode() == 0, second->readAllStandardError().constData());
    auto local = LineageStore::open(LineageStore::defaultPath(dir.path()));
    auto team = LineageStore::open(teamUrl());
    QVERIFY((*local)->outbox()->empty());
    QCOMPARE((*team)->runs()->size(), size_t(kRuns));
    const auto last = QStringLiteral("k-%1").arg(kRuns - 1, 4, 10, QLatin1Char('0'));
    QCOMPARE(QJsonDocument(snapshot(**team, last)).toJson(), QJsonDocument(snapshot(**local, last)).toJson());
}

void tst_LineageSync::twoPushesOfOneProjectTakeTurns()
{
    // Two runs of one project ending together each push the queue: one waits for the other, so
    // no older revision of a run is written last and no sign-off twice.
    constexpr int kRuns = 60;
    QTemporaryDir dir;
    QVERIFY(projectWithRuns(dir.path(), QStringLiteral("t"), kRuns));
    {
        auto local = LineageStore::open(LineageStore::defaultPath(dir.path()));
        QVERIFY((*local)->addSignOff(LineageSignOff{0,
                                                    hex64('a'),
                                                    QStringLiteral("t-0000"),
                                                    QStringLiteral("postgres"),
                                                    QStringLiteral("approve"),
                                                    {},
                                                    {},
                                                    hex64('f')}));
    }
    QVERIFY(LineageStore::open(teamUrl()));
    QProcess *a = startSync(dir.path(), this);
    QProcess *b = startSync(dir.path(), this);
    QVERIFY(a->waitForFinished(120000) && b->waitForFinished(120000));
    QVERIFY2(a->exitCode() == 0, a->readAllStandardError().constData());
    QVERIFY2(b->exitCode() == 0, b->readAllStandardError().constData());
    auto team = LineageStore::open(teamUrl());
    QCOMPARE((*team)->runs()->size(), size_t(kRuns));
    QCOMPARE((*team)->signOffs(hex64('a'))->size(), size_t(1));
    auto local = LineageStore::open(LineageStore::defaultPath(dir.path()));
    QVERIFY((*local)->outbox()->empty());
}

// Two clones of one project: a run on machine A (its train job collects TensorBoard scalars)
// is pushed with its files; machine B, which ran nothing, lists it from the team's store for
// Compare and reads its scalars, downloaded from the team's registry and checked.
void tst_LineageSync::teamRunsScalarsComeFromTheRegistry()
{
    QTemporaryDir tmp;
    QDir().mkpath(tmp.filePath(QStringLiteral("docker"))); // no login of the tester's is read
    trainyard::test::RegistryServer registry(tmp.filePath(QStringLiteral("registry")));
    QVERIFY2(registry.error().isEmpty(), qPrintable(registry.error()));
    const QString prefix = registry.host() + QStringLiteral("/ml/demo");
    const QString a = tmp.filePath(QStringLiteral("a"));
    const QString b = tmp.filePath(QStringLiteral("b"));
    const QString remote = QStringLiteral("https://gitlab.example.org/ml/demo.git");
    QVERIFY(trainyard::test::writeScalarsProject(a, remote));
    QVERIFY(trainyard::test::writeScalarsProject(b, remote));
    Cli r =
        runCli({QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"), QStringLiteral("-C"), a},
               teamUrl(),
               {{QStringLiteral("TRAINYARD_REGISTRY"), prefix},
                {QStringLiteral("DOCKER_CONFIG"), tmp.filePath(QStringLiteral("docker"))}});
    QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("pushed 1 run(s)")), qPrintable(r.out + r.err));

    const auto listed = RunScalarsLocator::listTeam(b, teamUrl());
    QVERIFY2(listed, listed ? "" : qPrintable(listed.error().toString()));
    QCOMPARE(listed->runs.size(), size_t(1));
    const RecordedScalarRun &run = listed->runs[0];
    // Whose run, and where: every machine numbers its own runs.
    QVERIFY2(run.displayName.startsWith(QStringLiteral("#1 train (")) &&
                 run.displayName.contains(QStringLiteral(" on ")),
             qPrintable(run.displayName));
    QVERIFY(!run.host.isEmpty());
    QCOMPARE(run.eventFiles.size(), 1);
    QVERIFY2(run.eventFiles[0].startsWith(b + QStringLiteral("/.trainyard/artifacts/")), qPrintable(run.eventFiles[0]));
    QVERIFY(!QFileInfo::exists(run.eventFiles[0])); // B has not got it yet
    // The job's variables, as the team's store recorded them.
    QCOMPARE(run.parameters.variablesSource, RunParameters::VariablesSource::Recorded);
    QVERIFY(std::find(run.parameters.variables.cbegin(), run.parameters.variables.cend(),
                      std::pair{QStringLiteral("LEARNING_RATE"), QStringLiteral("0.05")}) !=
            run.parameters.variables.cend());

    // Without a registry: says how to get the files.
    const auto none = RunScalarsLocator::fetchEventFiles(b, run, QString());
    QVERIFY(!none);
    QVERIFY2(none.error().message.contains(QStringLiteral("set the team's registry")) &&
                 none.error().message.contains(run.displayName),
             qPrintable(none.error().message));
    // From the registry: downloaded, checked, kept in B's artifact store; the scalars read.
    const auto fetched = RunScalarsLocator::fetchEventFiles(b, run, prefix);
    QVERIFY2(fetched, fetched ? "" : qPrintable(fetched.error().toString()));
    QCOMPARE(*fetched, 1);
    QCOMPARE(QString::fromLatin1(*ArtifactStore::sha256File(run.eventFiles[0])), run.eventFileSha256[0]);
    ReadReport report;
    const RunScalars scalars = RunScalarsLocator::read(run, report);
    QVERIFY(!report.isDamaged());
    QVERIFY(scalars.series.count(QStringLiteral("loss")));
    QCOMPARE(scalars.series.at(QStringLiteral("loss")).size(), qsizetype(5));
    QCOMPARE(*RunScalarsLocator::fetchEventFiles(b, run, prefix), 0); // kept: nothing downloaded again

    // A reads its own run from its own artifact store, without a registry.
    const auto own = RunScalarsLocator::listTeam(a, teamUrl());
    QVERIFY(own && own->runs.size() == 1);
    QCOMPARE(*RunScalarsLocator::fetchEventFiles(a, own->runs[0], QString()), 0);

    // A folder without a git remote cannot be matched with the team's runs: said.
    const QString lone = tmp.filePath(QStringLiteral("lone"));
    QVERIFY(QDir().mkpath(lone));
    const auto unmatched = RunScalarsLocator::listTeam(lone, teamUrl());
    QVERIFY(!unmatched);
    QVERIFY2(unmatched.error().message.contains(QStringLiteral("git remote")), qPrintable(unmatched.error().message));
}

QTEST_GUILESS_MAIN(tst_LineageSync)
#include "tst_lineagesync.moc"
