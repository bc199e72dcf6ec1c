#pragma once

// Internal to the pipeline commands (pipelinecommands.cpp, pipelinejobkeycommands.cpp,
// pipelinestructurecommands.cpp): the helpers more than one of them uses.

#include "pipeline/pipeline.h"

#include <QString>

namespace trainyard::ui::pipelinecommandhelpers {

/// The first job written under `name` (parallel jobs share their key, and their needs).
const core::Job *jobByKey(const core::Pipeline &pipeline, const QString &name);

} // namespace trainyard::ui::pipelinecommandhelpers
