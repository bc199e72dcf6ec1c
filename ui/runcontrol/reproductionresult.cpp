#include "reproductionresult.h"

#include "window/confirm.h"

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

namespace trainyard::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ReproductionResult", text);
}

QTableWidgetItem *cell(const QString &text, const QString &toolTip = {})
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(toolTip.isEmpty() ? text : toolTip);
    return item;
}

/// A SHA-256 as its first 12 hex digits (the tooltip has it whole), or "missing".
QTableWidgetItem *hashCell(const QString &sha256, const QString &missing)
{
    if (sha256.isEmpty())
        return cell(missing);
    QTableWidgetItem *item = cell(sha256.left(12) + QStringLiteral("…"), sha256);
    item->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return item;
}

/// What differs, one row each: the artifacts (job, path, both hashes), then the jobs that ended differently.
QTableWidget *differencesTable(const core::ReproductionReport &report, QWidget *parent)
{
    auto *table = new QTableWidget(0, 4, parent);
    table->setObjectName(QStringLiteral("differences"));
    table->setHorizontalHeaderLabels({tr("Job"), tr("What"), tr("Original run"), tr("Reproduction")});
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    const auto addRow = [table](const QList<QTableWidgetItem *> &cells) {
        const int row = table->rowCount();
        table->insertRow(row);
        for (int c = 0; c < cells.size(); ++c)
            table->setItem(row, c, cells[c]);
    };
    for (const core::ArtifactDifference &d : report.differences)
        addRow({cell(d.job), cell(d.path), hashCell(d.originalSha256, tr("not made")),
                hashCell(d.reproducedSha256, tr("not made"))});
    for (const core::JobDifference &d : report.jobDifferences)
        addRow({cell(d.job), cell(tr("job ended")), cell(d.originalStatus),
                cell(d.reproducedStatus.isEmpty() ? tr("not run") : d.reproducedStatus)});
    table->resizeColumnsToContents();
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    return table;
}

QPlainTextEdit *reasonText(const QString &text, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(text, parent);
    edit->setObjectName(QStringLiteral("reason"));
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    return edit;
}

QString headline(const QString &runId, const core::ReproductionReport &report, const QString &refusal)
{
    if (!refusal.isEmpty())
        return tr("<b>Run %1 cannot be reproduced:</b> %2. Nothing ran.")
            .arg(runId, refusal.section(u'\n', 0, 0).toHtmlEscaped());
    if (report.errored)
        return tr("<b>The reproduction errored before its jobs ran.</b> Nothing was compared, so this says nothing "
                  "about run %1: its release review is unchanged. Fix the cause below and reproduce again.")
            .arg(runId);
    if (report.identical)
        return tr("<b>Reproduced: identical.</b> All %1 artifacts have the same SHA-256 as in run %2.")
            .arg(report.comparedArtifacts)
            .arg(runId);
    return tr("<b>The reproduction differs</b> from run %1: %2 of %3 artifact(s) and %4 job(s), listed below.")
        .arg(runId)
        .arg(report.differences.size())
        .arg(report.comparedArtifacts)
        .arg(report.jobDifferences.size());
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
    if (report.errored)
        return tr("Reproduction of run %1 errored before its jobs ran: %2").arg(runId, report.failure);
    return report.identical ? tr("Run %1 reproduced: identical").arg(runId)
                            : tr("Run %1 reproduced: different").arg(runId);
}

QDialog *ReproductionResult::show(QWidget *parent, const QString &runId, const core::ReproductionReport &report,
                                  const QString &refusal)
{
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("reproductionResult"));
    const bool good = refusal.isEmpty() && report.identical;
    dialog->setWindowTitle(!refusal.isEmpty() ? tr("Run %1 cannot be reproduced").arg(runId)
                           : report.errored   ? tr("Reproduction of run %1 errored").arg(runId)
                                              : tr("Reproduction of run %1").arg(runId));
    auto *layout = new QVBoxLayout(dialog);
    auto *top = new QHBoxLayout;
    auto *icon = new QLabel(dialog);
    const int size = dialog->style()->pixelMetric(QStyle::PM_MessageBoxIconSize);
    icon->setPixmap(dialog->style()
                        ->standardIcon(good ? QStyle::SP_MessageBoxInformation : QStyle::SP_MessageBoxWarning)
                        .pixmap(size, size));
    icon->setAlignment(Qt::AlignTop);
    auto *text = new QLabel(headline(runId, report, refusal), dialog);
    text->setObjectName(QStringLiteral("headline"));
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(icon);
    top->addWidget(text, 1);
    layout->addLayout(top);

    QString copyText = refusal;
    if (!refusal.isEmpty()) {
        layout->addWidget(reasonText(refusal, dialog));
    } else {
        copyText = report.toText();
        if (report.errored)
            layout->addWidget(reasonText(report.failure, dialog));
        else if (!report.identical)
            layout->addWidget(differencesTable(report, dialog), 1);
        auto *where =
            new QLabel(tr("Reproduction run %1, in %2")
                           .arg(report.reproductionRunId.isEmpty() ? tr("(not started)") : report.reproductionRunId,
                                QDir::toNativeSeparators(report.worktree)),
                       dialog);
        where->setWordWrap(true);
        where->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(where);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QPushButton *copy = buttons->addButton(tr("&Copy as text"), QDialogButtonBox::ActionRole);
    QObject::connect(copy, &QPushButton::clicked, dialog, [copyText] { QApplication::clipboard()->setText(copyText); });
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->resize(good ? 520 : 760, good ? 160 : 360);
    dialog->show(); // not modal: the window stays usable while the result is read
    return dialog;
}

} // namespace trainyard::ui
