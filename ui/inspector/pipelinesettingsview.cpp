#include "inspector/pipelinesettingsview.h"

#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"
#include "inspector/variablestable.h"

#include "pipeline/yamlloader.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace trainyard::ui {

namespace {

/// `default: image:` as written (a name, or a mapping with `name:`); empty when there is none.
QString defaultImageOf(const QByteArray &text, const QString &file)
{
    const auto tree = core::YamlLoader::parse(text, file);
    if (!tree)
        return {};
    const core::YamlNode *defaults = tree->find(QStringLiteral("default"));
    const core::YamlNode *image = defaults ? defaults->find(QStringLiteral("image")) : nullptr;
    if (image && image->isMap())
        image = image->find(QStringLiteral("name"));
    return image && image->isScalar() ? image->text() : QString();
}

QLabel *wrappedLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

PipelineSettingsView::PipelineSettingsView(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_variables(new VariablesTable(this))
    , m_image(new QLineEdit(this))
    , m_stages(wrappedLabel(this))
    , m_trainyard(wrappedLabel(this))
{
    setObjectName(QStringLiteral("pipelineSettings"));
    m_variables->setObjectName(QStringLiteral("pipelineVariables"));
    // Names of their own: the job form beside it has a variables table too.
    m_variables->table()->setObjectName(QStringLiteral("pipelineVariablesTable"));
    m_variables->addButton()->setObjectName(QStringLiteral("addPipelineVariable"));
    m_variables->removeButton()->setObjectName(QStringLiteral("removePipelineVariable"));
    m_image->setObjectName(QStringLiteral("defaultImage"));
    m_image->setPlaceholderText(tr("none: each job names its own"));
    m_image->setToolTip(tr("default: image: the image of every job that names none"));
    m_title->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    auto *variables = new QGroupBox(tr("Variables (every job inherits them)"), this);
    auto *variablesLayout = new QVBoxLayout(variables);
    variablesLayout->addWidget(m_variables);
    layout->addWidget(variables);
    auto *form = new QFormLayout;
    form->addRow(tr("Default image:"), m_image);
    form->addRow(tr("Stages:"), m_stages);
    layout->addLayout(form);
    auto *trainyard = new QGroupBox(tr("Trainyard settings (.trainyard:)"), this);
    auto *trainyardLayout = new QVBoxLayout(trainyard);
    trainyardLayout->addWidget(m_trainyard);
    layout->addWidget(trainyard);
    layout->addStretch(1);

    connect(m_variables, &VariablesTable::edited, this, [this](const core::YamlEditor::ScalarEntries &entries) {
        if (m_document)
            m_document->push(new SetPipelineVariablesCommand(m_document, entries));
    });
    connect(m_image, &QLineEdit::editingFinished, this, [this] {
        if (m_document && m_image->isModified() &&
            m_image->text().trimmed() != defaultImageOf(m_document->text(), m_document->filePath()))
            m_document->push(new SetDefaultImageCommand(m_document, m_image->text()));
        m_image->setModified(false);
    });
}

void PipelineSettingsView::setDocument(PipelineDocument *document)
{
    m_document = document;
    refresh();
}

void PipelineSettingsView::refresh()
{
    setEnabled(m_document != nullptr);
    if (!m_document)
        return;
    const core::Pipeline &p = m_document->pipeline();
    m_title->setText(tr("<b>Pipeline</b> — %1<br>Select a job on the canvas to edit it.")
                         .arg(QFileInfo(m_document->filePath()).fileName().toHtmlEscaped()));
    QList<VariablesTable::Row> rows;
    for (const core::Variable &v : p.variables)
        rows.append({v.name, v.value, QString()});
    m_variables->setRows(rows);
    if (!m_image->hasFocus())
        m_image->setText(defaultImageOf(m_document->text(), m_document->filePath()));
    QStringList stages = p.stages;
    stages.removeAll(QStringLiteral(".pre"));
    stages.removeAll(QStringLiteral(".post"));
    m_stages->setText(tr("%1<br><small>Add, rename or remove them from a lane's menu (right click) or with Add "
                         "stage….</small>")
                          .arg(stages.join(QStringLiteral(" → ")).toHtmlEscaped()));
    QStringList lines;
    for (const core::DataInput &d : p.trainyard.data)
        lines << tr("data input <b>%1</b>: %2 (in jobs at %3)")
                     .arg(d.name.toHtmlEscaped(), d.path.toHtmlEscaped(), d.mount.toHtmlEscaped());
    for (const core::ImageBuild &i : p.trainyard.images)
        lines << tr("image <b>%1</b>: built from %2 (%3)")
                     .arg(i.tag.toHtmlEscaped(), i.context.toHtmlEscaped(), i.dockerfile.toHtmlEscaped());
    if (!p.trainyard.secrets.isEmpty())
        lines << tr("secrets: %1").arg(p.trainyard.secrets.join(QStringLiteral(", ")).toHtmlEscaped());
    lines << tr("protected branches: %1").arg(p.trainyard.protectedBranches.join(QStringLiteral(", ")).toHtmlEscaped());
    m_trainyard->setText(lines.join(QStringLiteral("<br>")) +
                         tr("<br><small>These are edited in .gitlab-ci.yml with any editor: the window reads the "
                            "file again when it changes.</small>"));
}

} // namespace trainyard::ui
