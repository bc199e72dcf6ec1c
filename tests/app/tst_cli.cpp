// Drives the real `trainyard` executable headless: help, version, validate, list.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

struct RunResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

static RunResult runTrainyard(const QStringList &args, const QString &cwd = {})
{
    QProcess p;
    if (!cwd.isEmpty())
        p.setWorkingDirectory(cwd);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY")); // subcommands must not need a display
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), args);
    if (!p.waitForFinished(60000))
        return {};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

/// Writes `text` as DIR/.gitlab-ci.yml.
static bool writePipeline(const QString &dir, const QByteArray &text)
{
    QFile f(dir + QStringLiteral("/.gitlab-ci.yml"));
    return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
}

static QString demo()
{
    return QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo");
}

class tst_Cli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndVersion();
    void subcommandHelp_data();
    void subcommandHelp();
    void unknownSubcommand();
    void openRefusesBadOptions_data();
    void openRefusesBadOptions();
    void validateExample_data();
    void validateExample();
    void validateCountsStagesInUse();
    void validateReportsPositions();
    void listJson();
    void listTable();
    void listRefusesBlockedPipeline();
    void runAsksForManualJobsOnATerminal();
    void runCancelledWithCtrlC();
    void runSaysHowToApproveManualJobs();
    void runRefusesMissingDataFirst();
    void jobNameWithALineBreakStaysOnOneLine();
    void killedRunLeavesNoWorkspaces();
    void runThatCannotStartIsNotStarted();
    void runRefusesAnUnknownJob_data();
    void runRefusesAnUnknownJob();
};

void tst_Cli::helpAndVersion()
{
    const RunResult help = runTrainyard({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains(QStringLiteral("validate")));
    QVERIFY(help.out.contains(QStringLiteral("list")));
    // One whole sentence per subcommand, never one cut off mid-way.
    const QString subcommands =
        help.out.section(QStringLiteral("Subcommands:\n"), 1).section(QStringLiteral("\n\n"), 0, 0);
    QVERIFY(subcommands.count(u'\n') >= 10);
    for (const QString &line : subcommands.split(u'\n', Qt::SkipEmptyParts))
        QVERIFY2(line.endsWith(u'.') || line.endsWith(u']'), qPrintable(line));
    const RunResult version = runTrainyard({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.startsWith(QStringLiteral("trainyard 0.")), qPrintable(version.out));
}

void tst_Cli::subcommandHelp_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("option");
    QTest::newRow("validate") << "validate"
                              << "--branch";
    QTest::newRow("list") << "list"
                          << "--json";
}

void tst_Cli::subcommandHelp()
{
    QFETCH(QString, command);
    QFETCH(QString, option);
    const RunResult r = runTrainyard({command, QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("Usage: trainyard ") + command), qPrintable(r.out));
    QVERIFY(r.out.contains(option));
    QVERIFY(r.out.contains(QStringLiteral("-C, --project <DIR>")));
    const RunResult bad = runTrainyard({command, QStringLiteral("--no-such-option")});
    QCOMPARE(bad.exitCode, 2);
}

void tst_Cli::unknownSubcommand()
{
    const RunResult r = runTrainyard({QStringLiteral("frobnicate")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains(QStringLiteral("unknown subcommand")));
}

void tst_Cli::openRefusesBadOptions_data()
{
    // Refused before any window opens (no display is set): exit 2 with the reason.
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("reason");
    QTest::newRow("view") << QStringList{QStringLiteral("--view"), QStringLiteral("charts")}
                          << QStringLiteral("--view must be pipeline, compare or lineage, not 'charts'");
    QTest::newRow("value") << QStringList{QStringLiteral("--artifact")}
                           << QStringLiteral("Missing value after '--artifact'.");
    QTest::newRow("review") << QStringList{QStringLiteral("--review")} << QStringLiteral("--review needs --artifact");
    QTest::newRow("option") << QStringList{QStringLiteral("--fast")} << QStringLiteral("Unknown option 'fast'.");
    QTest::newRow("two folders") << QStringList{QStringLiteral("a"), QStringLiteral("b")}
                                 << QStringLiteral("one project folder only");
    QTest::newRow("DIR and -C") << QStringList{QStringLiteral("-C"), QStringLiteral("a"), QStringLiteral("b")}
                                << QStringLiteral("give the project as DIR or as -C DIR, not both");
}

void tst_Cli::openRefusesBadOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, reason);
    const RunResult r = runTrainyard(QStringList{QStringLiteral("open")} + args);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err, QStringLiteral("trainyard open: ") + reason + QStringLiteral("\nTry 'trainyard open --help'.\n"));
    // --help in the format of every subcommand, -C included.
    const RunResult help = runTrainyard({QStringLiteral("open"), QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY2(help.out.startsWith(QStringLiteral("Usage: trainyard open [options] [DIR]\n")), qPrintable(help.out));
    QVERIFY(help.out.contains(QStringLiteral("--view <VIEW>")));
    QVERIFY(help.out.contains(QStringLiteral("-C, --project <DIR>")));
    QVERIFY(help.out.contains(QStringLiteral("\nOptions:\n")));
    QVERIFY(help.out.contains(QStringLiteral("\nArguments:\n")));
    // --help-all (offered by every subcommand's help) is help too, not a window.
    const RunResult all = runTrainyard({QStringLiteral("open"), QStringLiteral("--help-all")});
    QCOMPARE(all.exitCode, 0);
    QVERIFY(all.out.startsWith(QStringLiteral("Usage: trainyard open [options] [DIR]\n")));
}

void tst_Cli::validateExample_data()
{
    QTest::addColumn<QString>("dir");
    QTest::newRow("offline-demo") << demo();
    QTest::newRow("tensorflow-gpu") << QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/tensorflow-gpu");
}

void tst_Cli::validateExample()
{
    QFETCH(QString, dir);
    const RunResult r = runTrainyard({QStringLiteral("validate"), QStringLiteral("-C"), dir});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QStringLiteral(": valid, ")));
}

void tst_Cli::validateCountsStagesInUse()
{
    // .pre and .post are always defined but count only when a job runs in them.
    QTemporaryDir dir;
    const QByteArray twoStages(
        "stages: [build, test]\nb:\n  stage: build\n  script: x\nt:\n  stage: test\n  script: x\n");
    QVERIFY(writePipeline(dir.path(), twoStages));
    RunResult r = runTrainyard({QStringLiteral("validate"), QStringLiteral("-C"), dir.path()});
    QVERIFY2(r.out.contains(QStringLiteral(": valid, 2 job(s) in 2 stage(s), ")), qPrintable(r.out + r.err));
    QVERIFY(writePipeline(dir.path(), twoStages + "setup:\n  stage: .pre\n  script: x\n"));
    r = runTrainyard({QStringLiteral("validate"), QStringLiteral("-C"), dir.path()});
    QVERIFY2(r.out.contains(QStringLiteral(": valid, 3 job(s) in 3 stage(s), ")), qPrintable(r.out + r.err));
}

void tst_Cli::validateReportsPositions()
{
    QTemporaryDir dir;
    QVERIFY(writePipeline(dir.path(), "stages: [build]\ntrain:\n  stage: trian\n  image: python\n  script: [x]\n"));
    const RunResult r = runTrainyard({QStringLiteral("validate")}, dir.path());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral(".gitlab-ci.yml:3:10: error: job 'train': stage 'trian' is not defined")),
             qPrintable(r.err));
    // With -C and a FILE argument, the message names the file as given.
    const RunResult c =
        runTrainyard({QStringLiteral("validate"), QStringLiteral("-C"), dir.path(), QStringLiteral(".gitlab-ci.yml")});
    QCOMPARE(c.exitCode, 1);
    QVERIFY(c.err.contains(dir.path()));
}

void tst_Cli::listJson()
{
    const RunResult r = runTrainyard({QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("-C"), demo()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonArray jobs = doc.array();
    QStringList names;
    for (const auto &j : jobs)
        names << j.toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(names, QStringList({QStringLiteral("unit-tests"), QStringLiteral("train"), QStringLiteral("evaluate"),
                                 QStringLiteral("export")}));
    const QJsonObject exportJob = jobs.at(3).toObject();
    QCOMPARE(exportJob.value(QStringLiteral("when")).toString(), QStringLiteral("manual"));
    QCOMPARE(exportJob.value(QStringLiteral("allow_failure")).toBool(), true);
    QCOMPARE(exportJob.value(QStringLiteral("stage")).toString(), QStringLiteral("export"));
    const QJsonArray needs = exportJob.value(QStringLiteral("needs")).toArray();
    QCOMPARE(needs.size(), 2);
    QCOMPARE(needs.at(0).toObject().value(QStringLiteral("job")).toString(), QStringLiteral("train"));
    QVERIFY(needs.at(0).toObject().value(QStringLiteral("artifacts")).toBool());
    QVERIFY(!needs.at(0).toObject().value(QStringLiteral("optional")).toBool());
    QVERIFY(!jobs.at(0).toObject().contains(QStringLiteral("needs")));
}

void tst_Cli::listTable()
{
    const RunResult r = runTrainyard({QStringLiteral("list"), QStringLiteral("-C"), demo()});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains(QStringLiteral("export")));
    QVERIFY(r.out.contains(QStringLiteral("manual*")));
}

void tst_Cli::listRefusesBlockedPipeline()
{
    QTemporaryDir dir;
    QVERIFY(
        writePipeline(dir.path(), "workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\njob:\n  script: x\n"));
    const RunResult blocked = runTrainyard({QStringLiteral("list"), QStringLiteral("--branch"),
                                            QStringLiteral("feature"), QStringLiteral("-C"), dir.path()});
    QCOMPARE(blocked.exitCode, 1);
    QVERIFY2(blocked.err.contains(QStringLiteral("no pipeline would be created")), qPrintable(blocked.err));
    const RunResult ok = runTrainyard({QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--branch"),
                                       QStringLiteral("main"), QStringLiteral("-C"), dir.path()});
    QCOMPARE(ok.exitCode, 0);
}

void tst_Cli::runAsksForManualJobsOnATerminal()
{
    // `script` gives trainyard a pseudo-terminal, so it prompts for the manual job.
    if (QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty())
        QSKIP("util-linux `script` is not installed");
    QTemporaryDir dir;
    QVERIFY(writePipeline(dir.path(), "stages: [a, b]\nfirst:\n  stage: a\n  script: [echo first]\nship:\n  stage: b\n "
                                      " when: manual\n  script: [echo shipped-it]\n"));
    for (const QByteArray &answer : {QByteArray("y\n"), QByteArray("n\n")}) {
        QProcess p;
        p.setWorkingDirectory(dir.path());
        p.start(QStringLiteral("script"),
                {QStringLiteral("-qec"), QStringLiteral("%1 run --engine shell").arg(QStringLiteral(TRAINYARD_EXE)),
                 QStringLiteral("/dev/null")});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT((p.waitForReadyRead(100), p.peek(1 << 20).contains("Run it? [y/N]")), 30000);
        p.write(answer);
        QVERIFY(p.waitForFinished(30000));
        const QString out = QString::fromUtf8(p.readAll());
        QVERIFY2(out.contains(QStringLiteral("Manual job 'ship' is ready")), qPrintable(out));
        if (answer.startsWith('y')) {
            QVERIFY2(out.contains(QStringLiteral("shipped-it")), qPrintable(out));
            QCOMPARE(p.exitCode(), 0);
        } else {
            QVERIFY(!out.contains(QStringLiteral("[ship] shipped-it")));
        }
    }
}

void tst_Cli::runCancelledWithCtrlC()
{
    QTemporaryDir dir;
    QVERIFY(writePipeline(dir.path(), "long:\n  script: [echo started, sleep 60]\n"));
    QProcess p;
    p.start(QStringLiteral(TRAINYARD_EXE), {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"),
                                            QStringLiteral("-C"), dir.path()});
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT((p.waitForReadyRead(100), p.peek(1 << 20).contains("[long] started")), 30000);
    QElapsedTimer t;
    t.start();
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(20000));
    QVERIFY(t.elapsed() < 15000);
    QCOMPARE(p.exitCode(), 130);
    const QString out = QString::fromUtf8(p.readAll());
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("\\n  long\\s+cancelled"))), qPrintable(out));
}

void tst_Cli::runSaysHowToApproveManualJobs()
{
    QTemporaryDir dir;
    QVERIFY(writePipeline(
        dir.path(),
        "train:\n  script: [echo trained]\ndeploy:\n  stage: deploy\n  when: manual\n  script: [echo deployed]\n"
        "\"tell the team\":\n  stage: deploy\n  when: manual\n  script: [echo told]\n"));
    const QStringList run{QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"),
                          QStringLiteral("-C"), dir.path()};
    const RunResult r = runTrainyard(run);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(
        r.out.contains(QStringLiteral("Not run: manual job(s) deploy, tell the team wait for approval. Run again with "
                                      "--approve deploy --approve 'tell the team', or on a terminal to be asked.")),
        qPrintable(r.out));
    const RunResult approved =
        runTrainyard(run + QStringList{QStringLiteral("--approve"), QStringLiteral("deploy"),
                                       QStringLiteral("--approve"), QStringLiteral("tell the team")});
    QCOMPARE(approved.exitCode, 0);
    QVERIFY2(approved.out.contains(QStringLiteral("[deploy] deployed")), qPrintable(approved.out));
    QVERIFY(!approved.out.contains(QStringLiteral("Not run:")));
}

// The hardening issue: a line break in a job name (a quoted YAML key) broke the summary and the
// log prefix. It is shown escaped, and the approve hint quotes it for bash.
void tst_Cli::jobNameWithALineBreakStaysOnOneLine()
{
    QTemporaryDir dir;
    QVERIFY(writePipeline(dir.path(), "\"two\\nlines\":\n  script: [echo said]\n"
                                      "\"ship\\tit\":\n  stage: deploy\n  when: manual\n  script: [true]\n"));
    const RunResult r = runTrainyard(
        {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"), QStringLiteral("-C"), dir.path()});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("[two\\nlines] said\n")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("\n  two\\nlines  success")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("--approve $'ship\\tit'")), qPrintable(r.out));
    for (const QString &line : r.out.split(u'\n'))
        QVERIFY2(!line.startsWith(QLatin1String("lines")) && !line.startsWith(QLatin1String("it")), qPrintable(r.out));
}

// The hardening issue: workspaces of interrupted runs were never removed (4.2 GB after 8 kills).
void tst_Cli::killedRunLeavesNoWorkspaces()
{
    QTemporaryDir dir;
    QVERIFY(writePipeline(dir.path(), "slow:\n  script: [sleep 60]\n"));
    QProcess run;
    run.start(QStringLiteral(TRAINYARD_EXE), {QStringLiteral("run"), QStringLiteral("--engine"),
                                              QStringLiteral("shell"), QStringLiteral("-C"), dir.path()});
    QVERIFY(run.waitForStarted());
    const QString workspaces = dir.filePath(QStringLiteral(".trainyard/workspaces"));
    QTRY_VERIFY_WITH_TIMEOUT(!QDir(workspaces).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty(), 30000);
    const QString killed = QDir(workspaces).entryList(QDir::Dirs | QDir::NoDotAndDotDot).first();
    ::kill(static_cast<pid_t>(run.processId()), SIGKILL);
    run.waitForFinished();
    QVERIFY(writePipeline(dir.path(), "quick:\n  script: [true]\n"));
    const RunResult next = runTrainyard(
        {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"), QStringLiteral("-C"), dir.path()});
    QCOMPARE(next.exitCode, 0);
    QVERIFY2(next.err.contains(QStringLiteral("note: run %1").arg(killed)) &&
                 next.err.contains(QStringLiteral("was interrupted; marked so, removed its job workspaces")),
             qPrintable(next.err));
    QVERIFY(!QFileInfo::exists(workspaces + u'/' + killed));
    // One store of runs: the killed run is interrupted there, its job cancelled; nothing else
    // (no JSON record) says otherwise.
    const RunResult runs =
        runTrainyard({QStringLiteral("lineage"), QStringLiteral("-C"), dir.path(), QStringLiteral("--json"), killed});
    QCOMPARE(runs.exitCode, 0);
    const QJsonObject lineage = QJsonDocument::fromJson(runs.out.toUtf8()).object();
    QCOMPARE(lineage.value(QStringLiteral("run")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("interrupted"));
    QCOMPARE(
        lineage.value(QStringLiteral("jobs")).toArray().first().toObject().value(QStringLiteral("status")).toString(),
        QStringLiteral("cancelled"));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral(".trainyard/runs/") + killed + QStringLiteral(".json"))));
}

// The hardening issue: a run whose engine was unreachable was recorded as a failed pipeline with
// a number. It is "not started", with the reason, and takes no number.
void tst_Cli::runThatCannotStartIsNotStarted()
{
    QTemporaryDir dir;
    QVERIFY(writePipeline(dir.path(), "train:\n  image: busybox:1\n  script: [true]\n"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"),
               QStringLiteral("unix://") + dir.filePath(QStringLiteral("no-engine.sock")));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), {QStringLiteral("run"), QStringLiteral("-C"), dir.path()});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(QLatin1String("no-engine.sock")), qPrintable(err));
    const RunResult runs =
        runTrainyard({QStringLiteral("runs"), QStringLiteral("-C"), dir.path(), QStringLiteral("--json")});
    const QJsonArray array = QJsonDocument::fromJson(runs.out.toUtf8()).array();
    QCOMPARE(array.size(), 1);
    const QJsonObject run = array.first().toObject();
    QCOMPARE(run.value(QStringLiteral("status")).toString(), QStringLiteral("not started"));
    QVERIFY2(run.value(QStringLiteral("reason")).toString().contains(QLatin1String("no-engine.sock")),
             qPrintable(run.value(QStringLiteral("reason")).toString()));
    QCOMPARE(run.value(QStringLiteral("pipeline_iid")).toInt(), 0);
    // The next run that starts is #1.
    QVERIFY(writePipeline(dir.path(), "train:\n  script: [true]\n"));
    QCOMPARE(runTrainyard({QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"),
                           QStringLiteral("-C"), dir.path()})
                 .exitCode,
             0);
    const QJsonArray after = QJsonDocument::fromJson(runTrainyard({QStringLiteral("runs"), QStringLiteral("-C"),
                                                                   dir.path(), QStringLiteral("--json")})
                                                         .out.toUtf8())
                                 .array();
    QCOMPARE(after.first().toObject().value(QStringLiteral("pipeline_iid")).toInt(), 1);
}

void tst_Cli::runRefusesMissingDataFirst()
{
    // A data input that is not there is refused before any job (or image build) starts.
    QTemporaryDir dir;
    QVERIFY(writePipeline(dir.path(), ".trainyard:\n  data:\n    set:\n      path: dataz\n      mount: /data/set\n"
                                      "train:\n  script: [echo trained]\n"));
    const RunResult validate = runTrainyard({QStringLiteral("validate"), QStringLiteral("-C"), dir.path()});
    QVERIFY2(validate.err.contains(QStringLiteral("data input 'set': path 'dataz' does not exist")),
             qPrintable(validate.err));
    const RunResult r = runTrainyard(
        {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"), QStringLiteral("-C"), dir.path()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("data input 'set': path 'dataz' does not exist")) &&
                 r.err.contains(QStringLiteral("no job ran")),
             qPrintable(r.err));
    QVERIFY2(!r.out.contains(QStringLiteral("trained")), qPrintable(r.out));
}

void tst_Cli::runRefusesAnUnknownJob_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("--job typo")
        << QStringList{QStringLiteral("--job"), QStringLiteral("trian")}
        << QStringLiteral("cannot run job 'trian': it is not defined in this pipeline (did you mean 'train'?)");
    QTest::newRow("--job nothing close") << QStringList{QStringLiteral("--job"), QStringLiteral("zzzzzzzz")}
                                         << QStringLiteral(
                                                "cannot run job 'zzzzzzzz': it is not defined in this pipeline\n");
    QTest::newRow("--approve typo") << QStringList{QStringLiteral("--approve"), QStringLiteral("Deploy")}
                                    << QStringLiteral("--approve Deploy: no such job in %1 (did you mean 'deploy'?)");
}

void tst_Cli::runRefusesAnUnknownJob()
{
    // A typo in a job name is refused before anything runs or is recorded: no run, exit 2.
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir dir;
    if (message.contains(QStringLiteral("%1")))
        message = message.arg(dir.filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(writePipeline(dir.path(), "train:\n  script: [echo trained > trained.txt]\ndeploy:\n  stage: deploy\n  "
                                      "when: manual\n  script: [echo deployed]\n"));
    const RunResult r = runTrainyard(QStringList{QStringLiteral("run"), QStringLiteral("--engine"),
                                                 QStringLiteral("shell"), QStringLiteral("-C"), dir.path()} +
                                     args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QCOMPARE(r.err.count(QStringLiteral("\n")), 1); // said once
    QVERIFY2(!r.out.contains(QStringLiteral("trained")), qPrintable(r.out));
    const RunResult runs =
        runTrainyard({QStringLiteral("runs"), QStringLiteral("--json"), QStringLiteral("-C"), dir.path()});
    QVERIFY2(runs.err.contains(QStringLiteral("no lineage is recorded")), qPrintable(runs.out + runs.err));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral(".trainyard/runs"))));
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
