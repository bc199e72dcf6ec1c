#include "hostaccess.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include <sys/stat.h>

namespace trainyard::core {

namespace {

const QString SettingKey = QStringLiteral("security/dataRoots");

bool isSameOrUnder(const QString &path, const QString &folder)
{
    if (folder == QLatin1String("/"))
        return true;
    return path == folder || path.startsWith(folder + u'/');
}

QString canonicalIfExists(const QString &path)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    return canonical.isEmpty() ? QDir::cleanPath(path) : canonical;
}

/// Folders no pipeline may mount, nor any folder that holds them.
const QStringList &systemFolders()
{
    static const QStringList folders = [] {
        QStringList out;
        for (const char *f :
             {"/etc", "/proc", "/sys", "/dev", "/run", "/var/run", "/boot", "/var/lib/docker", "/var/lib/containers"}) {
            const QString resolved = canonicalIfExists(QString::fromLatin1(f));
            if (!out.contains(resolved))
                out << resolved;
        }
        return out;
    }();
    return folders;
}

/// Folders under the home folder that hold credentials.
QStringList credentialFolders(const QString &home)
{
    QStringList out;
    for (const char *f : {".ssh", ".gnupg", ".docker", ".aws", ".kube", ".config/gcloud", ".netrc", ".pgpass",
                          ".local/share/containers"})
        out << canonicalIfExists(home + u'/' + QString::fromLatin1(f));
    return out;
}

QStringList splitRoots(const QString &list)
{
    QStringList out;
    for (const QString &r : list.split(u':', Qt::SkipEmptyParts))
        if (QDir::isAbsolutePath(r.trimmed()))
            out << QDir::cleanPath(r.trimmed());
    return out;
}

} // namespace

HostAccess::HostAccess(const QString &projectDir, const QStringList &allowedRoots)
    : m_projectDir(canonicalIfExists(QDir(projectDir).absolutePath()))
{
    for (const QString &root : allowedRoots)
        if (QDir::isAbsolutePath(root))
            m_roots << canonicalIfExists(root);
}

QStringList HostAccess::machineRoots()
{
    QStringList roots = splitRoots(qEnvironmentVariable("TRAINYARD_DATA_ROOTS"));
    for (const QString &r : settingRoots())
        if (!roots.contains(r))
            roots << r;
    return roots;
}

QStringList HostAccess::settingRoots()
{
    QStringList out;
    for (const QString &r : QSettings().value(SettingKey).toStringList())
        if (QDir::isAbsolutePath(r))
            out << QDir::cleanPath(r);
    return out;
}

void HostAccess::allowRoot(const QString &root)
{
    QStringList roots = settingRoots();
    const QString clean = QDir::cleanPath(root);
    if (!roots.contains(clean)) {
        roots << clean;
        QSettings().setValue(SettingKey, roots);
    }
}

void HostAccess::forgetRoot(const QString &root)
{
    QStringList roots = settingRoots();
    if (roots.removeAll(QDir::cleanPath(root)) > 0)
        QSettings().setValue(SettingKey, roots);
}

QString HostAccess::resolve(const QString &path) const
{
    const QString absolute = QDir::cleanPath(QDir::isAbsolutePath(path) ? path : m_projectDir + u'/' + path);
    // Resolve the longest part that exists; what does not exist yet cannot be a link.
    QString existing = absolute;
    QString rest;
    while (!QFileInfo::exists(existing) && existing != QLatin1String("/")) {
        const qsizetype slash = existing.lastIndexOf(u'/');
        rest = existing.mid(slash) + rest;
        existing = slash > 0 ? existing.left(slash) : QStringLiteral("/");
    }
    const QString canonical = QFileInfo(existing).canonicalFilePath();
    return QDir::cleanPath((canonical.isEmpty() ? existing : canonical) + rest);
}

QString HostAccess::forbiddenReason(const QString &resolved) const
{
    if (resolved == QLatin1String("/"))
        return QStringLiteral("it is the whole file system");
    for (const QString &folder : systemFolders()) {
        if (isSameOrUnder(resolved, folder))
            return QStringLiteral("%1 is a system folder").arg(folder);
        if (isSameOrUnder(folder, resolved))
            return QStringLiteral("it holds the system folder %1").arg(folder);
    }
    const QString home = canonicalIfExists(QDir::homePath());
    if (resolved == home)
        return QStringLiteral("it is your home folder");
    if (isSameOrUnder(home, resolved))
        return QStringLiteral("it holds your home folder %1").arg(home);
    for (const QString &credentials : credentialFolders(home)) {
        if (isSameOrUnder(resolved, credentials))
            return QStringLiteral("%1 holds credentials").arg(credentials);
    }
    const QString state = m_projectDir + QStringLiteral("/.trainyard");
    if (isSameOrUnder(resolved, state))
        return QStringLiteral("it is Trainyard's own folder (secrets, the lineage database)");
    if (isSameOrUnder(state, resolved))
        return QStringLiteral("it holds the project's .trainyard folder (secrets, the lineage database); name the data "
                              "folder itself");
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(resolved).constData(), &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        return S_ISSOCK(st.st_mode) ? QStringLiteral("it is a socket (it would give the job a service of the host)")
                                    : QStringLiteral("it is a device or a pipe, not a file or folder");
    }
    return {};
}

Result<QString> HostAccess::dataSource(const DataInput &input) const
{
    const QString resolved = resolve(input.path);
    const QString shown =
        resolved == QDir::cleanPath(input.path) ? resolved : QStringLiteral("%1 (%2)").arg(input.path, resolved);
    if (const QString reason = forbiddenReason(resolved); !reason.isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("data input '%1': %2 may not be mounted into jobs: %3").arg(input.name, shown, reason),
            input.location));
    if (isSameOrUnder(resolved, m_projectDir))
        return resolved;
    for (const QString &root : m_roots)
        if (isSameOrUnder(resolved, root))
            return resolved;
    return tl::unexpected(Error::error(
        QStringLiteral("data input '%1': %2 is outside the project, and this machine allows data from outside it only "
                       "under folders you allowed (%3). If you trust this pipeline with it, allow it: "
                       "TRAINYARD_DATA_ROOTS=%4, or Settings ▸ Data folders in the window")
            .arg(input.name, shown, m_roots.isEmpty() ? QStringLiteral("none yet") : m_roots.join(QStringLiteral(", ")),
                 rootToAllow(input)),
        input.location));
}

Result<void> HostAccess::checkStateFolder(const QString &projectDir)
{
    const QString state = QDir(projectDir).absoluteFilePath(QStringLiteral(".trainyard"));
    const QFileInfo info(state);
    if (info.isSymLink())
        return tl::unexpected(Error::error(
            QStringLiteral("%1 is a symbolic link (to %2): Trainyard keeps this project's secrets, logs, artifacts and "
                           "lineage there, and would write outside the project. Remove the link (a repository must not "
                           "carry .trainyard/; it is git-ignored)")
                .arg(QDir::toNativeSeparators(state), info.symLinkTarget()),
            SourceLocation{state}));
    return {};
}

QString HostAccess::rootToAllow(const DataInput &input) const
{
    const QString resolved = resolve(input.path);
    if (!forbiddenReason(resolved).isEmpty() || isSameOrUnder(resolved, m_projectDir))
        return {};
    const QFileInfo info(resolved);
    return info.exists() && !info.isDir() ? info.absolutePath() : resolved;
}

Result<QString> HostAccess::buildContext(const ImageBuild &build) const
{
    const QString context = resolve(build.context);
    if (!isSameOrUnder(context, m_projectDir))
        return tl::unexpected(Error::error(
            QStringLiteral("image %1: build context '%2' (%3) is outside the project; a build context must be inside "
                           "it, or files of this machine would end up in the image")
                .arg(build.tag, build.context, context),
            build.location));
    if (const QString reason = forbiddenReason(context);
        !reason.isEmpty() && context != m_projectDir) // the project itself is a context: .trainyard/ is never sent
        return tl::unexpected(Error::error(
            QStringLiteral("image %1: build context '%2' may not be used: %3").arg(build.tag, build.context, reason),
            build.location));
    const QString dockerfile =
        QDir::isAbsolutePath(build.dockerfile) ? resolve(build.dockerfile) : resolve(context + u'/' + build.dockerfile);
    if (!isSameOrUnder(dockerfile, m_projectDir) || !forbiddenReason(dockerfile).isEmpty())
        return tl::unexpected(
            Error::error(QStringLiteral("image %1: Dockerfile '%2' (%3) is outside the project; it must be inside it")
                             .arg(build.tag, build.dockerfile, dockerfile),
                         build.location));
    return context;
}

std::vector<Error> HostAccess::check(const TrainyardSettings &settings) const
{
    std::vector<Error> out;
    for (const DataInput &input : settings.data)
        if (auto source = dataSource(input); !source)
            out.push_back(source.error());
    for (const ImageBuild &build : settings.images)
        if (auto context = buildContext(build); !context)
            out.push_back(context.error());
    return out;
}

} // namespace trainyard::core
