#pragma once

// What the subcommands that read a pipeline share (validate, list, run): options, reading the
// FILE, reporting its problems. Apart from command.h, so that the executable, which runs none
// of them, maps no pipeline layer.

#include "command.h"

#include "pipeline/pipeline.h"

#include <optional>

namespace trainyard::app {

/// Adds `-C DIR`, `--branch NAME` and the optional FILE argument of commands that read a pipeline.
void addPipelineOptions(QCommandLineParser &parser);
/// Reads the pipeline that -C, --branch and FILE name; nullopt (with the usage error printed) when
/// more than one FILE is given.
std::optional<core::Pipeline> readPipeline(const QCommandLineParser &parser, QTextStream &err, const QString &command);
/// Prints the pipeline's problems; returns 0 when it can be used, else `failCode` after saying why
/// (not valid, or not created by `workflow: rules`).
int reportProblems(const core::Pipeline &pipeline, QTextStream &err, const QString &command, int failCode);

} // namespace trainyard::app
