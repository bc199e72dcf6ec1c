#pragma once

#include "common/error.h"
#include "engine/runrecord.h"
#include "lineagerecords.h"

#include <QString>
#include <QStringList>

namespace trainyard::core {

class LineageStore;
struct Job;

/// Run records as the lineage database holds them: the conversion the recorder uses while a run
/// goes, and the import of `.trainyard/runs/<id>.json` files (the export each run leaves), which
/// rebuilds a lost database (`trainyard doctor --rebuild-db`).
class RunRecordImport final
{
public:
    struct Report
    {
        int imported = 0;    ///< runs added to the database
        int present = 0;     ///< runs it held already, left as they were
        QStringList problems; ///< files that could not be read or recorded, each named
    };

    /// A job record as a row of the jobs table; `job` (may be null) adds what only the pipeline
    /// knows (allow_failure, the TensorBoard folder).
    static LineageJob toLineageJob(const QString &runId, const JobRecord &record, const Job *job);
    /// A run record as a row of the runs table.
    static LineageRun toLineageRun(const RunRecord &record);

    /// Records `record` (its run, commit, jobs, images and artifacts) in one transaction, unless
    /// the store holds that run already; true when it was added.
    static Result<bool> importRecord(LineageStore &store, const RunRecord &record);
    /// Imports every run record under `<projectDir>/.trainyard/runs/`, oldest first.
    static Report importProject(LineageStore &store, const QString &projectDir);

    struct Rebuilt
    {
        Report report;
        QString keptAs; ///< where the old file was moved, or empty when there was none
    };
    /// `trainyard doctor --rebuild-db`: moves an empty or damaged lineage database aside (never
    /// deleted) and makes a new one from the run records. Refuses when the database opens fine:
    /// what only it holds (sign-offs, data versions, reproductions) would be set aside for nothing.
    static Result<Rebuilt> rebuildDatabase(const QString &projectDir);
};

} // namespace trainyard::core
