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

/// The module's file name and where it is looked for, next to the executable (a build tree) and
/// in the install's library folder; see loadWindowMain().
inline constexpr char kWindowModuleName[] = "trainyard-window.so";

/// Loads the window module and resolves its entry point; nullptr, with the reason in `error`
/// (the paths tried), when it is missing or broken.
WindowMain loadWindowMain(QString &error);

} // namespace trainyard::app
