#include "dockerexecutor.h"

#include "common/safename.h"

#include "pipeline/hostaccess.h"

#include "buildlogcondenser.h"

#include <QDir>
#include <QThread>

#include <chrono>
#include <thread>

namespace trainyard::core {

namespace {

QString containerName(const QString &runId, const QString &job, const QString &suffix)
{
    return QStringLiteral("trainyard-%1-%2%3").arg(runId, safeName(job), suffix);
}

/// The refusal of service `image` of `job`, which needs a privileged container.
Error privilegedServiceRefusal(const QString &image, const QString &job)
{
    return Error::error(
        QStringLiteral("service %1 needs a privileged container, which can take over this machine; Trainyard "
                       "refuses it unless the project sets `.trainyard: allow_privileged_services: true`")
            .arg(image),
        {}, job);
}

/// The name a service is reached by on the job's network: its alias, or one made from its image.
QString serviceAlias(const JobExecution::ServiceSpec &svc)
{
    QString alias = svc.alias;
    if (alias.isEmpty()) // GitLab: the image name without tag, '/' → '__' and '-'
        alias = svc.image.section(u':', 0, 0).replace(u'/', QStringLiteral("__"));
    return alias;
}

/// The container of service `svc`, the job's `index`th, on `network`.
ContainerSpec serviceSpec(const JobExecution &e, const JobExecution::ServiceSpec &svc, std::size_t index,
                          const QString &network)
{
    ContainerSpec s;
    s.image = svc.image;
    s.name = containerName(e.runId, e.job, QStringLiteral("-svc-%1").arg(index));
    s.command = svc.command;
    s.env = e.env;
    s.labels.insert(QStringLiteral("trainyard.run"), e.runId);
    s.labels.insert(QStringLiteral("trainyard.service"), svc.image);
    s.network = network;
    s.networkAliases = {serviceAlias(svc)};
    s.privileged = Service::needsPrivileged(svc.image);
    return s;
}

} // namespace

DockerExecutor::DockerExecutor(QString endpoint, TrainyardSettings settings, QString projectDir)
    : m_endpoint(std::move(endpoint))
    , m_settings(std::move(settings))
    , m_projectDir(QDir(projectDir).absolutePath())
{}

Result<QString> DockerExecutor::preflight()
{
    DockerClient client(m_endpoint);
    auto info = client.ping();
    if (!info)
        return tl::unexpected(Error::error(info.error().message +
                                           QStringLiteral(" (or run with --engine shell, which has no isolation)")));
    return QStringLiteral("%1 %2 (API %3) at %4")
        .arg(info->isPodman ? QStringLiteral("Podman") : QStringLiteral("Docker"), info->version, info->apiVersion,
             m_endpoint);
}

Result<void> DockerExecutor::prepareImage(const QString &image, const ExecutionCallbacks &callbacks,
                                          const std::atomic_bool &cancel)
{
    DockerClient client(m_endpoint);
    if (auto ping = client.ping(); !ping)
        return tl::unexpected(ping.error());
    for (const ImageBuild &build : m_settings.images) {
        if (build.tag != image)
            continue;
        // Only a context inside the project: files of this machine never end up in an image.
        const auto allowed = HostAccess(m_projectDir, {}).buildContext(build);
        if (!allowed)
            return tl::unexpected(allowed.error());
        const QString &context = *allowed;
        if (callbacks.log)
            callbacks.log(LogLine{LogLine::Stream::System, QStringLiteral("building from %1").arg(context)});
        BuildLogCondenser condensed([&](const QString &line) {
            if (callbacks.log)
                callbacks.log(LogLine{LogLine::Stream::System, line});
        });
        auto built = client.buildImage(
            context, build.dockerfile, image, [&](const QString &line) { condensed.addLine(line); }, &cancel);
        condensed.finish(built.has_value());
        if (!built)
            return tl::unexpected(Error::error(
                QStringLiteral("building image %1 from %2 failed: %3").arg(image, context, built.error().message),
                build.location));
        auto info = client.inspectImage(image);
        if (!info)
            return tl::unexpected(info.error());
        QMutexLocker lock(&m_imagesMutex);
        m_images.insert(image, *info);
        return {};
    }
    auto info = client.inspectImage(image);
    if (!info)
        return tl::unexpected(info.error());
    if (!info->exists) {
        if (callbacks.log)
            callbacks.log(LogLine{LogLine::Stream::System, QStringLiteral("pulling")});
        auto pulled = client.pullImage(
            image,
            [&](const PullProgress &p) {
                if (callbacks.progress)
                    callbacks.progress(QStringLiteral("%1 %2").arg(p.status, p.layer), p.current, p.total);
            },
            &cancel);
        if (!pulled)
            return tl::unexpected(
                Error::error(QStringLiteral("image %1 is not on this machine and could not be pulled: %2")
                                 .arg(image, pulled.error().message)));
        info = client.inspectImage(image);
        if (!info)
            return tl::unexpected(info.error());
    }
    QMutexLocker lock(&m_imagesMutex);
    m_images.insert(image, *info);
    return {};
}

ContainerSpec DockerExecutor::containerFor(const JobExecution &e, const QString &script, const QString &suffix) const
{
    ContainerSpec spec;
    spec.name = containerName(e.runId, e.job, suffix);
    spec.image = e.image;
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"), script};
    spec.env = e.env;
    spec.workingDir = e.projectDirInJob;
    spec.mounts.push_back(Mount{e.workspaceDir, e.projectDirInJob, false});
    for (const Mount &m : e.dataMounts)
        spec.mounts.push_back(m);
    if (e.mountDockerSocket)
        spec.mounts.push_back(
            Mount{QStringLiteral("/var/run/docker.sock"), QStringLiteral("/var/run/docker.sock"), false});
    spec.labels.insert(QStringLiteral("trainyard.run"), e.runId);
    spec.labels.insert(QStringLiteral("trainyard.job"), e.job);
    spec.labels.insert(QStringLiteral("trainyard.project"), m_projectDir);
    spec.gpuDeviceIds = e.gpuIds;
    if (!e.memory.isEmpty())
        spec.memoryBytes = std::max<qint64>(0, parseByteSize(e.memory));
    spec.cpus = e.cpus;
    if (!e.shmSize.isEmpty())
        spec.shmBytes = std::max<qint64>(0, parseByteSize(e.shmSize));
    return spec;
}

Result<int> DockerExecutor::runContainer(DockerClient &client, const ContainerSpec &spec,
                                         const ExecutionCallbacks &callbacks, const std::atomic_bool &cancel,
                                         int timeoutSeconds, JobOutcome &outcome)
{
    auto id = client.createContainer(spec);
    if (!id)
        return tl::unexpected(id.error());
    auto cleanup = [&] { (void)client.removeContainer(*id, true); };
    if (auto started = client.startContainer(*id); !started) {
        cleanup();
        return tl::unexpected(started.error());
    }
    // A watchdog stops the container on timeout or cancel; the log stream then ends.
    std::atomic_bool finished{false};
    std::atomic_bool timedOut{false};
    std::thread watchdog([&, containerId = *id] {
        DockerClient stopper(m_endpoint);
        (void)stopper.ping();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
        while (!finished) {
            if (cancel || std::chrono::steady_clock::now() > deadline) {
                timedOut = !cancel;
                (void)stopper.stopContainer(containerId, 5);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    std::atomic_bool neverCancel{false};
    auto logs = client.followLogs(*id, callbacks.log, &neverCancel);
    auto code = client.waitContainer(*id);
    finished = true;
    watchdog.join();
    auto state = client.exitedState(*id, code ? *code : -1, spec.memoryBytes > 0, cancel || timedOut);
    cleanup();
    if (!logs && callbacks.log)
        callbacks.log(
            LogLine{LogLine::Stream::System, QStringLiteral("log stream ended early: %1").arg(logs.error().message)});
    if (!code)
        return tl::unexpected(code.error());
    outcome.timedOut = outcome.timedOut || timedOut;
    outcome.cancelled = outcome.cancelled || cancel;
    if (state)
        outcome.oomKilled = outcome.oomKilled || state->oomKilled;
    return *code;
}

JobOutcome DockerExecutor::outcomeFor(const QString &image)
{
    JobOutcome outcome;
    outcome.isolation = QStringLiteral("docker container");
    {
        QMutexLocker lock(&m_imagesMutex);
        const ImageInfo info = m_images.value(image);
        outcome.imageId = info.id;
        outcome.repoDigests = info.repoDigests;
    }
    return outcome;
}

Result<DockerExecutor::JobServices> DockerExecutor::startServices(DockerClient &client, const JobExecution &e,
                                                                  const ExecutionCallbacks &callbacks,
                                                                  const std::atomic_bool &cancel)
{
    JobServices services;
    if (e.services.empty())
        return services;
    services.network = containerName(e.runId, e.job, QStringLiteral("-net"));
    if (auto n = client.createNetwork(services.network, {{QStringLiteral("trainyard.run"), e.runId}}); !n)
        return tl::unexpected(n.error());
    for (const auto &svc : e.services) {
        // What started before a service that cannot is removed with the network: nothing is left behind.
        if (Service::needsPrivileged(svc.image) && !e.privilegedServicesAllowed) {
            removeServices(client, services);
            return tl::unexpected(privilegedServiceRefusal(svc.image, e.job));
        }
        const ContainerSpec s = serviceSpec(e, svc, services.ids.size(), services.network);
        if (auto prepared = prepareImage(svc.image, callbacks, cancel); !prepared) {
            removeServices(client, services);
            return tl::unexpected(prepared.error());
        }
        auto id = client.createContainer(s);
        if (!id || !client.startContainer(*id)) {
            removeServices(client, services);
            return tl::unexpected(id ? Error::error(QStringLiteral("service %1 did not start").arg(svc.image))
                                     : id.error());
        }
        services.ids.push_back(*id);
    }
    return services;
}

void DockerExecutor::removeServices(DockerClient &client, const JobServices &services)
{
    for (const QString &sid : services.ids)
        (void)client.removeContainer(sid, true);
    if (!services.network.isEmpty())
        (void)client.removeNetwork(services.network);
}

Result<int> DockerExecutor::runScripts(DockerClient &client, const JobExecution &e, const QString &network,
                                       const ExecutionCallbacks &callbacks, const std::atomic_bool &cancel,
                                       JobOutcome &outcome)
{
    ContainerSpec spec = containerFor(e, e.script, QString());
    spec.network = network;
    auto code = runContainer(client, spec, callbacks, cancel, e.timeoutSeconds, outcome);
    if (code) {
        outcome.exitCode = *code;
        if (!e.afterScript.isEmpty() && !outcome.cancelled)
            runAfterScript(client, e, network, callbacks, cancel);
    }
    return code;
}

void DockerExecutor::runAfterScript(DockerClient &client, const JobExecution &e, const QString &network,
                                    const ExecutionCallbacks &callbacks, const std::atomic_bool &cancel)
{
    if (callbacks.log)
        callbacks.log(LogLine{LogLine::Stream::System, QStringLiteral("Running after_script")});
    JobOutcome after;
    ContainerSpec afterSpec = containerFor(e, e.afterScript, QStringLiteral("-after"));
    afterSpec.network = network;
    (void)runContainer(client, afterSpec, callbacks, cancel, 300, after);
}

Result<JobOutcome> DockerExecutor::run(const JobExecution &e, const ExecutionCallbacks &callbacks,
                                       const std::atomic_bool &cancel)
{
    DockerClient client(m_endpoint);
    if (auto ping = client.ping(); !ping)
        return tl::unexpected(ping.error());
    JobOutcome outcome = outcomeFor(e.image);
    if (e.image.isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("job '%1' has no image: set image: (or default: image:) for the docker engine").arg(e.job),
            {}, e.job));

    // Services: sibling containers on a network of their own, reachable by alias.
    const auto services = startServices(client, e, callbacks, cancel);
    if (!services)
        return tl::unexpected(services.error());

    auto code = runScripts(client, e, services->network, callbacks, cancel, outcome);
    removeServices(client, *services);
    if (!code)
        return tl::unexpected(code.error());
    return outcome;
}

int DockerExecutor::cleanupRun(const QString &runId)
{
    DockerClient client(m_endpoint);
    if (!client.ping())
        return 0;
    int removed = 0;
    const QString label = QStringLiteral("trainyard.run=") + runId;
    if (auto ids = client.listContainers(label)) {
        for (const QString &id : *ids)
            removed += client.removeContainer(id, true) ? 1 : 0;
    }
    if (auto nets = client.listNetworks(label)) {
        for (const QString &n : *nets)
            removed += client.removeNetwork(n) ? 1 : 0;
    }
    return removed;
}

} // namespace trainyard::core
