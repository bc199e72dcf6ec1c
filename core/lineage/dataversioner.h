#pragma once

#include "common/error.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

namespace trainyard::core {

/// What the stat cache knows of a file: when its size, mtime (ns) and inode are unchanged, its
/// content is taken to be unchanged and its hash is not computed again.
struct CachedFileHash
{
    qint64 size = 0;
    qint64 mtimeNs = 0;
    quint64 inode = 0;
    QString sha256;
};

/// Where DataVersioner keeps file hashes between calls, keyed by absolute path.
/// LineageStore::hashCache() keeps them in the lineage database; MemoryHashCache in memory.
class HashCache
{
public:
    virtual ~HashCache() = default;
    /// Every entry whose path is `root` or below it. Called on a thread of DataVersioner's own while it
    /// walks the files, never at the same time as update().
    virtual QHash<QString, CachedFileHash> entriesUnder(const QString &root) = 0;
    /// Adds or replaces `changed`, and forgets `removed` (files gone from below the root).
    virtual Result<void> update(const QHash<QString, CachedFileHash> &changed, const QStringList &removed) = 0;
};

/// A HashCache that lives as long as the object (tests, one-off checks).
class MemoryHashCache final : public HashCache
{
public:
    QHash<QString, CachedFileHash> entriesUnder(const QString &root) override;
    Result<void> update(const QHash<QString, CachedFileHash> &changed, const QStringList &removed) override;
    qsizetype size() const;

private:
    mutable std::mutex m_mutex;
    QHash<QString, CachedFileHash> m_entries;
};

/// The content version of a file or directory.
struct DataVersion
{
    struct File
    {
        QString path;   ///< relative to the versioned directory, '/'-separated
        QString sha256; ///< 64 lowercase hex digits
        qint64 size = 0;
    };

    QString path; ///< absolute path that was versioned
    bool isDirectory = false;
    QString hash;            ///< see DataVersioner for the exact format
    std::vector<File> files; ///< sorted by path (bytes of UTF-8); one entry for a single file
    qint64 totalBytes = 0;
    qint64 bytesRead = 0; ///< bytes actually read by this call (0 when the stat cache had everything)
    qint64 filesRead = 0;
};

/// Content hashes of data inputs: SHA-256 with OpenSSL's EVP (SHA extensions where the CPU has
/// them), files hashed in parallel on a QThreadPool, and a stat cache that lets an unchanged
/// dataset be re-verified without reading it.
///
/// The version of a **file** is the SHA-256 of its content, as 64 lowercase hex digits (what
/// `sha256sum FILE` prints). The version of a **directory** is the SHA-256 of this text, as 64
/// lowercase hex digits:
///
///     for every regular file below the directory, sorted by its relative path compared as
///     UTF-8 bytes (what `LC_ALL=C sort` does):
///         <64 lowercase hex digits of the file's SHA-256> SPACE SPACE <relative path> LF
///
/// i.e. exactly the lines `sha256sum` prints for the files when run inside the directory, so
///     cd DIR && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum
/// gives the same hash (for paths without newlines or backslashes, which sha256sum escapes).
/// Relative paths use '/' and never start with "./". Hidden files are included; symbolic links
/// to files count as the file they point to; symbolic links to directories are not followed;
/// empty directories contribute nothing (an empty directory hashes the empty text).
///
/// The stat cache trusts a file whose (size, mtime in ns, inode) is unchanged. A file whose mtime
/// is not at least kRacyWindowMs older than the start of the call is hashed but not cached, so a
/// write landing in the same coarse timestamp tick as the hash cannot be missed later.
class DataVersioner final
{
public:
    static constexpr qint64 kRacyWindowMs = 50;

    /// Called on the calling thread while hashing: bytes and files done so far, and in all.
    using Progress = std::function<void(qint64 doneBytes, qint64 totalBytes, qint64 doneFiles, qint64 totalFiles)>;
    /// Decides which files of a directory count, by relative path (e.g. `.dockerignore`).
    using Filter = std::function<bool(const QString &relativePath)>;

    /// `cache` may be null (every file is read); `threads` 0 = one per CPU core.
    explicit DataVersioner(HashCache *cache = nullptr, int threads = 0);

    /// Versions a file or a directory. Errors name the path that could not be read; a cancelled
    /// call returns an Error saying so.
    Result<DataVersion> version(const QString &path, const Progress &progress = {},
                                const std::atomic_bool *cancel = nullptr, const Filter &filter = {}) const;

    /// Bytes read from files by this versioner since it was made (a test and bench counter).
    qint64 bytesRead() const { return m_bytesRead.load(); }

    /// The directory hash of `files` (sorted here), in the format above.
    static QString directoryHash(std::vector<DataVersion::File> files);
    /// SHA-256 of a file's content, as lowercase hex; adds what it read to `bytesRead`.
    static Result<QString> hashFile(const QString &path, std::atomic<qint64> *bytesRead = nullptr);
    /// SHA-256 of bytes, as lowercase hex.
    static QString sha256Hex(const QByteArray &data);

private:
    /// Stores `changed` in the cache and, unless `filtered`, forgets the `cached` paths not `present`.
    Result<void> storeInCache(const QHash<QString, CachedFileHash> &cached, const QStringList &present,
                              const QHash<QString, CachedFileHash> &changed, bool filtered) const;

    HashCache *m_cache;
    int m_threads;
    mutable std::atomic<qint64> m_bytesRead{0};
};

} // namespace trainyard::core
