#pragma once

// What `trainyard run` and `trainyard reproduce` share: a run of the run service on the console.

#include "run/runservice.h"

#include <QTextStream>

#include <mutex>
#include <optional>

namespace trainyard::app {

/// How a run shown on the console ended.
struct ConsoleRun
{
    bool refused = false; ///< nothing ran (invalid input, the store, secrets, changed data): `error` says why
    QString error;        ///< why it did not start, or stopped early
    core::RunRecord record;
    std::optional<core::ReproductionReport> report; ///< a reproduction's comparison
    bool interrupted = false;                       ///< Ctrl-C (or SIGTERM) cancelled it
};

/// Runs `request` through a RunService to its end: job lines and logs as consoleEvents prints
/// them (everything printed takes `printMutex`), the service's messages on stdout, notes and
/// warnings on stderr, progress on a terminal. The first Ctrl-C or SIGTERM cancels the run
/// (containers are stopped and removed).
ConsoleRun runOnConsole(core::RunService::Request request, QTextStream &out, QTextStream &err, bool tty,
                        std::mutex &printMutex);

} // namespace trainyard::app
