#pragma once

#include "containerspec.h"
#include "dockerclient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <utility>

namespace trainyard::core {

/// The JSON of the Docker Engine API, both ways, for DockerClient; pure functions, so testable.
class DockerJson final
{
public:
    /// The body of `POST /containers/create` for `spec` (every field; never a TTY). A memory
    /// limit also sets MemorySwap to the same value, so a job cannot spill into swap.
    static QJsonObject createBody(const ContainerSpec &spec);

    static EngineInfo engineInfo(const QJsonObject &version);
    static ImageInfo imageInfo(const QJsonObject &inspect);
    static ContainerState containerState(const QJsonObject &inspect);
    /// One message of a pull or push stream.
    static PullProgress pullProgress(const QJsonObject &message);
    /// The error of a stream message (`errorDetail.message`, else `error`); empty if none.
    static QString streamError(const QJsonObject &message);
    /// The daemon's `message` of an error response, or the body as text when it is not JSON.
    static QString errorMessage(const QByteArray &body);

    /// Takes the complete JSON objects off the front of `buffer`, whether newline-delimited or
    /// concatenated, and leaves an incomplete one there. Text that is not an object is dropped.
    static QList<QJsonObject> takeMessages(QByteArray &buffer);

    /// The URL-encoded `filters` query value {"label":["LABEL"]}.
    static QByteArray labelFilters(const QString &label);

    /// Repository and tag (or digest) of an image reference: "a/b:1" → {"a/b", "1"},
    /// "a@sha256:…" → {"a", "sha256:…"}, "host:5000/a" → {"host:5000/a", "latest"}.
    static std::pair<QString, QString> splitReference(const QString &ref);
    /// The registry a repository names in its first component ("host.domain", "host:port",
    /// "localhost"), as Docker reads references; empty for Docker Hub's short names.
    static QString registryHost(const QString &repository);

    /// The API version to speak: the server's, capped at `clientMax`, but not below `serverMin`.
    static QString negotiateApiVersion(const QString &server, const QString &serverMin, const QString &clientMax);
};

} // namespace trainyard::core
