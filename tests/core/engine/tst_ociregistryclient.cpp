// OciRegistryClient against a real registry (docker-registry on loopback): blobs and an OCI
// artifact's manifest pushed, read back and checked; logins from Docker's config.json.
#include "engine/ociregistryclient.h"
#include "engine/registrycredentials.h"

#include "common/sha256.h"
#include "support/registryserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;
using trainyard::test::RegistryServer;

/// `expr` (a Result) succeeded with `value`; else its error is shown.
#define COMPARE_RESULT(expr, value)                                                                                    \
    do {                                                                                                               \
        const auto result_ = (expr);                                                                                   \
        QVERIFY2(result_, result_ ? "" : qPrintable(result_.error().message));                                         \
        QCOMPARE(*result_, value);                                                                                     \
    } while (false)

namespace {

QString writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size())
        return {};
    return path;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString digestOf(const QByteArray &data)
{
    return QStringLiteral("sha256:") + QString::fromLatin1(Sha256::hexOf(data));
}

/// Writes `DIR/config.json` with a login for `host`, as `docker login` does.
void writeDockerConfig(const QString &dir, const QString &host, const QString &user, const QString &password)
{
    const QByteArray auth = (user + u':' + password).toUtf8().toBase64();
    const QJsonObject config{{QStringLiteral("auths"),
                              QJsonObject{{host, QJsonObject{{QStringLiteral("auth"), QString::fromLatin1(auth)}}}}}};
    QVERIFY(!writeFile(dir + QStringLiteral("/config.json"), QJsonDocument(config).toJson()).isEmpty());
}

} // namespace

class tst_OciRegistryClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void repositoryNames_data();
    void repositoryNames();
    void artifactRoundTrip();
    void damagedBlobIsNotKept();
    void missingBlobsAreNamed();
    void loginFromDockerConfig();
    void credentialHelper();
    void registryGone();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QByteArray m_savedDockerConfig;
};

void tst_OciRegistryClient::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_savedDockerConfig = qgetenv("DOCKER_CONFIG");
    // No login of the person running the tests is read: an empty Docker config of the test's.
    QDir().mkpath(m_tmp->filePath(QStringLiteral("docker")));
    qputenv("DOCKER_CONFIG", m_tmp->filePath(QStringLiteral("docker")).toUtf8());
}

void tst_OciRegistryClient::cleanup()
{
    if (m_savedDockerConfig.isNull())
        qunsetenv("DOCKER_CONFIG");
    else
        qputenv("DOCKER_CONFIG", m_savedDockerConfig);
}

void tst_OciRegistryClient::repositoryNames_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("scheme"); // empty: refused
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("error");
    QTest::newRow("loopback") << "127.0.0.1:5000/team/project"
                              << "http"
                              << "127.0.0.1:5000"
                              << "team/project"
                              << "";
    QTest::newRow("localhost") << "localhost:5000/a"
                               << "http"
                               << "localhost:5000"
                               << "a"
                               << "";
    QTest::newRow("remote") << "registry.example.org/ml/artifacts/"
                            << "https"
                            << "registry.example.org"
                            << "ml/artifacts"
                            << "";
    QTest::newRow("explicit http") << "http://10.0.0.5:5000/x"
                                   << "http"
                                   << "10.0.0.5:5000"
                                   << "x"
                                   << "";
    QTest::newRow("no name") << "127.0.0.1:5000"
                             << ""
                             << ""
                             << ""
                             << "needs a host and a repository name";
    QTest::newRow("upper case") << "127.0.0.1:5000/Team/X"
                                << ""
                                << ""
                                << ""
                                << "must be lower-case";
    QTest::newRow("a login") << "alice:s3cret-pw@127.0.0.1:5000/x"
                             << ""
                             << ""
                             << ""
                             << "docker login";
    QTest::newRow("a login with a slash") << "https://alice:s3cret/pw@registry.example.org/x"
                                          << ""
                                          << ""
                                          << ""
                                          << "docker login";
    QTest::newRow("a tag") << "127.0.0.1:5000/x:1"
                           << ""
                           << ""
                           << ""
                           << "no tag or digest";
}

void tst_OciRegistryClient::repositoryNames()
{
    QFETCH(QString, text);
    QFETCH(QString, scheme);
    QFETCH(QString, host);
    QFETCH(QString, name);
    QFETCH(QString, error);
    const auto r = RegistryRepository::parse(text);
    if (scheme.isEmpty()) {
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(error), qPrintable(r.error().message));
        if (text.contains(u'@')) // a login is never repeated, the rest is named
            QVERIFY2(!r.error().message.contains(QStringLiteral("s3cret")) &&
                         r.error().message.contains(text.section(u'@', -1)),
                     qPrintable(r.error().message));
        else
            QVERIFY(r.error().message.contains(text));
        return;
    }
    QVERIFY2(r, r ? "" : qPrintable(r.error().message));
    QCOMPARE(r->scheme, scheme);
    QCOMPARE(r->host, host);
    QCOMPARE(r->name, name);
}

void tst_OciRegistryClient::artifactRoundTrip()
{
    RegistryServer server(m_tmp->filePath(QStringLiteral("registry")));
    QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
    OciRegistryClient client(*RegistryRepository::parse(server.host() + QStringLiteral("/team/project/artifacts")));

    const QByteArray model = QByteArray("weights ").repeated(300000); // 2.4 MB
    const QByteArray metrics("{\"accuracy\": 0.93}\n");
    const QString modelFile = writeFile(m_tmp->filePath(QStringLiteral("model.bin")), model);
    const QString metricsFile = writeFile(m_tmp->filePath(QStringLiteral("metrics.json")), metrics);
    QVERIFY(!modelFile.isEmpty() && !metricsFile.isEmpty());

    COMPARE_RESULT(client.hasBlob(digestOf(model)), false);
    COMPARE_RESULT(client.pushBlob(digestOf(model), modelFile), true);
    COMPARE_RESULT(client.hasBlob(digestOf(model)), true);
    COMPARE_RESULT(client.pushBlob(digestOf(model), modelFile), false); // there already: not sent again
    COMPARE_RESULT(client.pushBlob(digestOf(metrics), metricsFile), true);
    // A digest the file does not have is refused by the registry, and said so.
    const auto wrong = client.pushBlob(digestOf("other bytes"), metricsFile);
    QVERIFY(!wrong);
    QVERIFY2(wrong.error().message.contains(QStringLiteral("HTTP 400")) &&
                 wrong.error().message.contains(QStringLiteral("DIGEST_INVALID")),
             qPrintable(wrong.error().message));
    QVERIFY(client.pushBlobData("{}"));

    const std::vector<OciDescriptor> layers{
        {QStringLiteral("application/octet-stream"),
         digestOf(model),
         model.size(),
         {{QStringLiteral("org.opencontainers.image.title"), QStringLiteral("train/model.bin")}}},
        {QStringLiteral("application/json"),
         digestOf(metrics),
         metrics.size(),
         {{QStringLiteral("org.opencontainers.image.title"), QStringLiteral("evaluate/metrics.json")}}}};
    const QByteArray manifest = OciRegistryClient::artifactManifest(
        QStringLiteral("application/vnd.trainyard.run.v1+json"), layers,
        {{QStringLiteral("dev.trainyard.run"), QStringLiteral("20261207-030000-abcd")}});
    const auto digest = client.pushManifest(QStringLiteral("20261207-030000-abcd"), manifest);
    QVERIFY2(digest, digest ? "" : qPrintable(digest.error().message));
    QCOMPARE(*digest, digestOf(manifest));

    // Read back by tag and by digest: the same bytes, the artifact's type and its files.
    for (const QString &reference : {QStringLiteral("20261207-030000-abcd"), *digest}) {
        const auto back = client.manifest(reference);
        QVERIFY2(back, back ? "" : qPrintable(back.error().message));
        QCOMPARE(*back, manifest);
    }
    const QJsonObject json = QJsonDocument::fromJson(manifest).object();
    QCOMPARE(json.value(QLatin1String("artifactType")).toString(),
             QStringLiteral("application/vnd.trainyard.run.v1+json"));
    QCOMPARE(json.value(QLatin1String("config")).toObject().value(QLatin1String("digest")).toString(),
             OciRegistryClient::emptyConfig().digest);
    const auto first = OciDescriptor::fromJson(json.value(QLatin1String("layers")).toArray().at(0).toObject());
    QVERIFY(first);
    QCOMPARE(first->annotations.value(QStringLiteral("org.opencontainers.image.title")),
             QStringLiteral("train/model.bin"));

    // Downloaded by digest, checked on the way.
    const QString copy = m_tmp->filePath(QStringLiteral("copy.bin"));
    const auto fetched = client.fetchBlob(digestOf(model), copy);
    QVERIFY2(fetched, fetched ? "" : qPrintable(fetched.error().message));
    QCOMPARE(*fetched, qint64(model.size()));
    QCOMPARE(readFile(copy), model);
}

void tst_OciRegistryClient::damagedBlobIsNotKept()
{
    RegistryServer server(m_tmp->filePath(QStringLiteral("registry")));
    QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
    OciRegistryClient client(*RegistryRepository::parse(server.host() + QStringLiteral("/team/p")));
    const QByteArray model("the real model");
    QVERIFY(client.pushBlob(digestOf(model), writeFile(m_tmp->filePath(QStringLiteral("m")), model)));
    // Someone changes the bytes in the registry's storage (the registry serves them as they are).
    QVERIFY(!writeFile(server.blobPath(QString::fromLatin1(Sha256::hexOf(model))), "a trojan model").isEmpty());
    const QString destination = m_tmp->filePath(QStringLiteral("kept.bin"));
    QVERIFY(!writeFile(destination, "what was here").isEmpty());
    const auto fetched = client.fetchBlob(digestOf(model), destination);
    QVERIFY(!fetched);
    QVERIFY2(fetched.error().message.contains(QStringLiteral("not kept")) &&
                 fetched.error().message.contains(digestOf("a trojan model")),
             qPrintable(fetched.error().message));
    QCOMPARE(readFile(destination), QByteArray("what was here"));
}

void tst_OciRegistryClient::missingBlobsAreNamed()
{
    RegistryServer server(m_tmp->filePath(QStringLiteral("registry")));
    QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
    OciRegistryClient client(*RegistryRepository::parse(server.host() + QStringLiteral("/team/p")));
    const QString destination = m_tmp->filePath(QStringLiteral("none.bin"));
    const auto fetched = client.fetchBlob(digestOf("never pushed"), destination);
    QVERIFY(!fetched);
    QVERIFY2(fetched.error().message.contains(QStringLiteral("HTTP 404")) &&
                 fetched.error().message.contains(server.host() + QStringLiteral("/team/p")),
             qPrintable(fetched.error().message));
    QVERIFY(!QFile::exists(destination));
    // A manifest that lists a blob the registry lacks is refused.
    QVERIFY(client.pushBlobData("{}"));
    const QByteArray manifest = OciRegistryClient::artifactManifest(
        QStringLiteral("application/vnd.trainyard.run.v1+json"),
        {{QStringLiteral("application/octet-stream"), digestOf("never pushed"), 12, {}}}, {});
    const auto put = client.pushManifest(QStringLiteral("r1"), manifest);
    QVERIFY(!put);
    QVERIFY2(put.error().message.contains(QStringLiteral("BLOB_UNKNOWN")), qPrintable(put.error().message));
    const auto tag = client.manifest(QStringLiteral("r1"));
    QVERIFY(!tag);
    QVERIFY2(tag.error().message.contains(QStringLiteral("MANIFEST_UNKNOWN")), qPrintable(tag.error().message));
}

void tst_OciRegistryClient::loginFromDockerConfig()
{
    RegistryServer server(m_tmp->filePath(QStringLiteral("registry")), QStringLiteral("alice"),
                          QStringLiteral("s3cret-pw"));
    QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
    const auto repo = *RegistryRepository::parse(server.host() + QStringLiteral("/team/p"));
    const QByteArray model("model bytes");
    const QString file = writeFile(m_tmp->filePath(QStringLiteral("m")), model);

    { // No login kept: the message says how to log in.
        OciRegistryClient client(repo);
        const auto pushed = client.pushBlob(digestOf(model), file);
        QVERIFY(!pushed);
        QVERIFY2(pushed.error().message.contains(QStringLiteral("docker login ") + server.host()),
                 qPrintable(pushed.error().message));
    }
    const QString dockerDir = m_tmp->filePath(QStringLiteral("docker"));
    writeDockerConfig(dockerDir, server.host(), QStringLiteral("alice"), QStringLiteral("wrong-pw"));
    { // A wrong password: refused, the user named, the password never.
        OciRegistryClient client(repo);
        const auto pushed = client.pushBlob(digestOf(model), file);
        QVERIFY(!pushed);
        QVERIFY2(pushed.error().message.contains(QStringLiteral("refused the login of alice")),
                 qPrintable(pushed.error().message));
        QVERIFY(!pushed.error().message.contains(QStringLiteral("wrong-pw")));
    }
    // The login `docker login` keeps ("https://HOST/v1/" is a key it has written too).
    writeDockerConfig(dockerDir, QStringLiteral("https://") + server.host() + QStringLiteral("/v1/"),
                      QStringLiteral("alice"), QStringLiteral("s3cret-pw"));
    OciRegistryClient client(repo);
    COMPARE_RESULT(client.pushBlob(digestOf(model), file), true);
    const QString copy = m_tmp->filePath(QStringLiteral("copy"));
    QVERIFY(client.fetchBlob(digestOf(model), copy));
    QCOMPARE(readFile(copy), model);
}

void tst_OciRegistryClient::credentialHelper()
{
    // A credential helper, as `credHelpers` names one: docker-credential-NAME get, host on stdin.
    const QString bin = m_tmp->filePath(QStringLiteral("bin"));
    QDir().mkpath(bin);
    const QString helper = bin + QStringLiteral("/docker-credential-trainyardtest");
    QVERIFY(!writeFile(helper, "#!/bin/sh\nread host\n[ \"$1\" = get ] || exit 2\n"
                               "[ \"$host\" = reg.example:5000 ] || { echo 'credentials not found'; exit 1; }\n"
                               "echo '{\"ServerURL\":\"reg.example:5000\",\"Username\":\"bob\",\"Secret\":\"tok\"}'\n")
                 .isEmpty());
    QFile::setPermissions(helper, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", bin.toUtf8() + ':' + path);
    QVERIFY(
        !writeFile(m_tmp->filePath(QStringLiteral("docker/config.json")),
                   "{\"credHelpers\": {\"reg.example:5000\": \"trainyardtest\"}, \"credsStore\": \"trainyardtest\"}")
             .isEmpty());
    const auto found = RegistryCredentials::forHost(QStringLiteral("reg.example:5000"));
    const auto other = RegistryCredentials::forHost(QStringLiteral("elsewhere:5000")); // credsStore: not found
    qputenv("PATH", path);
    QVERIFY2(found, found ? "" : qPrintable(found.error().message));
    QVERIFY(found->has_value());
    QCOMPARE((*found)->username, QStringLiteral("bob"));
    QCOMPARE((*found)->secret, QStringLiteral("tok"));
    QVERIFY2(other && !other->has_value(), other ? "" : qPrintable(other.error().message));

    // A helper that is not installed is named.
    QVERIFY(!writeFile(m_tmp->filePath(QStringLiteral("docker/config.json")), "{\"credsStore\": \"nosuchhelper\"}")
                 .isEmpty());
    const auto missing = RegistryCredentials::forHost(QStringLiteral("reg.example:5000"));
    QVERIFY(!missing);
    QVERIFY2(missing.error().message.contains(QStringLiteral("docker-credential-nosuchhelper")),
             qPrintable(missing.error().message));
}

void tst_OciRegistryClient::registryGone()
{
    RegistryServer server(m_tmp->filePath(QStringLiteral("registry")));
    QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
    server.stop();
    OciRegistryClient client(*RegistryRepository::parse(server.host() + QStringLiteral("/team/p")));
    QElapsedTimer t;
    t.start();
    const auto has = client.hasBlob(digestOf("x"));
    QVERIFY(!has);
    QVERIFY2(has.error().message.contains(QStringLiteral("cannot be reached")) &&
                 has.error().message.contains(server.host()),
             qPrintable(has.error().message));
    QVERIFY(t.elapsed() < 10000); // refused at once, not a hang
}

QTEST_GUILESS_MAIN(tst_OciRegistryClient)
#include "tst_ociregistryclient.moc"
