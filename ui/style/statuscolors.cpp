#include "statuscolors.h"

#include <QPalette>

namespace trainyard::ui {

namespace {
const QColor kViolet(0x8b, 0x5c, 0xf6); // waiting for a person: manual jobs, blocked runs
const QColor kBlue(0x1f, 0x6f, 0xeb);
const QColor kGreen(0x2d, 0xa4, 0x4e);
const QColor kRed(0xcf, 0x22, 0x2e);
const QColor kAmber(0xd2, 0x99, 0x22);
} // namespace

QColor jobStatusColor(std::optional<core::JobStatus> status, const QPalette &palette)
{
    if (!status)
        return palette.color(QPalette::Mid);
    switch (*status) {
    case core::JobStatus::Pending:
        return palette.color(QPalette::Mid);
    case core::JobStatus::Manual:
        return kViolet;
    case core::JobStatus::Running:
        return kBlue;
    case core::JobStatus::Success:
        return kGreen;
    case core::JobStatus::Failed:
        return kRed;
    case core::JobStatus::FailedAllowed:
        return kAmber;
    case core::JobStatus::Skipped:
    case core::JobStatus::Cancelled:
        return palette.color(QPalette::Dark);
    }
    return palette.color(QPalette::Mid);
}

QColor runStatusColor(core::RunStatus status, const QPalette &palette)
{
    switch (status) {
    case core::RunStatus::Running:
        return kBlue;
    case core::RunStatus::Success:
        return kGreen;
    case core::RunStatus::Failed:
        return kRed;
    case core::RunStatus::Blocked:
        return kViolet;
    case core::RunStatus::NotStarted:
        return QColor(0xbf, 0x87, 0x00);
    case core::RunStatus::Cancelled:
    case core::RunStatus::Interrupted:
        return palette.color(QPalette::Dark);
    }
    return palette.color(QPalette::Mid);
}

} // namespace trainyard::ui
