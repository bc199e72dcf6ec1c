#pragma once

#include "lineage/runreproducer.h"

#include <QString>

class QMessageBox;
class QWidget;

namespace trainyard::ui {

/// Asking before a reproduction, and how it came out, in a box that does not block the window: refused (why), or ran
/// (identical, or which artifacts and jobs differ, in the details).
class ReproductionResult final
{
public:
    /// Says what reproducing run `runId` does and asks whether to go on.
    static bool confirm(QWidget *parent, const QString &runId);
    /// Opens the box (it deletes itself when closed); returns it.
    static QMessageBox *show(QWidget *parent, const QString &runId, const core::ReproductionReport &report,
                             const QString &refusal);
    /// The status bar's one line.
    static QString summary(const QString &runId, const core::ReproductionReport &report, const QString &refusal);
};

} // namespace trainyard::ui
