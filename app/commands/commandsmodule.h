#pragma once

// The subcommands' modules, each loaded by `trainyard` only when one of its subcommands runs
// (or --help lists them all):
// - trainyard-pipeline-commands.so: validate and list, on the pipeline layer (libgit2, yaml-cpp);
// - trainyard-commands.so: those that need core's upper layers (engine, supplychain, lineage,
//   run): Docker's, SQL's and the registry's libraries.
// scalars is built into the executable, on the metrics layer alone, so it starts quickest.

#include "command.h"

#include <QRegularExpression>
#include <QString>

#include <vector>

namespace trainyard::app {

struct ScalarsPrinter;

/// The modules' file names (see resolveModuleSymbol() for where they are looked for).
inline constexpr char kCommandsModuleName[] = "trainyard-commands.so";
inline constexpr char kPipelineCommandsModuleName[] = "trainyard-pipeline-commands.so";

/// A module's subcommands (the same symbol in each module).
inline constexpr char kCommandsSymbol[] = "trainyardCommands";
using ModuleCommands = const std::vector<Command> *(*)();

/// `trainyard scalars --recorded`: prints the scalars of the runs recorded in `projectDir` that
/// pass `runFilter`; false (after saying why) when the project's runs cannot be listed.
inline constexpr char kPrintRecordedScalarsSymbol[] = "trainyardPrintRecordedScalars";
using PrintRecordedScalars = bool (*)(const QString &projectDir, const QRegularExpression &runFilter,
                                      ScalarsPrinter &printer);

} // namespace trainyard::app
