#pragma once

#include "common/error.h"
#include "pipeline.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// One job the engine will run, and the jobs it waits for.
struct PlanNode
{
    QString job;
    /// Position in GitLab's stage order: `.pre` is 0, then the declared stages, `.post` last
    /// (Pipeline::stageIndex() gives the same number when `stages` lists `.pre` and `.post`).
    int stageIndex = 0;
    QStringList dependsOn; ///< names of the planned jobs it waits for, in plan order
    /// True when the job has no `needs:` and so waits for every planned job of the earlier stages.
    bool implicitStageDependency = false;
};

/// The DAG the engine runs: which jobs, and what each waits for.
struct Plan
{
    /// Topological order; among jobs free to go in any order, stage order then file order.
    std::vector<PlanNode> nodes;

    /// The node for `job`, or nullptr when it is not planned.
    const PlanNode *node(const QString &job) const;
    /// The jobs that wait for nothing, in plan order.
    QStringList roots() const;
    /// Every job `job` waits for, directly or through others, in plan order.
    QStringList upstreamOf(const QString &job) const;
    /// Every job that waits for `job`, directly or through others, in plan order.
    QStringList downstreamOf(const QString &job) const;
    QStringList jobNames() const;
};

/// Turns a pipeline into a Plan: `when: never` jobs are left out; a job with `needs:` (even
/// `needs: []`) waits for exactly its local needs, one without waits for all earlier stages.
class Planner final
{
public:
    /// With `onlyJobs`, plans those jobs and everything they transitively wait for. Fails on a
    /// needs cycle ("needs cycle: a -> b -> a"), on a job in `onlyJobs` that is not planned, on a
    /// stage that is not declared, and on a required need of a job that is not in the plan.
    static Result<Plan> plan(const Pipeline &pipeline, const QStringList &onlyJobs = {});
};

} // namespace trainyard::core
