#include "environmentcheck.h"

#include "dockerclient.h"
#include "gpuinventory.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QStandardPaths>

#include <unistd.h>

namespace trainyard::core {

namespace {

QString socketPath(const QString &endpoint)
{
    return endpoint.startsWith(QLatin1String("unix://")) ? endpoint.mid(7) : QString();
}

/// The checks of the engine and of this user's permission to use it.
struct DockerChecks
{
    CheckItem engine;
    CheckItem permission;
};

/// Judges the engine at `endpoint` (`socket`: its unix socket, if any) from how it answered a ping.
DockerChecks checkDocker(const Result<EngineInfo> &engine, const QString &endpoint, const QString &socket)
{
    CheckItem docker{QStringLiteral("Docker engine"), CheckItem::State::Ok, {}, {}};
    CheckItem permission{QStringLiteral("Docker permission"), CheckItem::State::Ok, {}, {}};
    if (engine) {
        docker.detail = QStringLiteral("Docker %1 (API %2) at %3").arg(engine->version, engine->apiVersion, endpoint);
        permission.detail = QStringLiteral("this user may use the engine");
    } else if (!socket.isEmpty() && !QFileInfo::exists(socket)) {
        docker.state = CheckItem::State::Missing;
        docker.detail = QStringLiteral("no engine: %1 does not exist").arg(socket);
        docker.fix = QStringLiteral(
            "Install and start Docker: sudo apt-get install docker.io && sudo systemctl enable --now docker "
            "(or point DOCKER_HOST at a Docker or Podman socket). Jobs can still run in the host "
            "shell: trainyard run --engine shell.");
        permission.state = CheckItem::State::Warning;
        permission.detail = QStringLiteral("not checked: there is no engine");
    } else if (!socket.isEmpty() && ::access(QFile::encodeName(socket).constData(), R_OK | W_OK) != 0) {
        docker.state = CheckItem::State::Ok;
        docker.detail = QStringLiteral("an engine socket exists at %1").arg(socket);
        permission.state = CheckItem::State::Missing;
        permission.detail = QStringLiteral("this user may not use %1").arg(socket);
        permission.fix =
            QStringLiteral("Add yourself to the docker group: sudo usermod -aG docker $USER, then log out and in "
                           "again (or run `newgrp docker`).");
    } else {
        docker.state = CheckItem::State::Missing;
        docker.detail = engine.error().message;
        docker.fix = socket.isEmpty()
                         ? QStringLiteral("Check that the engine at %1 is running and reachable.").arg(endpoint)
                         : QStringLiteral("Start the engine: sudo systemctl start docker.");
        permission.state = CheckItem::State::Warning;
        permission.detail = QStringLiteral("not checked: the engine does not answer");
    }
    return {docker, permission};
}

/// Judges this machine's NVIDIA GPUs from what nvidia-smi listed (`haveGpu`: it listed at least one).
CheckItem checkGpu(const Result<GpuInventorySnapshot> &inventory, bool haveGpu)
{
    CheckItem gpu{QStringLiteral("NVIDIA GPU"), CheckItem::State::Ok, {}, {}};
    if (!inventory) {
        gpu.state = CheckItem::State::Warning;
        gpu.detail = inventory.error().message;
        gpu.fix = QStringLiteral("Check the NVIDIA driver: nvidia-smi should list the cards.");
    } else if (!haveGpu) {
        gpu.state = CheckItem::State::Warning;
        gpu.detail = inventory->message;
        gpu.fix = QStringLiteral("Jobs that ask for GPUs need an NVIDIA card and driver; without one they are refused, "
                                 "or run on the CPU with trainyard run --cpu-fallback.");
    } else {
        gpu.detail = inventory->message;
    }
    return gpu;
}

/// The container runtimes an engine has.
struct EngineRuntimes
{
    bool nvidia = false; ///< the engine has the `nvidia` runtime
    QString names;       ///< all of them, ", "-separated
};

/// Asks the engine (`engineAnswers`: it answered the ping) which container runtimes it has.
EngineRuntimes engineRuntimes(DockerClient &client, bool engineAnswers)
{
    EngineRuntimes runtimes;
    if (engineAnswers) {
        if (const auto info = client.info()) {
            const QJsonObject list = info->value(QLatin1String("Runtimes")).toObject();
            runtimes.nvidia = list.contains(QLatin1String("nvidia"));
            runtimes.names = list.keys().join(QStringLiteral(", "));
        }
    }
    return runtimes;
}

/// Whether the NVIDIA container toolkit is on PATH.
bool haveContainerToolkit()
{
    return !QStandardPaths::findExecutable(QStringLiteral("nvidia-container-cli")).isEmpty() ||
           !QStandardPaths::findExecutable(QStringLiteral("nvidia-ctk")).isEmpty();
}

/// Judges whether containers can get GPUs: the engine's nvidia runtime or the toolkit, needed only with a GPU.
CheckItem checkRuntime(DockerClient &client, bool engineAnswers, bool haveGpu)
{
    CheckItem runtime{QStringLiteral("NVIDIA container runtime"), CheckItem::State::Ok, {}, {}};
    const EngineRuntimes runtimes = engineRuntimes(client, engineAnswers);
    const bool nvidiaRuntime = runtimes.nvidia;
    const bool toolkit = haveContainerToolkit();
    if (nvidiaRuntime || toolkit) {
        runtime.detail = nvidiaRuntime ? QStringLiteral("the engine has the nvidia runtime (%1)").arg(runtimes.names)
                                       : QStringLiteral("the NVIDIA container toolkit is installed");
    } else if (!haveGpu) {
        runtime.state = CheckItem::State::NotNeeded;
        runtime.detail = QStringLiteral("not needed without an NVIDIA GPU");
    } else {
        runtime.state = CheckItem::State::Missing;
        runtime.detail =
            engineAnswers
                ? QStringLiteral("the engine's runtimes are %1; no NVIDIA container toolkit found").arg(runtimes.names)
                : QStringLiteral("no NVIDIA container toolkit found");
        runtime.fix = QStringLiteral(
            "Install the NVIDIA container toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker "
            "&& sudo systemctl restart docker.");
    }
    return runtime;
}

} // namespace

QString EnvironmentCheck::stateText(CheckItem::State state)
{
    switch (state) {
    case CheckItem::State::Ok:
        return QStringLiteral("ok");
    case CheckItem::State::Warning:
        return QStringLiteral("warning");
    case CheckItem::State::Missing:
        return QStringLiteral("missing");
    case CheckItem::State::NotNeeded:
        return QStringLiteral("not needed");
    }
    return {};
}

std::vector<CheckItem> EnvironmentCheck::run(const Options &options)
{
    std::vector<CheckItem> items;
    const QString endpoint =
        options.dockerEndpoint.isEmpty() ? DockerClient::defaultEndpoint() : options.dockerEndpoint;
    const QString socket = socketPath(endpoint);

    // The engine, and whether this user may use it.
    DockerClient client(endpoint);
    const auto engine = client.ping();
    const DockerChecks docker = checkDocker(engine, endpoint, socket);
    items.push_back(docker.engine);
    items.push_back(docker.permission);

    // GPUs, and whether containers can get them.
    const auto inventory = GpuInventory::query(options.nvidiaSmi, 5000);
    const bool haveGpu = inventory && !inventory->gpus.empty();
    items.push_back(checkGpu(inventory, haveGpu));
    items.push_back(checkRuntime(client, bool(engine), haveGpu));
    return items;
}

} // namespace trainyard::core
