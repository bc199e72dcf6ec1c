#pragma once

#include "pipeline.h"

namespace trainyard::core {

/// Checks what only the whole pipeline can tell: unknown stages, `needs` and `dependencies` on
/// jobs that are not defined, not created, or in a later stage, and `needs` cycles (named).
class PipelineValidator final
{
public:
    /// Appends what it finds to `pipeline.problems`.
    static void validate(Pipeline &pipeline);
};

} // namespace trainyard::core
