#pragma once

#include "common/error.h"
#include "containerspec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

class QJsonObject;

namespace trainyard::core {

/// What `GET /version` says about the engine behind an endpoint.
struct EngineInfo
{
    QString version;       ///< the engine's version, e.g. "20.10.24"
    QString apiVersion;    ///< the newest API version the server speaks, e.g. "1.41"
    QString os;            ///< e.g. "linux"
    QString arch;          ///< e.g. "amd64"
    bool isPodman = false; ///< Podman's Docker-compatible service rather than dockerd
};

/// The local copy of an image, from `GET /images/{name}/json`.
struct ImageInfo
{
    QString id;              ///< "sha256:…" image ID (config digest)
    QStringList repoDigests; ///< "repo@sha256:…" for each registry it was pulled from or pushed to
    bool exists = false;     ///< false: no such image locally (the other fields are empty)
};

/// One progress message of a pull or push, per layer.
struct PullProgress
{
    QString layer;      ///< layer ID (short), or the tag for whole-image messages; may be empty
    QString status;     ///< e.g. "Pulling fs layer", "Downloading", "Pull complete", "Digest: sha256:…"
    qint64 current = 0; ///< bytes done, when the message has a progress detail
    qint64 total = 0;   ///< bytes in all, when known (0 otherwise)
};

/// A container's state, from `GET /containers/{id}/json`.
struct ContainerState
{
    bool running = false;
    int exitCode = 0;
    bool oomKilled = false;
    QString status; ///< "created", "running", "exited", …
};

/// A client for the Docker Engine API (also Podman's compatible service) over libcurl.
///
/// Endpoints: `unix:///path/to.sock` or `tcp://host:port` (plain HTTP; TLS endpoints are not
/// supported). The API version is negotiated on first contact (ping(), or implicitly by any
/// other call): the server's `ApiVersion`, capped at 1.41, and never below its
/// `MinAPIVersion`; every later path is prefixed with `/v<version>`.
///
/// Threads: an instance owns its own CURL handle and must be used from one thread at a time;
/// create one client per worker thread. Distinct instances may run concurrently.
///
/// Timeouts: connecting gives up after 5 s, with a clear "not reachable" error; short calls
/// give up after 2 minutes; streaming calls (logs, pull, push, build, wait) run until the
/// stream ends or `cancel` becomes true (checked at least once a second).
class DockerClient final
{
public:
    using ProgressCallback = std::function<void(const PullProgress &)>;
    using OutputCallback = std::function<void(const QString &line)>;
    using LogCallback = std::function<void(const LogLine &)>;

    explicit DockerClient(const QString &endpoint = defaultEndpoint());
    ~DockerClient();
    DockerClient(const DockerClient &) = delete;
    DockerClient &operator=(const DockerClient &) = delete;

    /// `DOCKER_HOST` when set, else `unix:///var/run/docker.sock`.
    static QString defaultEndpoint();
    QString endpoint() const { return m_endpoint; }
    /// The negotiated API version ("1.41"); empty before the first successful contact.
    QString apiVersion() const { return m_apiVersion; }

    /// `GET /_ping` and `GET /version`; negotiates the API version.
    Result<EngineInfo> ping();
    /// `GET /info`: the engine's system-wide information (`Runtimes`, `DefaultRuntime`, …).
    Result<QJsonObject> info();

    // Images
    /// A missing image is not an error: it gives `exists == false`.
    Result<ImageInfo> inspectImage(const QString &ref);
    /// Pulls `ref` (a missing tag means "latest"); an error message in the stream is an Error.
    Result<void> pullImage(const QString &ref, const ProgressCallback &progress = {},
                           const std::atomic_bool *cancel = nullptr);
    /// Builds `contextDir` (sent as a tar, `.dockerignore` honoured) with the classic builder.
    /// `dockerfile`: relative to the context (empty: "Dockerfile") or an absolute path, which may
    /// lie outside the context. `output` gets the build's output line by line.
    Result<void> buildImage(const QString &contextDir, const QString &dockerfile, const QString &tag,
                            const OutputCallback &output = {}, const std::atomic_bool *cancel = nullptr);
    /// Gives image `source` the additional reference `target` ("repo[:tag]").
    Result<void> tagImage(const QString &source, const QString &target);
    /// Pushes `ref` to its registry, with the login Docker keeps for it (~/.docker/config.json).
    Result<void> pushImage(const QString &ref, const ProgressCallback &progress = {},
                           const std::atomic_bool *cancel = nullptr);
    /// Removes the reference `ref` (the image itself once no reference is left).
    Result<void> removeImage(const QString &ref, bool force = false);

    // Containers
    /// Creates (does not start) a container; returns its ID. Never with a TTY.
    Result<QString> createContainer(const ContainerSpec &spec);
    Result<void> startContainer(const QString &id);
    /// Blocks until the container is not running; returns its exit code.
    Result<int> waitContainer(const QString &id, const std::atomic_bool *cancel = nullptr);
    /// SIGTERM, then SIGKILL after `timeoutSeconds`. Stopping a stopped container succeeds.
    Result<void> stopContainer(const QString &id, int timeoutSeconds);
    /// Removes the container and its anonymous volumes; `force` kills it first if running.
    Result<void> removeContainer(const QString &id, bool force);
    Result<ContainerState> inspectContainer(const QString &id);
    /// The state of a container that exited with `exitCode`. On cgroup v2 the daemon may handle
    /// containerd's OOM event after the exit event, so a container killed for memory can read
    /// "OOMKilled": false for a moment: a SIGKILL (137) nobody sent (`killedByUs` false) under a
    /// memory limit is read again for up to a second before it is taken for anything else.
    Result<ContainerState> exitedState(const QString &id, int exitCode, bool memoryLimited, bool killedByUs);
    /// Follows stdout and stderr from the start until the container's output ends. Setting
    /// `cancel` stops following; that is a success, not an error.
    Result<void> followLogs(const QString &id, const LogCallback &onLine, const std::atomic_bool *cancel = nullptr);
    /// Streams the container's whole file system as a tar archive (`GET /containers/{id}/export`;
    /// the container need not have run), chunk by chunk to `onData`. Setting `cancel` stops it:
    /// an error saying so.
    Result<void> exportContainer(const QString &id, const std::function<void(const QByteArray &)> &onData,
                                 const std::atomic_bool *cancel = nullptr);
    /// IDs of all containers (running or not) with the label `labelFilter` ("key" or "key=value";
    /// empty: all containers).
    Result<QStringList> listContainers(const QString &labelFilter);

    // Networks
    /// A user-defined bridge network, on which containers reach each other by alias.
    Result<void> createNetwork(const QString &name, const QMap<QString, QString> &labels = {});
    Result<void> removeNetwork(const QString &name);
    /// Names of the networks with the label `labelFilter` (empty: all).
    Result<QStringList> listNetworks(const QString &labelFilter);

private:
    /// GET `path` and collect `field` of every object of the JSON array it answers.
    Result<QStringList> listField(const QByteArray &path, QLatin1String field, const QString &what);
    struct Request;
    struct Response;

    Result<Response> perform(Request &request);
    Result<void> negotiate();
    QByteArray versioned(const QByteArray &path) const;
    Result<Response> call(const char *method, const QByteArray &path, const QByteArray &json = {});
    /// call(), and an Error naming `what` unless the status is 2xx or `alsoOk`; gives the body.
    Result<QByteArray> callOk(const char *method, const QByteArray &path, const QString &what,
                              const QByteArray &json = {}, long alsoOk = 0);
    Result<void> streamJson(Request &request, const QString &what,
                            const std::function<void(const QJsonObject &)> &onMessage);
    /// A pull or a push at `path` (versioned) of `repository`: no time limit, the daemon's progress
    /// streamed, the registry's login (RegistryCredentials) sent along; when it cannot be read, a
    /// push (`loginNeeded`) fails and a pull goes on without one.
    Result<void> registryTransfer(const QByteArray &path, const QString &what, const QString &repository,
                                  const ProgressCallback &progress, const std::atomic_bool *cancel, bool loginNeeded);
    /// The X-Registry-Auth value for `repository`'s registry: base64url JSON of its login, or of "{}".
    static Result<QByteArray> registryAuth(const QString &repository);
    Error httpError(const QString &what, const Response &response) const;

    QString m_endpoint;
    QByteArray m_baseUrl;    ///< "http://localhost" for sockets, "http://host:port" for tcp
    QByteArray m_socketPath; ///< the unix socket, if any
    QString m_endpointError; ///< why the endpoint is unusable, if it is
    QString m_apiVersion;
    void *m_curl = nullptr; ///< CURL*, kept out of this header
};

} // namespace trainyard::core
