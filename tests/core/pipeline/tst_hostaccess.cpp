// What of the host a pipeline file may reach (HostAccess): the project, folders the user allowed,
// never system folders, sockets, devices, the home folder or credentials; symbolic links resolved.
// The adversarial cases of the hardening issue (H1) are here and in tests/security/.
#include "pipeline/gitlabcireader.h"
#include "pipeline/hostaccess.h"

#include "support/files.h"
#include "support/scopedenv.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace trainyard::core;
using namespace trainyard::test;

class tst_HostAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dataInputs_data();
    void dataInputs();
    void symbolicLinksAreResolved();
    void socketsAndPipesAreRefused();
    void allowedRootDoesNotUnlockSystemFolders();
    void rootToAllow();
    void buildContexts_data();
    void buildContexts();
    void readerReportsAtTheLine();
    void environmentAndSettingRoots();

private:
    QTemporaryDir m_tmp;
    QString m_project;
    QString m_outside;
};

void tst_HostAccess::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_project = QFileInfo(m_tmp.path()).canonicalFilePath() + QStringLiteral("/project");
    m_outside = QFileInfo(m_tmp.path()).canonicalFilePath() + QStringLiteral("/datasets");
    QVERIFY(writeFile(m_project + QStringLiteral("/data/train.csv"), "x,y\n"));
    QVERIFY(writeFile(m_project + QStringLiteral("/image/Dockerfile"), "FROM scratch\n"));
    QVERIFY(writeFile(m_project + QStringLiteral("/.trainyard/secrets.env"), "TOKEN=abcd\n"));
    QVERIFY(writeFile(m_outside + QStringLiteral("/imagenet/a.jpg"), "jpg"));
}

void tst_HostAccess::dataInputs_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("roots");
    QTest::addColumn<QString>("refusal"); // empty: allowed

    const QStringList none;
    const QString outside = QFileInfo(m_tmp.path()).canonicalFilePath() + QStringLiteral("/datasets");
    QTest::newRow("in the project") << QStringLiteral("data") << none << QString();
    QTest::newRow("a file in the project") << QStringLiteral("data/train.csv") << none << QString();
    QTest::newRow("not there yet, in the project") << QStringLiteral("data/later") << none << QString();
    QTest::newRow("../ outside, nothing allowed")
        << QStringLiteral("../datasets/imagenet") << none << QStringLiteral("outside the project");
    QTest::newRow("absolute outside, nothing allowed") << outside << none << QStringLiteral("outside the project");
    QTest::newRow("under an allowed root")
        << outside + QStringLiteral("/imagenet") << QStringList{outside} << QString();
    QTest::newRow("../ under an allowed root") << QStringLiteral("../datasets") << QStringList{outside} << QString();
    QTest::newRow("beside an allowed root")
        << outside + QStringLiteral("-other") << QStringList{outside} << QStringLiteral("outside the project");
    QTest::newRow("the docker socket") << QStringLiteral("/var/run/docker.sock") << none
                                       << QStringLiteral("system folder");
    QTest::newRow("/run") << QStringLiteral("/run") << none << QStringLiteral("system folder");
    // As many ../ as it takes to reach / from the project, then run: the folder holding the socket.
    QTest::newRow("../../run") << QStringLiteral("../").repeated(m_project.count(u'/')) + QStringLiteral("run") << none
                               << QStringLiteral("system folder");
    QTest::newRow("/etc") << QStringLiteral("/etc") << none << QStringLiteral("system folder");
    QTest::newRow("/etc/shadow") << QStringLiteral("/etc/shadow") << none << QStringLiteral("system folder");
    QTest::newRow("/proc/self") << QStringLiteral("/proc/self/environ") << none << QStringLiteral("system folder");
    QTest::newRow("/sys") << QStringLiteral("/sys") << none << QStringLiteral("system folder");
    QTest::newRow("/dev") << QStringLiteral("/dev/sda") << none << QStringLiteral("system folder");
    QTest::newRow("/") << QStringLiteral("/") << none << QStringLiteral("whole file system");
    QTest::newRow("/var holds /var/lib/docker")
        << QStringLiteral("/var") << none << QStringLiteral("holds the system folder");
    QTest::newRow("home itself") << QDir::homePath() << QStringList{QDir::homePath()} << QStringLiteral("home folder");
    const QString homeParent = QFileInfo(QDir::homePath()).absolutePath(); // "/" for root's /root
    QTest::newRow("home's parent") << homeParent << none
                                   << (homeParent == u'/' ? QStringLiteral("whole file system")
                                                          : QStringLiteral("home folder"));
    QTest::newRow("~/.ssh") << QDir::homePath() + QStringLiteral("/.ssh") << QStringList{QDir::homePath()}
                            << QStringLiteral("credentials");
    QTest::newRow("~/.docker/config.json") << QDir::homePath() + QStringLiteral("/.docker/config.json")
                                           << QStringList{QDir::homePath()} << QStringLiteral("credentials");
    QTest::newRow("the project's .trainyard")
        << QStringLiteral(".trainyard") << none << QStringLiteral("Trainyard's own folder");
    QTest::newRow("secrets.env") << QStringLiteral(".trainyard/secrets.env") << none
                                 << QStringLiteral("Trainyard's own folder");
    QTest::newRow("the project itself") << QStringLiteral(".") << none
                                        << QStringLiteral("holds the project's .trainyard");
}

void tst_HostAccess::dataInputs()
{
    QFETCH(QString, path);
    QFETCH(QStringList, roots);
    QFETCH(QString, refusal);
    const HostAccess access(m_project, roots);
    DataInput input{QStringLiteral("dataset"), path, QStringLiteral("/data/input"),
                    SourceLocation{QStringLiteral("f.yml"), 7, 5}};
    const auto source = access.dataSource(input);
    if (refusal.isEmpty()) {
        QVERIFY2(source, qPrintable(source ? QString() : source.error().message));
        QVERIFY(QDir::isAbsolutePath(*source));
        return;
    }
    QVERIFY2(!source, qPrintable(QStringLiteral("allowed: %1").arg(source ? *source : QString())));
    QVERIFY2(source.error().message.contains(refusal), qPrintable(source.error().message));
    QVERIFY2(source.error().message.contains(QLatin1String("data input 'dataset'")),
             qPrintable(source.error().message));
    QCOMPARE(source.error().location, input.location);
}

void tst_HostAccess::symbolicLinksAreResolved()
{
    QTemporaryDir tmp;
    const QString project = QFileInfo(tmp.path()).canonicalFilePath();
    QVERIFY(QFile::link(QStringLiteral("/etc"), project + QStringLiteral("/etc-link")));
    QVERIFY(QFile::link(m_outside, project + QStringLiteral("/outside-link")));
    QVERIFY(QDir().mkpath(project + QStringLiteral("/data")));
    QVERIFY(QFile::link(project + QStringLiteral("/data"), project + QStringLiteral("/data-link")));
    const HostAccess access(project, {});
    auto input = [](const QString &path) { return DataInput{QStringLiteral("d"), path, QStringLiteral("/d"), {}}; };

    auto etc = access.dataSource(input(QStringLiteral("etc-link/ssl")));
    QVERIFY(!etc);
    QVERIFY2(etc.error().message.contains(QLatin1String("/etc is a system folder")), qPrintable(etc.error().message));
    QVERIFY(!access.dataSource(input(QStringLiteral("outside-link"))));
    // ".." after a link is taken lexically: what is mounted is the resolved path that was checked.
    auto inside = access.dataSource(input(QStringLiteral("data-link")));
    QVERIFY(inside);
    QCOMPARE(*inside, project + QStringLiteral("/data"));
}

void tst_HostAccess::socketsAndPipesAreRefused()
{
    QTemporaryDir tmp;
    const QString project = QFileInfo(tmp.path()).canonicalFilePath();
    const QByteArray socketPath = QFile::encodeName(project + QStringLiteral("/engine.sock"));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    QVERIFY(size_t(socketPath.size()) < sizeof(address.sun_path));
    std::memcpy(address.sun_path, socketPath.constData(), size_t(socketPath.size()));
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
    QCOMPARE(::mkfifo(QFile::encodeName(project + QStringLiteral("/pipe")).constData(), 0600), 0);

    const HostAccess access(project, {});
    auto socket =
        access.dataSource(DataInput{QStringLiteral("s"), QStringLiteral("engine.sock"), QStringLiteral("/s"), {}});
    ::close(fd);
    QVERIFY(!socket);
    QVERIFY2(socket.error().message.contains(QLatin1String("socket")), qPrintable(socket.error().message));
    auto fifo = access.dataSource(DataInput{QStringLiteral("p"), QStringLiteral("pipe"), QStringLiteral("/p"), {}});
    QVERIFY(!fifo);
    QVERIFY2(fifo.error().message.contains(QLatin1String("device or a pipe")), qPrintable(fifo.error().message));
}

void tst_HostAccess::allowedRootDoesNotUnlockSystemFolders()
{
    const HostAccess access(m_project, {QStringLiteral("/")});
    QVERIFY(!access.dataSource(DataInput{QStringLiteral("d"), QStringLiteral("/etc"), QStringLiteral("/d"), {}}));
    QVERIFY(!access.dataSource(
        DataInput{QStringLiteral("d"), QStringLiteral("/run/docker.sock"), QStringLiteral("/d"), {}}));
    QVERIFY(access.dataSource(DataInput{QStringLiteral("d"), m_outside, QStringLiteral("/d"), {}}));
}

void tst_HostAccess::rootToAllow()
{
    const HostAccess access(m_project, {});
    QCOMPARE(access.rootToAllow(DataInput{QStringLiteral("d"), QStringLiteral("../datasets/imagenet"), {}, {}}),
             m_outside + QStringLiteral("/imagenet"));
    QCOMPARE(access.rootToAllow(DataInput{QStringLiteral("d"), m_outside + QStringLiteral("/imagenet/a.jpg"), {}, {}}),
             m_outside + QStringLiteral("/imagenet"));
    QCOMPARE(access.rootToAllow(DataInput{QStringLiteral("d"), QStringLiteral("/etc"), {}, {}}), QString());
    QCOMPARE(access.rootToAllow(DataInput{QStringLiteral("d"), QStringLiteral("data"), {}, {}}), QString());
}

void tst_HostAccess::buildContexts_data()
{
    QTest::addColumn<QString>("context");
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QString>("refusal");
    QTest::newRow("a folder of the project") << QStringLiteral("image") << QStringLiteral("Dockerfile") << QString();
    QTest::newRow("the project itself") << QStringLiteral(".") << QStringLiteral("image/Dockerfile") << QString();
    QTest::newRow("../ outside") << QStringLiteral("..") << QStringLiteral("Dockerfile")
                                 << QStringLiteral("outside the project");
    QTest::newRow("absolute outside") << m_outside << QStringLiteral("Dockerfile")
                                      << QStringLiteral("outside the project");
    QTest::newRow("/etc") << QStringLiteral("/etc") << QStringLiteral("Dockerfile")
                          << QStringLiteral("outside the project");
    QTest::newRow("Trainyard's folder") << QStringLiteral(".trainyard") << QStringLiteral("Dockerfile")
                                        << QStringLiteral("Trainyard's own folder");
    QTest::newRow("a Dockerfile outside")
        << QStringLiteral("image") << QStringLiteral("../../../../../../../../etc/passwd")
        << QStringLiteral("Dockerfile");
    QTest::newRow("an absolute Dockerfile outside")
        << QStringLiteral("image") << QStringLiteral("/etc/hostname") << QStringLiteral("Dockerfile");
}

void tst_HostAccess::buildContexts()
{
    QFETCH(QString, context);
    QFETCH(QString, dockerfile);
    QFETCH(QString, refusal);
    const HostAccess access(m_project, {QStringLiteral("/")}); // allowed data roots do not widen build contexts
    const ImageBuild build{QStringLiteral("team/train:1"), context, dockerfile,
                           SourceLocation{QStringLiteral("f.yml"), 12, 5}};
    const auto resolved = access.buildContext(build);
    if (refusal.isEmpty()) {
        QVERIFY2(resolved, qPrintable(resolved ? QString() : resolved.error().message));
        return;
    }
    QVERIFY(!resolved);
    QVERIFY2(resolved.error().message.contains(refusal), qPrintable(resolved.error().message));
    QCOMPARE(resolved.error().location.line, 12);
}

void tst_HostAccess::readerReportsAtTheLine()
{
    QTemporaryDir tmp;
    QVERIFY(writeFile(tmp.filePath(QStringLiteral(".gitlab-ci.yml")), "stages: [train]\n"
                                                                      ".trainyard:\n"
                                                                      "  images:\n"
                                                                      "    evil/image:1:\n"
                                                                      "      context: ../\n"
                                                                      "  data:\n"
                                                                      "    socket:\n"
                                                                      "      path: /var/run/docker.sock\n"
                                                                      "    etc: /etc\n"
                                                                      "    ok: data\n"
                                                                      "train:\n"
                                                                      "  stage: train\n"
                                                                      "  image: evil/image:1\n"
                                                                      "  script: [cat /data/etc/shadow]\n"));
    ScopedEnv noRoots("TRAINYARD_DATA_ROOTS", "");
    GitlabCiReader::Options options;
    options.projectDir = tmp.path();
    const Pipeline pipeline = GitlabCiReader::read(options);
    QVERIFY(pipeline.hasErrors());
    QStringList found;
    for (const Error &e : pipeline.problems)
        if (e.isError())
            found << QStringLiteral("%1: %2").arg(e.location.line).arg(e.message.section(u':', 0, 0));
    QVERIFY2(found.contains(QLatin1String("4: image evil/image")), qPrintable(found.join(u'\n')));
    QVERIFY2(found.contains(QLatin1String("7: data input 'socket'")), qPrintable(found.join(u'\n')));
    QVERIFY2(found.contains(QLatin1String("9: data input 'etc'")), qPrintable(found.join(u'\n')));
    QCOMPARE(found.size(), 3);
}

void tst_HostAccess::environmentAndSettingRoots()
{
    ScopedEnv roots("TRAINYARD_DATA_ROOTS", "/srv/datasets::relative/ignored:/mnt/nfs/");
    HostAccess::forgetRoot(QStringLiteral("/data/team"));
    HostAccess::allowRoot(QStringLiteral("/data/team/"));
    QCOMPARE(HostAccess::machineRoots(),
             (QStringList{QStringLiteral("/srv/datasets"), QStringLiteral("/mnt/nfs"), QStringLiteral("/data/team")}));
    HostAccess::forgetRoot(QStringLiteral("/data/team"));
    QVERIFY(!HostAccess::settingRoots().contains(QStringLiteral("/data/team")));
}

QTEST_GUILESS_MAIN(tst_HostAccess)
#include "tst_hostaccess.moc"
