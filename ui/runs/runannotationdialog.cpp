#include "runannotationdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace trainyard::ui {

RunAnnotationDialog::RunAnnotationDialog(const QString &title, const core::LineageRunAnnotation &annotation,
                                         QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("%1: name, tags and notes").arg(title));
    m_name = new QLineEdit(annotation.name, this);
    m_name->setObjectName(QStringLiteral("runName"));
    m_name->setMaxLength(200);
    m_name->setPlaceholderText(tr("e.g. lr sweep baseline"));
    m_tags = new QLineEdit(annotation.tags.join(QStringLiteral(", ")), this);
    m_tags->setObjectName(QStringLiteral("runTags"));
    m_tags->setPlaceholderText(tr("comma-separated, e.g. baseline, sweep"));
    m_notes = new QPlainTextEdit(annotation.notes, this);
    m_notes->setObjectName(QStringLiteral("runNotes"));
    m_notes->setTabChangesFocus(true);
    m_notes->setPlaceholderText(tr("What this run tried, and what you learned"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Tags:"), m_tags);
    form->addRow(tr("N&otes:"), m_notes);
    auto *hint = new QLabel(tr("Kept in the project's lineage database (not part of the run's lineage: sign-offs "
                               "stay current). Filter the Runs list with tag:NAME."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(buttons);
    resize(460, 320);
}

core::LineageRunAnnotation RunAnnotationDialog::annotation() const
{
    core::LineageRunAnnotation a;
    a.name = m_name->text().trimmed();
    a.tags = parseTags(m_tags->text());
    a.notes = m_notes->toPlainText().trimmed();
    return a;
}

QStringList RunAnnotationDialog::parseTags(const QString &text)
{
    QStringList tags;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString tag = part.trimmed();
        if (!tag.isEmpty() && !tags.contains(tag))
            tags << tag;
    }
    return tags;
}

} // namespace trainyard::ui
