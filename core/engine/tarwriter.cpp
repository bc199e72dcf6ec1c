#include "tarwriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIODevice>

#include <cstring>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace trainyard::core {

namespace {

constexpr int BlockSize = 512;
constexpr qint64 MaxOctal11 = (qint64(1) << 33) - 1; // 11 octal digits

// Field offsets and lengths of the ustar header.
constexpr int NameOffset = 0, NameLength = 100;
constexpr int ModeOffset = 100, UidOffset = 108, GidOffset = 116, SizeOffset = 124, MtimeOffset = 136;
constexpr int ChecksumOffset = 148, TypeOffset = 156, LinkOffset = 157, LinkLength = 100;
constexpr int MagicOffset = 257, PrefixOffset = 345, PrefixLength = 155;

void putBytes(QByteArray &header, int offset, int length, const QByteArray &value)
{
    std::memcpy(header.data() + offset, value.constData(), size_t(qMin<qsizetype>(length, value.size())));
}

/// Octal, zero-padded, NUL-terminated; base-256 (GNU) when the value does not fit.
void putNumber(QByteArray &header, int offset, int length, qint64 value)
{
    const int digits = length - 1;
    if (value >= 0 && (digits >= 21 || value < (qint64(1) << (3 * digits)))) {
        putBytes(header, offset, digits, QByteArray::number(value, 8).rightJustified(digits, '0'));
        return;
    }
    header[offset] = char(0x80);
    for (int i = length - 1; i > 0; --i, value >>= 8)
        header[offset + i] = char(value & 0xff);
}

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
{}

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

Result<void> TarWriter::write(const QByteArray &bytes)
{
    if (m_finished)
        return tl::make_unexpected(Error::error(QStringLiteral("tar: entry added after finish()")));
    if (m_device->write(bytes) != bytes.size())
        return tl::make_unexpected(Error::error(QStringLiteral("tar: write failed: %1").arg(m_device->errorString())));
    m_written += bytes.size();
    return {};
}

Result<void> TarWriter::pad(qint64 size)
{
    const qint64 rest = size % BlockSize;
    return rest == 0 ? Result<void>{} : write(QByteArray(int(BlockSize - rest), '\0'));
}

Result<void> TarWriter::writeLongRecord(Type type, const QByteArray &value)
{
    QByteArray data = value;
    data.append('\0');
    if (auto r = writeHeader(QStringLiteral("././@LongLink"), type, data.size(), 0, {}); !r)
        return r;
    if (auto r = write(data); !r)
        return r;
    return pad(data.size());
}

Result<void> TarWriter::writeHeader(const QString &archivePath, Type type, qint64 size, int mode,
                                    const QDateTime &mtime, const QString &linkTarget)
{
    QByteArray path = archivePath.toUtf8();
    if (type == Type::Directory && !path.endsWith('/'))
        path.append('/');
    QByteArray name = path;
    QByteArray prefix;
    bool gnu = type == Type::LongName || type == Type::LongLink;

    if (path.size() > NameLength) {
        // ustar: the earliest '/' that leaves a name of at most 100 bytes, if the prefix fits.
        qsizetype split = -1;
        for (qsizetype i = path.indexOf('/'); i >= 0 && i < path.size() - 1; i = path.indexOf('/', i + 1)) {
            if (path.size() - i - 1 <= NameLength) {
                split = i;
                break;
            }
        }
        if (split >= 0 && split <= PrefixLength) {
            prefix = path.left(split);
            name = path.mid(split + 1);
        } else {
            if (auto r = writeLongRecord(Type::LongName, path); !r)
                return r;
            name = path.left(NameLength);
            gnu = true;
        }
    }
    QByteArray link = linkTarget.toUtf8();
    if (link.size() > LinkLength) {
        if (auto r = writeLongRecord(Type::LongLink, link); !r)
            return r;
        link = link.left(LinkLength);
        gnu = true;
    }

    QByteArray header(BlockSize, '\0');
    putBytes(header, NameOffset, NameLength, name);
    putNumber(header, ModeOffset, 8, mode & 07777);
    putNumber(header, UidOffset, 8, 0);
    putNumber(header, GidOffset, 8, 0);
    putNumber(header, SizeOffset, 12, size);
    putNumber(header, MtimeOffset, 12, epochSeconds(mtime));
    header[TypeOffset] = char(type);
    putBytes(header, LinkOffset, LinkLength, link);
    // GNU headers (which a long-name record makes this one) have no prefix field: "ustar  \0".
    putBytes(header, MagicOffset, 8,
             gnu ? QByteArray("ustar  \0", 8)
                 : QByteArray("ustar\0"
                              "00",
                              8));
    if (!gnu)
        putBytes(header, PrefixOffset, PrefixLength, prefix);

    std::memset(header.data() + ChecksumOffset, ' ', 8);
    unsigned checksum = 0;
    for (char c : std::as_const(header))
        checksum += static_cast<unsigned char>(c);
    putBytes(header, ChecksumOffset, 7, QByteArray::number(checksum, 8).rightJustified(6, '0') + '\0');
    return write(header);
}

Result<void> TarWriter::addData(const QString &archivePath, const QByteArray &data, int mode, const QDateTime &mtime)
{
    if (auto r = writeHeader(cleanArchivePath(archivePath), Type::File, data.size(), mode, mtime); !r)
        return r;
    if (auto r = write(data); !r)
        return r;
    return pad(data.size());
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
        if (auto r = write(chunk); !r)
            return r;
        remaining -= chunk.size();
    }
    return pad(size);
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
    if (auto r = write(QByteArray(2 * BlockSize, '\0')); !r)
        return r;
    m_finished = true;
    return {};
}

} // namespace trainyard::core
