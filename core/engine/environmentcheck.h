#pragma once

#include <QString>

#include <vector>

namespace trainyard::core {

/// One thing a machine needs for Trainyard, as a first-run check reports it: what was found and,
/// when something is missing, the command that fixes it.
struct CheckItem
{
    /// NotNeeded: nothing to do on this machine (the GPU runtime where there is no GPU).
    enum class State { Ok, Warning, Missing, NotNeeded };
    QString name; ///< "Docker engine", "Docker permission", "NVIDIA GPU", "NVIDIA container runtime"
    State state = State::Missing;
    QString detail; ///< what was found, e.g. "Docker 20.10.24 at unix:///var/run/docker.sock"
    QString fix;    ///< what to do about it; empty when nothing needs doing
};

/// Checks this machine: is a Docker engine reachable, may this user use it (group `docker`), is
/// there an NVIDIA GPU, and can containers get one (the NVIDIA container toolkit). Blocks for up to
/// a few seconds (it talks to the engine and runs nvidia-smi): call it on a worker thread.
class EnvironmentCheck final
{
public:
    struct Options
    {
        QString dockerEndpoint; ///< empty: DOCKER_HOST or the default socket
        QString nvidiaSmi;      ///< empty: looked up on PATH
    };
    static std::vector<CheckItem> run(const Options &options);
    static std::vector<CheckItem> run() { return run(Options{}); }
    static QString stateText(CheckItem::State state);
};

} // namespace trainyard::core
