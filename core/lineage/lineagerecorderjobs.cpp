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
#include "metrics/jobmetricsfile.h"
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

#include <algorithm>
#include <optional>
#include <vector>

namespace trainyard::core {

namespace {

/// The largest file read for metrics.
constexpr qint64 kMaxMetricsFile = JobMetricsFile::kMaxBytes;

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

/// How the artifact `path` of `job` is read for metrics: as a report the job declares
/// (`artifacts:reports:metrics` or `dotenv`), as a JSON file named for metrics, or not at all.
std::optional<JobMetricsFile::Format> metricsFormat(const Job *job, const QString &path)
{
    if (job) {
        for (const Artifacts::ReportFile &r : job->artifacts.reportFiles()) {
            if (QDir::cleanPath(r.path) == path)
                return r.kind == QLatin1String("dotenv") ? JobMetricsFile::Format::Dotenv
                                                         : JobMetricsFile::Format::OpenMetricsText;
        }
    }
    if (JobMetricsFile::isMetricsJsonName(path))
        return JobMetricsFile::Format::Json;
    return std::nullopt;
}

/// The numbers at the top level of the JSON file `objectPath`, for gates only (an artifact not
/// named for metrics); a name already in `values` is kept. True when it held any.
bool readGateValues(const QString &objectPath, QMap<QString, double> &values)
{
    QFile file(objectPath);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    bool any = false;
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.value().isDouble() && !values.contains(it.key())) {
            values.insert(it.key(), it.value().toDouble());
            any = true;
        }
    }
    return any;
}

} // namespace

/// What a job produced, once it is final: its artifacts, and the numbers gates may read from them.
struct LineageRecorder::JobOutputs
{
    std::optional<std::vector<LineageArtifact>> artifacts; ///< set once the job is final
    std::vector<LineageMetric> metrics;                    ///< reported in files (reports, metrics.json)
    QMap<QString, double> gateValues;                      ///< other JSON artifacts' numbers, for the job's gates only
    QString gateValuesSource;                              ///< the first of those artifacts
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
                const QString object = ArtifactStore::objectPath(storeRoot, f.sha256);
                if (const auto format = metricsFormat(job, f.path)) {
                    readMetrics(object, f, *format, record.name, outputs);
                } else if (job && !job->trainyard.gates.empty() && f.path.endsWith(QLatin1String(".json")) &&
                           f.size <= kMaxMetricsFile) {
                    // Gates may also read the numbers of any small JSON artifact.
                    if (readGateValues(object, outputs.gateValues) && outputs.gateValuesSource.isEmpty())
                        outputs.gateValuesSource = f.path;
                }
            }
        }
    }
    s.produced.insert(record.name, *outputs.artifacts);
    return outputs;
}

void LineageRecorder::readMetrics(const QString &objectPath, const ArtifactStore::StoredFile &file,
                                  JobMetricsFile::Format format, const QString &job, JobOutputs &outputs)
{
    if (file.size > kMaxMetricsFile) {
        report(QStringLiteral("lineage: job %1: %2 is %3 bytes, too big to read for metrics")
                   .arg(job, file.path)
                   .arg(file.size));
        return;
    }
    QFile in(objectPath);
    if (!in.open(QIODevice::ReadOnly)) {
        report(QStringLiteral("lineage: job %1: cannot read %2 for metrics: %3").arg(job, file.path, in.errorString()));
        return;
    }
    const JobMetricsFile::Read read = JobMetricsFile::parse(in.readAll(), format, file.path);
    // A warning quotes the line it could not read: a secret in it is masked.
    for (const Error &e : read.problems)
        report(m_state->masker.mask(QStringLiteral("lineage: job %1: %2").arg(job, e.toString())));
    for (const JobMetric &m : read.metrics) {
        // A dotenv report holds variables: a secret's (by name, or a number that is a secret's value)
        // never reaches the database.
        if (m_state->secretNames.contains(m.name))
            continue;
        if (format == JobMetricsFile::Format::Dotenv &&
            std::any_of(m_options.secrets.cbegin(), m_options.secrets.cend(), [&](const QString &secret) {
                bool number = false;
                const double v = secret.trimmed().toDouble(&number);
                return number && v == m.value;
            }))
            continue;
        auto same = std::find_if(outputs.metrics.begin(), outputs.metrics.end(),
                                 [&](const LineageMetric &earlier) { return earlier.name == m.name; });
        if (same == outputs.metrics.end())
            outputs.metrics.push_back(LineageMetric{m_state->runId, job, m.name, m.value, m.source});
    }
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
    // Other JSON artifacts' numbers first: the files named for metrics, recorded next, have the last word.
    if (!outputs.gateValues.isEmpty()) {
        if (auto r = s.store->recordGateValues(s.runId, record.name, outputs.gateValues, outputs.gateValuesSource); !r)
            return r;
    }
    if (!outputs.metrics.empty()) {
        if (auto r = s.store->recordMetrics(s.runId, record.name, outputs.metrics); !r)
            return r;
    }
    return {};
}

} // namespace trainyard::core
