#include "engines.h"

#include "dockerclient.h"
#include "dockerexecutor.h"
#include "shellexecutor.h"
#include "slurmexecutor.h"

#include "pipeline/pipeline.h"

namespace trainyard::core {

QStringList Engines::names()
{
    return {QStringLiteral("docker"), QStringLiteral("shell"), QStringLiteral("slurm")};
}

Result<std::unique_ptr<JobExecutor>> Engines::make(const QString &name, const Pipeline &pipeline,
                                                   const QString &dockerEndpoint)
{
    if (name == QLatin1String("docker"))
        return std::make_unique<DockerExecutor>(dockerEndpoint.isEmpty() ? DockerClient::defaultEndpoint()
                                                                         : dockerEndpoint,
                                                pipeline.trainyard, pipeline.projectDir);
    if (name == QLatin1String("shell"))
        return std::make_unique<ShellExecutor>();
    if (name == QLatin1String("slurm")) {
        // Images the pipeline builds are built by this machine's Docker engine.
        TrainyardSettings builds;
        builds.images = pipeline.trainyard.images;
        std::unique_ptr<JobExecutor> docker;
        if (!builds.images.empty())
            docker = std::make_unique<DockerExecutor>(dockerEndpoint.isEmpty() ? DockerClient::defaultEndpoint()
                                                                               : dockerEndpoint,
                                                      builds, pipeline.projectDir);
        QStringList tags;
        for (const ImageBuild &b : builds.images)
            tags << b.tag;
        return std::make_unique<SlurmExecutor>(pipeline.trainyard.slurm, std::move(docker), tags, dockerEndpoint);
    }
    return tl::unexpected(
        Error::error(QStringLiteral("no engine '%1' (engines: %2)").arg(name, names().join(QStringLiteral(", ")))));
}

} // namespace trainyard::core
