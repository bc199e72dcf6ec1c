#include "releasereviewdialog.h"

#include "common/username.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace trainyard::ui {

namespace {

QIcon dot(const QColor &color)
{
    QPixmap pixmap(32, 32);
    pixmap.setDevicePixelRatio(2.0);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    p.drawEllipse(QRectF(3, 3, 10, 10));
    return QIcon(pixmap);
}

QColor stateColor(core::ChecklistItem::State state)
{
    switch (state) {
    case core::ChecklistItem::State::Passed:
        return QColor(0x2d, 0xa4, 0x4e);
    case core::ChecklistItem::State::Failed:
        return QColor(0xcf, 0x22, 0x2e);
    case core::ChecklistItem::State::Unknown:
        return QColor(0xd2, 0x99, 0x22);
    }
    return Qt::gray;
}

QString defaultReviewer()
{
    return core::currentUserName();
}

} // namespace

ReleaseReviewDialog::ReleaseReviewDialog(LineageQuery *query, QWidget *parent)
    : QDialog(parent)
    , m_query(query)
{
    setWindowTitle(tr("Release review"));
    setObjectName(QStringLiteral("releaseReview"));
    resize(760, 620);
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    m_verdict = new QLabel(this);
    m_verdict->setObjectName(QStringLiteral("verdict"));
    layout->addWidget(m_verdict);

    m_checklist = new QTreeWidget(this);
    m_checklist->setObjectName(QStringLiteral("checklist"));
    m_checklist->setHeaderLabels({tr("Check"), tr("Result")});
    m_checklist->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_checklist->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    layout->addWidget(m_checklist, 3);

    layout->addWidget(
        new QLabel(tr("<b>Sign-offs</b> (append-only; one made before the lineage changed is stale)"), this));
    m_signOffs = new QTreeWidget(this);
    m_signOffs->setObjectName(QStringLiteral("signOffs"));
    m_signOffs->setHeaderLabels({tr("When"), tr("Reviewer"), tr("Decision"), tr("Comment")});
    m_signOffs->setRootIsDecorated(false);
    m_signOffs->header()->setSectionResizeMode(3, QHeaderView::Stretch);
    layout->addWidget(m_signOffs, 2);

    auto *form = new QFormLayout;
    m_reviewer = new QLineEdit(defaultReviewer(), this);
    m_reviewer->setPlaceholderText(tr("your name"));
    form->addRow(tr("&Reviewer:"), m_reviewer);
    m_comment = new QPlainTextEdit(this);
    m_comment->setPlaceholderText(tr("Why you approve or reject this artifact"));
    m_comment->setMaximumHeight(70);
    form->addRow(tr("&Comment:"), m_comment);
    layout->addLayout(form);

    auto *buttons = new QHBoxLayout;
    m_export = new QPushButton(tr("&Export…"), this);
    m_export->setToolTip(tr("A report (.md, .html) or the in-toto statement with SLSA provenance (.json)"));
    m_approve = new QPushButton(tr("&Approve"), this);
    m_reject = new QPushButton(tr("Re&ject"), this);
    auto *close = new QPushButton(tr("Close"), this);
    buttons->addWidget(m_export);
    buttons->addStretch(1);
    buttons->addWidget(m_reject);
    buttons->addWidget(m_approve);
    buttons->addWidget(close);
    layout->addLayout(buttons);

    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(m_approve, &QPushButton::clicked, this, [this] { decide(QStringLiteral("approve")); });
    connect(m_reject, &QPushButton::clicked, this, [this] { decide(QStringLiteral("reject")); });
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (!m_review)
            return;
        const QString suggested =
            QStringLiteral("%1-provenance.md").arg(QFileInfo(m_review->provenance.artifact.path).baseName());
        const QString file = QFileDialog::getSaveFileName(
            this, tr("Export the review"), suggested,
            tr("Markdown report (*.md);;HTML report (*.html);;in-toto / SLSA provenance (*.json)"));
        if (!file.isEmpty())
            exportTo(file);
    });
    connect(m_query, &LineageQuery::exported, this,
            [this](const QString &file) { m_verdict->setText(tr("Exported to %1").arg(file.toHtmlEscaped())); });
    connect(m_reviewer, &QLineEdit::textChanged, this, &ReleaseReviewDialog::updateSignButtons);
    updateSignButtons();
    m_export->setEnabled(false);
}

void ReleaseReviewDialog::setReview(const ArtifactReview &review)
{
    m_review = review;
    const core::LineageArtifact &a = review.provenance.artifact;
    m_title->setText(tr("<h3>%1</h3>sha256 <tt>%2</tt> — job <b>%3</b> of run %4")
                         .arg(a.path.toHtmlEscaped(), a.sha256, a.job.toHtmlEscaped(), a.runId));
    const bool passed = review.checklist.passed();
    m_verdict->setText(
        passed ? tr("<span style=\"color:#2da44e\"><b>Ready for release:</b></span> no check failed.")
               : tr("<span style=\"color:#cf222e\"><b>Not ready:</b></span> a check failed; see why below."));
    m_checklist->clear();
    for (const core::ChecklistItem &item : review.checklist.items) {
        auto *top = new QTreeWidgetItem(m_checklist, {item.title, core::ChecklistItem::stateName(item.state)});
        top->setIcon(0, dot(stateColor(item.state)));
        top->setForeground(1, stateColor(item.state));
        top->setData(0, Qt::UserRole, item.id);
        for (const QString &d : item.details) {
            // A detail of several lines (a reproduction's table of differences): its first line,
            // and the table below it, a line per row in a fixed font so its columns align.
            const QStringList lines = d.trimmed().split(u'\n');
            auto *child = new QTreeWidgetItem(top, {lines.constFirst()});
            child->setToolTip(0, lines.constFirst());
            for (qsizetype i = 1; i < lines.size(); ++i) {
                auto *row = new QTreeWidgetItem(child, {lines.at(i)});
                row->setFont(0, QFontDatabase::systemFont(QFontDatabase::FixedFont));
            }
            child->setExpanded(lines.size() > 1);
        }
        top->setExpanded(item.state == core::ChecklistItem::State::Failed);
    }
    m_signOffs->clear();
    for (const core::SignOffStatus &s : review.signOffs) {
        auto *item = new QTreeWidgetItem(
            m_signOffs,
            {s.signOff.signedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")), s.signOff.reviewer,
             s.signOff.decision + (s.stale ? tr(" (stale)") : QString()), s.signOff.comment});
        item->setForeground(2, s.stale ? palette().color(QPalette::PlaceholderText)
                               : s.signOff.decision == QLatin1String("approve") ? QColor(0x2d, 0xa4, 0x4e)
                                                                                : QColor(0xcf, 0x22, 0x2e));
        if (s.otherRun)
            item->setText(2, item->text(2) + tr(" (run %1)").arg(s.signOff.runId));
        if (s.stale)
            item->setToolTip(2, tr("The lineage changed after this sign-off"));
        else if (s.otherRun)
            item->setToolTip(2, tr("Given for run %1, which made the same bytes; this review is of run %2")
                                    .arg(s.signOff.runId, review.provenance.artifact.runId));
    }
    if (review.signOffs.empty())
        new QTreeWidgetItem(m_signOffs, {tr("no sign-off yet")});
    updateSignButtons();
    m_export->setEnabled(true);
}

void ReleaseReviewDialog::updateSignButtons()
{
    const bool named = !m_reviewer->text().trimmed().isEmpty();
    const bool ok = m_review && named;
    m_approve->setEnabled(ok);
    m_reject->setEnabled(ok);
    const QString why = !m_review ? tr("Choose an artifact first")
                        : !named  ? tr("Type the reviewer's name first")
                                  : QString();
    m_approve->setToolTip(why.isEmpty() ? tr("Sign off: approve this artifact for release") : why);
    m_reject->setToolTip(why.isEmpty() ? tr("Sign off: reject this artifact") : why);
}

void ReleaseReviewDialog::decide(const QString &decision)
{
    if (!m_review || m_reviewer->text().trimmed().isEmpty())
        return;
    m_approve->setEnabled(false);
    m_reject->setEnabled(false);
    m_query->signOff(*m_review, m_reviewer->text().trimmed(), decision, m_comment->toPlainText().trimmed());
    m_comment->clear();
}

void ReleaseReviewDialog::exportTo(const QString &fileName)
{
    if (m_review)
        m_query->exportReport(*m_review, fileName);
}

} // namespace trainyard::ui
