#pragma once

// The executable's modules: code `trainyard` loads only when a command needs it, so that every
// command starts by mapping only the libraries it uses. trainyard-window.so holds the window
// (Qt's GUI libraries); trainyard-commands.so the subcommands that need core's upper layers
// (engine, lineage, run: Docker, SQL, libcurl, libarchive…).

#include <QFunctionPointer>
#include <QString>

namespace trainyard::app {

/// Loads the module `fileName` (next to the executable in a build tree, in the install's
/// library folder otherwise) and resolves `symbol` in it; nullptr, with the reason in `error`
/// (the paths tried), when the module is missing or broken. A module loaded stays loaded.
QFunctionPointer resolveModuleSymbol(const char *fileName, const char *symbol, QString &error);

} // namespace trainyard::app
