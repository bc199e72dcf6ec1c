#include "engine/dockerjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace trainyard::core;

class tst_DockerJson final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createBodyMapsEveryField();
    void createBodyMinimal();
    void createBodyAllGpus();
    void normalisedRepositories();
    void parseByteSize_data();
    void parseByteSize();
    void takeMessages_data();
    void takeMessages();
    void takeMessagesKeepsIncompleteTail();
    void splitReference_data();
    void splitReference();
    void registryHost();
    void negotiateApiVersion_data();
    void negotiateApiVersion();
    void engineInfo();
    void stateAndImage();
    void errors();
    void labelFilters();
};

void tst_DockerJson::createBodyMapsEveryField()
{
    ContainerSpec spec;
    spec.name = QStringLiteral("ty-run1-train");
    spec.image = QStringLiteral("registry.local/ml/train:1.2");
    spec.entrypoint = {QString()};
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("python train.py")};
    spec.env = {QStringLiteral("EPOCHS=3"), QStringLiteral("LR=0.1")};
    spec.mounts = {Mount{QStringLiteral("/home/u/proj"), QStringLiteral("/builds/proj"), false},
                   Mount{QStringLiteral("/data/set"), QStringLiteral("/data"), true}};
    spec.workingDir = QStringLiteral("/builds/proj");
    spec.labels = {{QStringLiteral("trainyard.run"), QStringLiteral("1")},
                   {QStringLiteral("trainyard.job"), QStringLiteral("train")}};
    spec.user = QStringLiteral("1000:1000");
    spec.gpuDeviceIds = {QStringLiteral("0"), QStringLiteral("GPU-abc")};
    spec.memoryBytes = 2LL * 1024 * 1024 * 1024;
    spec.cpus = 1.5;
    spec.shmBytes = 512LL * 1024 * 1024;
    spec.network = QStringLiteral("ty-net-run1");
    spec.networkAliases = {QStringLiteral("db"), QStringLiteral("postgres")};
    spec.privileged = true;

    const QJsonObject body = DockerJson::createBody(spec);
    QCOMPARE(body.value(QLatin1String("Image")).toString(), spec.image);
    QCOMPARE(body.value(QLatin1String("Cmd")).toArray(), QJsonArray::fromStringList(spec.command));
    QCOMPARE(body.value(QLatin1String("Entrypoint")).toArray(), QJsonArray{QString()});
    QCOMPARE(body.value(QLatin1String("Env")).toArray(), QJsonArray::fromStringList(spec.env));
    QCOMPARE(body.value(QLatin1String("WorkingDir")).toString(), spec.workingDir);
    QCOMPARE(body.value(QLatin1String("User")).toString(), spec.user);
    QCOMPARE(body.value(QLatin1String("Labels")).toObject(),
             (QJsonObject{{QStringLiteral("trainyard.run"), QStringLiteral("1")},
                          {QStringLiteral("trainyard.job"), QStringLiteral("train")}}));
    QCOMPARE(body.value(QLatin1String("Tty")).toBool(true), false);

    const QJsonObject host = body.value(QLatin1String("HostConfig")).toObject();
    QCOMPARE(host.value(QLatin1String("Binds")).toArray(),
             (QJsonArray{QStringLiteral("/home/u/proj:/builds/proj"), QStringLiteral("/data/set:/data:ro")}));
    QCOMPARE(host.value(QLatin1String("Memory")).toInteger(), 2147483648LL);
    QCOMPARE(host.value(QLatin1String("MemorySwap")).toInteger(), 2147483648LL);
    QCOMPARE(host.value(QLatin1String("NanoCpus")).toInteger(), 1500000000LL);
    QCOMPARE(host.value(QLatin1String("ShmSize")).toInteger(), 536870912LL);
    QCOMPARE(host.value(QLatin1String("Privileged")).toBool(), true);
    QCOMPARE(host.value(QLatin1String("NetworkMode")).toString(), spec.network);
    const QJsonArray requests = host.value(QLatin1String("DeviceRequests")).toArray();
    QCOMPARE(requests.size(), 1);
    const QJsonObject request = requests.at(0).toObject();
    QCOMPARE(request.value(QLatin1String("Driver")).toString(), QStringLiteral("nvidia"));
    QCOMPARE(request.value(QLatin1String("DeviceIDs")).toArray(),
             (QJsonArray{QStringLiteral("0"), QStringLiteral("GPU-abc")}));
    QVERIFY(!request.contains(QLatin1String("Count")));
    QCOMPARE(request.value(QLatin1String("Capabilities")).toArray(), (QJsonArray{QJsonArray{QStringLiteral("gpu")}}));

    const QJsonObject endpoints =
        body.value(QLatin1String("NetworkingConfig")).toObject().value(QLatin1String("EndpointsConfig")).toObject();
    QCOMPARE(endpoints.keys(), QStringList{spec.network});
    QCOMPARE(endpoints.value(spec.network).toObject().value(QLatin1String("Aliases")).toArray(),
             (QJsonArray{QStringLiteral("db"), QStringLiteral("postgres")}));
}

void tst_DockerJson::createBodyMinimal()
{
    ContainerSpec spec;
    spec.image = QStringLiteral("busybox:1");
    const QJsonObject body = DockerJson::createBody(spec);
    for (const char *absent : {"Cmd", "Entrypoint", "Env", "WorkingDir", "User", "NetworkingConfig"})
        QVERIFY2(!body.contains(QLatin1String(absent)), absent);
    const QJsonObject host = body.value(QLatin1String("HostConfig")).toObject();
    for (const char *absent : {"Binds", "Memory", "MemorySwap", "NanoCpus", "ShmSize", "NetworkMode", "DeviceRequests"})
        QVERIFY2(!host.contains(QLatin1String(absent)), absent);
    QCOMPARE(host.value(QLatin1String("Privileged")).toBool(true), false);
}

void tst_DockerJson::createBodyAllGpus()
{
    ContainerSpec spec;
    spec.image = QStringLiteral("cuda:12");
    spec.allGpus = true;
    spec.gpuDeviceIds = {QStringLiteral("3")}; // allGpus wins
    spec.cpus = 0.25;
    const QJsonObject host = DockerJson::createBody(spec).value(QLatin1String("HostConfig")).toObject();
    const QJsonObject request = host.value(QLatin1String("DeviceRequests")).toArray().at(0).toObject();
    QCOMPARE(request.value(QLatin1String("Count")).toInt(), -1);
    QVERIFY(!request.contains(QLatin1String("DeviceIDs")));
    QCOMPARE(request.value(QLatin1String("Driver")).toString(), QStringLiteral("nvidia"));
    QCOMPARE(host.value(QLatin1String("NanoCpus")).toInteger(), 250000000LL);
}

void tst_DockerJson::normalisedRepositories()
{
    const auto r = [](const char *reference) { return normalisedRepository(QString::fromLatin1(reference)); };
    QCOMPARE(r("busybox"), QStringLiteral("docker.io/library/busybox"));
    QCOMPARE(r("busybox:1"), QStringLiteral("docker.io/library/busybox"));
    QCOMPARE(r("busybox@sha256:abcd"), QStringLiteral("docker.io/library/busybox"));
    QCOMPARE(r("docker.io/library/busybox:1"), QStringLiteral("docker.io/library/busybox"));
    QCOMPARE(r("docker.io/busybox"), QStringLiteral("docker.io/library/busybox"));
    QCOMPARE(r("index.docker.io/library/busybox"), QStringLiteral("docker.io/library/busybox"));
    QCOMPARE(r("user/tool:2"), QStringLiteral("docker.io/user/tool"));
    QCOMPARE(r("127.0.0.1:5000/ml/tools:1"), QStringLiteral("127.0.0.1:5000/ml/tools"));
    QCOMPARE(r("127.0.0.1:5000/ml/tools@sha256:ef01"), QStringLiteral("127.0.0.1:5000/ml/tools"));
    QCOMPARE(r("localhost/trainyard-test/x:1"), QStringLiteral("localhost/trainyard-test/x"));
    QCOMPARE(r("registry.example.org/a/b/c"), QStringLiteral("registry.example.org/a/b/c"));
}

void tst_DockerJson::parseByteSize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes");
    QTest::newRow("bytes") << QStringLiteral("1024") << qint64(1024);
    QTest::newRow("zero") << QStringLiteral("0") << qint64(0);
    QTest::newRow("b suffix") << QStringLiteral("10b") << qint64(10);
    QTest::newRow("k") << QStringLiteral("64k") << qint64(65536);
    QTest::newRow("m") << QStringLiteral("512m") << qint64(512) * 1024 * 1024;
    QTest::newRow("M") << QStringLiteral("8M") << qint64(8) * 1024 * 1024;
    QTest::newRow("g") << QStringLiteral("2g") << qint64(2) * 1024 * 1024 * 1024;
    QTest::newRow("fraction") << QStringLiteral("1.5G") << qint64(1536) * 1024 * 1024;
    QTest::newRow("mb") << QStringLiteral("100mb") << qint64(100) * 1024 * 1024;
    QTest::newRow("GiB") << QStringLiteral("4GiB") << qint64(4) * 1024 * 1024 * 1024;
    QTest::newRow("space") << QStringLiteral("16 m") << qint64(16) * 1024 * 1024;
    QTest::newRow("trimmed") << QStringLiteral(" 1t ") << (qint64(1) << 40);
    QTest::newRow("p") << QStringLiteral("2p") << (qint64(2) << 50);
    QTest::newRow("empty") << QString() << qint64(-1);
    QTest::newRow("negative") << QStringLiteral("-1m") << qint64(-1);
    QTest::newRow("unknown unit") << QStringLiteral("5x") << qint64(-1);
    QTest::newRow("no number") << QStringLiteral("m") << qint64(-1);
    QTest::newRow("garbage after") << QStringLiteral("5mm") << qint64(-1);
    QTest::newRow("overflow") << QStringLiteral("9000000p") << qint64(-1);
}

void tst_DockerJson::parseByteSize()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    QCOMPARE(trainyard::core::parseByteSize(text), bytes);
}

void tst_DockerJson::takeMessages_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QStringList>("statuses");
    QTest::newRow("newline-delimited") << QByteArray("{\"status\":\"a\"}\r\n{\"status\":\"b\"}\n")
                                       << QStringList{QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("concatenated") << QByteArray("{\"status\":\"a\"}{\"status\":\"b\"}")
                                  << QStringList{QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("braces and quotes in strings")
        << QByteArray("{\"status\":\"}{ \\\"x\\\" \\\\\",\"progressDetail\":{\"current\":1}}")
        << QStringList{QStringLiteral("}{ \"x\" \\")};
    QTest::newRow("stray text dropped") << QByteArray("junk {\"status\":\"a\"} [1,2] {\"status\":\"b\"}")
                                        << QStringList{QStringLiteral("a"), QStringLiteral("b")};
}

void tst_DockerJson::takeMessages()
{
    QFETCH(QByteArray, stream);
    QFETCH(QStringList, statuses);
    // Whole, and fed at every split point: the same messages come out.
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        QByteArray buffer = stream.left(cut);
        QList<QJsonObject> messages = DockerJson::takeMessages(buffer);
        buffer += stream.mid(cut);
        messages += DockerJson::takeMessages(buffer);
        QStringList got;
        for (const QJsonObject &m : std::as_const(messages))
            got.append(m.value(QLatin1String("status")).toString());
        QVERIFY2(got == statuses, qPrintable(QStringLiteral("cut %1: %2").arg(cut).arg(got.join(QLatin1Char('|')))));
    }
}

void tst_DockerJson::takeMessagesKeepsIncompleteTail()
{
    QByteArray buffer("{\"status\":\"done\"}\n{\"status\":\"par");
    const QList<QJsonObject> messages = DockerJson::takeMessages(buffer);
    QCOMPARE(messages.size(), 1);
    QCOMPARE(buffer, QByteArray("{\"status\":\"par"));
}

void tst_DockerJson::splitReference_data()
{
    QTest::addColumn<QString>("ref");
    QTest::addColumn<QString>("repository");
    QTest::addColumn<QString>("tag");
    QTest::newRow("plain") << QStringLiteral("busybox") << QStringLiteral("busybox") << QStringLiteral("latest");
    QTest::newRow("tag") << QStringLiteral("ml/train:1.2") << QStringLiteral("ml/train") << QStringLiteral("1.2");
    QTest::newRow("registry port") << QStringLiteral("127.0.0.1:5000/x/y") << QStringLiteral("127.0.0.1:5000/x/y")
                                   << QStringLiteral("latest");
    QTest::newRow("registry port and tag")
        << QStringLiteral("127.0.0.1:5000/x:2") << QStringLiteral("127.0.0.1:5000/x") << QStringLiteral("2");
    QTest::newRow("digest") << QStringLiteral("host:5000/x@sha256:abc") << QStringLiteral("host:5000/x")
                            << QStringLiteral("sha256:abc");
}

void tst_DockerJson::splitReference()
{
    QFETCH(QString, ref);
    QFETCH(QString, repository);
    QFETCH(QString, tag);
    const auto [r, t] = DockerJson::splitReference(ref);
    QCOMPARE(r, repository);
    QCOMPARE(t, tag);
}

void tst_DockerJson::registryHost()
{
    QCOMPARE(DockerJson::registryHost(QStringLiteral("busybox")), QString());
    QCOMPARE(DockerJson::registryHost(QStringLiteral("ml/train")), QString()); // Docker Hub
    QCOMPARE(DockerJson::registryHost(QStringLiteral("127.0.0.1:5000/x/y")), QStringLiteral("127.0.0.1:5000"));
    QCOMPARE(DockerJson::registryHost(QStringLiteral("registry.example.org/ml/x")),
             QStringLiteral("registry.example.org"));
    QCOMPARE(DockerJson::registryHost(QStringLiteral("localhost/x")), QStringLiteral("localhost"));
    QCOMPARE(DockerJson::registryHost(QStringLiteral("localhost")), QString()); // a name, not a host
}

void tst_DockerJson::negotiateApiVersion_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("serverMin");
    QTest::addColumn<QString>("expected");
    QTest::newRow("same") << QStringLiteral("1.41") << QStringLiteral("1.12") << QStringLiteral("1.41");
    QTest::newRow("newer server capped") << QStringLiteral("1.45") << QStringLiteral("1.24") << QStringLiteral("1.41");
    QTest::newRow("older server") << QStringLiteral("1.40") << QString() << QStringLiteral("1.40");
    QTest::newRow("numeric, not text") << QStringLiteral("1.9") << QString() << QStringLiteral("1.9");
    QTest::newRow("server minimum above cap")
        << QStringLiteral("1.51") << QStringLiteral("1.44") << QStringLiteral("1.44");
    QTest::newRow("unknown") << QString() << QString() << QStringLiteral("1.41");
}

void tst_DockerJson::negotiateApiVersion()
{
    QFETCH(QString, server);
    QFETCH(QString, serverMin);
    QFETCH(QString, expected);
    QCOMPARE(DockerJson::negotiateApiVersion(server, serverMin, QStringLiteral("1.41")), expected);
}

void tst_DockerJson::engineInfo()
{
    const QByteArray docker = R"({"Platform":{"Name":""},"Components":[{"Name":"Engine"}],"Version":"20.10.24",
        "ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"})";
    const EngineInfo d = DockerJson::engineInfo(QJsonDocument::fromJson(docker).object());
    QCOMPARE(d.version, QStringLiteral("20.10.24"));
    QCOMPARE(d.apiVersion, QStringLiteral("1.41"));
    QCOMPARE(d.os, QStringLiteral("linux"));
    QCOMPARE(d.arch, QStringLiteral("amd64"));
    QVERIFY(!d.isPodman);
    const QByteArray podman = R"({"Platform":{"Name":"linux/amd64/debian-12"},"Components":[{"Name":"Podman Engine"}],
        "Version":"4.3.1","ApiVersion":"1.41"})";
    QVERIFY(DockerJson::engineInfo(QJsonDocument::fromJson(podman).object()).isPodman);
}

void tst_DockerJson::stateAndImage()
{
    const QByteArray inspect = R"({"State":{"Status":"exited","Running":false,"OOMKilled":true,"ExitCode":137}})";
    const ContainerState s = DockerJson::containerState(QJsonDocument::fromJson(inspect).object());
    QCOMPARE(s.status, QStringLiteral("exited"));
    QVERIFY(!s.running);
    QVERIFY(s.oomKilled);
    QCOMPARE(s.exitCode, 137);
    const QByteArray image = R"({"Id":"sha256:abc","RepoDigests":["h:5000/x@sha256:def"]})";
    const ImageInfo i = DockerJson::imageInfo(QJsonDocument::fromJson(image).object());
    QVERIFY(i.exists);
    QCOMPARE(i.id, QStringLiteral("sha256:abc"));
    QCOMPARE(i.repoDigests, QStringList{QStringLiteral("h:5000/x@sha256:def")});
    const QByteArray progress = R"({"status":"Downloading","progressDetail":{"current":100,"total":4000},"id":"a1b2"})";
    const PullProgress p = DockerJson::pullProgress(QJsonDocument::fromJson(progress).object());
    QCOMPARE(p.layer, QStringLiteral("a1b2"));
    QCOMPARE(p.status, QStringLiteral("Downloading"));
    QCOMPARE(p.current, 100);
    QCOMPARE(p.total, 4000);
}

void tst_DockerJson::errors()
{
    QCOMPARE(DockerJson::streamError(
                 QJsonDocument::fromJson(R"({"errorDetail":{"message":"detail"},"error":"short"})").object()),
             QStringLiteral("detail"));
    QCOMPARE(DockerJson::streamError(QJsonDocument::fromJson(R"({"error":"short"})").object()),
             QStringLiteral("short"));
    QCOMPARE(DockerJson::streamError(QJsonDocument::fromJson(R"({"status":"ok"})").object()), QString());
    QCOMPARE(DockerJson::errorMessage(R"({"message":"No such image: x:1"})"), QStringLiteral("No such image: x:1"));
    QCOMPARE(DockerJson::errorMessage("page not found\n"), QStringLiteral("page not found"));
}

void tst_DockerJson::labelFilters()
{
    QCOMPARE(DockerJson::labelFilters(QStringLiteral("trainyard.run=1")),
             QByteArray("%7B%22label%22%3A%5B%22trainyard.run%3D1%22%5D%7D"));
}

QTEST_GUILESS_MAIN(tst_DockerJson)
#include "tst_dockerjson.moc"
