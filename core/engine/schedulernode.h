#pragma once

// Internal to Scheduler: the state of one job of a run, shared by scheduler.cpp,
// schedulerpreflight.cpp and schedulerjobs.cpp.

#include "scheduler.h"

#include "pipeline/job.h"
#include "pipeline/planner.h"

#include <QJsonObject>
#include <QList>

#include <atomic>
#include <thread>

namespace trainyard::core {

/// One job of the run: its plan, its record, the thread it runs on, its GPUs and artifacts.
struct Scheduler::Node
{
    const Job *job = nullptr;
    PlanNode plan;
    JobRecord record;
    std::atomic_bool cancel{false};
    std::thread thread;
    QList<int> gpus;
    QJsonObject artifacts;    // the ArtifactSet this job produced
    bool reused = false;      // a retry took this job's result from the earlier run
    QStringList queuedBehind; // started before these jobs it needs ended (JobExecutor::queuesAhead)
};

} // namespace trainyard::core
