#include "statusprobe.h"

#include "async/onworker.h"
#include "engine/dockerclient.h"
#include "engine/gpuinventory.h"
#include "vcs/gitinfo.h"

#include <QTimer>

namespace trainyard::ui {

StatusProbe::StatusProbe(QObject *parent)
    : QObject(parent)
{}

StatusProbe::~StatusProbe() = default;

void StatusProbe::start(int enginePeriodMs)
{
    QTimer::singleShot(0, this, [this] {
        probeEngine();
        probeGpus();
        checkMachine();
    });
    auto *engineTimer = new QTimer(this);
    connect(engineTimer, &QTimer::timeout, this, &StatusProbe::probeEngine);
    engineTimer->start(enginePeriodMs);
}

void StatusProbe::probeEngine()
{
    onWorker(
        this,
        [endpoint = m_dockerEndpoint] {
            core::DockerClient client(endpoint.isEmpty() ? core::DockerClient::defaultEndpoint() : endpoint);
            auto info = client.ping();
            return std::make_pair(info, client.endpoint());
        },
        [this](std::pair<core::Result<core::EngineInfo>, QString> r) {
            const auto &[info, endpoint] = r;
            if (info)
                Q_EMIT engineProbed(
                    true, tr("Docker %1").arg(info->version),
                    tr("Docker engine %1 (API %2) at %3").arg(info->version, info->apiVersion, endpoint));
            else
                Q_EMIT engineProbed(false, tr("Docker not reachable"),
                                    tr("%1\nJobs can still run in the host shell (Run ▸ Run in host shell).")
                                        .arg(info.error().message));
        });
}

void StatusProbe::probeGpus()
{
    onWorker(
        this, [smi = m_nvidiaSmi] { return core::GpuInventory::query(smi, 5000); },
        [this](core::Result<core::GpuInventorySnapshot> snapshot) {
            if (!snapshot) {
                Q_EMIT gpusProbed(0, tr("GPUs: error"), snapshot.error().toString());
                return;
            }
            QStringList names;
            for (const core::GpuInfo &gpu : snapshot->gpus)
                names << QStringLiteral("%1: %2").arg(gpu.index).arg(gpu.name);
            const int n = int(snapshot->gpus.size());
            Q_EMIT gpusProbed(n, n ? tr("%n GPU(s)", nullptr, n) : tr("no GPU"),
                              (QStringList{snapshot->message} + names).join(u'\n'));
        });
}

void StatusProbe::checkMachine()
{
    core::EnvironmentCheck::Options options;
    options.dockerEndpoint = m_dockerEndpoint;
    options.nvidiaSmi = m_nvidiaSmi;
    onWorker(
        this, [options] { return core::EnvironmentCheck::run(options); },
        [this](std::vector<core::CheckItem> items) { Q_EMIT machineChecked(items); });
}

void StatusProbe::probeProject(const QString &dir)
{
    const quint64 probe = ++m_projectProbes;
    onWorker(
        this, [dir] { return core::GitInfo::read(dir); },
        [this, dir, probe](core::Result<core::GitState> state) {
            if (probe != m_projectProbes)
                return; // a later probe is on its way: answers may arrive out of order
            if (!state) {
                Q_EMIT projectProbed(dir, {}, tr("git: error"), state.error().toString());
                return;
            }
            if (!state->isRepository) {
                Q_EMIT projectProbed(dir, {}, tr("not a git repository"),
                                     tr("Runs of this project cannot be traced to a commit."));
                return;
            }
            const QString branch = state->detached ? tr("detached") : state->branch;
            const QString commit = state->sha.isEmpty() ? tr("no commit yet") : state->shortSha;
            QString tip = state->sha.isEmpty() ? tr("No commit yet") : tr("%1 %2").arg(state->shortSha, state->title);
            if (state->dirty)
                tip += tr("\n* uncommitted changes: runs record them as a dirty tree");
            Q_EMIT projectProbed(
                dir, branch,
                QStringLiteral("%1 @ %2%3").arg(branch, commit, state->dirty ? QStringLiteral("*") : QString()), tip);
        });
}

} // namespace trainyard::ui
