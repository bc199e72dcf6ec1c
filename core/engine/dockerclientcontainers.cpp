// DockerClient's container and network calls: create, start, wait, stop, remove, inspect, logs, lists.
#include "dockerclient.h"
#include "dockerclienthttp.h"

#include "dockerjson.h"
#include "dockerlogdemuxer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <chrono>
#include <thread>

namespace trainyard::core {

using namespace dockerhttp;

Result<QString> DockerClient::createContainer(const ContainerSpec &spec)
{
    const QByteArray body = QJsonDocument(DockerJson::createBody(spec)).toJson(QJsonDocument::Compact);
    auto response =
        callOk("POST", "/containers/create" + (spec.name.isEmpty() ? QByteArray() : "?name=" + enc(spec.name)),
               QStringLiteral("Creating container %1").arg(spec.name), body);
    if (!response)
        return tl::make_unexpected(response.error());
    return QJsonDocument::fromJson(*response).object().value(QLatin1String("Id")).toString();
}

Result<void> DockerClient::startContainer(const QString &id)
{
    // 304: already started
    auto body =
        callOk("POST", "/containers/" + enc(id) + "/start", QStringLiteral("Starting container %1").arg(id), {}, 304);
    return body ? Result<void>{} : tl::make_unexpected(body.error());
}

Result<int> DockerClient::waitContainer(const QString &id, const std::atomic_bool *cancel)
{
    if (auto r = negotiate(); !r)
        return tl::make_unexpected(r.error());
    Request request;
    request.method = "POST";
    request.path = versioned("/containers/" + enc(id) + "/wait?condition=not-running");
    request.cancel = cancel;
    request.timeoutMs = 0;
    auto response = perform(request);
    if (!response)
        return tl::make_unexpected(response.error());
    if (response->cancelled)
        return tl::make_unexpected(cancelledError(QStringLiteral("Waiting for container %1").arg(id)));
    if (!response->ok())
        return tl::make_unexpected(httpError(QStringLiteral("Waiting for container %1 failed").arg(id), *response));
    const QJsonObject object = QJsonDocument::fromJson(response->body).object();
    const QString error = object.value(QLatin1String("Error")).toObject().value(QLatin1String("Message")).toString();
    if (!error.isEmpty())
        return tl::make_unexpected(Error::error(QStringLiteral("Waiting for container %1 failed: %2").arg(id, error)));
    return object.value(QLatin1String("StatusCode")).toInt();
}

Result<void> DockerClient::stopContainer(const QString &id, int timeoutSeconds)
{
    if (auto r = negotiate(); !r)
        return r;
    Request request;
    request.method = "POST";
    request.path = versioned("/containers/" + enc(id) + "/stop?t=" + QByteArray::number(qMax(0, timeoutSeconds)));
    request.timeoutMs = (qMax(0, timeoutSeconds) + 60) * 1000L;
    auto response = perform(request);
    if (!response)
        return tl::make_unexpected(response.error());
    if (!response->ok() && response->status != 304) // 304: already stopped
        return tl::make_unexpected(httpError(QStringLiteral("Stopping container %1 failed").arg(id), *response));
    return {};
}

Result<void> DockerClient::removeContainer(const QString &id, bool force)
{
    auto body = callOk("DELETE", "/containers/" + enc(id) + "?v=1&force=" + (force ? "1" : "0"),
                       QStringLiteral("Removing container %1").arg(id));
    return body ? Result<void>{} : tl::make_unexpected(body.error());
}

Result<ContainerState> DockerClient::inspectContainer(const QString &id)
{
    auto body = callOk("GET", "/containers/" + enc(id) + "/json", QStringLiteral("Inspecting container %1").arg(id));
    if (!body)
        return tl::make_unexpected(body.error());
    return DockerJson::containerState(QJsonDocument::fromJson(*body).object());
}

Result<ContainerState> DockerClient::exitedState(const QString &id, int exitCode, bool memoryLimited, bool killedByUs)
{
    auto state = inspectContainer(id);
    if (exitCode != 137 || !memoryLimited || killedByUs)
        return state;
    for (int i = 0; i < 10 && state && !state->oomKilled; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        state = inspectContainer(id);
    }
    return state;
}

Result<void> DockerClient::followLogs(const QString &id, const LogCallback &onLine, const std::atomic_bool *cancel)
{
    if (auto r = negotiate(); !r)
        return r;
    DockerLogDemuxer demuxer(onLine);
    Request request;
    request.path = versioned("/containers/" + enc(id) + "/logs?follow=1&stdout=1&stderr=1");
    request.cancel = cancel;
    request.timeoutMs = 0;
    request.onData = [&demuxer](const QByteArray &chunk) { demuxer.feed(chunk); };
    auto response = perform(request);
    demuxer.finish();
    if (!response)
        return tl::make_unexpected(response.error());
    if (!response->cancelled && !response->ok())
        return tl::make_unexpected(
            httpError(QStringLiteral("Reading the logs of container %1 failed").arg(id), *response));
    return {};
}

Result<void> DockerClient::exportContainer(const QString &id, const std::function<void(const QByteArray &)> &onData,
                                           const std::atomic_bool *cancel)
{
    if (auto r = negotiate(); !r)
        return r;
    Request request;
    request.path = versioned("/containers/" + enc(id) + "/export");
    request.cancel = cancel;
    request.timeoutMs = 0;
    request.onData = onData;
    auto response = perform(request);
    const QString what = QStringLiteral("Exporting the file system of container %1").arg(id);
    if (!response)
        return tl::make_unexpected(response.error());
    if (response->cancelled)
        return tl::make_unexpected(dockerhttp::cancelledError(what));
    if (!response->ok())
        return tl::make_unexpected(httpError(what + QStringLiteral(" failed"), *response));
    return {};
}

Result<QStringList> DockerClient::listContainers(const QString &labelFilter)
{
    const QByteArray filters =
        labelFilter.isEmpty() ? QByteArray() : "&filters=" + DockerJson::labelFilters(labelFilter);
    return listField("/containers/json?all=1" + filters, QLatin1String("Id"), QStringLiteral("Listing containers"));
}

Result<void> DockerClient::createNetwork(const QString &name, const QMap<QString, QString> &labels)
{
    QJsonObject labelObject;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        labelObject.insert(it.key(), it.value());
    const QJsonObject body{{QStringLiteral("Name"), name},
                           {QStringLiteral("Driver"), QStringLiteral("bridge")},
                           {QStringLiteral("CheckDuplicate"), true},
                           {QStringLiteral("Labels"), labelObject}};
    auto created = callOk("POST", "/networks/create", QStringLiteral("Creating network %1").arg(name),
                          QJsonDocument(body).toJson(QJsonDocument::Compact));
    return created ? Result<void>{} : tl::make_unexpected(created.error());
}

Result<void> DockerClient::removeNetwork(const QString &name)
{
    auto body = callOk("DELETE", "/networks/" + enc(name), QStringLiteral("Removing network %1").arg(name));
    return body ? Result<void>{} : tl::make_unexpected(body.error());
}

Result<QStringList> DockerClient::listNetworks(const QString &labelFilter)
{
    const QByteArray filters =
        labelFilter.isEmpty() ? QByteArray() : "?filters=" + DockerJson::labelFilters(labelFilter);
    return listField("/networks" + filters, QLatin1String("Name"), QStringLiteral("Listing networks"));
}

Result<QStringList> DockerClient::listField(const QByteArray &path, QLatin1String field, const QString &what)
{
    auto body = callOk("GET", path, what);
    if (!body)
        return tl::make_unexpected(body.error());
    QStringList values;
    const QJsonArray items = QJsonDocument::fromJson(*body).array();
    for (const QJsonValue &item : items)
        values.append(item.toObject().value(field).toString());
    return values;
}

} // namespace trainyard::core
