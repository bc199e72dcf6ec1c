#include "runexecution.h"

#include "engine/dockerclient.h"
#include "engine/engines.h"
#include "engine/jobexecutor.h"
#include "lineage/imagesecurity.h"
#include "lineage/lineagerecorder.h"
#include "lineage/lineagestore.h"
#include "lineage/teampush.h"
#include "supplychain/installedscanners.h"
#include "supplychain/osvdatabase.h"

#include <QDir>
#include <QFileInfo>

namespace trainyard::core {

RunExecution::RunExecution(Setup setup)
    : m_setup(std::move(setup))
{}

RunExecution::~RunExecution() = default;

Result<RunRecord> RunExecution::run()
{
    auto executor = Engines::make(m_setup.engine, m_setup.pipeline, m_setup.dockerEndpoint);
    if (!executor)
        return tl::unexpected(executor.error());
    m_executor = std::move(*executor);
    // Images built here reach a cluster's nodes through the team's registry, when one is set.
    const QString registry = TeamPush::configured(m_setup.pipeline).registryUrl;
    if (!registry.isEmpty() && registry != QLatin1String("none")) {
        m_executor->setImagePublisher([registry, endpoint = m_setup.dockerEndpoint](
                                          const QString &image, const std::atomic_bool &cancel) -> Result<QString> {
            DockerClient docker(endpoint.isEmpty() ? DockerClient::defaultEndpoint() : endpoint);
            return TeamPush::publishImage(docker, image, image, registry, &cancel);
        });
    }

    const QString databasePath =
        m_setup.databasePath.isEmpty() ? LineageStore::defaultPath(m_setup.pipeline.projectDir) : m_setup.databasePath;
    RunOptions options = m_setup.options;
    const QString projectDir = m_setup.pipeline.projectDir;
    const QString numberIn = m_setup.numberIn.isEmpty() ? projectDir : m_setup.numberIn;
    if (m_setup.record) {
        // The number is handed out by the store, in one transaction: runs started at the same
        // moment, by any process, never share one.
        options.numberRun = [databasePath, numberIn](const RunRecord &record) -> Result<qint64> {
            auto store = LineageStore::open(databasePath);
            if (!store)
                return tl::unexpected(store.error());
            return (*store)->allocatePipelineIid(record.id, QDir(numberIn).absolutePath());
        };
    }

    SchedulerEvents events = m_setup.events;
    if (m_setup.record) {
        LineageRecorder::Options lineage;
        lineage.databasePath = databasePath;
        lineage.onlyJobs = options.onlyJobs;
        lineage.secrets = options.secrets;
        lineage.trigger = options.trigger;
        lineage.reproduces = options.reproduces;
        lineage.message = m_setup.message;
        lineage.progress = m_setup.progress;
        m_recorder = std::make_unique<LineageRecorder>(m_setup.pipeline, std::move(lineage));
        events = m_recorder->wrap(std::move(events));
    }
    {
        std::lock_guard lock(m_mutex);
        m_scheduler = std::make_unique<Scheduler>(m_setup.pipeline, *m_executor, std::move(options), std::move(events));
        if (m_cancelled)
            m_scheduler->cancel();
    }
    if (m_recorder)
        m_recorder->runStarted(m_scheduler->runId(), m_executor->name());
    auto result = m_scheduler->run();
    const RunRecord record = result ? *result : m_scheduler->snapshot();
    if (m_recorder)
        m_recorder->runFinished(record); // waits until everything is written
    if (m_setup.record) {
        // The export: for other tools and `trainyard doctor --rebuild-db`; never read as the truth.
        if (auto saved = RunExport(projectDir).save(record); !saved && m_setup.message)
            m_setup.message(saved.error().toString());
        const ScanSettings &scan = m_setup.pipeline.trainyard.scan;
        if (scan.onRun && !scan.osv.isEmpty() && !m_stopScans)
            scanImages(databasePath, record.id);
    }
    return result;
}

void RunExecution::scanImages(const QString &databasePath, const QString &runId)
{
    const auto say = [this](const QString &text) {
        if (m_setup.message)
            m_setup.message(text);
    };
    auto store = LineageStore::open(databasePath);
    if (!store) {
        say(QStringLiteral("The images were not scanned: %1").arg(store.error().toString()));
        return;
    }
    auto images = (*store)->images(runId);
    if (!images) {
        say(QStringLiteral("The images were not scanned: %1").arg(images.error().toString()));
        return;
    }
    // The project the run belongs to: a reproduction runs in a worktree but is recorded (and
    // keeps its documents) in the project it reproduces.
    const QString projectDir = m_setup.numberIn.isEmpty() ? m_setup.pipeline.projectDir : m_setup.numberIn;
    ImageSecurity security(**store,
                           QFileInfo(databasePath).absoluteDir().absoluteFilePath(QStringLiteral("artifacts")));
    DockerClient docker(m_setup.dockerEndpoint.isEmpty() ? DockerClient::defaultEndpoint() : m_setup.dockerEndpoint);
    ImageSecurity::ScanRequest request;
    request.osvDir = m_setup.pipeline.trainyard.scan.osvFolder(projectDir);
    QList<Error> warnings;
    auto advisories = OsvDatabase::load(request.osvDir, &warnings, {}, &m_stopScans); // once for every image
    if (!advisories) {
        say(QStringLiteral("The images were not scanned: %1").arg(advisories.error().toString()));
        return;
    }
    if (!warnings.isEmpty())
        say(QStringLiteral("%1 file(s) of %2 are no OSV advisories, the first: %3")
                .arg(warnings.size())
                .arg(request.osvDir, warnings.first().toString()));
    request.advisories = &*advisories;
    request.scanners = InstalledScanners::available(); // trivy, grype: when installed, read as well
    QStringList seen;
    for (const LineageImage &image : *images) {
        if (image.imageId.isEmpty() || seen.contains(image.imageId))
            continue;
        seen << image.imageId;
        if (m_stopScans)
            return;
        auto scanned = security.scan(docker, image.imageId, request, {}, &m_stopScans);
        if (!scanned) {
            say(QStringLiteral("Image %1 was not scanned: %2").arg(image.reference, scanned.error().toString()));
            continue;
        }
        if (m_setup.note)
            m_setup.note(QStringLiteral("Scanned image %1: %2 finding(s): %3")
                             .arg(image.reference)
                             .arg(scanned->scan.findings.size())
                             .arg(SeverityCounts::of(scanned->scan.findings).toString()));
    }
}

RunRecord RunExecution::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_scheduler ? m_scheduler->snapshot() : RunRecord{};
}

void RunExecution::cancel()
{
    std::lock_guard lock(m_mutex);
    m_cancelled = true;
    m_stopScans = true;
    if (m_scheduler)
        m_scheduler->cancel();
}

void RunExecution::cancelJob(const QString &job)
{
    std::lock_guard lock(m_mutex);
    if (m_scheduler)
        m_scheduler->cancelJob(job);
}

void RunExecution::approve(const QString &job)
{
    std::lock_guard lock(m_mutex);
    if (m_scheduler)
        m_scheduler->approve(job);
}

} // namespace trainyard::core
