#pragma once

#include "lineage/runreproducer.h"

#include <QString>

class QDialog;
class QWidget;

namespace trainyard::ui {

/// Asking before a reproduction, and how it came out, in a dialog that does not block the window:
/// refused (why), errored before its jobs ran (why; no verdict), or ran: identical, or a table of
/// the artifacts and jobs that differ.
class ReproductionResult final
{
public:
    /// Says what reproducing run `runId` does and asks whether to go on.
    static bool confirm(QWidget *parent, const QString &runId);
    /// Opens the dialog "reproductionResult" (it deletes itself when closed); returns it. Its
    /// parts: the QLabel "headline", the QTableWidget "differences" (when something differs) and
    /// the QPlainTextEdit "reason" (a refusal or an error, whole).
    static QDialog *show(QWidget *parent, const QString &runId, const core::ReproductionReport &report,
                         const QString &refusal);
    /// The status bar's one line.
    static QString summary(const QString &runId, const core::ReproductionReport &report, const QString &refusal);
};

} // namespace trainyard::ui
