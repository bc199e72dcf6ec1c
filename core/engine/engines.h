#pragma once

#include "common/error.h"
#include "jobexecutor.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace trainyard::core {

struct Pipeline;

/// The engines jobs run on, by the name `--engine` and the window use: "docker" (the Docker Engine
/// API at DOCKER_HOST or the local socket; Podman's compatible socket too) and "shell" (the host
/// shell: no isolation, and the run's record says so) and "slurm" (a Slurm cluster's batch jobs:
/// SlurmExecutor, set under `.trainyard: slurm:`).
class Engines final
{
public:
    static QStringList names();
    /// The engine `name` for a run of `pipeline`; `dockerEndpoint` empty: DockerClient's default.
    /// An Error naming the engines there are for an unknown name.
    static Result<std::unique_ptr<JobExecutor>> make(const QString &name, const Pipeline &pipeline,
                                                     const QString &dockerEndpoint = {});
};

} // namespace trainyard::core
