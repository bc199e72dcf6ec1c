#pragma once

#include <QString>

namespace trainyard::core {

/// A job's name as a file, folder and container name: ASCII letters, digits, '-', '_' and '.',
/// at most 100 characters. A name that had to change gets '-' and 8 hex digits of its SHA-256,
/// so names that sanitise alike (`a/b`, `a_b`, `a\b`) never share a workspace, a log file or a
/// container. A name that is safe already stays as it is.
QString safeName(const QString &name);

} // namespace trainyard::core
