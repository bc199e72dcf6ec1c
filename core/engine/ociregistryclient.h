#pragma once

#include "common/error.h"
#include "registrycredentials.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

class QIODevice;

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace trainyard::core {

/// A repository of an OCI registry, as Docker names one: "HOST[:PORT]/NAME" (no tag). Spoken to
/// over https, except a loopback host (localhost, 127.0.0.0/8, ::1: as Docker treats them) or one
/// written with "http://" in front.
struct RegistryRepository
{
    QString scheme; ///< "https" or "http"
    QString host;   ///< "HOST[:PORT]"
    QString name;   ///< "team/project/artifacts": lower-case path components

    /// Reads "[http[s]://]HOST[:PORT]/NAME"; an Error says what is wrong with `text`.
    static Result<RegistryRepository> parse(const QString &text);
    /// "HOST[:PORT]/NAME".
    QString toString() const { return host + u'/' + name; }
};

/// An OCI content descriptor (image-spec descriptor.md): what a manifest lists.
struct OciDescriptor
{
    QString mediaType;
    QString digest; ///< "sha256:HEX"
    qint64 size = 0;
    QMap<QString, QString> annotations;

    QJsonObject toJson() const;
    static std::optional<OciDescriptor> fromJson(const QJsonObject &json);
};

/// A client of the OCI Distribution API (the registry HTTP API v2) for one repository: blobs
/// checked, uploaded and downloaded by digest, manifests put and read. Logs in as Docker does
/// (RegistryCredentials: Basic, or a Bearer token from the registry's token service). Blocking:
/// call it from a worker thread. One connection, reused; not thread-safe.
class OciRegistryClient final
{
public:
    static constexpr QLatin1StringView kManifestMediaType{"application/vnd.oci.image.manifest.v1+json"};
    static constexpr QLatin1StringView kEmptyMediaType{"application/vnd.oci.empty.v1+json"};

    explicit OciRegistryClient(RegistryRepository repository);
    ~OciRegistryClient();
    OciRegistryClient(const OciRegistryClient &) = delete;
    OciRegistryClient &operator=(const OciRegistryClient &) = delete;

    const RegistryRepository &repository() const { return m_repository; }

    /// Whether the repository has the blob `digest` ("sha256:HEX").
    Result<bool> hasBlob(const QString &digest);
    /// Uploads the file at `path` as the blob `digest`, unless the repository has it already;
    /// true when it was uploaded. The registry checks the digest (a file changed meanwhile is refused).
    Result<bool> pushBlob(const QString &digest, const QString &path, const std::atomic_bool *cancel = nullptr);
    /// The same for bytes in memory (a manifest's config).
    Result<bool> pushBlobData(const QByteArray &data);
    /// Puts `manifest` (JSON of `mediaType`) under `reference` (a tag); returns its digest.
    Result<QString> pushManifest(const QString &reference, const QByteArray &manifest,
                                 const QString &mediaType = QString(kManifestMediaType));
    /// The manifest `reference` (a tag or a digest) names, as the registry stores it.
    Result<QByteArray> manifest(const QString &reference);
    /// Downloads the blob `digest` into `destination`, checking its sha256 on the way:
    /// `destination` is replaced only when every byte arrived and the hash matched, and left as it
    /// was otherwise. Returns the bytes written.
    Result<qint64> fetchBlob(const QString &digest, const QString &destination,
                             const std::atomic_bool *cancel = nullptr);

    /// An OCI artifact's manifest (image-spec manifest.md, "artifact" guidance): `artifactType`,
    /// the empty config, `layers` in order, and `annotations`.
    static QByteArray artifactManifest(const QString &artifactType, const std::vector<OciDescriptor> &layers,
                                       const QMap<QString, QString> &annotations);
    /// The descriptor of the empty config blob "{}".
    static OciDescriptor emptyConfig();

private:
    struct Call;
    struct Reply;
    /// Sends `call`; on a 401, logs in as the challenge asks and sends it again.
    Result<Reply> send(Call &call);
    Result<Reply> perform(Call &call);
    /// Answers a WWW-Authenticate challenge: sets m_authorization, or an Error.
    Result<void> authorise(const QByteArray &challenge);
    Error replyError(const QString &what, const Reply &reply) const;
    /// Uploads `body` as the blob `digest` (`what` names it in messages).
    Result<void> upload(const QString &digest, QIODevice &body, const std::atomic_bool *cancel, const QString &what);
    QByteArray url(const QString &path) const;
    /// Whether `url` is on the registry itself (scheme, host and port): only there is its login sent.
    bool isRegistry(const QByteArray &url) const;

    RegistryRepository m_repository;
    void *m_curl = nullptr;     ///< CURL*, kept for its connection
    QByteArray m_authorization; ///< the Authorization header's value once logged in
    std::optional<std::optional<RegistryCredentials>> m_credentials; ///< read once, when first asked for
};

} // namespace trainyard::core
