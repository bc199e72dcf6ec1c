#pragma once

#include "command.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::app {

/// The subcommands' names, in the order `trainyard --help` lists them, known without loading
/// a module.
const QStringList &commandNames();

/// A subcommand built into the executable (scalars); nullptr for another name.
const Command *builtInCommand(const QString &name);

/// Every subcommand, in help order: the built-in ones and those of the modules (commandsmodule.h),
/// which the first call loads; nullptr, with the reason in `error`, when a module cannot be loaded.
const std::vector<Command> *allCommands(QString &error);

/// The subcommand `name` (one of commandNames()): built in, or from the module that holds it,
/// which it then loads; nullptr, with the reason in `error`, when it cannot be.
const Command *findCommand(const QString &name, QString &error);

} // namespace trainyard::app
