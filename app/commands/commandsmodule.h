#pragma once

// trainyard-commands.so: the subcommands that need core's upper layers (engine, supplychain,
// lineage, run), loaded by `trainyard` only when one of them runs (or --help lists them all).
// validate, list and scalars are built into the executable: they need the pipeline and metrics
// layers only, so they start without mapping Docker's, SQL's or the registry's libraries.

#include "command.h"

#include <QRegularExpression>
#include <QString>

#include <vector>

namespace trainyard::app {

struct ScalarsPrinter;

/// The module's file name (see resolveModuleSymbol() for where it is looked for).
inline constexpr char kCommandsModuleName[] = "trainyard-commands.so";

/// The module's subcommands, in the order `trainyard --help` lists them.
inline constexpr char kCommandsSymbol[] = "trainyardCommands";
using ModuleCommands = const std::vector<Command> *(*)();

/// `trainyard scalars --recorded`: prints the scalars of the runs recorded in `projectDir` that
/// pass `runFilter`; false (after saying why) when the project's runs cannot be listed.
inline constexpr char kPrintRecordedScalarsSymbol[] = "trainyardPrintRecordedScalars";
using PrintRecordedScalars = bool (*)(const QString &projectDir, const QRegularExpression &runFilter,
                                      ScalarsPrinter &printer);

} // namespace trainyard::app
