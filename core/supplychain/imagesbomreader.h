#pragma once

// Makes an image's bill of materials from its file system, read through the Engine API: a
// container is created from the image (never started: nothing runs inside it), its file system
// is streamed as a tar archive (GET /containers/{id}/export) through PackageInventory, and the
// container is removed. Only the package databases are kept in memory; the rest streams past.

#include "sbom.h"

#include "common/error.h"

#include <QString>

#include <atomic>
#include <functional>

namespace trainyard::core {

class DockerClient;

class ImageSbomReader
{
public:
    /// Bytes of the file system read so far; called on the thread that reads the archive (not
    /// the caller's), every 16 MB and at the end.
    using Progress = std::function<void(qint64 bytesRead)>;

    explicit ImageSbomReader(DockerClient &docker);

    /// The SBOM of `image` (a reference or an ID), which must be present locally. Errors name the
    /// image: missing, the engine unreachable, the archive unreadable, cancelled.
    Result<Sbom> read(const QString &image, const Progress &progress = {}, const std::atomic_bool *cancel = nullptr);

    /// Reads a tar archive of a file system from `fd` to its end into `inventory`; gives the bytes
    /// read. `what` names the archive in errors.
    static Result<qint64> readArchive(int fd, PackageInventory &inventory, const QString &what,
                                      const Progress &progress = {});

private:
    DockerClient &m_docker;
};

} // namespace trainyard::core
