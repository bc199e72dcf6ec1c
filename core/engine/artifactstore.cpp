#include "artifactstore.h"

#include "common/sha256.h"

#include "pipeline/globpattern.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QMap>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryFile>

#include <memory>

#include <sys/stat.h>

namespace trainyard::core {

namespace {

constexpr qint64 ChunkSize = qint64(1) << 20;

Error jobError(const QString &job, const QString &message, const QString &path)
{
    return Error::error(QStringLiteral("job '%1': %2").arg(job, message), SourceLocation{path}, job);
}

/// Hashes the file at path, writing every chunk to `copyTo` too when given.
Result<QByteArray> hashFile(const QString &path, QIODevice *copyTo, qint64 *size)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(
            Error::error(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()), SourceLocation{path}));
    Sha256 hash;
    QByteArray buffer(ChunkSize, Qt::Uninitialized);
    qint64 total = 0;
    while (true) {
        const qint64 n = file.read(buffer.data(), ChunkSize);
        if (n < 0)
            return tl::unexpected(
                Error::error(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()), SourceLocation{path}));
        if (n == 0)
            break;
        hash.add(buffer.constData(), n);
        if (copyTo && copyTo->write(buffer.constData(), n) != n)
            return tl::unexpected(
                Error::error(QStringLiteral("cannot write a copy of %1: %2").arg(path, copyTo->errorString()),
                             SourceLocation{path}));
        total += n;
    }
    if (size)
        *size = total;
    return hash.hex();
}

bool isSha256(const QString &s)
{
    if (s.size() != 64)
        return false;
    for (const QChar c : s) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

/// `entry` made relative and clean ("." for the root), or an Error when it is absolute or leaves
/// the workspace.
Result<QString> normalise(const QString &entry, const QString &job, const QString &workspace)
{
    const QString trimmed = entry.trimmed();
    if (trimmed.isEmpty())
        return tl::unexpected(jobError(job, QStringLiteral("empty artifacts path"), workspace));
    if (QDir::isAbsolutePath(trimmed) || trimmed.startsWith(QLatin1Char('~')))
        return tl::unexpected(jobError(
            job,
            QStringLiteral("artifacts path '%1' is absolute; paths are relative to the project directory").arg(entry),
            workspace));
    const QString clean = QDir::cleanPath(trimmed);
    if (clean == QLatin1String("..") || clean.startsWith(QLatin1String("../")))
        return tl::unexpected(jobError(
            job, QStringLiteral("artifacts path '%1' is outside the project directory").arg(entry), workspace));
    return clean;
}

bool isInside(const QString &rootCanon, const QString &canon)
{
    return canon == rootCanon || canon.startsWith(rootCanon + QLatin1Char('/'));
}

QString childRel(const QString &rel, const QString &name)
{
    return rel == QLatin1String(".") ? name : rel + QLatin1Char('/') + name;
}

/// Finds the files that artifacts:paths name, resolving symlinks that stay inside the workspace.
class Collector final
{
public:
    explicit Collector(const QString &rootCanon)
        : m_root(rootCanon)
    {}

    /// Adds what is at `rel` (a file, a directory recursively, a symlink to either).
    void add(const QString &rel)
    {
        QSet<QString> visiting;
        addPath(rel, rel == QLatin1String(".") ? m_root : m_root + QLatin1Char('/') + rel, visiting);
    }

    bool exists(const QString &rel) const
    {
        struct stat st;
        return ::lstat(QFile::encodeName(m_root + QLatin1Char('/') + rel).constData(), &st) == 0;
    }

    /// Every path in the workspace, relative, not descending into symlinked directories.
    const QStringList &allPaths()
    {
        if (!m_listed) {
            QDirIterator it(m_root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                            QDirIterator::Subdirectories);
            while (it.hasNext())
                m_all.append(it.next().mid(m_root.size() + 1));
            m_all.sort();
            m_listed = true;
        }
        return m_all;
    }

    QMap<QString, QString> found;   ///< workspace-relative path → file to read
    QMap<QString, QString> skipped; ///< workspace-relative path → reason

private:
    void addPath(const QString &rel, const QString &path, QSet<QString> &visiting)
    {
        const QFileInfo info(path);
        const bool isLink = info.isSymLink();
        // Resolves every symlink on the way, so "link/file" through a link leaving the workspace
        // is caught as well as a link at the end.
        const QString canon = info.canonicalFilePath();
        if (canon.isEmpty()) {
            skipped.insert(rel, isLink ? QStringLiteral("dangling symlink") : QStringLiteral("cannot be read"));
            return;
        }
        if (!isInside(m_root, canon)) {
            skipped.insert(rel, isLink ? QStringLiteral("symlink points outside the workspace")
                                       : QStringLiteral("path leads outside the workspace through a symlink"));
            return;
        }
        const QFileInfo target(canon);
        if (target.isDir()) {
            if (visiting.contains(canon)) {
                skipped.insert(rel, QStringLiteral("symlink loop"));
                return;
            }
            visiting.insert(canon);
            const QStringList names = QDir(canon).entryList(
                QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
            for (const QString &name : names)
                addPath(childRel(rel, name), canon + QLatin1Char('/') + name, visiting);
            visiting.remove(canon);
        } else if (target.isFile()) {
            found.insert(rel, canon);
        } else {
            skipped.insert(rel, QStringLiteral("not a regular file"));
        }
    }

    QString m_root;
    QStringList m_all;
    bool m_listed = false;
};

/// True when an exclude glob matches rel or one of its parent directories.
bool isExcluded(const QString &rel, const QStringList &exclude)
{
    if (exclude.isEmpty())
        return false;
    QString path = rel;
    while (true) {
        for (const QString &pattern : exclude) {
            if (GlobPattern::match(pattern, path))
                return true;
        }
        const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
        if (slash < 0)
            return false;
        path.truncate(slash);
    }
}

QFileDevice::Permissions modeFor(bool executable)
{
    QFileDevice::Permissions perms =
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (executable)
        perms |= QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;
    return perms;
}

} // namespace

ArtifactStore::ArtifactStore(const QString &rootDir)
    : m_root(QDir::cleanPath(QDir(rootDir).absolutePath()))
{}

QString ArtifactStore::objectPath(const QString &root, const QString &sha256)
{
    return root + QStringLiteral("/sha256/") + sha256.left(2) + QLatin1Char('/') + sha256.mid(2);
}

Result<void> ArtifactStore::copyOut(const QString &sha256, const QString &destination, const QString &label) const
{
    const QString source = objectPath(m_root, sha256);
    if (!QFileInfo::exists(source))
        return tl::unexpected(Error::error(
            QStringLiteral("cannot save %1: its file is not in the artifact store (%2)").arg(label, source),
            SourceLocation{source}));
    QSaveFile out(destination);
    if (!out.open(QIODevice::WriteOnly))
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(destination, out.errorString()),
                                           SourceLocation{destination}));
    const auto hash = hashFile(source, &out, nullptr);
    if (!hash) {
        out.cancelWriting();
        return tl::unexpected(hash.error());
    }
    if (QString::fromLatin1(*hash) != sha256) {
        out.cancelWriting();
        return tl::unexpected(Error::error(
            QStringLiteral(
                "not saved: the stored file of %1 has sha256 %2, not the recorded %3 (the artifact store is damaged)")
                .arg(label, QString::fromLatin1(*hash), sha256),
            SourceLocation{source}));
    }
    if (!out.commit())
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(destination, out.errorString()),
                                           SourceLocation{destination}));
    return {};
}

Result<QByteArray> ArtifactStore::sha256File(const QString &path)
{
    return hashFile(path, nullptr, nullptr);
}

Result<ArtifactStore::StoredFile> ArtifactStore::store(const QString &source, const QString &rel,
                                                       const QString &job) const
{
    StoredFile stored;
    stored.path = rel;
    stored.executable = QFileInfo(source).permissions() & QFileDevice::ExeOwner;

    // Hash first: an object already in the store (a re-run, a file shared by jobs) costs no write.
    auto hash = hashFile(source, nullptr, &stored.size);
    if (!hash)
        return tl::unexpected(jobError(job, hash.error().message, source));
    stored.sha256 = QString::fromLatin1(*hash);
    if (QFileInfo::exists(objectPath(m_root, stored.sha256)))
        return stored;

    // Write under a temporary name in the store and rename: an object under its final name is
    // always complete. The copy is hashed again, so a file changed since the first pass is stored
    // under the hash of what was actually copied.
    const QString tmpDir = m_root + QStringLiteral("/tmp");
    if (!QDir().mkpath(tmpDir))
        return tl::unexpected(jobError(job, QStringLiteral("cannot create %1").arg(tmpDir), tmpDir));
    QTemporaryFile temp(tmpDir + QStringLiteral("/object-XXXXXX"));
    if (!temp.open())
        return tl::unexpected(
            jobError(job, QStringLiteral("cannot create a file in %1: %2").arg(tmpDir, temp.errorString()), tmpDir));
    auto copied = hashFile(source, &temp, &stored.size);
    if (!copied)
        return tl::unexpected(jobError(job, copied.error().message, source));
    stored.sha256 = QString::fromLatin1(*copied);
    if (!temp.flush())
        return tl::unexpected(jobError(
            job, QStringLiteral("cannot write %1: %2").arg(temp.fileName(), temp.errorString()), temp.fileName()));
    // Objects are read-only: nothing should ever change one in place.
    temp.setPermissions(QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    const QString object = objectPath(m_root, stored.sha256);
    if (!QDir().mkpath(QFileInfo(object).path()))
        return tl::unexpected(jobError(job, QStringLiteral("cannot create %1").arg(QFileInfo(object).path()), object));
    // rename() closes the file itself; the name must not be removed once it is the object's.
    if (temp.rename(object)) {
        temp.setAutoRemove(false);
        return stored;
    }
    // A concurrent writer of the same content may have won the race: its object is as good.
    if (!QFileInfo::exists(object))
        return tl::unexpected(
            jobError(job, QStringLiteral("cannot store %1 as %2: %3").arg(rel, object, temp.errorString()), object));
    return stored;
}

Result<QString> ArtifactStore::storeBytes(const QByteArray &content) const
{
    const QString sha = QString::fromLatin1(Sha256::hexOf(content));
    const QString object = objectPath(m_root, sha);
    if (QFileInfo::exists(object))
        return sha;
    if (!QDir().mkpath(QFileInfo(object).path()))
        return tl::unexpected(Error::error(QStringLiteral("cannot create %1").arg(QFileInfo(object).path())));
    QSaveFile file(object); // complete under its final name, or not there
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit())
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(object, file.errorString())));
    QFile::setPermissions(object, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    return sha;
}

Result<QByteArray> ArtifactStore::readBytes(const QString &sha256, const QString &label) const
{
    const QString object = objectPath(m_root, sha256);
    QFile file(object);
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(Error::error(QStringLiteral("%1 (sha256 %2) is not in the artifact store %3: %4")
                                               .arg(label, sha256, m_root, file.errorString())));
    const QByteArray content = file.readAll();
    if (QString::fromLatin1(Sha256::hexOf(content)) != sha256.toLower())
        return tl::unexpected(
            Error::error(QStringLiteral("%1 in the artifact store (%2) is damaged: its content no longer has its hash")
                             .arg(label, object)));
    return content;
}

Result<ArtifactStore::ArtifactSet> ArtifactStore::collect(const QString &job, const QString &workspaceDir,
                                                          const QStringList &paths, const QStringList &exclude) const
{
    const QString rootCanon = QFileInfo(workspaceDir).canonicalFilePath();
    if (rootCanon.isEmpty() || !QFileInfo(rootCanon).isDir())
        return tl::unexpected(
            jobError(job, QStringLiteral("workspace %1 does not exist").arg(workspaceDir), workspaceDir));

    ArtifactSet set;
    set.job = job;
    Collector collector(rootCanon);
    for (const QString &entry : paths) {
        auto rel = normalise(entry, job, workspaceDir);
        if (!rel)
            return tl::unexpected(rel.error());
        if (GlobPattern::isLiteral(*rel)) {
            if (collector.exists(*rel))
                collector.add(*rel);
            else
                set.missing.append(entry);
            continue;
        }
        bool matched = false;
        for (const QString &candidate : collector.allPaths()) {
            if (GlobPattern::match(*rel, candidate)) {
                collector.add(candidate);
                matched = true;
            }
        }
        if (!matched)
            set.missing.append(entry);
    }

    QStringList excludePatterns;
    excludePatterns.reserve(exclude.size());
    for (const QString &pattern : exclude)
        excludePatterns.append(QDir::cleanPath(pattern.trimmed()));

    for (auto it = collector.skipped.cbegin(); it != collector.skipped.cend(); ++it) {
        if (!isExcluded(it.key(), excludePatterns))
            set.skipped.push_back({it.key(), it.value()});
    }
    for (auto it = collector.found.cbegin(); it != collector.found.cend(); ++it) {
        if (isExcluded(it.key(), excludePatterns))
            continue;
        auto stored = store(it.value(), it.key(), job);
        if (!stored)
            return tl::unexpected(stored.error());
        set.totalBytes += stored->size;
        set.files.push_back(std::move(*stored));
    }
    return set;
}

Result<void> ArtifactStore::stage(const ArtifactSet &set, const QString &workspaceDir) const
{
    if (!QDir().mkpath(workspaceDir))
        return tl::unexpected(
            jobError(set.job, QStringLiteral("cannot create workspace %1").arg(workspaceDir), workspaceDir));
    const QString rootCanon = QFileInfo(workspaceDir).canonicalFilePath();
    for (const StoredFile &file : set.files) {
        auto rel = normalise(file.path, set.job, workspaceDir);
        if (!rel)
            return tl::unexpected(rel.error());
        if (*rel == QLatin1String("."))
            return tl::unexpected(jobError(
                set.job, QStringLiteral("artifact path '%1' names the workspace itself").arg(file.path), workspaceDir));
        const QString object = objectPath(m_root, file.sha256);
        if (!isSha256(file.sha256) || !QFileInfo::exists(object))
            return tl::unexpected(jobError(
                set.job, QStringLiteral("artifact %1 (%2) is not in the store").arg(file.path, file.sha256), object));

        const QString dest = rootCanon + QLatin1Char('/') + *rel;
        const QString parent = QFileInfo(dest).path();
        if (!QDir().mkpath(parent))
            return tl::unexpected(jobError(set.job, QStringLiteral("cannot create directory %1").arg(parent), parent));
        // A symlink among the workspace's own directories must not carry the file elsewhere.
        if (!isInside(rootCanon, QFileInfo(parent).canonicalFilePath()))
            return tl::unexpected(jobError(
                set.job,
                QStringLiteral("artifact path '%1' leads outside the workspace through a symlink").arg(file.path),
                dest));
        const QFileInfo existing(dest);
        if (existing.isDir() && !existing.isSymLink())
            return tl::unexpected(jobError(
                set.job, QStringLiteral("cannot stage artifact '%1': a directory is in the way").arg(file.path), dest));
        // Artifacts replace what the checkout has at the same path; a symlink there is replaced,
        // not followed (QFile::remove unlinks the link itself).
        if ((existing.exists() || existing.isSymLink()) && !QFile::remove(dest))
            return tl::unexpected(jobError(set.job, QStringLiteral("cannot replace %1").arg(dest), dest));
        // QFile::copy clones (FICLONE) where the file system supports it, else copies.
        if (!QFile::copy(object, dest))
            return tl::unexpected(
                jobError(set.job, QStringLiteral("cannot copy artifact %1 to %2").arg(file.sha256, dest), dest));
        if (!QFile::setPermissions(dest, modeFor(file.executable)))
            return tl::unexpected(jobError(set.job, QStringLiteral("cannot set permissions of %1").arg(dest), dest));
    }
    return {};
}

QJsonObject ArtifactStore::toJson(const ArtifactSet &set)
{
    QJsonArray files;
    for (const StoredFile &file : set.files) {
        files.append(QJsonObject{{QStringLiteral("path"), file.path},
                                 {QStringLiteral("sha256"), file.sha256},
                                 {QStringLiteral("size"), double(file.size)},
                                 {QStringLiteral("executable"), file.executable}});
    }
    QJsonArray skipped;
    for (const SkippedPath &s : set.skipped)
        skipped.append(QJsonObject{{QStringLiteral("path"), s.path}, {QStringLiteral("reason"), s.reason}});
    return QJsonObject{{QStringLiteral("job"), set.job},
                       {QStringLiteral("files"), files},
                       {QStringLiteral("totalBytes"), double(set.totalBytes)},
                       {QStringLiteral("missing"), QJsonArray::fromStringList(set.missing)},
                       {QStringLiteral("skipped"), skipped}};
}

Result<ArtifactStore::ArtifactSet> ArtifactStore::fromJson(const QJsonObject &json)
{
    const auto bad = [](const QString &what) {
        return tl::unexpected(Error::error(QStringLiteral("invalid artifact set: %1").arg(what)));
    };
    if (!json.value(QStringLiteral("job")).isString() || !json.value(QStringLiteral("files")).isArray())
        return bad(QStringLiteral("'job' and 'files' are required"));
    ArtifactSet set;
    set.job = json.value(QStringLiteral("job")).toString();
    for (const QJsonValue &value : json.value(QStringLiteral("files")).toArray()) {
        const QJsonObject o = value.toObject();
        StoredFile file;
        file.path = o.value(QStringLiteral("path")).toString();
        file.sha256 = o.value(QStringLiteral("sha256")).toString();
        const QJsonValue size = o.value(QStringLiteral("size"));
        file.size = qint64(size.toDouble(-1));
        file.executable = o.value(QStringLiteral("executable")).toBool();
        const QString clean = QDir::cleanPath(file.path);
        if (file.path.isEmpty() || clean != file.path || QDir::isAbsolutePath(clean) || clean == QLatin1String("..") ||
            clean.startsWith(QLatin1String("../")) || clean == QLatin1String("."))
            return bad(QStringLiteral("bad file path '%1'").arg(file.path));
        if (!isSha256(file.sha256))
            return bad(QStringLiteral("bad sha256 '%1' for %2").arg(file.sha256, file.path));
        if (!size.isDouble() || file.size < 0)
            return bad(QStringLiteral("bad size for %1").arg(file.path));
        set.files.push_back(std::move(file));
    }
    set.totalBytes = qint64(json.value(QStringLiteral("totalBytes")).toDouble());
    for (const QJsonValue &value : json.value(QStringLiteral("missing")).toArray())
        set.missing.append(value.toString());
    for (const QJsonValue &value : json.value(QStringLiteral("skipped")).toArray()) {
        const QJsonObject o = value.toObject();
        set.skipped.push_back(
            {o.value(QStringLiteral("path")).toString(), o.value(QStringLiteral("reason")).toString()});
    }
    return set;
}

} // namespace trainyard::core
