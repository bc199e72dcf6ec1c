#pragma once

#include <QString>

namespace trainyard::core {

/// Tells a live process from a dead one whose id the kernel gave to another: a process is its id
/// and when it started (`/proc/PID/stat`, field 22, in clock ticks since boot, with the boot's
/// id). A run records both; a run whose pid lives but started at another time is not live.
class ProcessIdentity final
{
public:
    /// "BOOT_ID:START_TICKS" of process `pid`, or empty when it is gone (or there is no /proc).
    static QString startOf(qint64 pid);
    /// startOf() this process.
    static QString current();
    /// Whether `pid` is running and, when `start` is known, is the process that started then.
    static bool isAlive(qint64 pid, const QString &start);
};

} // namespace trainyard::core
