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
#include <future>
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

/// The files version() found at its path, and whether that path is a directory.
struct Listing
{
    std::vector<Found> found;
    bool isDirectory = false;
};

/// Lists the regular files at `path` (`encoded` for the file system): those below a directory
/// that `filter` accepts, or the file itself.
Result<Listing> listFiles(const QString &path, const QByteArray &encoded, const DataVersioner::Filter &filter)
{
    struct stat top
    {
    };
    if (::stat(encoded.constData(), &top) != 0)
        return tl::unexpected(pathError(QStringLiteral("cannot read data path"), path, errno));
    Listing listing;
    std::vector<Found> &found = listing.found;
    if (S_ISDIR(top.st_mode)) {
        listing.isDirectory = true;
        const int fd = ::open(encoded.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return tl::unexpected(pathError(QStringLiteral("cannot open directory"), path, errno));
        if (auto walked = walk(fd, encoded, QString(), found); !walked)
            return tl::unexpected(walked.error());
        if (filter) {
            found.erase(std::remove_if(found.begin(), found.end(), [&](const Found &f) { return !filter(f.relative); }),
                        found.end());
        }
    } else if (S_ISREG(top.st_mode)) {
        Found f;
        f.relative = QFileInfo(path).fileName();
        f.absolute = encoded;
        f.stat.size = qint64(top.st_size);
        f.stat.mtimeNs = mtimeNs(top);
        f.stat.inode = quint64(top.st_ino);
        found.push_back(std::move(f));
    } else {
        return tl::unexpected(Error::error(QStringLiteral("data path %1 is neither a file nor a directory").arg(path),
                                           SourceLocation{path}));
    }
    return listing;
}

/// Which found files must be read: the rest have their hash from the cache.
struct HashPlan
{
    QStringList absolutes;      ///< every found file's absolute path, in the order found
    std::vector<size_t> toHash; ///< indexes of the files to read, largest first
    qint64 bytesToHash = 0;
    qint64 totalBytes = 0; ///< of every found file
};

/// Takes the hash from `cached` for every file whose size, mtime and inode it has unchanged, and
/// plans to read the others.
HashPlan planHashing(std::vector<Found> &found, const QHash<QString, CachedFileHash> &cached)
{
    HashPlan plan;
    plan.absolutes.reserve(qsizetype(found.size()));
    for (size_t i = 0; i < found.size(); ++i) {
        Found &f = found[i];
        plan.totalBytes += f.stat.size;
        plan.absolutes << QFile::decodeName(f.absolute);
        const auto it = cached.constFind(plan.absolutes.last());
        if (it != cached.cend() && it->size == f.stat.size && it->mtimeNs == f.stat.mtimeNs &&
            it->inode == f.stat.inode && it->sha256.size() == 64) {
            f.stat.sha256 = it->sha256;
            f.needsHash = false;
        } else {
            plan.toHash.push_back(i);
            plan.bytesToHash += f.stat.size;
        }
    }
    // Largest first, so one big file does not start last and run alone.
    std::sort(plan.toHash.begin(), plan.toHash.end(),
              [&](size_t a, size_t b) { return found[a].stat.size > found[b].stat.size; });
    return plan;
}

/// The planned files hashed on a thread pool, and what its workers share.
struct ParallelHash
{
    ParallelHash(std::vector<Found> &found, const HashPlan &plan, qint64 trustBeforeNs)
        : found(found)
        , absolutes(plan.absolutes)
        , toHash(plan.toHash)
        , trustBeforeNs(trustBeforeNs)
    {}

    std::vector<Found> &found;
    const QStringList &absolutes;
    const std::vector<size_t> &toHash;
    const qint64 trustBeforeNs; ///< files changed after it are hashed but not given to the cache

    std::atomic<qint64> doneBytes{0};
    std::atomic<qint64> doneFiles{0};
    std::atomic<qint64> readHere{0};
    std::atomic<size_t> next{0};
    std::atomic_bool stop{false};
    std::mutex errorMutex;
    std::optional<Error> firstError;
    QHash<QString, CachedFileHash> changed; ///< the hashes the cache may keep, by absolute path
    std::mutex changedMutex;

    /// Hashes the files on up to `threads` workers and waits for them: every 100 ms it stops them
    /// when `cancel` is set and reports `progress` (of `bytesToHash`).
    void run(int threads, qint64 bytesToHash, const DataVersioner::Progress &progress, const std::atomic_bool *cancel)
    {
        QThreadPool pool;
        const int workers = int(std::min<size_t>(size_t(threads), toHash.size()));
        pool.setMaxThreadCount(workers);
        for (int w = 0; w < workers; ++w)
            pool.start([this] { work(); });
        while (!pool.waitForDone(100)) {
            if (cancel && cancel->load())
                stop = true;
            if (progress)
                progress(doneBytes.load(), bytesToHash, doneFiles.load(), qint64(toHash.size()));
        }
    }

    /// One worker: hashes the next file not taken yet until none is left, one fails or `stop` is set.
    void work()
    {
        std::vector<unsigned char> buffer(kChunk);
        for (;;) {
            const size_t k = next.fetch_add(1);
            if (k >= toHash.size() || stop)
                return;
            const QString abs = absolutes[qsizetype(toHash[k])];
            if (!hashOne(found[toHash[k]], abs, buffer))
                return;
        }
    }

    /// Hashes `f` (at `abs`) into its stat, and keeps it for the cache when it can be trusted;
    /// false, with the first error kept and `stop` set, when it cannot be read.
    bool hashOne(Found &f, const QString &abs, std::vector<unsigned char> &buffer)
    {
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
            return false;
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
        return true;
    }
};

/// The versioned files of what was found, sorted by path as UTF-8 bytes.
std::vector<DataVersion::File> versionedFiles(const std::vector<Found> &found)
{
    std::vector<DataVersion::File> files;
    files.reserve(found.size());
    for (const Found &f : found)
        files.push_back(DataVersion::File{f.relative, f.stat.sha256, f.stat.size});
    sortByPathBytes(files);
    return files;
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

    // What the cache knows is read on another thread while this one walks the tree: the walk waits on
    // the kernel (one stat per file), the cache read on the database; each about as long as the other.
    std::future<QHash<QString, CachedFileHash>> fromCache;
    if (m_cache)
        fromCache = std::async(std::launch::async, [this, root = result.path] { return m_cache->entriesUnder(root); });
    Result<Listing> listing = listFiles(result.path, encoded, filter);
    QHash<QString, CachedFileHash> cached = fromCache.valid() ? fromCache.get() : QHash<QString, CachedFileHash>();
    if (!listing)
        return tl::unexpected(listing.error());
    result.isDirectory = listing->isDirectory;
    std::vector<Found> &found = listing->found;

    const HashPlan plan = planHashing(found, cached);
    result.totalBytes = plan.totalBytes;

    ParallelHash hashing(found, plan, trustBeforeNs);
    if (!plan.toHash.empty())
        hashing.run(m_threads, plan.bytesToHash, progress, cancel);
    m_bytesRead.fetch_add(hashing.readHere.load());
    if (hashing.firstError)
        return tl::unexpected(*hashing.firstError);
    if (hashing.stop || (cancel && cancel->load()))
        return tl::unexpected(
            Error::error(QStringLiteral("hashing %1 was cancelled").arg(result.path), SourceLocation{result.path}));
    if (progress)
        progress(plan.bytesToHash, plan.bytesToHash, qint64(plan.toHash.size()), qint64(plan.toHash.size()));

    result.bytesRead = hashing.readHere.load();
    result.filesRead = qint64(plan.toHash.size());
    result.files = versionedFiles(found);
    result.hash = result.isDirectory ? directoryHash(result.files) : result.files.front().sha256;

    if (m_cache) {
        if (auto stored = storeInCache(cached, plan.absolutes, hashing.changed, bool(filter)); !stored)
            return tl::unexpected(stored.error());
    }
    return result;
}

Result<void> DataVersioner::storeInCache(const QHash<QString, CachedFileHash> &cached, const QStringList &present,
                                         const QHash<QString, CachedFileHash> &changed, bool filtered) const
{
    QStringList removed;
    if (!filtered) {
        const QSet<QString> presentSet(present.cbegin(), present.cend());
        for (auto it = cached.cbegin(); it != cached.cend(); ++it) {
            if (!presentSet.contains(it.key()))
                removed << it.key();
        }
    }
    if (!changed.isEmpty() || !removed.isEmpty())
        return m_cache->update(changed, removed);
    return {};
}

} // namespace trainyard::core
