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
    items.push_back(docker);
    items.push_back(permission);

    // GPUs, and whether containers can get them.
    CheckItem gpu{QStringLiteral("NVIDIA GPU"), CheckItem::State::Ok, {}, {}};
    const auto inventory = GpuInventory::query(options.nvidiaSmi, 5000);
    const bool haveGpu = inventory && !inventory->gpus.empty();
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
    items.push_back(gpu);

    CheckItem runtime{QStringLiteral("NVIDIA container runtime"), CheckItem::State::Ok, {}, {}};
    bool nvidiaRuntime = false;
    QString runtimes;
    if (engine) {
        if (const auto info = client.info()) {
            const QJsonObject list = info->value(QLatin1String("Runtimes")).toObject();
            nvidiaRuntime = list.contains(QLatin1String("nvidia"));
            runtimes = list.keys().join(QStringLiteral(", "));
        }
    }
    const bool toolkit = !QStandardPaths::findExecutable(QStringLiteral("nvidia-container-cli")).isEmpty() ||
                         !QStandardPaths::findExecutable(QStringLiteral("nvidia-ctk")).isEmpty();
    if (nvidiaRuntime || toolkit) {
        runtime.detail = nvidiaRuntime ? QStringLiteral("the engine has the nvidia runtime (%1)").arg(runtimes)
                                       : QStringLiteral("the NVIDIA container toolkit is installed");
    } else if (!haveGpu) {
        runtime.state = CheckItem::State::Warning;
        runtime.detail = QStringLiteral("not needed without an NVIDIA GPU");
    } else {
        runtime.state = CheckItem::State::Missing;
        runtime.detail =
            engine ? QStringLiteral("the engine's runtimes are %1; no NVIDIA container toolkit found").arg(runtimes)
                   : QStringLiteral("no NVIDIA container toolkit found");
        runtime.fix = QStringLiteral(
            "Install the NVIDIA container toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker "
            "&& sudo systemctl restart docker.");
    }
    items.push_back(runtime);
    return items;
}

} // namespace trainyard::core
