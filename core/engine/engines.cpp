#include "engines.h"

#include "dockerclient.h"
#include "dockerexecutor.h"
#include "shellexecutor.h"

#include "pipeline/pipeline.h"

namespace trainyard::core {

QStringList Engines::names()
{
    return {QStringLiteral("docker"), QStringLiteral("shell")};
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
    return tl::unexpected(
        Error::error(QStringLiteral("no engine '%1' (engines: %2)").arg(name, names().join(QStringLiteral(", ")))));
}

} // namespace trainyard::core
