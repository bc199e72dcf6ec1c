#pragma once

// What `trainyard run` and `trainyard reproduce` share: a run shown live on the console.

#include "engine/scheduler.h"

#include <QTextStream>

#include <mutex>

namespace trainyard::app {

/// Events that print a run as it goes: a line per job state (coloured on a terminal), job logs
/// prefixed with the job's name, progress on one rewritten line (terminal only), messages as
/// "trainyard: …". Everything printed takes `printMutex`, which both must outlive the run.
core::SchedulerEvents consoleEvents(QTextStream &out, std::mutex &printMutex, bool tty);

/// A job name as one line of a terminal: control characters (a line break in a quoted YAML key)
/// shown as escapes (`\n`, `\t`, `\x1b`), so they break neither the summary nor a log prefix.
QString printableName(const QString &name);

/// How long a job took, "12.3s"; "-" when it did not run.
QString jobDuration(const core::JobRecord &job);

} // namespace trainyard::app
