#include "buildcontext.h"

#include "pipeline/globpattern.h"
#include "tarwriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace trainyard::core {

namespace {

/// A pattern matches a path when it matches the path or one of its parent directories.
bool matches(const QString &pattern, const QString &path)
{
    for (qsizetype end = path.size(); end > 0; end = path.lastIndexOf(QLatin1Char('/'), end - 1)) {
        if (GlobPattern::match(pattern, path.left(end)))
            return true;
    }
    return false;
}

} // namespace

QStringList BuildContext::ignorePatterns(const QString &contextDir)
{
    QStringList patterns;
    QFile file(QDir(contextDir).filePath(QStringLiteral(".dockerignore")));
    if (!file.open(QIODevice::ReadOnly))
        return patterns;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    for (QString line : lines) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const bool exception = line.startsWith(QLatin1Char('!'));
        QString pattern = QDir::cleanPath(exception ? line.mid(1).trimmed() : line);
        while (pattern.startsWith(QLatin1Char('/')))
            pattern.remove(0, 1);
        if (!pattern.isEmpty() && pattern != QLatin1String("."))
            patterns.append(exception ? QLatin1Char('!') + pattern : pattern);
    }
    return patterns;
}

bool BuildContext::isExcluded(const QStringList &patterns, const QString &path)
{
    bool excluded = false;
    for (const QString &pattern : patterns) {
        const bool exception = pattern.startsWith(QLatin1Char('!'));
        if (matches(exception ? pattern.mid(1) : pattern, path))
            excluded = !exception;
    }
    return excluded;
}

Result<QString> BuildContext::write(const QString &contextDir, const QString &dockerfile, QIODevice *out)
{
    const QDir context(contextDir);
    const QString dockerfilePath =
        context.absoluteFilePath(dockerfile.isEmpty() ? QStringLiteral("Dockerfile") : dockerfile);
    if (!QFileInfo(dockerfilePath).isFile())
        return tl::make_unexpected(Error::error(QStringLiteral("No Dockerfile at %1").arg(dockerfilePath)));
    QString inContext = QDir::cleanPath(QDir(QFileInfo(contextDir).canonicalFilePath())
                                            .relativeFilePath(QFileInfo(dockerfilePath).canonicalFilePath()));
    const bool outside = inContext.startsWith(QLatin1String("../"));
    if (outside)
        inContext = QStringLiteral(".trainyard.Dockerfile");

    const QStringList patterns = ignorePatterns(contextDir);
    const bool hasExceptions = std::any_of(patterns.cbegin(), patterns.cend(),
                                           [](const QString &p) { return p.startsWith(QLatin1Char('!')); });
    TarWriter tar(out);
    auto written = tar.addTree(contextDir, [&](const QString &path, bool isDir) {
        // Trainyard's own folder (secrets, the lineage database) never goes into an image.
        if (path == QLatin1String(".trainyard") || path.startsWith(QLatin1String(".trainyard/")))
            return false;
        if (path == inContext || path == QLatin1String(".dockerignore") || !isExcluded(patterns, path))
            return true;
        // An excluded directory is still walked when an exception may re-include something in it.
        return isDir && hasExceptions;
    });
    if (written && outside)
        written = tar.addFile(inContext, dockerfilePath);
    if (written)
        written = tar.finish();
    if (!written)
        return tl::make_unexpected(written.error());
    return inContext;
}

} // namespace trainyard::core
