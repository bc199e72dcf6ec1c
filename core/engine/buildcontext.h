#pragma once

#include "common/error.h"

#include <QString>
#include <QStringList>

class QIODevice;

namespace trainyard::core {

/// The build context `docker build` sends: a tar of a directory, minus what `.dockerignore` excludes.
///
/// `.dockerignore` is honoured minimally: `#` comments, `!` exceptions, the last matching line
/// wins, patterns are GlobPattern globs (`*`, `?`, `[...]`, `**`) relative to the context, and a
/// pattern that matches a directory excludes everything below it. The Dockerfile and
/// `.dockerignore` themselves are always sent, as the docker CLI does; a `.trainyard/` folder at the
/// context's top (the project's secrets and lineage database) never is.
class BuildContext final
{
public:
    /// Writes the tar of `contextDir` to `out`. `dockerfile` is relative to the context (empty:
    /// "Dockerfile") or absolute; one outside the context is added as ".trainyard.Dockerfile".
    /// Returns the Dockerfile's path inside the archive, for the `dockerfile` query parameter.
    static Result<QString> write(const QString &contextDir, const QString &dockerfile, QIODevice *out);

    /// The patterns of `contextDir/.dockerignore` (cleaned; exceptions keep their '!').
    static QStringList ignorePatterns(const QString &contextDir);
    /// Whether `patterns` exclude `path` ('/'-separated, relative to the context).
    static bool isExcluded(const QStringList &patterns, const QString &path);
};

} // namespace trainyard::core
