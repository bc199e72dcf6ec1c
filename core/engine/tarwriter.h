#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <functional>

class QIODevice;

namespace trainyard::core {

/// Writes a tar archive to a device, entry by entry, as Docker's build context wants it.
///
/// Entries are POSIX ustar (uid/gid 0, no user names). A path that does not fit the 100-byte
/// name field is split into the 155-byte ustar prefix at a '/'; a path that cannot be split so
/// (or a symlink target over 100 bytes) gets a GNU long-name record ('L' / 'K') before its
/// header, which GNU tar and Go's archive/tar (the Docker daemon) both read. Sizes of 8 GiB and
/// more use GNU base-256 numbers. File contents are copied in chunks, never held whole.
class TarWriter final
{
public:
    /// Decides whether an entry of addTree() goes into the archive; `relativePath` is '/'-separated.
    using Filter = std::function<bool(const QString &relativePath, bool isDir)>;

    /// `device` must be open for writing and outlive the writer.
    explicit TarWriter(QIODevice *device);

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

    /// Writes the two zero blocks that end the archive. Nothing may be added afterwards.
    Result<void> finish();

    qint64 bytesWritten() const { return m_written; }

    /// The Unix permission bits (07777 subset Qt can see) of a file on disk.
    static int unixMode(const QString &path);

private:
    enum class Type : char { File = '0', Symlink = '2', Directory = '5', LongName = 'L', LongLink = 'K' };

    Result<void> writeHeader(const QString &archivePath, Type type, qint64 size, int mode, const QDateTime &mtime,
                             const QString &linkTarget = {});
    Result<void> writeLongRecord(Type type, const QByteArray &value);
    Result<void> write(const QByteArray &bytes);
    Result<void> pad(qint64 size);
    Result<void> addTreeRecursive(const QString &dir, const QString &relative, const Filter &filter);

    QIODevice *m_device;
    qint64 m_written = 0;
    bool m_finished = false;
};

} // namespace trainyard::core
