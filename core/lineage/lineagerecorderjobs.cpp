// LineageRecorder's recording of a job's change: doJobChanged and its steps, on the recorder's thread.
#include "lineagerecorder.h"
#include "lineagerecorderstate.h"
#include "runrecordmapping.h"

#include "lineagerecords.h"
#include "lineagestore.h"

#include "common/error.h"
#include "engine/artifactstore.h"
#include "engine/jobscript.h"
#include "engine/jobstatus.h"
#include "engine/runrecord.h"
#include "pipeline/job.h"
#include "pipeline/planner.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace trainyard::core {

namespace {

/// The largest JSON artifact whose numbers gates may read.
constexpr qint64 kMaxMetricsFile = qint64(1) << 20;

/// When the artifacts of a job that ended with `record` expire (`artifacts: expire_in`); invalid
/// when they do not.
QDateTime artifactExpiry(const JobRecord &record, const Job *job)
{
    QDateTime expires;
    if (job && !job->artifacts.expireIn.isEmpty() && job->artifacts.expireIn != QLatin1String("never")) {
        if (auto seconds = JobScript::parseDurationSeconds(job->artifacts.expireIn))
            expires = (record.finished.isValid() ? record.finished : QDateTime::currentDateTimeUtc()).addSecs(*seconds);
    }
    return expires;
}

/// Adds the numbers at the top level of the JSON file `objectPath` (artifact `path`) to `metrics`
/// (a name already there is kept); the first artifact that holds any is `metricsSource`.
void readArtifactMetrics(const QString &objectPath, const QString &path, QMap<QString, double> &metrics,
                         QString &metricsSource)
{
    QFile file(objectPath);
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.value().isDouble() && !metrics.contains(it.key()))
            metrics.insert(it.key(), it.value().toDouble());
    }
    if (!o.isEmpty() && metricsSource.isEmpty())
        metricsSource = path;
}

} // namespace

/// What a job produced, once it is final: its artifacts, and the numbers gates may read from them.
struct LineageRecorder::JobOutputs
{
    std::optional<std::vector<LineageArtifact>> artifacts; ///< set once the job is final
    QMap<QString, double> metrics;
    QString metricsSource;
};

void LineageRecorder::doJobChanged(const JobRecord &record)
{
    State &s = *m_state;
    if (!s.enabled)
        return;
    const Job *job = m_pipeline.job(record.name);
    const QString projectDir = QDir(m_pipeline.projectDir).absolutePath();

    // What the job was staged: the artifacts of the jobs it takes them from (as the scheduler
    // decides: `needs` with artifacts, else `dependencies`, else every job it waits for).
    const std::optional<std::vector<LineageConsumption>> consumed = stagedArtifacts(record, job);

    // What it produced, once it is final.
    const JobOutputs outputs = producedOutputs(record, job, projectDir);

    // The image as the engine resolved it, once known.
    const bool writeImage = resolveImage(record);

    auto ok = s.store->transaction(
        [&]() -> Result<void> { return writeJobChange(record, job, consumed, outputs, writeImage); });
    if (!ok)
        report(QStringLiteral("lineage: job %1: %2").arg(record.name, ok.error().toString()));
    s.last.insert(record.name, record);
}

std::optional<std::vector<LineageConsumption>> LineageRecorder::stagedArtifacts(const JobRecord &record, const Job *job)
{
    State &s = *m_state;
    std::optional<std::vector<LineageConsumption>> consumed;
    if (record.status != JobStatus::Running || s.consumptionRecorded.contains(record.name) || !job)
        return consumed;
    QStringList sources;
    if (job->needs) {
        for (const Need &n : *job->needs) {
            if (n.artifacts && n.isLocal())
                sources << n.job;
        }
    } else if (job->dependencies) {
        sources = *job->dependencies;
    } else if (const PlanNode *node = s.plan.node(record.name)) {
        sources = node->dependsOn;
    }
    consumed.emplace();
    for (const QString &source : std::as_const(sources)) {
        for (const LineageArtifact &a : s.produced.value(source))
            consumed->push_back(LineageConsumption{s.runId, record.name, source, a.path, a.sha256});
    }
    s.consumptionRecorded.insert(record.name);
    return consumed;
}

LineageRecorder::JobOutputs LineageRecorder::producedOutputs(const JobRecord &record, const Job *job,
                                                             const QString &projectDir)
{
    State &s = *m_state;
    JobOutputs outputs;
    if (!isFinal(record.status))
        return outputs;
    outputs.artifacts.emplace();
    if (!record.artifacts.isEmpty()) {
        auto set = ArtifactStore::fromJson(record.artifacts);
        if (!set) {
            report(QStringLiteral("lineage: artifacts of job %1: %2").arg(record.name, set.error().toString()));
        } else {
            const QDateTime expires = artifactExpiry(record, job);
            const QString storeRoot = projectDir + QStringLiteral("/.trainyard/artifacts");
            for (const auto &f : set->files) {
                outputs.artifacts->push_back(
                    LineageArtifact{s.runId, record.name, f.path, f.sha256, f.size, f.executable, expires});
                // Gates may read numbers at the top level of a small JSON artifact (metrics.json).
                if (job && !job->trainyard.gates.empty() && f.path.endsWith(QLatin1String(".json")) &&
                    f.size <= kMaxMetricsFile)
                    readArtifactMetrics(ArtifactStore::objectPath(storeRoot, f.sha256), f.path, outputs.metrics,
                                        outputs.metricsSource);
            }
        }
    }
    s.produced.insert(record.name, *outputs.artifacts);
    return outputs;
}

bool LineageRecorder::resolveImage(const JobRecord &record)
{
    if (record.image.isEmpty() || record.imageId.isEmpty())
        return false;
    State &s = *m_state;
    LineageImage &image = s.images[record.image];
    image.runId = s.runId;
    image.reference = record.image;
    if (image.imageId == record.imageId && image.repoDigests == record.repoDigests)
        return false;
    image.imageId = record.imageId;
    image.repoDigests = record.repoDigests;
    return true;
}

Result<void> LineageRecorder::writeJobChange(const JobRecord &record, const Job *job,
                                             const std::optional<std::vector<LineageConsumption>> &consumed,
                                             const JobOutputs &outputs, bool writeImage)
{
    State &s = *m_state;
    if (auto r = s.store->recordJob(RunRecordMapping::toLineageJob(s.runId, record, job)); !r)
        return r;
    if (consumed) {
        if (auto r = s.store->recordConsumption(s.runId, record.name, *consumed); !r)
            return r;
    }
    if (outputs.artifacts) {
        if (auto r = s.store->recordArtifacts(s.runId, record.name, *outputs.artifacts); !r)
            return r;
    }
    if (writeImage) {
        if (auto r = s.store->recordImage(s.images.value(record.image)); !r)
            return r;
    }
    if (!outputs.metrics.isEmpty()) {
        if (auto r = s.store->recordGateValues(s.runId, record.name, outputs.metrics, outputs.metricsSource); !r)
            return r;
    }
    return {};
}

} // namespace trainyard::core
