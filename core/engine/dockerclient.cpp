// DockerClient's HTTP transport: libcurl on the socket or TCP endpoint, requests and JSON streams,
// API version negotiation (ping, info). The API calls are in dockerclientimages.cpp and
// dockerclientcontainers.cpp.
#include "dockerclient.h"
#include "dockerclienthttp.h"

#include "curlglobal.h"
#include "dockerjson.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <curl/curl.h>

#include <cerrno>
#include <mutex>

namespace trainyard::core {

using namespace dockerhttp;

namespace {

constexpr QLatin1StringView MaxApiVersion("1.41"); // what this client was written against
constexpr long ConnectTimeoutMs = 5000;
constexpr long PingTimeoutMs = 15 * 1000;

struct Transfer
{
    CURL *curl;
    const std::function<void(const QByteArray &)> *onData;
    const std::atomic_bool *cancel;
    QIODevice *upload;
    QByteArray *body;
    bool cancelled = false;

    bool cancelRequested()
    {
        if (cancel && cancel->load())
            cancelled = true;
        return cancelled;
    }
};

size_t writeCallback(char *data, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    if (t->cancelRequested())
        return 0; // aborts the transfer
    const size_t n = size * count;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (*t->onData && status >= 200 && status < 300)
        (*t->onData)(QByteArray(data, qsizetype(n)));
    else
        t->body->append(data, qsizetype(n));
    return n;
}

size_t readCallback(char *buffer, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    if (t->cancelRequested())
        return CURL_READFUNC_ABORT;
    const qint64 n = t->upload->read(buffer, qint64(size * count));
    return n < 0 ? CURL_READFUNC_ABORT : size_t(n);
}

int progressCallback(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    // libcurl calls this at least once a second, even while the stream is idle.
    return static_cast<Transfer *>(user)->cancelRequested() ? 1 : 0;
}

/// Sets what every request has: URL, socket, timeouts, error buffer, and the callbacks that `transfer` serves.
void setCommonOptions(CURL *curl, const QByteArray &url, const QByteArray &socketPath, long timeoutMs,
                      char *errorBuffer, Transfer &transfer)
{
    curl_easy_setopt(curl, CURLOPT_URL, url.constData());
    if (!socketPath.isEmpty()) {
        curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socketPath.constData());
        curl_easy_setopt(curl, CURLOPT_PROXY,
                         ""); // never a proxy for a local socket; tcp honours *_proxy as docker does
    }
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ConnectTimeoutMs);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeoutMs);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "trainyard");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, writeCallback);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progressCallback);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
}

/// The request's header list: its content type, an empty `Expect:`, then `extra` (free it with curl_slist_free_all).
curl_slist *requestHeaders(const QByteArray &contentType, const QList<QByteArray> &extra)
{
    curl_slist *headers = nullptr;
    if (!contentType.isEmpty())
        headers = curl_slist_append(headers, QByteArray("Content-Type: " + contentType).constData());
    headers = curl_slist_append(headers, "Expect:"); // no 100-continue round trip for build contexts
    for (const QByteArray &h : extra)
        headers = curl_slist_append(headers, h.constData());
    return headers;
}

/// Sets the method and, for a POST, the body: `upload` read through `transfer` when set, else `body` (not copied).
void setMethodAndBody(CURL *curl, const QByteArray &method, const QByteArray &body, QIODevice *upload,
                      Transfer &transfer)
{
    if (method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        if (upload) {
            curl_easy_setopt(curl, CURLOPT_READFUNCTION, readCallback);
            curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(upload->size()));
        } else {
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.constData());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
        }
    } else if (method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.constData());
    }
}

/// Whether a failed transfer (`status`: the HTTP status it got, 0 for none) never reached the engine.
bool neverConnected(CURLcode rc, long status)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
           (rc == CURLE_OPERATION_TIMEDOUT && status == 0);
}

/// The "not reachable" Error for `endpoint`: curl's `detail`, or for a socket the socket's own error, and a hint.
Error unreachableError(CURL *curl, const QString &endpoint, const QByteArray &socketPath, QString detail)
{
    long osErrno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &osErrno);
    // curl names "localhost port 80" for sockets too; the socket's own error says more.
    if (!socketPath.isEmpty() && osErrno != 0)
        detail = QStringLiteral("cannot connect to %1: %2")
                     .arg(QFile::decodeName(socketPath), qt_error_string(int(osErrno)));
    const QString hint = osErrno == EACCES ? QStringLiteral("Permission denied: is this user in the docker group?")
                                           : QStringLiteral("Is dockerd running?");
    return Error::error(QStringLiteral("Docker engine not reachable at %1: %2. %3").arg(endpoint, detail, hint));
}

/// The Error of `call` ("METHOD path") to `endpoint` that failed once connected: a timeout, or curl's `detail`.
Error requestError(CURLcode rc, const QString &endpoint, const QString &call, long timeoutMs, const QString &detail)
{
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return Error::error(QStringLiteral("Docker engine at %1 did not answer %2 within %3 s")
                                .arg(endpoint, call)
                                .arg(timeoutMs / 1000));
    return Error::error(QStringLiteral("Docker engine request %1 at %2 failed: %3").arg(call, endpoint, detail));
}

} // namespace

DockerClient::DockerClient(const QString &endpoint)
    : m_endpoint(endpoint)
{
    initCurlOnce();
    m_curl = curl_easy_init();

    if (endpoint.startsWith(QLatin1String("unix://"))) {
        m_socketPath = QFile::encodeName(endpoint.mid(7));
        m_baseUrl = "http://localhost";
    } else if (endpoint.startsWith(QLatin1Char('/'))) {
        m_socketPath = QFile::encodeName(endpoint);
        m_baseUrl = "http://localhost";
    } else if (endpoint.startsWith(QLatin1String("tcp://")) || endpoint.startsWith(QLatin1String("http://"))) {
        m_baseUrl = "http://" + endpoint.section(QLatin1String("://"), 1).toUtf8();
        while (m_baseUrl.endsWith('/'))
            m_baseUrl.chop(1);
    } else {
        m_endpointError =
            QStringLiteral("Unsupported Docker endpoint '%1': use unix:///path or tcp://host:port").arg(endpoint);
    }
    if (!m_curl)
        m_endpointError = QStringLiteral("libcurl could not be initialised");
}

DockerClient::~DockerClient()
{
    if (m_curl)
        curl_easy_cleanup(static_cast<CURL *>(m_curl));
}

QString DockerClient::defaultEndpoint()
{
    const QString host = qEnvironmentVariable("DOCKER_HOST");
    return host.isEmpty() ? QStringLiteral("unix:///var/run/docker.sock") : host;
}

Result<DockerClient::Response> DockerClient::perform(Request &request)
{
    if (!m_endpointError.isEmpty())
        return tl::make_unexpected(Error::error(m_endpointError));
    auto *curl = static_cast<CURL *>(m_curl);
    curl_easy_reset(curl); // keeps the connection cache

    Response response;
    Transfer transfer{curl, &request.onData, request.cancel, request.upload, &response.body};
    const QByteArray url = m_baseUrl + request.path;
    char errorBuffer[CURL_ERROR_SIZE] = {};

    setCommonOptions(curl, url, m_socketPath, request.timeoutMs, errorBuffer, transfer);
    curl_slist *headers = requestHeaders(request.contentType, request.headers);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    setMethodAndBody(curl, request.method, request.body, request.upload, transfer);

    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    if (rc == CURLE_OK)
        return response;
    if (transfer.cancelled) {
        response.cancelled = true;
        return response;
    }

    const QString detail = QString::fromUtf8(errorBuffer[0] ? errorBuffer : curl_easy_strerror(rc));
    if (neverConnected(rc, response.status))
        return tl::make_unexpected(unreachableError(curl, m_endpoint, m_socketPath, detail));
    const QString call = QString::fromLatin1(request.method + ' ' + request.path);
    return tl::make_unexpected(requestError(rc, m_endpoint, call, request.timeoutMs, detail));
}

Error DockerClient::httpError(const QString &what, const Response &response) const
{
    const QString message = DockerJson::errorMessage(response.body);
    if (message.isEmpty())
        return Error::error(QStringLiteral("%1: HTTP %2").arg(what).arg(response.status));
    return Error::error(QStringLiteral("%1: %2 (HTTP %3)").arg(what, message).arg(response.status));
}

QByteArray DockerClient::versioned(const QByteArray &path) const
{
    return "/v" + m_apiVersion.toLatin1() + path;
}

Result<void> DockerClient::negotiate()
{
    if (!m_apiVersion.isEmpty())
        return {};
    auto info = ping();
    if (!info)
        return tl::make_unexpected(info.error());
    return {};
}

Result<DockerClient::Response> DockerClient::call(const char *method, const QByteArray &path, const QByteArray &json)
{
    if (auto r = negotiate(); !r)
        return tl::make_unexpected(r.error());
    Request request;
    request.method = method;
    request.path = versioned(path);
    if (!json.isEmpty()) {
        request.body = json;
        request.contentType = "application/json";
    }
    return perform(request);
}

Result<QByteArray> DockerClient::callOk(const char *method, const QByteArray &path, const QString &what,
                                        const QByteArray &json, long alsoOk)
{
    auto response = call(method, path, json);
    if (!response)
        return tl::make_unexpected(response.error());
    if (!response->ok() && response->status != alsoOk)
        return tl::make_unexpected(httpError(what + QStringLiteral(" failed"), *response));
    return response->body;
}

Result<void> DockerClient::streamJson(Request &request, const QString &what,
                                      const std::function<void(const QJsonObject &)> &onMessage)
{
    QByteArray buffer;
    QString streamError;
    request.onData = [&](const QByteArray &chunk) {
        buffer.append(chunk);
        const QList<QJsonObject> messages = DockerJson::takeMessages(buffer);
        for (const QJsonObject &message : messages) {
            const QString error = DockerJson::streamError(message);
            if (!error.isEmpty() && streamError.isEmpty())
                streamError = error;
            else if (error.isEmpty() && onMessage)
                onMessage(message);
        }
    };
    auto response = perform(request);
    if (!response)
        return tl::make_unexpected(response.error());
    if (response->cancelled)
        return tl::make_unexpected(cancelledError(what));
    if (!response->ok())
        return tl::make_unexpected(httpError(what + QStringLiteral(" failed"), *response));
    if (!streamError.isEmpty())
        return tl::make_unexpected(Error::error(QStringLiteral("%1 failed: %2").arg(what, streamError)));
    return {};
}

Result<EngineInfo> DockerClient::ping()
{
    Request pingRequest;
    pingRequest.path = "/_ping";
    pingRequest.timeoutMs = PingTimeoutMs;
    auto pong = perform(pingRequest);
    if (!pong)
        return tl::make_unexpected(pong.error());
    if (!pong->ok())
        return tl::make_unexpected(httpError(
            QStringLiteral("No Docker engine at %1 (GET /_ping failed; is it a Docker API endpoint?)").arg(m_endpoint),
            *pong));

    Request versionRequest;
    versionRequest.path = "/version";
    versionRequest.timeoutMs = PingTimeoutMs;
    auto version = perform(versionRequest);
    if (!version)
        return tl::make_unexpected(version.error());
    if (!version->ok())
        return tl::make_unexpected(
            httpError(QStringLiteral("Docker engine at %1: GET /version").arg(m_endpoint), *version));
    const QJsonObject object = QJsonDocument::fromJson(version->body).object();
    const EngineInfo info = DockerJson::engineInfo(object);
    m_apiVersion = DockerJson::negotiateApiVersion(
        info.apiVersion, object.value(QLatin1String("MinAPIVersion")).toString(), MaxApiVersion);
    return info;
}

Result<QJsonObject> DockerClient::info()
{
    auto response = call("GET", "/info");
    if (!response)
        return tl::make_unexpected(response.error());
    if (!response->ok())
        return tl::make_unexpected(
            httpError(QStringLiteral("Docker engine at %1: GET /info").arg(m_endpoint), *response));
    return QJsonDocument::fromJson(response->body).object();
}
} // namespace trainyard::core
