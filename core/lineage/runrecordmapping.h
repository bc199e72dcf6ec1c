#pragma once

#include "engine/runrecord.h"
#include "lineagerecords.h"

#include <QJsonObject>

#include <vector>

namespace trainyard::core {

struct Job;

/// A run as the scheduler reports it (RunRecord, JobRecord) and as the lineage database holds it
/// (LineageRun, LineageJob, LineageArtifact), both ways: the recorder writes with one, the run
/// service, the Runs list and a retry read with the other.
class RunRecordMapping final
{
public:
    /// A job record as a row of the jobs table; `job` (may be null) adds what only the pipeline
    /// knows (allow_failure, the TensorBoard folder).
    static LineageJob toLineageJob(const QString &runId, const JobRecord &record, const Job *job);
    /// A run record as a row of the runs table.
    static LineageRun toLineageRun(const RunRecord &record);

    /// A row of the jobs table as a job record; `artifacts` is ArtifactStore's JSON of its files.
    static JobRecord toJobRecord(const LineageJob &job, const QJsonObject &artifacts);
    /// A run with its jobs (in the order given) and their artifacts, as the scheduler's record.
    static RunRecord toRunRecord(const LineageRun &run, const std::vector<LineageJob> &jobs,
                                 const std::vector<LineageArtifact> &artifacts);
};

} // namespace trainyard::core
