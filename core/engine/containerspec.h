#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// A bind mount of a host path into a container.
struct Mount
{
    QString source; ///< absolute host path
    QString target; ///< absolute path in the container
    bool readOnly = false;
};

/// Everything needed to create one job container through the Docker Engine API.
struct ContainerSpec
{
    QString name;           ///< container name (unique per run and job)
    QString image;          ///< image reference or ID
    QStringList entrypoint; ///< empty: the image's; {""} clears it
    QStringList command;    ///< e.g. {"sh", "-c", script}
    QStringList env;        ///< "KEY=value"
    std::vector<Mount> mounts;
    QString workingDir;
    QMap<QString, QString> labels;
    QString user;
    // GPUs (HostConfig.DeviceRequests with driver "nvidia")
    QStringList gpuDeviceIds; ///< specific GPU indexes or UUIDs
    bool allGpus = false;
    // Limits (HostConfig)
    qint64 memoryBytes = 0;
    double cpus = 0; ///< NanoCpus = cpus * 1e9
    qint64 shmBytes = 0;
    // Networking
    QString network; ///< a user-defined network name; empty = default bridge
    QStringList networkAliases;
    bool privileged = false;
};

/// One line of container output, demultiplexed from Docker's 8-byte-header stream.
struct LogLine
{
    enum class Stream { Stdout, Stderr, System };
    Stream stream = Stream::Stdout;
    QString text; ///< without the trailing newline
};

/// The repository of an image reference as registries name it: tag and digest dropped, Docker
/// Hub's short names written out ("busybox:1" → "docker.io/library/busybox", "user/x" →
/// "docker.io/user/x", "index.docker.io/…" → "docker.io/…"), other registries as written
/// ("host:5000/team/x:1" → "host:5000/team/x"). Two references name one repository when these are equal.
QString normalisedRepository(const QString &reference);

/// Parses Docker-style sizes: "512m", "2g", "1.5G", "64k", "1024" (bytes). Returns -1 if invalid.
qint64 parseByteSize(const QString &text);

} // namespace trainyard::core
