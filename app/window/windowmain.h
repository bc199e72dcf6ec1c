#pragma once

// The window's entry point, in its own module (trainyard-window.so) that `trainyard` loads only
// when it opens the window: the subcommands start without Qt's GUI libraries.

#include <QString>

namespace trainyard::app {

struct OpenRequest;

/// The symbol `trainyard` resolves in the module.
inline constexpr char kWindowMainSymbol[] = "trainyardWindowMain";
/// Makes the QApplication, shows the window on `projectDir` (none when empty), does what `open`
/// asks once the project is shown, and runs the event loop; returns its exit code.
using WindowMain = int (*)(int argc, char **argv, const QString &projectDir, const OpenRequest &open);

/// The module's file name (see resolveModuleSymbol() for where it is looked for).
inline constexpr char kWindowModuleName[] = "trainyard-window.so";

} // namespace trainyard::app
