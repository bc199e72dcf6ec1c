#pragma once

namespace demo {
// Runs the trainer's own checks, printing one line per check; returns the process exit code.
int runSelftest();
} // namespace demo
