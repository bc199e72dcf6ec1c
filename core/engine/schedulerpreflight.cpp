// Scheduler's checks before a run starts (artifact paths, services, engine, data inputs, GPUs) and
// the preparation of its images.
#include "scheduler.h"
#include "schedulernode.h"

#include "gpuallocator.h"
#include "gpuinventory.h"
#include "jobexecutor.h"

#include "pipeline/hostaccess.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <memory>
#include <vector>

namespace trainyard::core {

namespace {

/// A refusal when one of the job's `artifacts:paths` lies outside its workspace.
Result<void> checkArtifactPaths(const Job &job)
{
    for (const QString &path : job.artifacts.paths) {
        const QString clean = QDir::cleanPath(path);
        if (QDir::isAbsolutePath(path) || clean == QLatin1String("..") || clean.startsWith(QLatin1String("../")))
            return tl::unexpected(Error::error(
                QStringLiteral("job '%1': artifacts:paths entry '%2' is outside the job's workspace; no job ran")
                    .arg(job.name, path),
                job.location, job.name));
    }
    return {};
}

/// A refusal when one of the job's services needs a privileged container.
Result<void> checkPrivilegedServices(const Job &job)
{
    for (const Service &service : job.services) {
        if (Service::needsPrivileged(service.name))
            return tl::unexpected(Error::error(
                QStringLiteral("job '%1': service %2 needs a privileged container, which can take over this machine; "
                               "set `.trainyard: allow_privileged_services: true` if you trust this pipeline with it. "
                               "No job ran")
                    .arg(job.name, service.name),
                service.location.isValid() ? service.location : job.location, job.name));
    }
    return {};
}

/// What GPUs this machine has, for messages: "2 GPU(s): 0 NVIDIA H100, 1 NVIDIA H100", or
/// the inventory's `message` when it has none.
QString gpuSummary(const std::vector<GpuInfo> &gpus, const QString &message)
{
    return gpus.empty() ? message : QStringLiteral("%1 GPU(s): %2").arg(gpus.size()).arg([&] {
        QStringList names;
        for (const GpuInfo &g : gpus)
            names << QString::number(g.index) + u' ' + g.name;
        return names.join(QStringLiteral(", "));
    }());
}

} // namespace

Result<void> Scheduler::preflight()
{
    // What would fail only once a job ran (perhaps after hours of training) is refused first.
    if (auto ok = checkJobs(); !ok)
        return ok;
    if (auto ok = reachEngine(); !ok)
        return ok;
    if (auto ok = checkDataInputs(); !ok)
        return ok;
    return setUpGpus();
}

Result<void> Scheduler::checkJobs() const
{
    for (const auto &n : m_nodes) {
        if (n->reused)
            continue;
        const Job &job = *n->job;
        if (auto ok = checkArtifactPaths(job); !ok)
            return ok;
        if (m_executor.allocatesGpus() && job.gpuCount() < 0)
            return tl::unexpected(Error::error(
                QStringLiteral("job '%1': `gpus: all` means this machine's GPUs; on a cluster, give how many "
                               "(gpus: 2). No job ran")
                    .arg(job.name),
                job.location, job.name));
        if (m_executor.runsOnHost() || m_pipeline.trainyard.allowPrivilegedServices)
            continue;
        if (auto ok = checkPrivilegedServices(job); !ok)
            return ok;
    }
    return {};
}

Result<void> Scheduler::reachEngine()
{
    auto engine = m_executor.preflight();
    if (!engine)
        return tl::unexpected(engine.error());
    if (m_events.message)
        m_events.message(QStringLiteral("engine: %1").arg(*engine));
    return {};
}

Result<void> Scheduler::checkDataInputs() const
{
    // Every job mounts the data inputs: one this machine does not allow, or that is missing, is
    // refused before any image is built.
    const HostAccess access(m_projectDir, m_pipeline.dataRoots);
    for (const DataInput &d : m_pipeline.trainyard.data) {
        const auto allowed = access.dataSource(d);
        if (!allowed)
            return tl::unexpected(Error::error(allowed.error().message + QStringLiteral("; no job ran"), d.location));
        const QString &source = *allowed;
        if (!QFileInfo::exists(source))
            return tl::unexpected(
                Error::error(QStringLiteral("data input '%1': path '%2' does not exist (looked for %3); no job ran")
                                 .arg(d.name, d.path, QDir::cleanPath(source)),
                             d.location));
    }
    return {};
}

Result<void> Scheduler::setUpGpus()
{
    // GPU jobs are checked before any work starts.
    const GpuDemand demand = gpuDemand();
    std::vector<GpuInfo> gpus;
    // A cluster's scheduler gives jobs the GPUs of its nodes: this machine's are not asked.
    if (!demand.jobs.isEmpty() && !m_executor.allocatesGpus()) {
        auto inventory = GpuInventory::query();
        if (!inventory)
            return tl::unexpected(inventory.error());
        gpus = inventory->gpus;
        const QString found = gpuSummary(gpus, inventory->message);
        if (static_cast<int>(gpus.size()) < demand.most) {
            if (auto ok = handleGpuShortage(demand.jobs, found); !ok)
                return ok;
        }
    }
    m_gpus = std::make_unique<GpuAllocator>(gpus);
    return {};
}

Scheduler::GpuDemand Scheduler::gpuDemand() const
{
    GpuDemand demand;
    for (const auto &n : m_nodes) {
        const int count = n->reused ? 0 : n->job->gpuCount();
        if (count != 0) {
            demand.jobs << n->job->name;
            demand.most = std::max(demand.most, count < 0 ? 1 : count);
        }
    }
    return demand;
}

QStringList Scheduler::gpuNeeds() const
{
    QStringList needs;
    for (const auto &n : m_nodes) {
        const int c = n->reused ? 0 : n->job->gpuCount();
        if (c != 0)
            needs << QStringLiteral("'%1' needs %2")
                         .arg(n->job->name, c < 0 ? QStringLiteral("all GPUs") : QStringLiteral("%1 GPU(s)").arg(c));
    }
    return needs;
}

Result<void> Scheduler::handleGpuShortage(const QStringList &gpuJobs, const QString &found) const
{
    if (!m_options.cpuFallback)
        return tl::unexpected(
            Error::error(QStringLiteral("GPU jobs cannot run here: %1; found %2. Run with --cpu-fallback to run them "
                                        "on the CPU (marked so), or on a machine with NVIDIA GPUs.")
                             .arg(gpuNeeds().join(QStringLiteral(", ")), found)));
    if (m_events.message)
        m_events.message(QStringLiteral("--cpu-fallback: GPU jobs %1 run without a GPU (%2)")
                             .arg(gpuJobs.join(QStringLiteral(", ")), found));
    return {};
}

Result<void> Scheduler::prepareImages()
{
    QStringList images;
    for (const auto &n : m_nodes) {
        if (!n->reused && !n->job->image.name.isEmpty() && !images.contains(n->job->image.name))
            images << n->job->image.name;
    }
    for (const QString &image : images) {
        if (m_cancelAll)
            return tl::unexpected(Error::error(QStringLiteral("cancelled")));
        ExecutionCallbacks cb;
        cb.log = [this, image](const LogLine &l) {
            if (m_events.log)
                m_events.log(QString(), LogLine{LogLine::Stream::System, image + QStringLiteral(": ") + l.text});
        };
        cb.progress = [this, image](const QString &label, qint64 cur, qint64 total) {
            if (m_events.progress)
                m_events.progress(QString(), image + QStringLiteral(": ") + label, cur, total);
        };
        if (auto ok = m_executor.prepareImage(m_options.imageOverrides.value(image, image), cb, m_cancelAll); !ok)
            return tl::unexpected(ok.error());
    }
    return {};
}

} // namespace trainyard::core
