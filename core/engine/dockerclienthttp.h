#pragma once

// Internal to DockerClient: the HTTP request and response of one API call, and the helpers its
// transport (dockerclient.cpp) and API calls (dockerclientimages.cpp, dockerclientcontainers.cpp) share.

#include "dockerclient.h"

#include "common/error.h"

#include <QByteArray>
#include <QIODevice>
#include <QList>
#include <QString>
#include <QUrl>

#include <atomic>
#include <functional>

namespace trainyard::core {

namespace dockerhttp {

/// How long a short (not streaming) call may take.
inline constexpr long ShortCallTimeoutMs = 120 * 1000;

/// `value` percent-encoded for a URL path or query, except for the characters in `keep`.
inline QByteArray enc(const QString &value, const QByteArray &keep = {})
{
    return QUrl::toPercentEncoding(value, keep);
}

/// Image references keep their '/', ':' and '@' in paths, as the docker CLI sends them.
inline QByteArray encImage(const QString &ref)
{
    return enc(ref, "/:@");
}

/// The Error of a call that `what` names, cancelled by the caller.
inline Error cancelledError(const QString &what)
{
    return Error::error(what + QStringLiteral(" cancelled"));
}

} // namespace dockerhttp

struct DockerClient::Request
{
    QByteArray method = "GET";
    QByteArray path; ///< with the version prefix and query
    QByteArray body; ///< sent for POST unless `upload` is set
    QByteArray contentType;
    QIODevice *upload = nullptr; ///< streamed as the body, when set
    QList<QByteArray> headers;
    /// Receives a successful (2xx) body as it arrives; other bodies are collected in Response.
    std::function<void(const QByteArray &)> onData;
    const std::atomic_bool *cancel = nullptr;
    long timeoutMs = dockerhttp::ShortCallTimeoutMs; ///< 0: none
};

struct DockerClient::Response
{
    long status = 0;
    QByteArray body;
    bool cancelled = false;
    bool ok() const { return status >= 200 && status < 300; }
};

} // namespace trainyard::core
