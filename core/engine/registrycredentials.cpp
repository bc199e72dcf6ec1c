// Registry logins from Docker's config.json and its credential helpers.
#include "registrycredentials.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QUrl>

namespace trainyard::core {

namespace {

/// The host a key of `auths` names: "host:port", "https://host:port/v1/" and "host/path" all
/// name "host:port" (docker login has written each form).
QString hostOfKey(const QString &key)
{
    if (key.contains(QLatin1String("://"))) {
        const QUrl url(key);
        return url.port() > 0 ? url.host() + u':' + QString::number(url.port()) : url.host();
    }
    return key.section(u'/', 0, 0);
}

/// Asks `docker-credential-HELPER get` for `host`'s login.
Result<std::optional<RegistryCredentials>> fromHelper(const QString &helper, const QString &host, const QString &config)
{
    const QString program = QStringLiteral("docker-credential-") + helper;
    const QString exe = QStandardPaths::findExecutable(program);
    if (exe.isEmpty())
        return tl::unexpected(
            Error::error(QStringLiteral("%1 names the credential helper %2, which is not installed (no %3 on PATH)")
                             .arg(config, helper, program)));
    QProcess p;
    p.start(exe, {QStringLiteral("get")});
    if (!p.waitForStarted(5000))
        return tl::unexpected(Error::error(QStringLiteral("%1 did not start: %2").arg(program, p.errorString())));
    p.write(host.toUtf8());
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished(1000);
        return tl::unexpected(Error::error(QStringLiteral("%1 get did not answer within 30 s").arg(program)));
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        // "credentials not found in native keychain": no login for this host.
        const QString said = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()).trimmed();
        if (said.contains(QLatin1String("not found"), Qt::CaseInsensitive))
            return std::nullopt;
        return tl::unexpected(
            Error::error(QStringLiteral("%1 get failed for %2: %3").arg(program, host, said.left(200))));
    }
    const QJsonObject answer = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    RegistryCredentials c{answer.value(QLatin1String("Username")).toString(),
                          answer.value(QLatin1String("Secret")).toString()};
    if (c.isEmpty())
        return std::nullopt;
    return c;
}

} // namespace

QString RegistryCredentials::dockerConfigPath()
{
    const QString dir = qEnvironmentVariable("DOCKER_CONFIG");
    return dir.isEmpty() ? QDir::homePath() + QStringLiteral("/.docker/config.json")
                         : dir + QStringLiteral("/config.json");
}

Result<std::optional<RegistryCredentials>> RegistryCredentials::forHost(const QString &host)
{
    const QString path = dockerConfigPath();
    QFile file(path);
    if (!file.exists())
        return std::nullopt;
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(
            Error::error(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()), SourceLocation{path}));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject())
        return tl::unexpected(Error::error(QStringLiteral("%1 is not a JSON object: %2 at offset %3")
                                               .arg(path, parseError.errorString())
                                               .arg(parseError.offset),
                                           SourceLocation{path}));
    const QJsonObject config = doc.object();
    if (const QString helper = config.value(QLatin1String("credHelpers")).toObject().value(host).toString();
        !helper.isEmpty())
        return fromHelper(helper, host, path);
    const QJsonObject auths = config.value(QLatin1String("auths")).toObject();
    for (auto it = auths.constBegin(); it != auths.constEnd(); ++it) {
        if (hostOfKey(it.key()) != host)
            continue;
        const QJsonObject entry = it.value().toObject();
        if (!entry.value(QLatin1String("identitytoken")).toString().isEmpty())
            return tl::unexpected(Error::error(
                QStringLiteral("%1: the login kept for %2 is an OAuth identity token, which Trainyard does not use "
                               "yet: log in with a user name and password (docker login %2)")
                    .arg(path, host),
                SourceLocation{path}));
        const QByteArray pair = QByteArray::fromBase64(entry.value(QLatin1String("auth")).toString().toLatin1());
        const qsizetype colon = pair.indexOf(':');
        if (colon > 0)
            return RegistryCredentials{QString::fromUtf8(pair.left(colon)), QString::fromUtf8(pair.mid(colon + 1))};
        if (!entry.isEmpty() && !entry.value(QLatin1String("auth")).toString().isEmpty())
            return tl::unexpected(Error::error(
                QStringLiteral(
                    "%1: the login kept for %2 is not base64 of USER:PASSWORD; log in again (docker login %2)")
                    .arg(path, host),
                SourceLocation{path}));
    }
    if (const QString store = config.value(QLatin1String("credsStore")).toString(); !store.isEmpty())
        return fromHelper(store, host, path);
    return std::nullopt;
}

} // namespace trainyard::core
