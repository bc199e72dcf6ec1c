#include "dockerjson.h"

#include "common/jsonlists.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QVersionNumber>

namespace trainyard::core {

using jsonlists::toArray;
using jsonlists::toStringList;

QJsonObject DockerJson::createBody(const ContainerSpec &spec)
{
    QJsonObject body;
    body.insert(QStringLiteral("Image"), spec.image);
    if (!spec.command.isEmpty())
        body.insert(QStringLiteral("Cmd"), toArray(spec.command));
    if (!spec.entrypoint.isEmpty()) // {""} is sent as [""], which clears the image's entrypoint
        body.insert(QStringLiteral("Entrypoint"), toArray(spec.entrypoint));
    if (!spec.env.isEmpty())
        body.insert(QStringLiteral("Env"), toArray(spec.env));
    if (!spec.workingDir.isEmpty())
        body.insert(QStringLiteral("WorkingDir"), spec.workingDir);
    if (!spec.user.isEmpty())
        body.insert(QStringLiteral("User"), spec.user);
    QJsonObject labels;
    for (auto it = spec.labels.cbegin(); it != spec.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    body.insert(QStringLiteral("Labels"), labels);
    // Logs are read through the multiplexed stream, which needs Tty false (see DockerLogDemuxer).
    body.insert(QStringLiteral("Tty"), false);
    body.insert(QStringLiteral("OpenStdin"), false);
    body.insert(QStringLiteral("AttachStdout"), true);
    body.insert(QStringLiteral("AttachStderr"), true);

    QJsonObject host;
    QJsonArray binds;
    for (const Mount &m : spec.mounts)
        binds.append(
            QString(m.source + QLatin1Char(':') + m.target + (m.readOnly ? QStringLiteral(":ro") : QString())));
    if (!binds.isEmpty())
        host.insert(QStringLiteral("Binds"), binds);
    if (spec.memoryBytes > 0) {
        host.insert(QStringLiteral("Memory"), spec.memoryBytes);
        host.insert(QStringLiteral("MemorySwap"), spec.memoryBytes);
    }
    if (spec.cpus > 0)
        host.insert(QStringLiteral("NanoCpus"), qint64(spec.cpus * 1e9 + 0.5));
    if (spec.shmBytes > 0)
        host.insert(QStringLiteral("ShmSize"), spec.shmBytes);
    host.insert(QStringLiteral("Privileged"), spec.privileged);
    if (!spec.network.isEmpty())
        host.insert(QStringLiteral("NetworkMode"), spec.network);
    if (spec.allGpus || !spec.gpuDeviceIds.isEmpty()) {
        QJsonObject request{{QStringLiteral("Driver"), QStringLiteral("nvidia")},
                            {QStringLiteral("Capabilities"), QJsonArray{QJsonArray{QStringLiteral("gpu")}}}};
        if (spec.allGpus)
            request.insert(QStringLiteral("Count"), -1);
        else
            request.insert(QStringLiteral("DeviceIDs"), toArray(spec.gpuDeviceIds));
        host.insert(QStringLiteral("DeviceRequests"), QJsonArray{request});
    }
    body.insert(QStringLiteral("HostConfig"), host);

    if (!spec.network.isEmpty()) {
        QJsonObject endpoint;
        if (!spec.networkAliases.isEmpty())
            endpoint.insert(QStringLiteral("Aliases"), toArray(spec.networkAliases));
        body.insert(QStringLiteral("NetworkingConfig"),
                    QJsonObject{{QStringLiteral("EndpointsConfig"), QJsonObject{{spec.network, endpoint}}}});
    }
    return body;
}

EngineInfo DockerJson::engineInfo(const QJsonObject &version)
{
    EngineInfo info;
    info.version = version.value(QLatin1String("Version")).toString();
    info.apiVersion = version.value(QLatin1String("ApiVersion")).toString();
    info.os = version.value(QLatin1String("Os")).toString();
    info.arch = version.value(QLatin1String("Arch")).toString();
    QStringList names{version.value(QLatin1String("Platform")).toObject().value(QLatin1String("Name")).toString()};
    const QJsonArray components = version.value(QLatin1String("Components")).toArray();
    for (const QJsonValue &c : components)
        names.append(c.toObject().value(QLatin1String("Name")).toString());
    for (const QString &name : std::as_const(names))
        info.isPodman = info.isPodman || name.contains(QLatin1String("podman"), Qt::CaseInsensitive);
    return info;
}

ImageInfo DockerJson::imageInfo(const QJsonObject &inspect)
{
    return ImageInfo{inspect.value(QLatin1String("Id")).toString(),
                     toStringList(inspect.value(QLatin1String("RepoDigests"))), true};
}

ContainerState DockerJson::containerState(const QJsonObject &inspect)
{
    const QJsonObject state = inspect.value(QLatin1String("State")).toObject();
    return ContainerState{
        state.value(QLatin1String("Running")).toBool(), state.value(QLatin1String("ExitCode")).toInt(),
        state.value(QLatin1String("OOMKilled")).toBool(), state.value(QLatin1String("Status")).toString()};
}

PullProgress DockerJson::pullProgress(const QJsonObject &message)
{
    const QJsonObject detail = message.value(QLatin1String("progressDetail")).toObject();
    return PullProgress{
        message.value(QLatin1String("id")).toString(), message.value(QLatin1String("status")).toString(),
        detail.value(QLatin1String("current")).toInteger(), detail.value(QLatin1String("total")).toInteger()};
}

QString DockerJson::streamError(const QJsonObject &message)
{
    const QString detail =
        message.value(QLatin1String("errorDetail")).toObject().value(QLatin1String("message")).toString();
    return detail.isEmpty() ? message.value(QLatin1String("error")).toString() : detail;
}

QString DockerJson::errorMessage(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    const QString message = doc.object().value(QLatin1String("message")).toString();
    return message.isEmpty() ? QString::fromUtf8(body.trimmed()) : message;
}

QList<QJsonObject> DockerJson::takeMessages(QByteArray &buffer)
{
    QList<QJsonObject> messages;
    qsizetype start = -1; // of the object being scanned
    qsizetype consumed = 0;
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = 0; i < buffer.size(); ++i) {
        const char c = buffer.at(i);
        if (depth == 0) {
            if (c == '{') {
                start = i;
                depth = 1;
            } else {
                consumed = i + 1; // whitespace or stray text between objects
            }
            continue;
        }
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            ++depth;
        else if ((c == '}' || c == ']') && --depth == 0) {
            const QJsonDocument doc = QJsonDocument::fromJson(buffer.mid(start, i + 1 - start));
            if (doc.isObject())
                messages.append(doc.object());
            consumed = i + 1;
        }
    }
    buffer.remove(0, consumed);
    return messages;
}

QByteArray DockerJson::labelFilters(const QString &label)
{
    const QJsonObject filters{{QStringLiteral("label"), QJsonArray{label}}};
    return QUrl::toPercentEncoding(QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
}

std::pair<QString, QString> DockerJson::splitReference(const QString &ref)
{
    const qsizetype at = ref.indexOf(QLatin1Char('@'));
    if (at >= 0)
        return {ref.left(at), ref.mid(at + 1)};
    // A ':' after the last '/' is a tag; one before it belongs to a registry host:port.
    const qsizetype colon = ref.lastIndexOf(QLatin1Char(':'));
    if (colon > ref.lastIndexOf(QLatin1Char('/')))
        return {ref.left(colon), ref.mid(colon + 1)};
    return {ref, QStringLiteral("latest")};
}

QString DockerJson::registryHost(const QString &repository)
{
    const QString first = repository.section(u'/', 0, 0);
    const bool isHost = repository.contains(u'/') &&
                        (first.contains(u'.') || first.contains(u':') || first == QLatin1String("localhost"));
    return isHost ? first : QString();
}

QString DockerJson::negotiateApiVersion(const QString &server, const QString &serverMin, const QString &clientMax)
{
    const QVersionNumber max = QVersionNumber::fromString(clientMax);
    const QVersionNumber srv = QVersionNumber::fromString(server);
    const QVersionNumber min = QVersionNumber::fromString(serverMin);
    QVersionNumber chosen = srv.isNull() || srv > max ? max : srv;
    // Newer engines (Docker 29: 1.44) refuse old versions; their minimum beats our cap.
    if (!min.isNull() && chosen < min)
        chosen = min;
    return chosen.toString();
}

} // namespace trainyard::core
