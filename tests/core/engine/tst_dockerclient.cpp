// Against the real Docker engine at DockerClient::defaultEndpoint(). The test script starts
// dockerd; TRAINYARD_SKIP_DOCKER=1 skips these tests where no engine can run.
#include "engine/dockerclient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <QVersionNumber>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

using namespace trainyard::core;

namespace {

const QString Image = QStringLiteral("trainyard-test/busybox:1");
const QString Label = QStringLiteral("trainyard.test=1");

struct RunResult
{
    int exitCode = -1;
    QStringList out;
    QStringList err;
    ContainerState state;
    QString error; ///< the first failure, if any
};

/// Whether something listens on 127.0.0.1:port (listening = true) or the port is free to bind.
bool portState(int port, bool listening)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(quint16(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int rc = listening ? ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr)
                             : ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    ::close(fd);
    return rc == 0;
}

QString message(const Error &e)
{
    return e.message;
}

} // namespace

class tst_DockerClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void pingNegotiates();
    void inspectImage();
    void outputAndExitCode();
    void envWorkingDirAndUser();
    void readOnlyBindMount();
    void labelsAndListing();
    void stopSleepingContainer();
    void memoryLimitOomKill();
    void followLogsCancel();
    void buildContextReachesDaemon();
    void daemonErrors();
    void unreachableEndpoint_data();
    void unreachableEndpoint();
    void connectTimeout();
    void networkAlias();
    void pullFromLocalRegistry();

private:
    ContainerSpec spec(const QStringList &command) const;
    RunResult run(const ContainerSpec &spec);
    void removeByLabel();

    DockerClient m_client;
    QTemporaryDir m_tmp;
    std::unique_ptr<QProcess> m_registry;
};

ContainerSpec tst_DockerClient::spec(const QStringList &command) const
{
    ContainerSpec s;
    s.image = Image;
    s.command = command;
    s.labels = {{QStringLiteral("trainyard.test"), QStringLiteral("1")}};
    return s;
}

RunResult tst_DockerClient::run(const ContainerSpec &spec)
{
    RunResult result;
    const auto id = m_client.createContainer(spec);
    if (!id) {
        result.error = message(id.error());
        return result;
    }
    auto fail = [&](const Error &e) {
        if (result.error.isEmpty())
            result.error = e.message;
    };
    if (auto started = m_client.startContainer(*id); !started)
        fail(started.error());
    const auto logs = m_client.followLogs(*id, [&](const LogLine &line) {
        (line.stream == LogLine::Stream::Stderr ? result.err : result.out).append(line.text);
    });
    if (!logs)
        fail(logs.error());
    if (const auto code = m_client.waitContainer(*id))
        result.exitCode = *code;
    else
        fail(code.error());
    if (const auto state = m_client.exitedState(*id, result.exitCode, spec.memoryBytes > 0, false))
        result.state = *state;
    else
        fail(state.error());
    if (auto removed = m_client.removeContainer(*id, true); !removed)
        fail(removed.error());
    return result;
}

void tst_DockerClient::removeByLabel()
{
    if (const auto ids = m_client.listContainers(Label)) {
        for (const QString &id : *ids)
            (void)m_client.removeContainer(id, true);
    }
    if (const auto networks = m_client.listNetworks(Label)) {
        for (const QString &name : *networks)
            (void)m_client.removeNetwork(name);
    }
}

void tst_DockerClient::initTestCase()
{
    if (qEnvironmentVariable("TRAINYARD_SKIP_DOCKER") == QLatin1String("1"))
        QSKIP("TRAINYARD_SKIP_DOCKER=1: no Docker engine tests");
    const auto info = m_client.ping();
    if (!info)
        QFAIL(qPrintable(QStringLiteral("These tests need a Docker engine at %1 (start dockerd, or set "
                                        "TRAINYARD_SKIP_DOCKER=1 to skip them): %2")
                             .arg(m_client.endpoint(), info.error().message)));
    QVERIFY(m_tmp.isValid());
    removeByLabel(); // leftovers of an interrupted run

    // A FROM scratch image holding a static busybox, built offline with our own build call.
    const QString busybox = QStringLiteral("/bin/busybox");
    if (!QFileInfo(busybox).isFile())
        QFAIL("/bin/busybox is missing: apt-get install busybox-static");
    const QString context = m_tmp.filePath(QStringLiteral("busybox-context"));
    QVERIFY(QDir().mkpath(context));
    QVERIFY(QFile::copy(busybox, context + QStringLiteral("/busybox")));
    QFile dockerfile(context + QStringLiteral("/Dockerfile"));
    QVERIFY(dockerfile.open(QIODevice::WriteOnly));
    // A stamp unique to this run makes one layer no other local image has, so the registry test
    // below really downloads (other images, such as the demo's, share the busybox layers).
    dockerfile.write("FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", "
                     "\"/bin\"]\nCOPY stamp /stamp\n");
    dockerfile.close();
    QFile stamp(context + QStringLiteral("/stamp"));
    QVERIFY(stamp.open(QIODevice::WriteOnly));
    stamp.write(QUuid::createUuid().toByteArray());
    stamp.close();
    QStringList output;
    const auto built =
        m_client.buildImage(context, QString(), Image, [&](const QString &line) { output.append(line); });
    QVERIFY2(built, qPrintable(built ? QString()
                                     : built.error().message + QLatin1Char('\n') + output.join(QLatin1Char('\n'))));
    QVERIFY2(output.join(QLatin1Char('\n')).contains(QStringLiteral("Successfully tagged ") + Image),
             qPrintable(output.join(QLatin1Char('\n'))));
}

void tst_DockerClient::cleanupTestCase()
{
    if (m_registry) {
        m_registry->kill();
        m_registry->waitForFinished(5000);
    }
    if (m_client.apiVersion().isEmpty())
        return; // never reached an engine
    removeByLabel();
    (void)m_client.removeImage(Image, true);
    QCOMPARE(m_client.listContainers(Label).value_or(QStringList{QStringLiteral("?")}), QStringList{});
    QCOMPARE(m_client.listNetworks(Label).value_or(QStringList{QStringLiteral("?")}), QStringList{});
}

void tst_DockerClient::pingNegotiates()
{
    const auto info = m_client.ping();
    QVERIFY(info);
    QVERIFY(!info->version.isEmpty());
    QCOMPARE(info->os, QStringLiteral("linux"));
    QVERIFY(!info->isPodman);
    QVERIFY(!m_client.apiVersion().isEmpty());
    QVERIFY(QVersionNumber::fromString(m_client.apiVersion()) <= QVersionNumber(1, 41) ||
            QVersionNumber::fromString(info->apiVersion) > QVersionNumber(1, 41));
}

void tst_DockerClient::inspectImage()
{
    const auto image = m_client.inspectImage(Image);
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    QVERIFY(image->exists);
    QVERIFY2(image->id.startsWith(QStringLiteral("sha256:")), qPrintable(image->id));
    const auto missing = m_client.inspectImage(QStringLiteral("trainyard-test/no-such-image:1"));
    QVERIFY(missing);
    QVERIFY(!missing->exists);
    QVERIFY(missing->id.isEmpty());
}

void tst_DockerClient::outputAndExitCode()
{
    const RunResult r =
        run(spec({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo out; echo err >&2; exit 3")}));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.out, QStringList{QStringLiteral("out")});
    QCOMPARE(r.err, QStringList{QStringLiteral("err")});
    QCOMPARE(r.exitCode, 3);
    QCOMPARE(r.state.exitCode, 3);
    QVERIFY(!r.state.running);
    QVERIFY(!r.state.oomKilled);
    QCOMPARE(r.state.status, QStringLiteral("exited"));
}

void tst_DockerClient::envWorkingDirAndUser()
{
    ContainerSpec s =
        spec({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo \"$FOO|$EMPTY|$SPACED\"; pwd; id -u")});
    s.env = {QStringLiteral("FOO=bar"), QStringLiteral("EMPTY="), QStringLiteral("SPACED=a b  c")};
    s.workingDir = QStringLiteral("/work/dir");
    s.user = QStringLiteral("1234");
    const RunResult r = run(s);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.out, (QStringList{QStringLiteral("bar||a b  c"), QStringLiteral("/work/dir"), QStringLiteral("1234")}));
    QCOMPARE(r.exitCode, 0);
}

void tst_DockerClient::readOnlyBindMount()
{
    const QString in = m_tmp.filePath(QStringLiteral("mount-in"));
    const QString out = m_tmp.filePath(QStringLiteral("mount-out"));
    QVERIFY(QDir().mkpath(in));
    QVERIFY(QDir().mkpath(out));
    QFile file(in + QStringLiteral("/data.txt"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hello from host\n");
    file.close();

    ContainerSpec s =
        spec({QStringLiteral("sh"), QStringLiteral("-c"),
              QStringLiteral("cat /data/data.txt; if echo x > /data/new.txt; then echo wrote; else echo denied; fi; "
                             "echo result > /out/result.txt")});
    s.mounts = {Mount{in, QStringLiteral("/data"), true}, Mount{out, QStringLiteral("/out"), false}};
    const RunResult r = run(s);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.out, (QStringList{QStringLiteral("hello from host"), QStringLiteral("denied")}));
    QVERIFY2(r.err.join(QLatin1Char('\n')).contains(QStringLiteral("Read-only file system")),
             qPrintable(r.err.join(QLatin1Char('\n'))));
    QVERIFY(!QFileInfo::exists(in + QStringLiteral("/new.txt")));
    QVERIFY(QFileInfo::exists(out + QStringLiteral("/result.txt")));
}

void tst_DockerClient::labelsAndListing()
{
    ContainerSpec s = spec({QStringLiteral("true")});
    s.labels.insert(QStringLiteral("trainyard.case"), QStringLiteral("listing"));
    s.name = QStringLiteral("trainyard-test-listing-1");
    const auto a = m_client.createContainer(s);
    QVERIFY2(a, qPrintable(a ? QString() : a.error().message));
    s.name = QStringLiteral("trainyard-test-listing-2");
    const auto b = m_client.createContainer(s);
    QVERIFY(b);
    const auto duplicate = m_client.createContainer(s); // the name is taken
    QVERIFY(!duplicate);
    QVERIFY2(duplicate.error().message.contains(QStringLiteral("already in use")),
             qPrintable(duplicate.error().message));

    const auto listed = m_client.listContainers(QStringLiteral("trainyard.case=listing"));
    QVERIFY(listed);
    QCOMPARE(QSet<QString>(listed->cbegin(), listed->cend()), (QSet<QString>{*a, *b}));
    QCOMPARE(m_client.listContainers(QStringLiteral("trainyard.case=other")).value_or(QStringList{QStringLiteral("?")}),
             QStringList{});
    QVERIFY(m_client.listContainers(QStringLiteral("trainyard.case"))->contains(*a)); // key only
    const auto state = m_client.inspectContainer(*a);
    QVERIFY(state);
    QCOMPARE(state->status, QStringLiteral("created"));

    QVERIFY(m_client.removeContainer(*a, false));
    QVERIFY(m_client.removeContainer(*b, false));
    QCOMPARE(
        m_client.listContainers(QStringLiteral("trainyard.case=listing")).value_or(QStringList{QStringLiteral("?")}),
        QStringList{});
}

void tst_DockerClient::stopSleepingContainer()
{
    const auto id = m_client.createContainer(spec({QStringLiteral("sleep"), QStringLiteral("30")}));
    QVERIFY(id);
    QVERIFY(m_client.startContainer(*id));
    QVERIFY(m_client.inspectContainer(*id)->running);
    QElapsedTimer timer;
    timer.start();
    const auto stopped = m_client.stopContainer(*id, 1); // sleep as PID 1 ignores SIGTERM: killed after 1 s
    QVERIFY2(stopped, qPrintable(stopped ? QString() : stopped.error().message));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    const auto code = m_client.waitContainer(*id);
    QVERIFY(code);
    QCOMPARE(*code, 137);
    QVERIFY(!m_client.inspectContainer(*id)->running);
    QVERIFY(m_client.stopContainer(*id, 1)); // stopping a stopped container is fine
    QVERIFY(m_client.removeContainer(*id, false));
}

void tst_DockerClient::memoryLimitOomKill()
{
    ContainerSpec s = spec({QStringLiteral("sh"), QStringLiteral("-c"),
                            QStringLiteral("x=$(head -c 64000000 /dev/zero | tr \"\\0\" a); echo done")});
    s.memoryBytes = parseByteSize(QStringLiteral("8m"));
    const RunResult r = run(s);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    if (r.exitCode == 0 && r.out.contains(QStringLiteral("done")))
        QSKIP("This kernel does not enforce container memory limits (64 MB allocated under an 8 MiB limit)");
    QCOMPARE(r.exitCode, 137);
    QVERIFY(r.state.oomKilled);
}

void tst_DockerClient::followLogsCancel()
{
    const auto id = m_client.createContainer(
        spec({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo start; sleep 30")}));
    QVERIFY(id);
    QVERIFY(m_client.startContainer(*id));
    std::atomic_bool cancel{false};
    std::atomic_bool started{false};
    std::atomic_bool done{false};
    Result<void> followed;
    // One client per thread, as DockerClient asks.
    std::thread follower([&, endpoint = m_client.endpoint(), id = *id] {
        DockerClient client(endpoint);
        followed = client.followLogs(
            id,
            [&](const LogLine &line) {
                if (line.text == QLatin1String("start"))
                    started = true;
            },
            &cancel);
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(started.load(), 10000);
    QElapsedTimer timer;
    timer.start();
    cancel = true;
    QTRY_VERIFY_WITH_TIMEOUT(done.load(), 5000);
    follower.join();
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(followed); // cancelling is not an error
    QVERIFY(m_client.inspectContainer(*id)->running);
    QVERIFY(m_client.removeContainer(*id, true));
}

void tst_DockerClient::buildContextReachesDaemon()
{
    // Go's archive/tar in the daemon reads our long names, symlinks and modes; .dockerignore applies.
    const QString context = m_tmp.filePath(QStringLiteral("rich-context"));
    const QString longDir = QString(70, QLatin1Char('d')) + QLatin1Char('/') + QString(70, QLatin1Char('e'));
    const QString longName = QString(120, QLatin1Char('n'));
    auto write = [&](const QString &relative, const QByteArray &content) {
        const QString path = context + QLatin1Char('/') + relative;
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
    };
    QVERIFY(write(QStringLiteral("Dockerfile"), "FROM " + Image.toUtf8() + "\nCOPY . /ctx\n"));
    QVERIFY(write(QStringLiteral(".dockerignore"), "*.secret\n"));
    QVERIFY(write(longDir + QStringLiteral("/prefixed.txt"), "prefixed\n"));
    QVERIFY(write(QStringLiteral("sub/") + longName, "gnu long name\n"));
    QVERIFY(write(QStringLiteral("run.sh"), "#!/bin/sh\necho ran\n"));
    QVERIFY(write(QStringLiteral("key.secret"), "hidden\n"));
    QVERIFY(QFile::setPermissions(context + QStringLiteral("/run.sh"),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    QVERIFY(QFile::link(QStringLiteral("sub/") + longName, context + QStringLiteral("/link")));

    const QString tag = QStringLiteral("trainyard-test/context:1");
    QStringList output;
    const auto built = m_client.buildImage(context, QString(), tag, [&](const QString &line) { output.append(line); });
    QVERIFY2(built, qPrintable(built ? QString()
                                     : built.error().message + QLatin1Char('\n') + output.join(QLatin1Char('\n'))));
    ContainerSpec s = spec({QStringLiteral("sh"), QStringLiteral("-c"),
                            QStringLiteral("cat /ctx/%1/prefixed.txt /ctx/sub/%2; readlink /ctx/link; /ctx/run.sh; "
                                           "test -e /ctx/key.secret && echo leaked || echo ignored")
                                .arg(longDir, longName)});
    s.image = tag;
    const RunResult r = run(s);
    (void)m_client.removeImage(tag, true);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.out, (QStringList{QStringLiteral("prefixed"), QStringLiteral("gnu long name"),
                                 QStringLiteral("sub/") + longName, QStringLiteral("ran"), QStringLiteral("ignored")}));
}

void tst_DockerClient::daemonErrors()
{
    ContainerSpec s = spec({QStringLiteral("true")});
    s.image = QStringLiteral("trainyard-test/no-such-image:1");
    const auto created = m_client.createContainer(s);
    QVERIFY(!created);
    QVERIFY2(created.error().message.contains(QStringLiteral("No such image")), qPrintable(created.error().message));

    const auto inspected = m_client.inspectContainer(QStringLiteral("trainyard-test-no-such-container"));
    QVERIFY(!inspected);
    QVERIFY2(inspected.error().message.contains(QStringLiteral("No such container")),
             qPrintable(inspected.error().message));
    QVERIFY2(inspected.error().message.contains(QStringLiteral("HTTP 404")), qPrintable(inspected.error().message));

    const QString context = m_tmp.filePath(QStringLiteral("failing-build"));
    QVERIFY(QDir().mkpath(context));
    QFile dockerfile(context + QStringLiteral("/Dockerfile"));
    QVERIFY(dockerfile.open(QIODevice::WriteOnly));
    dockerfile.write("FROM " + Image.toUtf8() + "\nRUN echo building; exit 7\n");
    dockerfile.close();
    QStringList output;
    const auto built = m_client.buildImage(context, QString(), QStringLiteral("trainyard-test/failing:1"),
                                           [&](const QString &line) { output.append(line); });
    QVERIFY(!built);
    QVERIFY2(built.error().message.contains(QStringLiteral("non-zero code: 7")), qPrintable(built.error().message));
    QVERIFY(output.contains(QStringLiteral("building")));
    removeByLabel();
}

void tst_DockerClient::unreachableEndpoint_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::newRow("missing socket") << QStringLiteral("unix:///tmp/nonexistent.sock");
    QTest::newRow("closed port") << QStringLiteral("tcp://127.0.0.1:1");
}

void tst_DockerClient::unreachableEndpoint()
{
    QFETCH(QString, endpoint);
    DockerClient client(endpoint);
    QElapsedTimer timer;
    timer.start();
    const auto info = client.ping();
    QVERIFY(!info);
    QVERIFY2(timer.elapsed() < 6000, qPrintable(QString::number(timer.elapsed())));
    const QString text = info.error().message;
    QVERIFY2(text.startsWith(QStringLiteral("Docker engine not reachable at ") + endpoint + QStringLiteral(": ")),
             qPrintable(text));
    QVERIFY2(text.endsWith(QStringLiteral("Is dockerd running?")), qPrintable(text));
    // Any other call negotiates first and fails the same way.
    const auto image = client.inspectImage(Image);
    QVERIFY(!image);
    QVERIFY(image.error().message.startsWith(QStringLiteral("Docker engine not reachable")));
}

void tst_DockerClient::connectTimeout()
{
    // A listener whose accept queue is full drops new SYNs: the connect stalls, as with a
    // firewalled host, until the 5 s connect timeout.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    QVERIFY(::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    QVERIFY(::listen(listener, 0) == 0);
    QVERIFY(::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &length) == 0);
    QList<int> fillers;
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        (void)::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        fillers.append(fd);
    }
    QTest::qWait(200);
    const QString endpoint = QStringLiteral("tcp://127.0.0.1:%1").arg(ntohs(addr.sin_port));
    DockerClient client(endpoint);
    QElapsedTimer timer;
    timer.start();
    const auto info = client.ping();
    const qint64 elapsed = timer.elapsed();
    for (int fd : std::as_const(fillers))
        ::close(fd);
    ::close(listener);
    QVERIFY(!info);
    QVERIFY2(elapsed < 6000, qPrintable(QString::number(elapsed)));
    QVERIFY2(info.error().message.startsWith(QStringLiteral("Docker engine not reachable at ") + endpoint),
             qPrintable(info.error().message));
    if (elapsed < 4000)
        qInfo("the connect failed at once (%lld ms) instead of stalling: %s", elapsed,
              qPrintable(info.error().message));
}

void tst_DockerClient::networkAlias()
{
    const QString network = QStringLiteral("trainyard-test-net");
    const auto created = m_client.createNetwork(network, {{QStringLiteral("trainyard.test"), QStringLiteral("1")}});
    QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
    QVERIFY(m_client.listNetworks(Label)->contains(network));

    ContainerSpec a = spec({QStringLiteral("sleep"), QStringLiteral("30")});
    a.network = network;
    a.networkAliases = {QStringLiteral("alpha")};
    const auto idA = m_client.createContainer(a);
    QVERIFY2(idA, qPrintable(idA ? QString() : idA.error().message));
    QVERIFY(m_client.startContainer(*idA));

    ContainerSpec b = spec({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("ping -c1 -W5 alpha")});
    b.network = network;
    const RunResult r = run(b);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QVERIFY2(r.exitCode == 0, qPrintable((r.out + r.err).join(QLatin1Char('\n'))));
    QVERIFY2(r.out.join(QLatin1Char('\n')).contains(QStringLiteral("1 packets received")),
             qPrintable(r.out.join(QLatin1Char('\n'))));

    // Off the network, the alias means nothing.
    const RunResult outside =
        run(spec({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("ping -c1 -W1 alpha")}));
    QVERIFY(outside.exitCode != 0);

    QVERIFY(m_client.removeContainer(*idA, true));
    QVERIFY(m_client.removeNetwork(network));
    QVERIFY(!m_client.listNetworks(Label)->contains(network));
    QVERIFY(!m_client.removeNetwork(network));
}

void tst_DockerClient::pullFromLocalRegistry()
{
    const QString registryExe = QStandardPaths::findExecutable(QStringLiteral("docker-registry"));
    if (registryExe.isEmpty())
        QSKIP("docker-registry is not installed (apt-get install docker-registry)");
    int port = 5000;
    while (port < 5100 && !portState(port, false))
        ++port;
    QVERIFY(port < 5100);
    const QString config = m_tmp.filePath(QStringLiteral("registry.yml"));
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        QStringLiteral("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %1\nhttp:\n  addr: 127.0.0.1:%2\n")
            .arg(m_tmp.filePath(QStringLiteral("registry-data")))
            .arg(port)
            .toUtf8());
    file.close();
    m_registry = std::make_unique<QProcess>();
    m_registry->setProcessChannelMode(QProcess::MergedChannels);
    m_registry->start(registryExe, {QStringLiteral("serve"), config});
    QVERIFY(m_registry->waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(portState(port, true), 15000);

    const QString remote = QStringLiteral("127.0.0.1:%1/trainyard-test/busybox:1").arg(port);
    QVERIFY(m_client.tagImage(Image, remote));
    QList<PullProgress> pushed;
    const auto push = m_client.pushImage(remote, [&](const PullProgress &p) { pushed.append(p); });
    QVERIFY2(push, qPrintable(push ? QString() : push.error().message + QString::fromUtf8(m_registry->readAll())));
    QVERIFY(!pushed.isEmpty());

    // Drop both references, so the pull really downloads, then pull it back.
    QVERIFY(m_client.removeImage(remote, true));
    QVERIFY(m_client.removeImage(Image, true));
    QVERIFY(!m_client.inspectImage(remote)->exists);
    QList<PullProgress> progress;
    const auto pulled = m_client.pullImage(remote, [&](const PullProgress &p) { progress.append(p); });
    QVERIFY2(pulled, qPrintable(pulled ? QString() : pulled.error().message));
    bool layerComplete = false;
    bool sawBytes = false;
    for (const PullProgress &p : std::as_const(progress)) {
        layerComplete = layerComplete || (p.status == QLatin1String("Pull complete") && !p.layer.isEmpty());
        sawBytes = sawBytes || (p.total > 0 && p.current > 0 && p.current <= p.total);
    }
    QStringList statuses;
    for (const PullProgress &p : std::as_const(progress))
        statuses << p.layer + u':' + p.status;
    QVERIFY2(layerComplete, qPrintable(statuses.join(QStringLiteral(", "))));
    QVERIFY(sawBytes);
    const auto image = m_client.inspectImage(remote);
    QVERIFY(image && image->exists);
    const QString digestPrefix = QStringLiteral("127.0.0.1:%1/trainyard-test/busybox@sha256:").arg(port);
    QVERIFY2(std::any_of(image->repoDigests.cbegin(), image->repoDigests.cend(),
                         [&](const QString &d) { return d.startsWith(digestPrefix); }),
             qPrintable(image->repoDigests.join(QLatin1Char(' '))));

    // A tag the registry does not have: the error of the stream (or of the answer) is reported.
    const auto missing = m_client.pullImage(QStringLiteral("127.0.0.1:%1/trainyard-test/busybox:nope").arg(port));
    QVERIFY(!missing);
    QVERIFY2(missing.error().message.contains(QStringLiteral("not found"), Qt::CaseInsensitive) ||
                 missing.error().message.contains(QStringLiteral("unknown"), Qt::CaseInsensitive),
             qPrintable(missing.error().message));
    // Cancelled before it starts.
    std::atomic_bool cancel{true};
    const auto cancelled = m_client.pullImage(remote, {}, &cancel);
    QVERIFY(!cancelled);
    QVERIFY2(cancelled.error().message.endsWith(QStringLiteral("cancelled")), qPrintable(cancelled.error().message));

    QVERIFY(m_client.tagImage(remote, Image)); // later cleanup removes it by this name
    QVERIFY(m_client.removeImage(remote));
}

QTEST_GUILESS_MAIN(tst_DockerClient)
#include "tst_dockerclient.moc"
