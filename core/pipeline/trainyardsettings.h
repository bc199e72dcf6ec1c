#pragma once

#include "common/error.h"
#include "job.h"
#include "yamlnode.h"

#include <QDir>
#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// A data input declared under `.trainyard: data:`.
struct DataInput
{
    QString name;
    QString path;  ///< relative to the project (or absolute)
    QString mount; ///< mount point inside the job's container
    SourceLocation location;
};

/// An image to build from a Dockerfile, declared under `.trainyard: images:`.
struct ImageBuild
{
    QString tag;     ///< the image reference jobs use
    QString context; ///< build context, relative to the project
    QString dockerfile = QStringLiteral("Dockerfile");
    SourceLocation location;
};

/// Where `--engine slurm` sends jobs: `.trainyard: slurm:`.
struct SlurmSettings
{
    QString url;       ///< slurmrestd, http(s)://HOST:PORT; empty: $SLURMRESTD_URL, else the Slurm commands
    QString partition; ///< empty: the cluster's default
    QString account;
    QString qos;
    /// A folder every node sees, where each job's workspace is placed while it runs (and copied
    /// back from); empty: the project's own `.trainyard/workspaces`, for nodes that see the
    /// project folder (a shared home).
    QString workDir;
    /// How a job's image runs on the node: "docker", "podman", or "none" (the script runs on the
    /// node itself, which the job's record calls not isolated).
    QString runtime = QStringLiteral("docker");
    /// The device node of a GPU on the nodes, `{}` standing for its number there (SLURM_JOB_GPUS),
    /// given to a container when the node has no NVIDIA container runtime: /dev/nvidia{} on NVIDIA
    /// nodes; another layout names its own (GRES `File=` in the nodes' gres.conf).
    QString gpuDevices = QStringLiteral("/dev/nvidia{}");
    SourceLocation location;
};

/// Vulnerability scans of the images runs use: `.trainyard: scan:`.
struct ScanSettings
{
    /// A folder of OSV advisories (osv.dev's exports, unpacked), relative to the project or
    /// absolute; empty: none (`trainyard scan --osv DIR` names one).
    QString osv;
    /// `osv` as a path: relative to `projectDir` unless absolute; empty when none is set.
    QString osvFolder(const QString &projectDir) const
    {
        return osv.isEmpty() ? QString() : QDir(projectDir).absoluteFilePath(osv);
    }
    /// The severity from which findings make a release review not ready: "critical", "high",
    /// "medium" or "low"; empty: findings are shown, never blocking.
    QString failOn;
    /// Scan every image a run used once the run ends (with `osv`).
    bool onRun = false;
    SourceLocation location;
};

/// Trainyard's own settings from the hidden top-level key `.trainyard:` (GitLab ignores it).
struct TrainyardSettings
{
    QStringList protectedBranches{QStringLiteral("main")};
    std::vector<DataInput> data;
    std::vector<ImageBuild> images;
    QMap<QString, JobTrainyardSettings> jobs;
    bool allowPrivilegedServices = false;
    bool mountDockerSocket = false;
    QStringList secrets; ///< names of secret variables, taken from the environment or .trainyard/secrets.env
    /// `lineage: url:` the team's lineage store (postgresql://USER@HOST:PORT/DATABASE). Never a
    /// password: the file is committed; one in the URL is an error.
    QString lineageUrl;
    /// `registry: url:` the team's OCI registry ("HOST[:PORT]/team/project"), where runs' artifacts
    /// are pushed with their lineage. Never a login: the file is committed; `docker login` keeps it.
    QString registryUrl;
    SlurmSettings slurm;
    ScanSettings scan;

    /// Reads the `.trainyard` node; unknown keys and bad values become warnings/errors in `problems`.
    static TrainyardSettings fromYaml(const YamlNode &node, std::vector<Error> &problems);
};

} // namespace trainyard::core
