#pragma once

// Test support: a run record put into a project's lineage store, as a run records itself there
// (the store is the one record of runs the Runs list, the compare view and a retry read).

#include "engine/runrecord.h"
#include "lineage/lineagestore.h"
#include "lineage/runrecordimport.h"

namespace trainyard::test {

/// Records (or re-records) `record` in `projectDir`'s lineage store; false on failure.
inline bool recordRun(const QString &projectDir, const core::RunRecord &record)
{
    auto store = core::LineageStore::open(core::LineageStore::defaultPath(projectDir));
    return store && core::RunRecordImport::write(**store, record);
}

} // namespace trainyard::test
