#pragma once

#include "engine/jobstatus.h"

#include <QColor>

#include <optional>

class QPalette;

namespace trainyard::ui {

/// The colour of a job's status wherever it is shown (the canvas cards, the Runs list): the same
/// hue everywhere, readable on light and dark palettes. No status (never run): the palette's Mid.
QColor jobStatusColor(std::optional<core::JobStatus> status, const QPalette &palette);
/// The colour of a run's status, in the hues of its jobs' (a blocked run: the manual jobs' violet).
QColor runStatusColor(core::RunStatus status, const QPalette &palette);

} // namespace trainyard::ui
