// OciRegistryClient: the OCI Distribution API over libcurl (blobs, manifests, Docker's login flow).
#include "ociregistryclient.h"

#include "common/sha256.h"
#include "curlglobal.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUrl>
#include <QUrlQuery>

#include <curl/curl.h>

#include <functional>

namespace trainyard::core {

namespace {

constexpr long kConnectTimeoutMs = 5000;
constexpr long kShortCallTimeoutMs = 60 * 1000;
/// A transfer that moves less than a byte a second for a minute is given up.
constexpr long kStallSeconds = 60;

bool isLoopback(const QString &hostAndPort)
{
    QString host = hostAndPort;
    if (host.startsWith(u'[')) // [::1]:5000
        host = host.mid(1, host.indexOf(u']') - 1);
    else if (host.count(u':') == 1)
        host = host.section(u':', 0, 0);
    if (host == QLatin1String("localhost") || host == QLatin1String("::1"))
        return true;
    static const QRegularExpression ipv4Loopback(QStringLiteral("^127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$"));
    return ipv4Loopback.match(host).hasMatch();
}

bool isSha256Digest(const QString &digest)
{
    static const QRegularExpression re(QStringLiteral("^sha256:[0-9a-f]{64}$"));
    return re.match(digest).hasMatch();
}

} // namespace

Result<RegistryRepository> RegistryRepository::parse(const QString &text)
{
    QString rest = text.trimmed();
    RegistryRepository r;
    if (rest.startsWith(QLatin1String("http://"))) {
        r.scheme = QStringLiteral("http");
        rest = rest.mid(7);
    } else if (rest.startsWith(QLatin1String("https://"))) {
        r.scheme = QStringLiteral("https");
        rest = rest.mid(8);
    }
    while (rest.endsWith(u'/'))
        rest.chop(1);
    if (const qsizetype at = rest.lastIndexOf(u'@'); at >= 0) {
        // A login, perhaps: what comes before the '@' is never repeated (it may hold a password).
        return tl::unexpected(Error::error(
            QStringLiteral("\"…@%1\" is not a registry repository (HOST[:PORT]/NAME): no '@' in it (a login is kept "
                           "by `docker login HOST` in ~/.docker/config.json; a digest names an image, not a "
                           "repository)")
                .arg(rest.mid(at + 1))));
    }
    const qsizetype slash = rest.indexOf(u'/');
    r.host = slash > 0 ? rest.left(slash) : rest;
    r.name = slash > 0 ? rest.mid(slash + 1) : QString();
    const auto bad = [&](const QString &why) {
        return tl::unexpected(
            Error::error(QStringLiteral("\"%1\" is not a registry repository (HOST[:PORT]/NAME): %2").arg(text, why)));
    };
    if (r.host.isEmpty() || r.name.isEmpty())
        return bad(QStringLiteral("it needs a host and a repository name, as in 127.0.0.1:5000/team/project"));
    if (r.name.contains(u':') || r.name.contains(u'@'))
        return bad(QStringLiteral("a repository, not an image: no tag or digest"));
    // The Distribution spec's name grammar: lower-case components separated by '/'.
    static const QRegularExpression nameRe(
        QStringLiteral("^[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*$"));
    if (!nameRe.match(r.name).hasMatch())
        return bad(
            QStringLiteral("the name \"%1\" must be lower-case letters, digits and . _ - between slashes").arg(r.name));
    if (r.scheme.isEmpty())
        r.scheme = isLoopback(r.host) ? QStringLiteral("http") : QStringLiteral("https");
    return r;
}

QJsonObject OciDescriptor::toJson() const
{
    QJsonObject json{
        {QStringLiteral("mediaType"), mediaType}, {QStringLiteral("digest"), digest}, {QStringLiteral("size"), size}};
    if (!annotations.isEmpty()) {
        QJsonObject a;
        for (auto it = annotations.cbegin(); it != annotations.cend(); ++it)
            a.insert(it.key(), it.value());
        json.insert(QStringLiteral("annotations"), a);
    }
    return json;
}

std::optional<OciDescriptor> OciDescriptor::fromJson(const QJsonObject &json)
{
    OciDescriptor d;
    d.mediaType = json.value(QLatin1String("mediaType")).toString();
    d.digest = json.value(QLatin1String("digest")).toString();
    d.size = json.value(QLatin1String("size")).toInteger(-1);
    if (d.mediaType.isEmpty() || !isSha256Digest(d.digest) || d.size < 0)
        return std::nullopt;
    const QJsonObject a = json.value(QLatin1String("annotations")).toObject();
    for (auto it = a.constBegin(); it != a.constEnd(); ++it)
        d.annotations.insert(it.key(), it.value().toString());
    return d;
}

struct OciRegistryClient::Call
{
    QByteArray method = "GET";
    QByteArray url;
    QByteArray contentType;
    QList<QByteArray> headers;
    QIODevice *upload = nullptr; ///< the body (PUT, POST), rewound for a second try
    /// Takes a 2xx body as it arrives (else it is collected in Reply::body); false aborts.
    std::function<bool(const char *, size_t)> sink;
    const std::atomic_bool *cancel = nullptr;
    bool longTransfer = false; ///< no overall timeout: a stall ends it instead
    QString what;              ///< for messages: "uploading blob sha256:…"
    /// Sent as the Authorization header instead of the registry's login (the token service's).
    QByteArray authorization;
};

struct OciRegistryClient::Reply
{
    long status = 0;
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; ///< names lower-case; the last of each
    bool cancelled = false;
    bool ok() const { return status >= 200 && status < 300; }
};

namespace {

struct Transfer
{
    CURL *curl = nullptr;
    const std::function<bool(const char *, size_t)> *sink = nullptr;
    QIODevice *upload = nullptr;
    const std::atomic_bool *cancel = nullptr;
    QByteArray *body = nullptr;
    QMap<QByteArray, QByteArray> *headers = nullptr;
    bool cancelled = false;
    bool sinkFailed = false;
};

size_t onWrite(char *data, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    const size_t n = size * count;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (*t->sink && status >= 200 && status < 300) {
        if (!(*t->sink)(data, n)) {
            t->sinkFailed = true;
            return 0;
        }
        return n;
    }
    if (t->body->size() < 64 * 1024) // an error's body: enough to say what it was
        t->body->append(data, qsizetype(n));
    return n;
}

size_t onHeader(char *data, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    const size_t n = size * count;
    const QByteArray line = QByteArray(data, qsizetype(n)).trimmed();
    if (line.startsWith("HTTP/"))
        t->headers->clear(); // a new response (after a redirect): only its headers count
    const qsizetype colon = line.indexOf(':');
    if (colon > 0)
        t->headers->insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    return n;
}

size_t onRead(char *buffer, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    if (t->cancel && t->cancel->load()) {
        t->cancelled = true;
        return CURL_READFUNC_ABORT;
    }
    const qint64 n = t->upload->read(buffer, qint64(size * count));
    return n < 0 ? CURL_READFUNC_ABORT : size_t(n);
}

int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    auto *t = static_cast<Transfer *>(user);
    if (t->cancel && t->cancel->load())
        t->cancelled = true;
    return t->cancelled ? 1 : 0;
}

/// The value of `key` in a challenge's parameters (`realm="…",service="…"`).
QString challengeParameter(const QByteArray &challenge, const QByteArray &key)
{
    const QRegularExpression re(QStringLiteral("(?:^|[ ,])%1=\"([^\"]*)\"").arg(QString::fromLatin1(key)));
    return re.match(QString::fromUtf8(challenge)).captured(1);
}

} // namespace

OciRegistryClient::OciRegistryClient(RegistryRepository repository)
    : m_repository(std::move(repository))
{
    initCurlOnce();
    m_curl = curl_easy_init();
}

OciRegistryClient::~OciRegistryClient()
{
    if (m_curl)
        curl_easy_cleanup(static_cast<CURL *>(m_curl));
}

bool OciRegistryClient::isRegistry(const QByteArray &url) const
{
    const QUrl u = QUrl::fromEncoded(url);
    const QUrl registry(m_repository.scheme + QStringLiteral("://") + m_repository.host);
    return u.scheme() == registry.scheme() && u.host() == registry.host() &&
           u.port(u.scheme() == QLatin1String("https") ? 443 : 80) ==
               registry.port(registry.scheme() == QLatin1String("https") ? 443 : 80);
}

QByteArray OciRegistryClient::url(const QString &path) const
{
    return QStringLiteral("%1://%2/v2/%3/%4")
        .arg(m_repository.scheme, m_repository.host, m_repository.name, path)
        .toUtf8();
}

Result<OciRegistryClient::Reply> OciRegistryClient::perform(Call &call)
{
    auto *curl = static_cast<CURL *>(m_curl);
    if (!curl)
        return tl::unexpected(Error::error(QStringLiteral("libcurl could not be initialised")));
    curl_easy_reset(curl);
    Reply reply;
    Transfer t;
    t.curl = curl;
    t.sink = &call.sink;
    t.upload = call.upload;
    t.cancel = call.cancel;
    t.body = &reply.body;
    t.headers = &reply.headers;
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, call.url.constData());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
    if (call.longTransfer) {
        // (An upload's stall counts on after its last byte, while the registry checks the blob.)
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, call.upload ? kStallSeconds * 10 : kStallSeconds);
    } else {
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kShortCallTimeoutMs);
    }
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "trainyard");
    // Blobs may be served from elsewhere (a redirect to storage); the login is not sent there.
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR,
                     m_repository.scheme == QLatin1String("https") ? "https" : "http,https");
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onWrite);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    if (call.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (call.method == "PUT" || call.method == "POST" || call.method == "PATCH") {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, onRead);
        curl_easy_setopt(curl, CURLOPT_READDATA, &t);
        const qint64 size = call.upload ? call.upload->size() : 0;
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(size));
        if (call.method != "PUT")
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.constData());
        if (call.upload && !call.upload->seek(0))
            return tl::unexpected(Error::error(call.what + QStringLiteral(": cannot rewind what is sent")));
    }
    QBuffer empty;
    if (!call.upload && (call.method == "PUT" || call.method == "POST" || call.method == "PATCH")) {
        empty.open(QIODevice::ReadOnly);
        t.upload = &empty;
    }
    curl_slist *headers = nullptr;
    if (!call.contentType.isEmpty())
        headers = curl_slist_append(headers, QByteArray("Content-Type: " + call.contentType).constData());
    headers = curl_slist_append(headers, "Expect:");
    for (const QByteArray &h : std::as_const(call.headers))
        headers = curl_slist_append(headers, h.constData());
    // The registry's login goes to the registry only: an upload location or a redirect elsewhere
    // gets none (libcurl itself drops it on a redirect to another host).
    const QByteArray authorization = !call.authorization.isEmpty() ? call.authorization
                                     : isRegistry(call.url)        ? m_authorization
                                                                   : QByteArray();
    if (!authorization.isEmpty())
        headers = curl_slist_append(headers, QByteArray("Authorization: " + authorization).constData());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_slist_free_all(headers);
    // Nothing of this call's stack stays in the handle kept for its connection.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(curl, CURLOPT_READDATA, nullptr);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, nullptr);
    reply.cancelled = t.cancelled;
    if (t.cancelled)
        return tl::unexpected(Error::error(call.what + QStringLiteral(" cancelled")));
    if (t.sinkFailed)
        return tl::unexpected(Error::error(call.what + QStringLiteral(": the data could not be written")));
    if (rc != CURLE_OK) {
        const QString detail =
            errorBuffer[0] ? QString::fromUtf8(errorBuffer) : QString::fromUtf8(curl_easy_strerror(rc));
        const bool unreachable = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                                 (rc == CURLE_OPERATION_TIMEDOUT && reply.status == 0);
        return tl::unexpected(Error::error(
            unreachable
                ? QStringLiteral("the registry %1 cannot be reached (%2): is it running, and is the address "
                                 "right?")
                      .arg(m_repository.host, detail)
                : QStringLiteral("%1 at the registry %2 failed: %3").arg(call.what, m_repository.host, detail)));
    }
    return reply;
}

Result<OciRegistryClient::Reply> OciRegistryClient::send(Call &call)
{
    // A 401 is answered by logging in as it asks; a second one (a token for another scope) once
    // more. authorise() says so when the same login would be sent again: refused.
    auto reply = perform(call);
    for (int round = 0; round < 2 && reply && reply->status == 401; ++round) {
        if (auto ok = authorise(reply->headers.value("www-authenticate")); !ok)
            return tl::unexpected(ok.error());
        reply = perform(call);
    }
    return reply;
}

Result<void> OciRegistryClient::authorise(const QByteArray &challenge)
{
    if (!m_credentials) {
        auto read = RegistryCredentials::forHost(m_repository.host);
        if (!read)
            return tl::unexpected(read.error());
        m_credentials = *read;
    }
    const std::optional<RegistryCredentials> &login = *m_credentials;
    const QByteArray basic =
        login ? "Basic " + (login->username + u':' + login->secret).toUtf8().toBase64() : QByteArray();
    const QString noLogin = QStringLiteral("the registry %1 asks for a login, and none is kept for it in %2: log in "
                                           "with `docker login %1`")
                                .arg(m_repository.host, RegistryCredentials::dockerConfigPath());
    if (challenge.startsWith("Basic")) {
        if (!login)
            return tl::unexpected(Error::error(noLogin));
        if (m_authorization == basic)
            return tl::unexpected(Error::error(
                QStringLiteral(
                    "the registry %1 refused the login of %2 (kept in %3): log in again with `docker login %1`")
                    .arg(m_repository.host, login->username, RegistryCredentials::dockerConfigPath())));
        m_authorization = basic;
        return {};
    }
    if (!challenge.startsWith("Bearer"))
        return tl::unexpected(
            Error::error(QStringLiteral("the registry %1 asks for a login of a kind Trainyard does not know (%2)")
                             .arg(m_repository.host, QString::fromUtf8(challenge.left(challenge.indexOf(' '))))));
    const QString realm = challengeParameter(challenge, "realm");
    if (realm.isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("the registry %1 asks for a token without saying where to get one").arg(m_repository.host)));
    QUrl tokenUrl(realm);
    // The login goes to a token service over https only (or on this machine, or the host of a
    // registry that is itself plain http: no downgrade from an https registry).
    if (login && tokenUrl.scheme() != QLatin1String("https") && !isLoopback(tokenUrl.host()) &&
        !(m_repository.scheme == QLatin1String("http") && tokenUrl.authority() == m_repository.host))
        return tl::unexpected(Error::error(
            QStringLiteral(
                "the registry %1 sends its logins to %2, which is not https: the login of %3 is not sent there")
                .arg(m_repository.host, tokenUrl.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo), login->username)));
    QUrlQuery query(tokenUrl);
    if (const QString service = challengeParameter(challenge, "service"); !service.isEmpty())
        query.addQueryItem(QStringLiteral("service"), service);
    const QString scope = challengeParameter(challenge, "scope");
    query.addQueryItem(QStringLiteral("scope"),
                       scope.isEmpty() ? QStringLiteral("repository:%1:pull,push").arg(m_repository.name) : scope);
    tokenUrl.setQuery(query);
    Call call;
    call.url = tokenUrl.toEncoded();
    call.what = QStringLiteral("getting a token");
    call.authorization = basic; // the token service takes the login (none: an anonymous token)
    auto reply = perform(call);
    if (!reply)
        return tl::unexpected(reply.error());
    if (reply->status == 401)
        return tl::unexpected(Error::error(login ? QStringLiteral("the registry %1 refused the login of %2: log in "
                                                                  "again with `docker login %1`")
                                                       .arg(m_repository.host, login->username)
                                                 : noLogin));
    if (!reply->ok())
        return tl::unexpected(replyError(call.what, *reply));
    const QJsonObject answer = QJsonDocument::fromJson(reply->body).object();
    QString token = answer.value(QLatin1String("token")).toString();
    if (token.isEmpty())
        token = answer.value(QLatin1String("access_token")).toString();
    if (token.isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("the registry %1's token service answered without a token").arg(m_repository.host)));
    const QByteArray bearer = "Bearer " + token.toUtf8();
    if (m_authorization == bearer)
        return tl::unexpected(
            Error::error(QStringLiteral("the registry %1 refused its own token: the login%2 may not do this")
                             .arg(m_repository.host, login ? QStringLiteral(" of ") + login->username : QString())));
    m_authorization = bearer;
    return {};
}

Error OciRegistryClient::replyError(const QString &what, const Reply &reply) const
{
    // The Distribution API's errors: {"errors": [{"code": "...", "message": "...", "detail": ...}]}.
    QStringList said;
    const QJsonArray errors = QJsonDocument::fromJson(reply.body).object().value(QLatin1String("errors")).toArray();
    for (const QJsonValue &e : errors) {
        const QJsonObject o = e.toObject();
        said << QStringLiteral("%1 (%2)").arg(o.value(QLatin1String("message")).toString(),
                                              o.value(QLatin1String("code")).toString());
    }
    if (said.isEmpty() && !reply.body.trimmed().isEmpty())
        said << QString::fromUtf8(reply.body.trimmed().left(300));
    return Error::error(QStringLiteral("%1 at the registry %2 failed: HTTP %3%4")
                            .arg(what, m_repository.toString())
                            .arg(reply.status)
                            .arg(said.isEmpty() ? QString() : QStringLiteral(": ") + said.join(QStringLiteral("; "))));
}

Result<bool> OciRegistryClient::hasBlob(const QString &digest)
{
    Call call;
    call.method = "HEAD";
    call.url = url(QStringLiteral("blobs/") + digest);
    call.what = QStringLiteral("checking blob %1").arg(digest);
    auto reply = send(call);
    if (!reply)
        return tl::unexpected(reply.error());
    if (reply->status == 404)
        return false;
    if (!reply->ok())
        return tl::unexpected(replyError(call.what, *reply));
    return true;
}

Result<void> OciRegistryClient::upload(const QString &digest, QIODevice &body, const std::atomic_bool *cancel,
                                       const QString &what)
{
    // The spec's monolithic upload, which every registry takes: POST opens an upload session, PUT
    // closes it with every byte and the digest (which the registry checks).
    Call start;
    start.method = "POST";
    start.url = url(QStringLiteral("blobs/uploads/"));
    start.what = QStringLiteral("starting the upload of blob %1").arg(digest);
    auto started = send(start);
    if (!started)
        return tl::unexpected(started.error());
    if (started->status != 202)
        return tl::unexpected(replyError(start.what, *started));
    const QByteArray location = started->headers.value("location");
    if (location.isEmpty())
        return tl::unexpected(Error::error(QStringLiteral("%1 at the registry %2: the answer named no upload location")
                                               .arg(start.what, m_repository.host)));
    QUrl target = QUrl(QString::fromUtf8(start.url)).resolved(QUrl::fromEncoded(location));
    QUrlQuery query(target);
    query.addQueryItem(QStringLiteral("digest"), QString::fromLatin1(QUrl::toPercentEncoding(digest)));
    target.setQuery(query);
    Call put;
    put.method = "PUT";
    put.url = target.toEncoded();
    put.contentType = "application/octet-stream";
    put.upload = &body;
    put.cancel = cancel;
    put.longTransfer = true;
    put.what = what;
    auto done = send(put);
    if (!done)
        return tl::unexpected(done.error());
    if (done->status != 201)
        return tl::unexpected(replyError(put.what, *done));
    return {};
}

Result<bool> OciRegistryClient::pushBlob(const QString &digest, const QString &path, const std::atomic_bool *cancel)
{
    if (!isSha256Digest(digest))
        return tl::unexpected(Error::error(QStringLiteral("\"%1\" is not a sha256 digest").arg(digest)));
    auto has = hasBlob(digest);
    if (!has)
        return tl::unexpected(has.error());
    if (*has)
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(
            Error::error(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()), SourceLocation{path}));
    if (auto ok = upload(digest, file, cancel, QStringLiteral("uploading %1 (blob %2)").arg(path, digest)); !ok)
        return tl::unexpected(ok.error());
    return true;
}

Result<bool> OciRegistryClient::pushBlobData(const QByteArray &data)
{
    const QString digest = QStringLiteral("sha256:") + QString::fromLatin1(Sha256::hexOf(data));
    auto has = hasBlob(digest);
    if (!has)
        return tl::unexpected(has.error());
    if (*has)
        return false;
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    if (auto ok = upload(digest, buffer, nullptr, QStringLiteral("uploading blob %1").arg(digest)); !ok)
        return tl::unexpected(ok.error());
    return true;
}

Result<QString> OciRegistryClient::pushManifest(const QString &reference, const QByteArray &manifest,
                                                const QString &mediaType)
{
    QBuffer buffer;
    buffer.setData(manifest);
    buffer.open(QIODevice::ReadOnly);
    Call put;
    put.method = "PUT";
    put.url = url(QStringLiteral("manifests/") + QString::fromLatin1(QUrl::toPercentEncoding(reference)));
    put.contentType = mediaType.toUtf8();
    put.upload = &buffer;
    put.what = QStringLiteral("putting manifest %1").arg(reference);
    auto done = send(put);
    if (!done)
        return tl::unexpected(done.error());
    if (done->status != 201)
        return tl::unexpected(replyError(put.what, *done));
    const QString digest = QStringLiteral("sha256:") + QString::fromLatin1(Sha256::hexOf(manifest));
    const QByteArray said = done->headers.value("docker-content-digest");
    if (!said.isEmpty() && QString::fromLatin1(said) != digest)
        return tl::unexpected(Error::error(QStringLiteral("%1 at the registry %2: it stored digest %3, not %4")
                                               .arg(put.what, m_repository.host, QString::fromLatin1(said), digest)));
    return digest;
}

Result<QByteArray> OciRegistryClient::manifest(const QString &reference)
{
    Call get;
    get.url = url(QStringLiteral("manifests/") + QString::fromLatin1(QUrl::toPercentEncoding(reference)));
    // OCI's manifests, and Docker's (what `docker push` writes).
    get.headers = {QByteArray("Accept: ") + QByteArray(kManifestMediaType.data(), kManifestMediaType.size()) +
                   ", application/vnd.docker.distribution.manifest.v2+json"};
    get.what = QStringLiteral("reading manifest %1").arg(reference);
    QByteArray body;
    get.sink = [&](const char *data, size_t n) {
        body.append(data, qsizetype(n));
        return body.size() <= 4 * 1024 * 1024; // a manifest is small (the spec's limit is 4 MiB)
    };
    auto reply = send(get);
    if (!reply)
        return tl::unexpected(reply.error());
    if (!reply->ok())
        return tl::unexpected(replyError(get.what, *reply));
    return body;
}

Result<qint64> OciRegistryClient::fetchBlob(const QString &digest, const QString &destination,
                                            const std::atomic_bool *cancel)
{
    if (!isSha256Digest(digest))
        return tl::unexpected(Error::error(QStringLiteral("\"%1\" is not a sha256 digest").arg(digest)));
    QSaveFile out(destination);
    if (!out.open(QIODevice::WriteOnly))
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(destination, out.errorString()),
                                           SourceLocation{destination}));
    Sha256 hash;
    qint64 written = 0;
    Call get;
    get.url = url(QStringLiteral("blobs/") + digest);
    get.cancel = cancel;
    get.longTransfer = true;
    get.what = QStringLiteral("downloading blob %1").arg(digest);
    get.sink = [&](const char *data, size_t n) {
        hash.add(data, qsizetype(n));
        written += qint64(n);
        return out.write(data, qint64(n)) == qint64(n);
    };
    auto reply = send(get);
    if (!reply) {
        out.cancelWriting();
        return tl::unexpected(reply.error());
    }
    if (!reply->ok()) {
        out.cancelWriting();
        return tl::unexpected(replyError(get.what, *reply));
    }
    const QString got = QStringLiteral("sha256:") + QString::fromLatin1(hash.hex());
    if (got != digest) {
        out.cancelWriting();
        return tl::unexpected(Error::error(
            QStringLiteral("the registry %1 sent %2 bytes for blob %3 whose sha256 is %4: not kept (%5 is unchanged)")
                .arg(m_repository.toString())
                .arg(written)
                .arg(digest, got, destination)));
    }
    if (!out.commit())
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(destination, out.errorString()),
                                           SourceLocation{destination}));
    return written;
}

OciDescriptor OciRegistryClient::emptyConfig()
{
    static const QByteArray empty("{}");
    return OciDescriptor{QString(kEmptyMediaType),
                         QStringLiteral("sha256:") + QString::fromLatin1(Sha256::hexOf(empty)),
                         empty.size(),
                         {}};
}

QByteArray OciRegistryClient::artifactManifest(const QString &artifactType, const std::vector<OciDescriptor> &layers,
                                               const QMap<QString, QString> &annotations)
{
    QJsonArray layerArray;
    for (const OciDescriptor &d : layers)
        layerArray.append(d.toJson());
    QJsonObject manifest{{QStringLiteral("schemaVersion"), 2},
                         {QStringLiteral("mediaType"), QString(kManifestMediaType)},
                         {QStringLiteral("artifactType"), artifactType},
                         {QStringLiteral("config"), emptyConfig().toJson()},
                         {QStringLiteral("layers"), layerArray}};
    if (!annotations.isEmpty()) {
        QJsonObject a;
        for (auto it = annotations.cbegin(); it != annotations.cend(); ++it)
            a.insert(it.key(), it.value());
        manifest.insert(QStringLiteral("annotations"), a);
    }
    return QJsonDocument(manifest).toJson(QJsonDocument::Compact);
}

} // namespace trainyard::core
