#include "reproductionresult.h"

#include "window/confirm.h"

#include <QCoreApplication>
#include <QDir>
#include <QMessageBox>

namespace trainyard::ui {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ReproductionResult", text);
}
} // namespace

bool ReproductionResult::confirm(QWidget *parent, const QString &runId)
{
    return confirmAction(parent, tr("Reproduce run %1").arg(runId),
                         tr("<p>Trainyard checks out the run's commit into <tt>.trainyard/reproduce/</tt>, uses each "
                            "image by the ID the run recorded, verifies every data input against its recorded hash, "
                            "runs the same jobs and compares the artifacts' hashes with the original.</p><p>Changed "
                            "data is refused before anything runs.</p>"),
                         tr("&Reproduce"));
}

QString ReproductionResult::summary(const QString &runId, const core::ReproductionReport &report,
                                    const QString &refusal)
{
    if (!refusal.isEmpty())
        return tr("Reproduction of run %1 refused").arg(runId);
    return report.identical ? tr("Run %1 reproduced: identical").arg(runId)
                            : tr("Run %1 reproduced: different").arg(runId);
}

QMessageBox *ReproductionResult::show(QWidget *parent, const QString &runId, const core::ReproductionReport &report,
                                      const QString &refusal)
{
    auto *box = new QMessageBox(parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("reproductionResult"));
    if (!refusal.isEmpty()) {
        box->setIcon(QMessageBox::Warning);
        box->setWindowTitle(tr("Run %1 cannot be reproduced").arg(runId));
        box->setText(refusal.section(u'\n', 0, 0));
        box->setDetailedText(refusal);
    } else {
        box->setIcon(report.identical ? QMessageBox::Information : QMessageBox::Warning);
        box->setWindowTitle(tr("Reproduction of run %1").arg(runId));
        box->setText(report.identical
                         ? tr("<b>Reproduced: identical.</b> All %1 artifacts have the same sha256 as in run %2.")
                               .arg(report.comparedArtifacts)
                               .arg(runId)
                         : tr("<b>The reproduction differs</b> from run %1 (%2 artifact(s), %3 job(s) differ). "
                              "The details list each one.")
                               .arg(runId)
                               .arg(report.differences.size())
                               .arg(report.jobDifferences.size()));
        box->setInformativeText(
            tr("Reproduction run %1, in %2").arg(report.reproductionRunId, QDir::toNativeSeparators(report.worktree)));
        box->setDetailedText(report.toText());
    }
    box->open(); // not modal: the window stays usable while the result is read
    return box;
}

} // namespace trainyard::ui
