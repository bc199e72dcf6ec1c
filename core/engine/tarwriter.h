#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <functional>

#include <sys/types.h>

class QIODevice;
struct archive;

namespace trainyard::core {

/// Writes a tar archive to a device, entry by entry, as Docker's build context wants it: the
/// entries are encoded by libarchive, in its restricted pax format (plain ustar, with a pax
/// extended header only for what ustar cannot hold: long paths and link targets, sizes of 8 GiB
/// and more), which GNU tar and Go's archive/tar (the Docker daemon) both read. Owner and group
/// are 0 with no names, so the archive does not depend on who packs it. This class walks the
/// tree (sorted, filtered, symlinks kept) and streams file contents in chunks, never whole.
class TarWriter final
{
public:
    /// Decides whether an entry of addTree() goes into the archive; `relativePath` is '/'-separated.
    using Filter = std::function<bool(const QString &relativePath, bool isDir)>;

    /// `device` must be open for writing and outlive the writer.
    explicit TarWriter(QIODevice *device);
    ~TarWriter();
    TarWriter(const TarWriter &) = delete;
    TarWriter &operator=(const TarWriter &) = delete;

    /// A regular file with content, mode and mtime taken from `sourceFile` on disk.
    Result<void> addFile(const QString &archivePath, const QString &sourceFile);
    /// A regular file with the given content.
    Result<void> addData(const QString &archivePath, const QByteArray &data, int mode = 0644,
                         const QDateTime &mtime = {});
    Result<void> addDirectory(const QString &archivePath, int mode = 0755, const QDateTime &mtime = {});
    /// A symbolic link; `target` is stored as given (relative or absolute), never followed.
    Result<void> addSymlink(const QString &archivePath, const QString &target, const QDateTime &mtime = {});

    /// Adds everything below `dir` (not `dir` itself), sorted by name, symlinks as symlinks;
    /// sockets, FIFOs and devices are skipped. A directory the filter rejects is not entered.
    Result<void> addTree(const QString &dir, const Filter &filter = {});

    /// Ends the archive (its two zero blocks) and flushes it to the device. Nothing may be added afterwards.
    Result<void> finish();

    /// Bytes handed to the device so far (all of them once finish() returned).
    qint64 bytesWritten() const { return m_written; }

    /// The Unix permission bits (07777 subset Qt can see) of a file on disk.
    static int unixMode(const QString &path);

private:
    enum class Type { File, Symlink, Directory };

    /// Writes an entry's header; its `size` bytes of content follow through writeData().
    Result<void> writeHeader(const QString &archivePath, Type type, qint64 size, int mode, const QDateTime &mtime,
                             const QString &linkTarget = {});
    Result<void> writeData(const char *data, qint64 size);
    Result<void> failure(const QString &what) const;
    Result<void> addTreeRecursive(const QString &dir, const QString &relative, const Filter &filter);
    static ssize_t deviceWrite(struct archive *, void *self, const void *buffer, size_t length);

    QIODevice *m_device;
    struct archive *m_archive = nullptr;
    qint64 m_written = 0;
    bool m_finished = false;
    QString m_deviceError; ///< why the device refused bytes, for the error libarchive then reports
};

} // namespace trainyard::core
