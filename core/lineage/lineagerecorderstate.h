#pragma once

// Internal to LineageRecorder: what its files (lineagerecorder.cpp, lineagerecorderjobs.cpp) share.

#include "lineagerecorder.h"
#include "lineagerecords.h"
#include "lineagestore.h"

#include "engine/runrecord.h"
#include "pipeline/planner.h"
#include "pipeline/secretmasker.h"

#include <QHash>
#include <QSet>
#include <QString>

#include <memory>
#include <vector>

namespace trainyard::core {

/// What the recorder knows of the run it records; touched only on the recorder's thread.
struct LineageRecorder::State
{
    std::unique_ptr<LineageStore> store;
    bool enabled = false;
    QString runId;
    LineageRun run;
    Plan plan;
    QHash<QString, JobRecord> last;                        ///< the last state recorded per job
    QHash<QString, std::vector<LineageArtifact>> produced; ///< per job, once final
    QSet<QString> consumptionRecorded;
    QHash<QString, LineageImage> images; ///< by reference
    QSet<QString> secretNames;           ///< variables never recorded (secretNamesOf), set at the run's start
    SecretMasker masker;                 ///< the run's secret values, masked in what is reported
};

} // namespace trainyard::core
