#pragma once

#include "common/error.h"

#include <QString>

#include <optional>

namespace trainyard::core {

/// A registry's login as every container tool keeps it: Docker's config.json
/// (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), either inline (`auths`, the base64
/// "user:password" that `docker login` writes) or through a credential helper (`credHelpers` for
/// the host, else `credsStore`: `docker-credential-NAME get`). Never written to a log, an error or
/// the lineage: only the user name may be shown.
struct RegistryCredentials
{
    QString username;
    QString secret; ///< a password or an identity token

    bool isEmpty() const { return username.isEmpty() && secret.isEmpty(); }

    /// The login for `host` ("HOST[:PORT]"); nullopt when none is kept (anonymous access). An
    /// Error names the config file (and never the secret) when it cannot be read or a helper fails.
    static Result<std::optional<RegistryCredentials>> forHost(const QString &host);
    /// The Docker config file forHost() reads.
    static QString dockerConfigPath();
};

} // namespace trainyard::core
