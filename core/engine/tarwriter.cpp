#include "tarwriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIODevice>

#include <archive.h>
#include <archive_entry.h>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace trainyard::core {

namespace {

QString cleanArchivePath(const QString &path)
{
    QString clean = QDir::cleanPath(QDir::fromNativeSeparators(path));
    while (clean.startsWith(QLatin1Char('/')))
        clean.remove(0, 1);
    if (clean.startsWith(QLatin1String("./")))
        clean.remove(0, 2);
    return clean == QLatin1String(".") ? QString() : clean;
}

qint64 epochSeconds(const QDateTime &mtime)
{
    // An unset time is the epoch, so archives of generated data are reproducible.
    return mtime.isValid() ? qMax<qint64>(0, mtime.toSecsSinceEpoch()) : 0;
}

QString readLinkTarget(const QString &path)
{
#ifdef Q_OS_UNIX
    // QFileInfo::symLinkTarget() resolves to an absolute path; the archive needs the link as written.
    const QByteArray encoded = QFile::encodeName(path);
    QByteArray buffer(4096, '\0');
    const ssize_t length = ::readlink(encoded.constData(), buffer.data(), size_t(buffer.size()));
    if (length >= 0)
        return QFile::decodeName(buffer.left(length));
#endif
    return QFileInfo(path).symLinkTarget();
}

} // namespace

TarWriter::TarWriter(QIODevice *device)
    : m_device(device)
    , m_archive(archive_write_new())
{
    archive_write_set_format_pax_restricted(m_archive);
    // The output ends right after the two zero blocks, not padded to tar's 10 KiB records.
    archive_write_set_bytes_per_block(m_archive, 64 * 1024);
    archive_write_set_bytes_in_last_block(m_archive, 1);
    archive_write_open2(m_archive, this, nullptr, &TarWriter::deviceWrite, nullptr, nullptr);
}

TarWriter::~TarWriter()
{
    archive_write_free(m_archive); // closes it first: an unfinished archive still ends properly
}

ssize_t TarWriter::deviceWrite(struct archive *, void *self, const void *buffer, size_t length)
{
    auto *writer = static_cast<TarWriter *>(self);
    const qint64 written = writer->m_device->write(static_cast<const char *>(buffer), qint64(length));
    if (written != qint64(length)) {
        writer->m_deviceError = writer->m_device->errorString();
        return -1;
    }
    writer->m_written += written;
    return la_ssize_t(written);
}

int TarWriter::unixMode(const QString &path)
{
    const QFileDevice::Permissions p = QFileInfo(path).permissions();
    int mode = 0;
    mode |= p.testFlag(QFileDevice::ReadOwner) ? 0400 : 0;
    mode |= p.testFlag(QFileDevice::WriteOwner) ? 0200 : 0;
    mode |= p.testFlag(QFileDevice::ExeOwner) ? 0100 : 0;
    mode |= p.testFlag(QFileDevice::ReadGroup) ? 040 : 0;
    mode |= p.testFlag(QFileDevice::WriteGroup) ? 020 : 0;
    mode |= p.testFlag(QFileDevice::ExeGroup) ? 010 : 0;
    mode |= p.testFlag(QFileDevice::ReadOther) ? 04 : 0;
    mode |= p.testFlag(QFileDevice::WriteOther) ? 02 : 0;
    mode |= p.testFlag(QFileDevice::ExeOther) ? 01 : 0;
    return mode;
}

Result<void> TarWriter::failure(const QString &what) const
{
    const char *reason = archive_error_string(m_archive);
    QString message =
        QStringLiteral("tar: %1: %2").arg(what, reason ? QString::fromUtf8(reason) : QStringLiteral("failed"));
    if (!m_deviceError.isEmpty())
        message += QStringLiteral(" (%1)").arg(m_deviceError);
    return tl::make_unexpected(Error::error(message));
}

Result<void> TarWriter::writeHeader(const QString &archivePath, Type type, qint64 size, int mode,
                                    const QDateTime &mtime, const QString &linkTarget)
{
    if (m_finished)
        return tl::make_unexpected(Error::error(QStringLiteral("tar: entry added after finish()")));
    QByteArray path = archivePath.toUtf8();
    if (type == Type::Directory && !path.endsWith('/'))
        path.append('/');
    archive_entry *entry = archive_entry_new();
    archive_entry_set_pathname_utf8(entry, path.constData());
    const int fileType = type == Type::File ? AE_IFREG : type == Type::Directory ? AE_IFDIR : AE_IFLNK;
    archive_entry_set_filetype(entry, unsigned(fileType));
    archive_entry_set_perm(entry, mode_t(mode & 07777));
    archive_entry_set_size(entry, type == Type::File ? size : 0);
    archive_entry_set_uid(entry, 0);
    archive_entry_set_gid(entry, 0);
    archive_entry_set_mtime(entry, time_t(epochSeconds(mtime)), 0);
    if (type == Type::Symlink)
        archive_entry_set_symlink_utf8(entry, linkTarget.toUtf8().constData());
    const int status = archive_write_header(m_archive, entry);
    archive_entry_free(entry);
    if (status < ARCHIVE_WARN)
        return failure(QStringLiteral("writing the entry %1").arg(archivePath));
    return {};
}

Result<void> TarWriter::writeData(const char *data, qint64 size)
{
    while (size > 0) {
        const la_ssize_t n = archive_write_data(m_archive, data, size_t(size));
        if (n <= 0)
            return failure(QStringLiteral("writing data"));
        data += n;
        size -= n;
    }
    return {};
}

Result<void> TarWriter::addData(const QString &archivePath, const QByteArray &data, int mode, const QDateTime &mtime)
{
    if (auto r = writeHeader(cleanArchivePath(archivePath), Type::File, data.size(), mode, mtime); !r)
        return r;
    return writeData(data.constData(), data.size());
}

Result<void> TarWriter::addDirectory(const QString &archivePath, int mode, const QDateTime &mtime)
{
    return writeHeader(cleanArchivePath(archivePath), Type::Directory, 0, mode, mtime);
}

Result<void> TarWriter::addSymlink(const QString &archivePath, const QString &target, const QDateTime &mtime)
{
    return writeHeader(cleanArchivePath(archivePath), Type::Symlink, 0, 0777, mtime, target);
}

Result<void> TarWriter::addFile(const QString &archivePath, const QString &sourceFile)
{
    QFile file(sourceFile);
    if (!file.open(QIODevice::ReadOnly))
        return tl::make_unexpected(
            Error::error(QStringLiteral("tar: cannot read %1: %2").arg(sourceFile, file.errorString())));
    const QFileInfo info(sourceFile);
    const qint64 size = file.size();
    if (auto r =
            writeHeader(cleanArchivePath(archivePath), Type::File, size, unixMode(sourceFile), info.lastModified());
        !r)
        return r;
    // Exactly `size` bytes follow the header, even if the file changes while it is read.
    qint64 remaining = size;
    QByteArray chunk;
    while (remaining > 0) {
        chunk = file.read(qMin<qint64>(remaining, 256 * 1024));
        if (chunk.isEmpty())
            chunk = QByteArray(int(qMin<qint64>(remaining, 256 * 1024)), '\0');
        if (auto r = writeData(chunk.constData(), chunk.size()); !r)
            return r;
        remaining -= chunk.size();
    }
    return {};
}

Result<void> TarWriter::addTree(const QString &dir, const Filter &filter)
{
    if (!QFileInfo(dir).isDir())
        return tl::make_unexpected(Error::error(QStringLiteral("tar: not a directory: %1").arg(dir)));
    return addTreeRecursive(dir, QString(), filter);
}

Result<void> TarWriter::addTreeRecursive(const QString &dir, const QString &relative, const Filter &filter)
{
    const QFileInfoList entries =
        QDir(dir).entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &entry : entries) {
        const QString rel = relative.isEmpty() ? entry.fileName() : relative + QLatin1Char('/') + entry.fileName();
        const QString path = entry.filePath();
        const bool isLink = entry.isSymLink();
        const bool isDir = !isLink && entry.isDir();
        if (filter && !filter(rel, isDir))
            continue;
        Result<void> r;
        if (isLink)
            r = addSymlink(rel, readLinkTarget(path), entry.lastModified());
        else if (isDir) {
            r = addDirectory(rel, unixMode(path), entry.lastModified());
            if (r)
                r = addTreeRecursive(path, rel, filter);
        } else if (entry.isFile())
            r = addFile(rel, path);
        if (!r)
            return r;
    }
    return {};
}

Result<void> TarWriter::finish()
{
    if (m_finished)
        return tl::make_unexpected(Error::error(QStringLiteral("tar: finish() called twice")));
    m_finished = true;
    if (archive_write_close(m_archive) != ARCHIVE_OK)
        return failure(QStringLiteral("ending the archive"));
    return {};
}

} // namespace trainyard::core
