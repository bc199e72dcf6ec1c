#pragma once

#include "lineagerecords.h"

#include <QString>

#include <optional>
#include <vector>

namespace trainyard::core {

/// A variable as job `job` of a run saw it: its value and where that came from.
struct EffectiveVariable
{
    QString name;
    QString value;
    enum class Origin { Pipeline, Job } origin = Origin::Pipeline; ///< `variables:` at the top, or the job's own
    std::optional<QString> overridden;                             ///< the pipeline's value the job's own replaced
};

/// The variables job `job` of run `runId` saw, by name, from the recorded pipeline-level and
/// job-level ones (the job's own win, as in GitLab).
std::vector<EffectiveVariable> effectiveVariables(const std::vector<LineageVariable> &recorded, const QString &runId,
                                                  const QString &job);

} // namespace trainyard::core
