// Adversarial: a pipeline file tries to reach the host (hardening issue, H1). The file is written
// by whoever can push to the repository; only the person running it may open the machine to it.
// Every case runs the real executable: validate names the line, run refuses before any job.
#include "support/cli.h"
#include "support/files.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::test;

namespace {

#ifdef TRAINYARD_SECURITY_DOCKER
const QStringList kEngine{}; // the default engine: the local Docker engine
#else
const QStringList kEngine{QStringLiteral("--engine"), QStringLiteral("shell")};
#endif

} // namespace

class tst_HostEscape : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void refusedEverywhere_data();
    void refusedEverywhere();
    void buildContextOutsideTheProject();
    void allowedRootOpensOnlyThatFolder();
    void linkedStateFolderIsRefused();

private:
    QProcessEnvironment env() const;
    bool makeProject(const QString &dir, const QByteArray &trainyard, const QByteArray &script);

    std::unique_ptr<QTemporaryDir> m_tmp;
};

void tst_HostEscape::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
}

QProcessEnvironment tst_HostEscape::env() const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("XDG_CONFIG_HOME"), m_tmp->filePath(QStringLiteral("config"))); // no allowed roots
    e.remove(QStringLiteral("TRAINYARD_DATA_ROOTS"));
    return e;
}

bool tst_HostEscape::makeProject(const QString &dir, const QByteArray &trainyard, const QByteArray &script)
{
    return writeFile(dir + QStringLiteral("/.gitlab-ci.yml"), "stages: [train]\n"
                                                              ".trainyard:\n" +
                                                                  trainyard +
                                                                  "train:\n"
                                                                  "  stage: train\n"
                                                                  "  image: trainyard-test/none:1\n"
                                                                  "  script:\n"
                                                                  "    - " +
                                                                  script + "\n") &&
           writeFile(dir + QStringLiteral("/data/x.csv"), "1\n") && commitAll(dir);
}

void tst_HostEscape::refusedEverywhere_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("why");
    QTest::newRow("the Docker socket") << QByteArray("/var/run/docker.sock") << QStringLiteral("system folder");
    QTest::newRow("../../run, which holds it")
        << QByteArray("../../../../../../../../../../run") << QStringLiteral("system folder");
    QTest::newRow("/etc, for /etc/shadow") << QByteArray("/etc") << QStringLiteral("system folder");
    QTest::newRow("the home folder") << QDir::homePath().toUtf8() << QStringLiteral("home folder");
    QTest::newRow("the project's secrets") << QByteArray(".trainyard") << QStringLiteral("Trainyard's own folder");
    QTest::newRow("outside, not allowed") << QByteArray("../elsewhere") << QStringLiteral("outside the project");
}

void tst_HostEscape::refusedEverywhere()
{
    QFETCH(QByteArray, path);
    QFETCH(QString, why);
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    QVERIFY(QDir().mkpath(m_tmp->filePath(QStringLiteral("elsewhere"))));
    QVERIFY(makeProject(project, "  data:\n    host:\n      path: " + path + "\n      mount: /data/host\n",
                        "ls /data/host > reached.txt"));

    const CliResult validate = runTrainyard({QStringLiteral("validate"), QStringLiteral("-C"), project}, env());
    QCOMPARE(validate.exitCode, 1);
    // At the line of the setting: .gitlab-ci.yml:4 is `host:`.
    QVERIFY2(validate.err.contains(QLatin1String(".gitlab-ci.yml:4:5: error: data input 'host'")),
             qPrintable(validate.err));
    QVERIFY2(validate.err.contains(why), qPrintable(validate.err));

    const CliResult run =
        runTrainyard(QStringList{QStringLiteral("run"), QStringLiteral("-C"), project} + kEngine, env());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(why), qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(project + QStringLiteral("/reached.txt")));
    QVERIFY(QDir(project + QStringLiteral("/.trainyard/workspaces")).isEmpty()); // no job started
}

void tst_HostEscape::buildContextOutsideTheProject()
{
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    QVERIFY(writeFile(m_tmp->filePath(QStringLiteral("host-secret.txt")), "do not copy\n"));
    QVERIFY(writeFile(m_tmp->filePath(QStringLiteral("Dockerfile")), "FROM scratch\nCOPY host-secret.txt /\n"));
    QVERIFY(makeProject(project, "  images:\n    trainyard-test/none:1:\n      context: ..\n", "true"));
    const CliResult validate = runTrainyard({QStringLiteral("validate"), QStringLiteral("-C"), project}, env());
    QCOMPARE(validate.exitCode, 1);
    QVERIFY2(validate.err.contains(
                 QLatin1String(".gitlab-ci.yml:4:5: error: image trainyard-test/none:1: build context '..'")),
             qPrintable(validate.err));
    const CliResult run =
        runTrainyard(QStringList{QStringLiteral("run"), QStringLiteral("-C"), project} + kEngine, env());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("outside the project")), qPrintable(run.err));
}

void tst_HostEscape::allowedRootOpensOnlyThatFolder()
{
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    const QString datasets = QFileInfo(m_tmp->path()).canonicalFilePath() + QStringLiteral("/datasets");
    QVERIFY(writeFile(datasets + QStringLiteral("/imagenet/labels.txt"), "cat\ndog\n"));
#ifdef TRAINYARD_SECURITY_DOCKER
    QSKIP("the allowed-root case runs with the shell engine (tst_hostescape)");
#endif
    QVERIFY(makeProject(project, "  data:\n    imagenet: " + datasets.toUtf8() + "/imagenet\n",
                        "cat \"$TRAINYARD_DATA_IMAGENET/labels.txt\""));
    const QStringList run{QStringLiteral("run"), QStringLiteral("-C"), project, QStringLiteral("--engine"),
                          QStringLiteral("shell")};

    const CliResult refused = runTrainyard(run, env());
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QStringLiteral("TRAINYARD_DATA_ROOTS=%1/imagenet").arg(datasets)),
             qPrintable(refused.err));

    QProcessEnvironment allowed = env();
    allowed.insert(QStringLiteral("TRAINYARD_DATA_ROOTS"), datasets);
    const CliResult ran = runTrainyard(run, allowed);
    QVERIFY2(ran.exitCode == 0, qPrintable(ran.err + ran.out));
    QVERIFY2(ran.out.contains(QLatin1String("dog")), qPrintable(ran.out)); // the job read the allowed folder

    // The allowed root opens that folder, not /etc.
    QVERIFY(makeProject(project, "  data:\n    imagenet: " + datasets.toUtf8() + "/imagenet\n    etc: /etc\n", "true"));
    const CliResult etc = runTrainyard(run, allowed);
    QCOMPARE(etc.exitCode, 2);
    QVERIFY2(etc.err.contains(QLatin1String("data input 'etc'")), qPrintable(etc.err));
}

// A repository that carries .trainyard as a link would send every write (logs, artifacts, the
// lineage database) outside the project.
void tst_HostEscape::linkedStateFolderIsRefused()
{
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    const QString elsewhere = m_tmp->filePath(QStringLiteral("elsewhere"));
    QVERIFY(QDir().mkpath(elsewhere));
    QVERIFY(makeProject(project, "  protected_branches: [main]\n", "echo ran"));
    QVERIFY(QFile::link(elsewhere, project + QStringLiteral("/.trainyard")));

    const CliResult validate = runTrainyard({QStringLiteral("validate"), QStringLiteral("-C"), project}, env());
    QCOMPARE(validate.exitCode, 1);
    QVERIFY2(validate.err.contains(QLatin1String(".trainyard is a symbolic link")), qPrintable(validate.err));
    const CliResult run =
        runTrainyard(QStringList{QStringLiteral("run"), QStringLiteral("-C"), project} + kEngine, env());
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QLatin1String(".trainyard is a symbolic link")));
    QVERIFY2(QDir(elsewhere).isEmpty(),
             qPrintable(QDir(elsewhere).entryList().join(u' '))); // nothing was written there
}

QTEST_GUILESS_MAIN(tst_HostEscape)
#include "tst_hostescape.moc"
