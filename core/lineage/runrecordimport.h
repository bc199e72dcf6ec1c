#pragma once

#include "common/error.h"
#include "engine/runrecord.h"
#include "lineagerecords.h"

#include <QString>
#include <QStringList>

namespace trainyard::core {

class LineageStore;

/// The import of `.trainyard/runs/<id>.json` files into the lineage database: the export each run
/// leaves, and the records of projects from before runs were kept in the database. It rebuilds a
/// lost database (`trainyard doctor --rebuild-db`).
class RunRecordImport final
{
public:
    struct Report
    {
        int imported = 0;     ///< runs added to the database
        int present = 0;      ///< runs it held already, left as they were
        QStringList problems; ///< files that could not be read or recorded, each named
    };

    /// Records `record` (its run, commit, jobs, images and artifacts) in one transaction,
    /// replacing what the store holds of that run.
    static Result<void> write(LineageStore &store, const RunRecord &record);
    /// write(), unless the store holds that run already; true when it was added.
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
