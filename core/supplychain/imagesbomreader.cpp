#include "imagesbomreader.h"

#include "engine/containerspec.h"
#include "engine/dockerclient.h"

#include <QUuid>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <thread>
#include <unistd.h>

namespace trainyard::core {

namespace {

/// A package database larger than this is not one (a file that merely has the name).
constexpr la_int64_t kMaxDatabaseBytes = 256LL * 1024 * 1024;

bool writeAll(int fd, const char *data, qsizetype size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size_t(size));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= n;
    }
    return true;
}

void drain(int fd)
{
    char buffer[64 * 1024];
    while (true) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0 || (n < 0 && errno != EINTR))
            return;
    }
}

} // namespace

ImageSbomReader::ImageSbomReader(DockerClient &docker)
    : m_docker(docker)
{}

Result<qint64> ImageSbomReader::readArchive(int fd, PackageInventory &inventory, const QString &what,
                                            const Progress &progress)
{
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open_fd(a.get(), fd, 256 * 1024) != ARCHIVE_OK)
        return tl::make_unexpected(Error::error(
            QStringLiteral("%1 cannot be read: %2").arg(what, QString::fromUtf8(archive_error_string(a.get())))));
    archive_entry *entry = nullptr;
    qint64 lastReported = 0;
    while (true) {
        const int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return tl::make_unexpected(Error::error(QStringLiteral("%1 is not a readable tar archive: %2")
                                                        .arg(what, QString::fromUtf8(archive_error_string(a.get())))));
        const QString path = QString::fromUtf8(archive_entry_pathname(entry));
        const la_int64_t size = archive_entry_size(entry);
        if (archive_entry_filetype(entry) == AE_IFREG && size <= kMaxDatabaseBytes && PackageInventory::wants(path)) {
            QByteArray content(qsizetype(size), Qt::Uninitialized);
            la_ssize_t done = 0;
            while (done < size) {
                const la_ssize_t n = archive_read_data(a.get(), content.data() + done, size_t(size - done));
                if (n < 0)
                    return tl::make_unexpected(
                        Error::error(QStringLiteral("%1: %2 cannot be read: %3")
                                         .arg(what, path, QString::fromUtf8(archive_error_string(a.get())))));
                if (n == 0)
                    break;
                done += n;
            }
            content.truncate(qsizetype(done));
            inventory.addFile(path, content);
        } else {
            archive_read_data_skip(a.get());
        }
        const qint64 bytes = archive_filter_bytes(a.get(), -1);
        if (progress && bytes - lastReported >= 16 * 1024 * 1024) {
            lastReported = bytes;
            progress(bytes);
        }
    }
    const qint64 bytes = archive_filter_bytes(a.get(), -1);
    if (progress)
        progress(bytes);
    return bytes;
}

Result<Sbom> ImageSbomReader::read(const QString &image, const Progress &progress, const std::atomic_bool *cancel)
{
    auto info = m_docker.inspectImage(image);
    if (!info)
        return tl::make_unexpected(info.error());
    if (!info->exists)
        return tl::make_unexpected(Error::error(
            QStringLiteral("Image %1 is not on this machine's Docker engine: pull or build it first").arg(image)));

    ContainerSpec spec;
    spec.name = QStringLiteral("trainyard-sbom-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
    spec.image = info->id;
    spec.entrypoint = {QString()};
    // Never started: Docker wants a command to create a container, and this one is never run.
    spec.command = {QStringLiteral("/trainyard-sbom-never-runs")};
    spec.labels.insert(QStringLiteral("trainyard.sbom"), info->id);
    auto container = m_docker.createContainer(spec);
    if (!container)
        return tl::make_unexpected(container.error());
    struct Remove
    {
        DockerClient &docker;
        QString id;
        ~Remove() { (void)docker.removeContainer(id, true); }
    } remove{m_docker, *container};

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return tl::make_unexpected(Error::error(QStringLiteral("Cannot read image %1: no pipe (%2)")
                                                    .arg(image, QString::fromLocal8Bit(std::strerror(errno)))));
    PackageInventory inventory;
    Result<qint64> read = 0;
    const QString what = QStringLiteral("The file system of image %1").arg(image);
    std::thread reader([&] {
        read = readArchive(fds[0], inventory, what, progress);
        drain(fds[0]); // the engine's stream goes on to its end even when the archive is bad
        ::close(fds[0]);
    });
    bool written = true;
    auto exported = m_docker.exportContainer(
        *container,
        [&](const QByteArray &chunk) {
            if (written)
                written = writeAll(fds[1], chunk.constData(), chunk.size());
        },
        cancel);
    ::close(fds[1]);
    reader.join();
    if (!exported)
        return tl::make_unexpected(exported.error());
    if (!read)
        return tl::make_unexpected(read.error());

    Sbom sbom;
    sbom.imageId = info->id;
    sbom.imageName = image;
    sbom.distribution = inventory.distribution();
    sbom.packages = inventory.packages();
    sbom.bytesRead = *read;
    return sbom;
}

} // namespace trainyard::core
