#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace trainyard::core {

/// Turns a job's script lines into the shell script a runner executes: every command is echoed
/// as `$ command` and the script stops at the first failing command (`set -e`), as GitLab's
/// runners do. `before_script` and `script` share one shell; `after_script` gets its own.
class JobScript final
{
public:
    static QString build(const QStringList &commands);
    /// GitLab durations: "3600", "90 minutes", "1h 30m", "2 hours", "1 day", "30s". nullopt if invalid.
    static std::optional<int> parseDurationSeconds(const QString &text);
    /// Quotes a string for a POSIX shell (single quotes).
    static QString shellQuote(const QString &text);
};

} // namespace trainyard::core
