// `trainyard reproduce`, driving the real executable: exit statuses and output on shell-engine
// projects (tst_reproducecli, label unit), and the offline demo on real Docker reproduced with
// identical hashes, then refused for a changed data file and for an image that is gone
// (tst_reproducecli_docker, label docker).
#include "lineage/lineagestore.h"

#include "support/demoproject.h"

#include "support/files.h"
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

#ifdef TRAINYARD_REPRODUCE_DOCKER
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

CliResult runTrainyard(const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), args);
    p.closeWriteChannel();
    if (!p.waitForFinished(300000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

/// The id of the newest recorded run of a project.
QString newestRun(const QString &dir)
{
    const CliResult runs = runTrainyard({QStringLiteral("runs"), QStringLiteral("--json"), QStringLiteral("-C"), dir});
    return QJsonDocument::fromJson(runs.out.toUtf8()).array().first().toObject().value(QStringLiteral("id")).toString();
}

/// A shell-engine project with one job, committed on main.
void shellProject(const QString &dir, const QByteArray &script)
{
    writeFile(dir + QStringLiteral("/.gitlab-ci.yml"),
              "job:\n  script: ['" + script + "']\n  artifacts:\n    paths: [out.txt]\n");
    writeFile(dir + QStringLiteral("/.gitignore"), ".trainyard/\n");
    trainyard::test::shell(
        dir,
        QStringLiteral("git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm init"));
}

/// The offline demo as copyOfflineDemo() makes it, but with data/ left out of git (so a
/// reproduction reads it from the project, where it was read).
bool copyDemoWithUntrackedData(const QString &target)
{
    const QString source = QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo");
    trainyard::test::shell(target,
                           QStringLiteral("cp -a '%1'/. . && rm -rf .trainyard && printf '.trainyard/\\ndata/\\n' >> "
                                          ".gitignore && git init -q -b main && git add -A && "
                                          "git -c user.name=t -c user.email=t@t commit -qm demo")
                               .arg(source));
    return QFile::exists(target + QStringLiteral("/image/trainer")) &&
           QFile::exists(target + QStringLiteral("/data/train.csv"));
}

} // namespace

class tst_ReproduceCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndUsage();
    void shellIdenticalAndDifferent();
    void demoReproducedIdentically();
    void demoWithChangedDataIsRefused();
};

void tst_ReproduceCli::helpAndUsage()
{
    if (kDocker)
        QSKIP("runs in tst_reproducecli");
    const CliResult help = runTrainyard({QStringLiteral("reproduce"), QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.startsWith(QStringLiteral("Usage: trainyard reproduce [options] RUN")));
    for (const char *s : {"Exit status: 0 identical", "--engine", "--remove-worktree", "-C"})
        QVERIFY2(help.out.contains(QLatin1String(s)), qPrintable(help.out));
    QVERIFY(runTrainyard({QStringLiteral("--help")}).out.contains(QStringLiteral("  reproduce ")));

    const CliResult none = runTrainyard({QStringLiteral("reproduce")});
    QCOMPARE(none.exitCode, 2);
    QVERIFY2(none.err.contains(QStringLiteral("give one RUN")), qPrintable(none.err));
    const CliResult engine = runTrainyard(
        {QStringLiteral("reproduce"), QStringLiteral("--engine"), QStringLiteral("vm"), QStringLiteral("x")});
    QCOMPARE(engine.exitCode, 2);
    QVERIFY2(engine.err.contains(QStringLiteral("--engine must be docker or shell")), qPrintable(engine.err));
}

void tst_ReproduceCli::shellIdenticalAndDifferent()
{
    if (kDocker)
        QSKIP("runs in tst_reproducecli");
    QTemporaryDir same;
    shellProject(same.path(), "echo fixed > out.txt");
    const QStringList inSame{QStringLiteral("-C"), same.path()};
    QCOMPARE(
        runTrainyard(QStringList{QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell")} + inSame)
            .exitCode,
        0);
    const QString run = newestRun(same.path());
    const CliResult identical =
        runTrainyard(QStringList{QStringLiteral("reproduce"), run} + inSame); // engine: as the run
    QVERIFY2(identical.exitCode == 0, qPrintable(identical.out + identical.err));
    QVERIFY2(identical.out.contains(QStringLiteral("[job] success")), qPrintable(identical.out));
    QVERIFY2(identical.out.contains(QStringLiteral("identical: 1 artifact of run ") + run), qPrintable(identical.out));
    QVERIFY(identical.out.contains(QStringLiteral("worktree stays for inspection")));

    QTemporaryDir stamped;
    shellProject(stamped.path(), "date +%s%N > out.txt");
    const QStringList inStamped{QStringLiteral("-C"), stamped.path()};
    QCOMPARE(runTrainyard(QStringList{QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell")} +
                          inStamped)
                 .exitCode,
             0);
    const CliResult different = runTrainyard(
        QStringList{QStringLiteral("reproduce"), QStringLiteral("--remove-worktree"), newestRun(stamped.path())} +
        inStamped);
    QVERIFY2(different.exitCode == 1, qPrintable(different.out + different.err));
    QVERIFY2(different.out.contains(QStringLiteral("1 of 1 artifacts differ")), qPrintable(different.out));
    QVERIFY(different.out.contains(QRegularExpression(QStringLiteral("job +out.txt +[0-9a-f]{64} +[0-9a-f]{64}"))));
    QVERIFY(QDir(stamped.filePath(QStringLiteral(".trainyard/reproduce"))).isEmpty());

    const CliResult unknown =
        runTrainyard(QStringList{QStringLiteral("reproduce"), QStringLiteral("20000101-000000-dead")} + inSame);
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY2(unknown.err.contains(QStringLiteral("no run '20000101-000000-dead'")), qPrintable(unknown.err));
}

void tst_ReproduceCli::demoReproducedIdentically()
{
    if (!kDocker)
        QSKIP("needs Docker: runs in tst_reproducecli_docker");
    if (qEnvironmentVariableIsSet("TRAINYARD_SKIP_DOCKER"))
        QSKIP("TRAINYARD_SKIP_DOCKER is set");
    QTemporaryDir dir;
    QVERIFY2(trainyard::test::copyOfflineDemo(dir.path()), "the demo's trainer is not built: build the project first");
    const QStringList project{QStringLiteral("-C"), dir.path()};
    const CliResult run = runTrainyard(
        QStringList{QStringLiteral("run"), QStringLiteral("--approve"), QStringLiteral("export")} + project);
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    const QString original = newestRun(dir.path());

    const CliResult again = runTrainyard(QStringList{QStringLiteral("reproduce"), original} + project);
    QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
    QVERIFY2(again.out.contains(QStringLiteral("[export] success")), qPrintable(again.out));
    QVERIFY2(again.out.contains(QStringLiteral("not rebuilt")), qPrintable(again.out));
    QVERIFY(!again.out.contains(QStringLiteral("building from"))); // the image is pinned, not rebuilt
    const QRegularExpressionMatch identical =
        QRegularExpression(QStringLiteral("identical: (\\d+) artifacts of run ") + original).match(again.out);
    QVERIFY2(identical.hasMatch(), qPrintable(again.out));
    QVERIFY(identical.captured(1).toInt() >= 4);

    auto opened = LineageStore::open(LineageStore::defaultPath(dir.path()));
    QVERIFY(opened);
    LineageStore &store = **opened;
    const auto rows = *store.reproductions(original);
    QCOMPARE(rows.size(), size_t(1));
    QVERIFY(rows.front().identical);
    const LineageRun copy = **store.run(rows.front().reproductionRunId);
    QCOMPARE(copy.trigger, QStringLiteral("reproduce"));
    QCOMPARE(copy.engine, QStringLiteral("docker"));
    const LineageRun first = **store.run(original);
    QCOMPARE(copy.commitSha, first.commitSha);
    const std::vector<LineageJob> jobs = *store.jobs(copy.id);
    const std::vector<LineageJob> originalJobs = *store.jobs(original);
    QCOMPARE(jobs.size(), size_t(4));
    for (const LineageJob &j : jobs)
        QCOMPARE(j.imageId, originalJobs.front().imageId);

    // The worktree stays, at the recorded commit.
    const QString worktree =
        dir.filePath(QStringLiteral(".trainyard/reproduce/%1-1/%2").arg(original, QFileInfo(dir.path()).fileName()));
    QProcess git;
    git.setWorkingDirectory(worktree);
    git.start(QStringLiteral("git"), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    git.waitForFinished();
    QCOMPARE(QString::fromLatin1(git.readAllStandardOutput().trimmed()), first.commitSha);

    // An image that is gone is refused, naming the job, the reference and the ID; nothing runs.
    const QString gone = QStringLiteral("sha256:") + QString(64, u'0');
    for (LineageJob j : originalJobs) {
        j.imageId = gone;
        QVERIFY(store.recordJob(j));
    }
    const std::vector<LineageImage> images = *store.images(original);
    for (LineageImage i : images) {
        i.imageId = gone;
        i.repoDigests.clear();
        QVERIFY(store.recordImage(i));
    }
    const CliResult refused = runTrainyard(QStringList{QStringLiteral("reproduce"), original} + project);
    QCOMPARE(refused.exitCode, 2);
    for (const QString &s : {QStringLiteral("unit-tests"), QStringLiteral("trainyard-demo/trainer:1"), gone})
        QVERIFY2(refused.err.contains(s), qPrintable(refused.err));
    QCOMPARE(store.runs()->size(), size_t(2));
}

void tst_ReproduceCli::demoWithChangedDataIsRefused()
{
    if (!kDocker)
        QSKIP("needs Docker: runs in tst_reproducecli_docker");
    if (qEnvironmentVariableIsSet("TRAINYARD_SKIP_DOCKER"))
        QSKIP("TRAINYARD_SKIP_DOCKER is set");
    QTemporaryDir dir;
    QVERIFY2(copyDemoWithUntrackedData(dir.path()), "the demo's trainer is not built: build the project first");
    const QStringList project{QStringLiteral("-C"), dir.path()};
    const CliResult run = runTrainyard(
        QStringList{QStringLiteral("run"), QStringLiteral("--approve"), QStringLiteral("export")} + project);
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    const QString original = newestRun(dir.path());

    // Data git does not hold is verified where the run read it and mounted from there.
    const CliResult same =
        runTrainyard(QStringList{QStringLiteral("reproduce"), QStringLiteral("--remove-worktree"), original} + project);
    QVERIFY2(same.exitCode == 0, qPrintable(same.out + same.err));
    QVERIFY2(same.out.contains(QStringLiteral("data 'dataset' verified")) &&
                 same.out.contains(dir.filePath(QStringLiteral("data"))),
             qPrintable(same.out));

    auto opened = LineageStore::open(LineageStore::defaultPath(dir.path()));
    QVERIFY(opened);
    LineageStore &store = **opened;
    const QString recorded = store.dataVersions(original)->front().hash;
    const size_t runsBefore = store.runs()->size();

    // One byte of train.csv changed: refused, with what differs; nothing runs.
    QFile train(dir.filePath(QStringLiteral("data/train.csv")));
    QVERIFY(train.open(QIODevice::ReadWrite));
    QByteArray bytes = train.readAll();
    bytes[bytes.size() / 2] = bytes[bytes.size() / 2] == '1' ? '2' : '1';
    QVERIFY(train.seek(0) && train.write(bytes) == bytes.size());
    train.close();
    const CliResult refused = runTrainyard(QStringList{QStringLiteral("reproduce"), original} + project);
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(!refused.out.contains(QStringLiteral("[train]")), qPrintable(refused.out));
    const QRegularExpressionMatch now = QRegularExpression(QStringLiteral("now +([0-9a-f]{64})")).match(refused.err);
    QVERIFY2(now.hasMatch() && now.captured(1) != recorded, qPrintable(refused.err));
    for (const QString &s : {QStringLiteral("data input 'dataset'"), dir.filePath(QStringLiteral("data")), recorded,
                             QStringLiteral("modified since the run: train.csv")})
        QVERIFY2(refused.err.contains(s), qPrintable(refused.err));
    QCOMPARE(store.runs()->size(), runsBefore);
    QVERIFY(QDir(dir.filePath(QStringLiteral(".trainyard/reproduce"))).isEmpty());
}

QTEST_GUILESS_MAIN(tst_ReproduceCli)
#include "tst_reproducecli.moc"
