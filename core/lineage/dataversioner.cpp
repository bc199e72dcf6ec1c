#include "dataversioner.h"

#include "common/sha256.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QThread>
#include <QThreadPool>

#include <algorithm>
#include <memory>
#include <optional>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace trainyard::core {

namespace {

constexpr size_t kChunk = size_t(1) << 20;

qint64 mtimeNs(const struct stat &st)
{
    return qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

Error pathError(const QString &what, const QString &path, int error)
{
    return Error::error(QStringLiteral("%1 %2: %3").arg(what, path, errnoText(error)), SourceLocation{path});
}

/// A file found by the walk, with what stat said of it.
struct Found
{
    QString relative;
    QByteArray absolute; ///< encoded for the file system
    CachedFileHash stat;
    bool needsHash = true;
};

/// Walks `dir` (an open directory) depth first, adding regular files (and symlinks to them).
Result<void> walk(int dirFd, const QByteArray &absDir, const QString &relDir, std::vector<Found> &out)
{
    DIR *d = ::fdopendir(dirFd);
    if (!d) {
        const int e = errno;
        ::close(dirFd);
        return tl::unexpected(pathError(QStringLiteral("cannot read directory"), QFile::decodeName(absDir), e));
    }
    std::unique_ptr<DIR, int (*)(DIR *)> guard(d, ::closedir);
    while (dirent *entry = ::readdir(d)) {
        const char *name = entry->d_name;
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
            continue;
        const QByteArray absPath = absDir + '/' + name;
        const QString rel = relDir.isEmpty() ? QFile::decodeName(name) : relDir + u'/' + QFile::decodeName(name);
        struct stat st
        {
        };
        // Follow a symlink to see what it is: a file counts as its target, a directory is skipped.
        if (::fstatat(::dirfd(d), name, &st, 0) != 0) {
            if (entry->d_type == DT_LNK)
                continue; // dangling symlink: nothing to version
            return tl::unexpected(pathError(QStringLiteral("cannot stat"), QFile::decodeName(absPath), errno));
        }
        if (S_ISDIR(st.st_mode)) {
            struct stat lst
            {
            };
            if (::fstatat(::dirfd(d), name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
                continue;
            const int fd = ::openat(::dirfd(d), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0)
                return tl::unexpected(
                    pathError(QStringLiteral("cannot open directory"), QFile::decodeName(absPath), errno));
            if (auto ok = walk(fd, absPath, rel, out); !ok)
                return ok;
        } else if (S_ISREG(st.st_mode)) {
            Found f;
            f.relative = rel;
            f.absolute = absPath;
            f.stat.size = qint64(st.st_size);
            f.stat.mtimeNs = mtimeNs(st);
            f.stat.inode = quint64(st.st_ino);
            out.push_back(std::move(f));
        }
    }
    return {};
}

/// Hashes an open file; fills `st` with fstat of the same file.
Result<QString> hashFd(int fd, const QString &path, std::vector<unsigned char> &buffer, std::atomic<qint64> *bytesRead,
                       std::atomic<qint64> *progressBytes, const std::atomic_bool *stop)
{
    Sha256 hash;
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    for (;;) {
        if (stop && stop->load(std::memory_order_relaxed))
            return tl::unexpected(Error::error(QStringLiteral("cancelled")));
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return tl::unexpected(pathError(QStringLiteral("cannot read"), path, errno));
        }
        if (n == 0)
            break;
        hash.add(buffer.data(), n);
        if (bytesRead)
            bytesRead->fetch_add(n, std::memory_order_relaxed);
        if (progressBytes)
            progressBytes->fetch_add(n, std::memory_order_relaxed);
    }
    return QString::fromLatin1(hash.hex());
}

/// Sorts by path compared as UTF-8 bytes (the order `LC_ALL=C sort` gives), keys computed once.
void sortByPathBytes(std::vector<DataVersion::File> &files)
{
    std::vector<std::pair<QByteArray, size_t>> keys;
    keys.reserve(files.size());
    for (size_t i = 0; i < files.size(); ++i)
        keys.emplace_back(files[i].path.toUtf8(), i);
    std::sort(keys.begin(), keys.end());
    std::vector<DataVersion::File> sorted;
    sorted.reserve(files.size());
    for (const auto &k : keys)
        sorted.push_back(std::move(files[k.second]));
    files = std::move(sorted);
}

} // namespace

QHash<QString, CachedFileHash> MemoryHashCache::entriesUnder(const QString &root)
{
    std::lock_guard lock(m_mutex);
    QHash<QString, CachedFileHash> out;
    const QString prefix = root + u'/';
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it.key() == root || it.key().startsWith(prefix))
            out.insert(it.key(), it.value());
    }
    return out;
}

Result<void> MemoryHashCache::update(const QHash<QString, CachedFileHash> &changed, const QStringList &removed)
{
    std::lock_guard lock(m_mutex);
    for (const QString &path : removed)
        m_entries.remove(path);
    for (auto it = changed.cbegin(); it != changed.cend(); ++it)
        m_entries.insert(it.key(), it.value());
    return {};
}

qsizetype MemoryHashCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

DataVersioner::DataVersioner(HashCache *cache, int threads)
    : m_cache(cache)
    , m_threads(threads > 0 ? threads : std::max(1, QThread::idealThreadCount()))
{}

QString DataVersioner::sha256Hex(const QByteArray &data)
{
    return QString::fromLatin1(Sha256::hexOf(data));
}

QString DataVersioner::directoryHash(std::vector<DataVersion::File> files)
{
    sortByPathBytes(files);
    QByteArray text;
    for (const DataVersion::File &f : files)
        text += f.sha256.toLatin1() + "  " + f.path.toUtf8() + '\n';
    return sha256Hex(text);
}

Result<QString> DataVersioner::hashFile(const QString &path, std::atomic<qint64> *bytesRead)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tl::unexpected(pathError(QStringLiteral("cannot open"), path, errno));
    std::vector<unsigned char> buffer(kChunk);
    auto hash = hashFd(fd, path, buffer, bytesRead, nullptr, nullptr);
    ::close(fd);
    return hash;
}

Result<DataVersion> DataVersioner::version(const QString &path, const Progress &progress,
                                           const std::atomic_bool *cancel, const Filter &filter) const
{
    DataVersion result;
    result.path = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    const QByteArray encoded = QFile::encodeName(result.path);
    // Files changed after this moment (less the window) are hashed but not trusted by the cache.
    const qint64 trustBeforeNs = (QDateTime::currentMSecsSinceEpoch() - kRacyWindowMs) * 1'000'000;

    struct stat top
    {
    };
    if (::stat(encoded.constData(), &top) != 0)
        return tl::unexpected(pathError(QStringLiteral("cannot read data path"), result.path, errno));
    std::vector<Found> found;
    if (S_ISDIR(top.st_mode)) {
        result.isDirectory = true;
        const int fd = ::open(encoded.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return tl::unexpected(pathError(QStringLiteral("cannot open directory"), result.path, errno));
        if (auto walked = walk(fd, encoded, QString(), found); !walked)
            return tl::unexpected(walked.error());
        if (filter) {
            found.erase(std::remove_if(found.begin(), found.end(), [&](const Found &f) { return !filter(f.relative); }),
                        found.end());
        }
    } else if (S_ISREG(top.st_mode)) {
        Found f;
        f.relative = QFileInfo(result.path).fileName();
        f.absolute = encoded;
        f.stat.size = qint64(top.st_size);
        f.stat.mtimeNs = mtimeNs(top);
        f.stat.inode = quint64(top.st_ino);
        found.push_back(std::move(f));
    } else {
        return tl::unexpected(
            Error::error(QStringLiteral("data path %1 is neither a file nor a directory").arg(result.path),
                         SourceLocation{result.path}));
    }

    // What the cache already knows.
    QHash<QString, CachedFileHash> cached;
    if (m_cache)
        cached = m_cache->entriesUnder(result.path);
    QStringList absolutes;
    absolutes.reserve(qsizetype(found.size()));
    std::vector<size_t> toHash;
    qint64 bytesToHash = 0;
    for (size_t i = 0; i < found.size(); ++i) {
        Found &f = found[i];
        result.totalBytes += f.stat.size;
        absolutes << QFile::decodeName(f.absolute);
        const auto it = cached.constFind(absolutes.last());
        if (it != cached.cend() && it->size == f.stat.size && it->mtimeNs == f.stat.mtimeNs &&
            it->inode == f.stat.inode && it->sha256.size() == 64) {
            f.stat.sha256 = it->sha256;
            f.needsHash = false;
        } else {
            toHash.push_back(i);
            bytesToHash += f.stat.size;
        }
    }
    // Largest first, so one big file does not start last and run alone.
    std::sort(toHash.begin(), toHash.end(),
              [&](size_t a, size_t b) { return found[a].stat.size > found[b].stat.size; });

    std::atomic<qint64> doneBytes{0};
    std::atomic<qint64> doneFiles{0};
    std::atomic<qint64> readHere{0};
    std::atomic<size_t> next{0};
    std::atomic_bool stop{false};
    std::mutex errorMutex;
    std::optional<Error> firstError;
    QHash<QString, CachedFileHash> changed;
    std::mutex changedMutex;

    const auto work = [&] {
        std::vector<unsigned char> buffer(kChunk);
        for (;;) {
            const size_t k = next.fetch_add(1);
            if (k >= toHash.size() || stop)
                return;
            Found &f = found[toHash[k]];
            const QString abs = absolutes[qsizetype(toHash[k])];
            const int fd = ::open(f.absolute.constData(), O_RDONLY | O_CLOEXEC);
            Result<QString> hash =
                fd < 0 ? Result<QString>(tl::unexpected(pathError(QStringLiteral("cannot open"), abs, errno)))
                       : hashFd(fd, abs, buffer, &readHere, &doneBytes, &stop);
            struct stat after
            {
            };
            const bool statOk = fd >= 0 && ::fstat(fd, &after) == 0;
            if (fd >= 0)
                ::close(fd);
            if (!hash) {
                std::lock_guard lock(errorMutex);
                if (!firstError)
                    firstError = hash.error();
                stop = true;
                return;
            }
            f.stat.sha256 = *hash;
            doneFiles.fetch_add(1);
            // Cache only what did not change while it was read and is old enough to be trusted.
            const bool stable = statOk && qint64(after.st_size) == f.stat.size && mtimeNs(after) == f.stat.mtimeNs &&
                                quint64(after.st_ino) == f.stat.inode;
            if (stable && f.stat.mtimeNs < trustBeforeNs) {
                std::lock_guard lock(changedMutex);
                changed.insert(abs, f.stat);
            }
        }
    };

    if (!toHash.empty()) {
        QThreadPool pool;
        const int workers = int(std::min<size_t>(size_t(m_threads), toHash.size()));
        pool.setMaxThreadCount(workers);
        for (int w = 0; w < workers; ++w)
            pool.start(work);
        while (!pool.waitForDone(100)) {
            if (cancel && cancel->load())
                stop = true;
            if (progress)
                progress(doneBytes.load(), bytesToHash, doneFiles.load(), qint64(toHash.size()));
        }
    }
    m_bytesRead.fetch_add(readHere.load());
    if (firstError)
        return tl::unexpected(*firstError);
    if (stop || (cancel && cancel->load()))
        return tl::unexpected(
            Error::error(QStringLiteral("hashing %1 was cancelled").arg(result.path), SourceLocation{result.path}));
    if (progress)
        progress(bytesToHash, bytesToHash, qint64(toHash.size()), qint64(toHash.size()));

    result.bytesRead = readHere.load();
    result.filesRead = qint64(toHash.size());
    result.files.reserve(found.size());
    for (const Found &f : found)
        result.files.push_back(DataVersion::File{f.relative, f.stat.sha256, f.stat.size});
    sortByPathBytes(result.files);
    result.hash = result.isDirectory ? directoryHash(result.files) : result.files.front().sha256;

    if (m_cache) {
        QStringList removed;
        if (!filter) {
            const QSet<QString> present(absolutes.cbegin(), absolutes.cend());
            for (auto it = cached.cbegin(); it != cached.cend(); ++it) {
                if (!present.contains(it.key()))
                    removed << it.key();
            }
        }
        if (!changed.isEmpty() || !removed.isEmpty()) {
            if (auto stored = m_cache->update(changed, removed); !stored)
                return tl::unexpected(stored.error());
        }
    }
    return result;
}

} // namespace trainyard::core
