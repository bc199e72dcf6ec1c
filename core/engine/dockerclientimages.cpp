// DockerClient's image calls: inspect, pull, push, tag, remove and build.
#include "dockerclient.h"
#include "dockerclienthttp.h"
#include "registrycredentials.h"

#include "buildcontext.h"
#include "dockerjson.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryFile>

namespace trainyard::core {

using namespace dockerhttp;

Result<ImageInfo> DockerClient::inspectImage(const QString &ref)
{
    auto response = call("GET", "/images/" + encImage(ref) + "/json");
    if (!response)
        return tl::make_unexpected(response.error());
    if (response->status == 404)
        return ImageInfo{};
    if (!response->ok())
        return tl::make_unexpected(httpError(QStringLiteral("Inspecting image %1 failed").arg(ref), *response));
    return DockerJson::imageInfo(QJsonDocument::fromJson(response->body).object());
}

Result<void> DockerClient::pullImage(const QString &ref, const ProgressCallback &progress,
                                     const std::atomic_bool *cancel)
{
    if (auto r = negotiate(); !r)
        return r;
    const auto [repository, tag] = DockerJson::splitReference(ref);
    return registryTransfer(versioned("/images/create?fromImage=" + enc(repository) + "&tag=" + enc(tag)),
                            QStringLiteral("Pull of %1").arg(ref), repository, progress, cancel, false);
}

Result<void> DockerClient::pushImage(const QString &ref, const ProgressCallback &progress,
                                     const std::atomic_bool *cancel)
{
    if (auto r = negotiate(); !r)
        return r;
    const auto [repository, tag] = DockerJson::splitReference(ref);
    return registryTransfer(versioned("/images/" + encImage(repository) + "/push?tag=" + enc(tag)),
                            QStringLiteral("Push of %1").arg(ref), repository, progress, cancel, true);
}

Result<QByteArray> DockerClient::registryAuth(const QString &repository)
{
    // Docker Hub's logins (a short name: no registry host) are not looked up here.
    const QString host = DockerJson::registryHost(repository);
    QJsonObject auth; // "{}": no credentials; the daemon wants the header all the same
    if (!host.isEmpty()) {
        auto login = RegistryCredentials::forHost(host);
        if (!login)
            return tl::unexpected(login.error());
        if (*login)
            auth = QJsonObject{{QStringLiteral("username"), (*login)->username},
                               {QStringLiteral("password"), (*login)->secret},
                               {QStringLiteral("serveraddress"), host}};
    }
    return QJsonDocument(auth).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding);
}

Result<void> DockerClient::registryTransfer(const QByteArray &path, const QString &what, const QString &repository,
                                            const ProgressCallback &progress, const std::atomic_bool *cancel,
                                            bool loginNeeded)
{
    auto auth = registryAuth(repository);
    if (!auth && loginNeeded)
        return tl::unexpected(auth.error());
    if (!auth) // a pull goes on without a login, as it did before logins were read (public images)
        auth = QJsonDocument(QJsonObject()).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding);
    Request request;
    request.method = "POST";
    request.path = path;
    request.headers = {"X-Registry-Auth: " + *auth}; // the login for the reference's registry (never logged)
    request.cancel = cancel;
    request.timeoutMs = 0;
    return streamJson(request, what, [&](const QJsonObject &message) {
        if (progress)
            progress(DockerJson::pullProgress(message));
    });
}

Result<void> DockerClient::tagImage(const QString &source, const QString &target)
{
    const auto [repository, tag] = DockerJson::splitReference(target);
    auto body = callOk("POST", "/images/" + encImage(source) + "/tag?repo=" + enc(repository) + "&tag=" + enc(tag),
                       QStringLiteral("Tagging %1 as %2").arg(source, target));
    return body ? Result<void>{} : tl::make_unexpected(body.error());
}

Result<void> DockerClient::removeImage(const QString &ref, bool force)
{
    auto body = callOk("DELETE", "/images/" + encImage(ref) + (force ? "?force=1" : "?force=0"),
                       QStringLiteral("Removing image %1").arg(ref));
    return body ? Result<void>{} : tl::make_unexpected(body.error());
}

Result<void> DockerClient::buildImage(const QString &contextDir, const QString &dockerfile, const QString &tag,
                                      const OutputCallback &output, const std::atomic_bool *cancel)
{
    if (!QFileInfo(contextDir).isDir())
        return tl::make_unexpected(Error::error(QStringLiteral("Build context %1 is not a directory").arg(contextDir)));
    if (auto r = negotiate(); !r)
        return r;
    // The context goes to a temporary file first, so its size is known and memory stays small.
    QTemporaryFile archive(QDir::temp().filePath(QStringLiteral("trainyard-context-XXXXXX.tar")));
    if (!archive.open())
        return tl::make_unexpected(
            Error::error(QStringLiteral("Cannot create a temporary file: %1").arg(archive.errorString())));
    auto dockerfileInContext = BuildContext::write(contextDir, dockerfile, &archive);
    if (!dockerfileInContext)
        return tl::make_unexpected(dockerfileInContext.error());
    archive.flush();
    archive.seek(0);

    Request request;
    request.method = "POST";
    request.path = versioned("/build?t=" + enc(tag) + "&dockerfile=" + enc(*dockerfileInContext) + "&rm=1&forcerm=1");
    request.contentType = "application/x-tar";
    request.upload = &archive;
    request.cancel = cancel;
    request.timeoutMs = 0;

    QString partial; // `stream` text is not aligned to lines
    auto emitText = [&](const QString &text) {
        partial += text;
        qsizetype newline;
        while ((newline = partial.indexOf(QLatin1Char('\n'))) >= 0) {
            if (output)
                output(partial.left(newline));
            partial.remove(0, newline + 1);
        }
    };
    auto result = streamJson(request, QStringLiteral("Build of %1").arg(tag), [&](const QJsonObject &message) {
        if (message.contains(QLatin1String("stream"))) {
            emitText(message.value(QLatin1String("stream")).toString());
        } else if (message.contains(QLatin1String("status")) &&
                   message.value(QLatin1String("progressDetail")).toObject().isEmpty()) {
            // Pull messages of a FROM; the per-byte progress ones are left out.
            const QString id = message.value(QLatin1String("id")).toString();
            emitText((id.isEmpty() ? QString() : id + QStringLiteral(": ")) +
                     message.value(QLatin1String("status")).toString() + QLatin1Char('\n'));
        }
    });
    if (!partial.isEmpty() && output)
        output(partial);
    return result;
}

} // namespace trainyard::core
