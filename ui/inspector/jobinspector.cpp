#include "jobinspector.h"

#include "editapplier.h"
#include "inheritedview.h"
#include "jobformui.h"
#include "joborigins.h"
#include "listedit.h"
#include "messagebar.h"
#include "needseditor.h"
#include "pipelinesettingsview.h"
#include "variablestable.h"

#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"

#include "engine/jobscript.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/yamlblockscanner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace trainyard::ui {

using namespace jobkey;

namespace {

/// Sets a line edit's text unless the user has unapplied changes in it; the caret stays when the
/// text is already right.
void setLineText(QLineEdit *edit, const QString &text)
{
    if (edit->isModified() && edit->hasFocus())
        return;
    if (edit->text() != text) {
        const QSignalBlocker block(edit);
        edit->setText(text);
    }
    edit->setModified(false);
}

/// Where the value `job` has for `key` comes from (empty: the job's own, or no such key).
QString originOf(const core::Job &job, const JobOrigins &origins, const QString &key)
{
    return job.raw.contains(key) ? origins.of(job.raw.keyLocation(key)) : QString();
}

/// The rows of the variables table: each of the job's variables, its value and where it comes from.
QList<VariablesTable::Row> variableRows(const core::Job &job, const JobOrigins &origins)
{
    QList<VariablesTable::Row> rows;
    if (const core::YamlNode *vars = job.raw.find(kVariables); vars && vars->isMap()) {
        for (const auto &[name, value] : vars->entries()) {
            QString text = value.text();
            if (value.isMap()) {
                const core::YamlNode *v = value.find(QStringLiteral("value"));
                text = v ? v->text() : QString();
            }
            rows.append({name, text, JobOrigins::describe(origins.of(vars->keyLocation(name)))});
        }
    }
    return rows;
}

/// How the variables table names the pipeline's own `variables:` as an origin.
QString pipelineOrigin()
{
    return QCoreApplication::translate("JobInspector", "from the pipeline's variables");
}

/// The pipeline's variables `job` inherits without setting them itself, as rows of its table.
QList<VariablesTable::Row> inheritedRows(const core::Job &job, const core::Pipeline &pipeline)
{
    const core::YamlNode *own = job.raw.find(kVariables);
    QList<VariablesTable::Row> rows;
    for (const core::Variable &v : pipeline.variables) {
        if (!own || !own->contains(v.name))
            rows.append({v.name, v.value, pipelineOrigin()});
    }
    return rows;
}

/// The job's own variables of `entries` (the table's rows): inherited pipeline rows left as they
/// are stay out; one changed in the table becomes the job's own.
core::YamlEditor::ScalarEntries ownEntries(const core::YamlEditor::ScalarEntries &entries, const core::Job &job,
                                           const core::Pipeline &pipeline)
{
    core::YamlEditor::ScalarEntries out;
    const QList<VariablesTable::Row> inherited = inheritedRows(job, pipeline);
    for (const auto &[name, value] : entries) {
        const bool unchanged = std::any_of(inherited.cbegin(), inherited.cend(), [&](const VariablesTable::Row &r) {
            return r.name == name && r.value == value;
        });
        if (!unchanged)
            out.append({name, value});
    }
    return out;
}

/// What `job` may need (jobs of its stage and earlier ones): the name of every other job (or parallel instance), once
/// each.
QStringList needCandidates(const core::Job &job, const core::Pipeline &pipeline)
{
    // GitLab takes needs on jobs of the same stage or an earlier one, never a later one.
    const int stage = pipeline.stageIndex(job.stage);
    QStringList candidates;
    for (const core::Job &other : pipeline.jobs) {
        if (other.baseName != job.baseName && !candidates.contains(other.name) &&
            pipeline.stageIndex(other.stage) <= stage)
            candidates << other.name;
    }
    return candidates;
}

} // namespace

JobInspector::JobInspector(PipelineDocument *document, QWidget *parent)
    : QWidget(parent)
{
    build();
    setDocument(document);
}

JobInspector::~JobInspector()
{
    // A field that loses focus while the form is torn down must not apply into a half-destroyed
    // inspector.
    for (QObject *child : findChildren<QObject *>())
        disconnect(child, nullptr, this, nullptr);
    for (const auto &c : std::as_const(m_documentConnections))
        disconnect(c);
}

void JobInspector::build()
{
    buildPages();

    // --- edits ---
    connectFieldEdits();
    connectListEdits();
    connectTrainyardEdits();
}

void JobInspector::buildPages()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_bar = new MessageBar(this);
    outer->addWidget(m_bar);
    m_applier = new EditApplier(m_bar, this);
    // What was refused is not in the document: show the document again.
    connect(m_applier, &EditApplier::refused, this, &JobInspector::refresh);

    m_pages = new QStackedWidget(this);
    outer->addWidget(m_pages, 1);
    m_placeholder = new QLabel(m_pages);
    m_placeholder->setObjectName(QStringLiteral("placeholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_placeholder->setMargin(12);
    m_pages->addWidget(m_placeholder);

    auto *scroll = new QScrollArea(m_pages);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the form narrows with the dock
    scroll->setFrameShape(QFrame::NoFrame);
    m_form = new QWidget(scroll);
    m_form->setObjectName(QStringLiteral("form"));
    scroll->setWidget(m_form);
    m_pages->addWidget(scroll);
    auto *settingsScroll = new QScrollArea(m_pages);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    m_settings = new PipelineSettingsView(settingsScroll);
    settingsScroll->setWidget(m_settings);
    m_pages->addWidget(settingsScroll);
    m_ui.setupUi(m_form);
}

void JobInspector::connectFieldEdits()
{
    connect(m_ui.name, &QLineEdit::editingFinished, this, &JobInspector::renameJob);
    connect(m_ui.stage, &QComboBox::activated, this, [this](int index) {
        const QString stage = m_ui.stage->itemText(index);
        const core::Job *job = currentJob();
        if (!job || stage == job->stage)
            return;
        apply([this, stage, name = m_job] { return new MoveJobToStageCommand(m_document, name, stage); }, kStage);
    });
    connect(m_ui.image, &QLineEdit::editingFinished, this, [this] { setScalarField(kImage, m_ui.image, nullptr); });
    connect(m_ui.when, &QComboBox::activated, this, &JobInspector::setWhen);
    connect(m_ui.startIn, &QLineEdit::editingFinished, this,
            [this] { setScalarField(kStartIn, m_ui.startIn, m_ui.startInError); });
    connect(m_ui.allowFailure, &QCheckBox::clicked, this, [this](bool checked) {
        apply([this, checked, name = m_job] { return new SetJobFlagCommand(m_document, name, kAllowFailure, checked); },
              kAllowFailure);
    });
    connect(m_ui.retry, &QSpinBox::valueChanged, this, [this](int value) {
        apply([this, value, name = m_job] { return new SetJobNumberCommand(m_document, name, kRetry, value); }, kRetry);
    });
    connect(m_ui.timeout, &QLineEdit::editingFinished, this, &JobInspector::setTimeout);
}

void JobInspector::connectScriptEdit(ListEdit *edit, const QString &key)
{
    connect(edit, &ListEdit::applied, this, [this, key](const QStringList &items) {
        const core::Job *job = currentJob();
        if (!job)
            return;
        if (items.isEmpty() && key == kScript) {
            m_bar->showMessage(tr("A job needs at least one script line."));
            refresh();
            return;
        }
        const bool own =
            job->raw.contains(key) &&
            JobOrigins(m_document->text(), m_document->filePath(), m_job).of(job->raw.keyLocation(key)).isEmpty();
        if (items.isEmpty() && own) {
            apply([this, key, name = m_job] { return new RemoveJobKeyCommand(m_document, name, key); }, key);
            return;
        }
        apply([this, key, items, name = m_job] { return new SetJobListCommand(m_document, name, key, items); }, key);
    });
}

void JobInspector::connectListEdits()
{
    connectScriptEdit(m_ui.beforeScript, kBeforeScript);
    connectScriptEdit(m_ui.script, kScript);
    connectScriptEdit(m_ui.afterScript, kAfterScript);
    connect(m_ui.variables, &VariablesTable::edited, this, [this](const core::YamlEditor::ScalarEntries &entries) {
        const core::Job *job = currentJob();
        if (!job)
            return;
        const auto own = ownEntries(entries, *job, m_document->pipeline());
        apply([this, own, name = m_job] { return new SetJobVariablesCommand(m_document, name, own); }, kVariables);
    });
    connect(m_ui.artifacts, &ListEdit::applied, this, [this](const QStringList &items) {
        apply([this, items, name = m_job] { return new SetJobArtifactsPathsCommand(m_document, name, items); },
              kArtifacts);
    });
    connect(m_ui.needs, &NeedsEditor::addRequested, this, [this](const QString &need) {
        apply([this, need, name = m_job] { return new AddNeedCommand(m_document, name, need); }, kNeeds);
    });
    connect(m_ui.needs, &NeedsEditor::removeRequested, this, [this](const QString &need) {
        apply([this, need, name = m_job] { return new RemoveNeedCommand(m_document, name, need); }, kNeeds);
    });
}

void JobInspector::connectTrainyardEdits()
{
    connect(m_ui.gpus, &QSpinBox::valueChanged, this, [this](int value) {
        apply([this, value, name = m_job]() -> QUndoCommand * {
            if (value < 0)
                return new SetTrainyardJobSettingCommand(m_document, name, kGpus, QStringLiteral("all"));
            return new SetTrainyardJobSettingCommand(m_document, name, kGpus, value);
        });
    });
    connect(m_ui.tensorboard, &QLineEdit::editingFinished, this, [this] {
        const core::Job *job = currentJob();
        const QString value = m_ui.tensorboard->text().trimmed();
        if (!job || value == job->trainyard.tensorboard)
            return;
        m_ui.tensorboard->setModified(false);
        apply([this, value, name = m_job] {
            return new SetTrainyardJobSettingCommand(m_document, name, kTensorboard, value);
        });
    });
}

void JobInspector::setDocument(PipelineDocument *document)
{
    for (const auto &c : std::as_const(m_documentConnections))
        disconnect(c);
    m_documentConnections.clear();
    m_document = document;
    m_applier->setDocument(document);
    if (document) {
        m_documentConnections << connect(document, &PipelineDocument::changed, this, &JobInspector::refresh)
                              << connect(document, &QObject::destroyed, this, [this] {
                                     m_document = nullptr;
                                     m_applier->setDocument(nullptr);
                                     refresh();
                                 });
    }
    refresh();
}

void JobInspector::setJob(const QString &job)
{
    QString key = job;
    if (m_document) {
        // A parallel instance (`train 1/2`) is edited through its key.
        if (const core::Job *j = m_document->pipeline().job(job))
            key = j->baseName;
    }
    const bool other = key != m_job;
    if (other) {
        m_applier->clear();
        m_ui.nameError->hide();
        m_ui.timeoutError->hide();
        m_ui.startInError->hide();
        // Typing not applied yet belongs to the job shown before: it must not land on this one.
        for (QLineEdit *edit : findChildren<QLineEdit *>())
            edit->setModified(false);
    }
    m_job = key;
    m_discardTyping = other;
    refresh();
    m_discardTyping = false;
}

const core::Job *JobInspector::currentJob() const
{
    if (!m_document || m_job.isEmpty())
        return nullptr;
    for (const core::Job &job : m_document->pipeline().jobs) {
        if (job.baseName == m_job)
            return &job;
    }
    return nullptr;
}

void JobInspector::showEmpty(const QString &message)
{
    m_placeholder->setText(message);
    m_pages->setCurrentWidget(m_placeholder);
    m_form->setEnabled(false);
}

void JobInspector::refresh()
{
    if (!m_document) {
        showEmpty(tr("No pipeline is open."));
        return;
    }
    if (m_job.isEmpty()) {
        m_form->setEnabled(false);
        m_settings->setDocument(m_document);
        m_pages->setCurrentWidget(m_settings->parentWidget()->parentWidget()); // its scroll area
        return;
    }
    const core::Job *job = currentJob();
    if (!job) {
        showEmpty(
            m_job.startsWith(u'.')
                ? tr("'%1' is a hidden template: it is shown under Inherits of the jobs that extend it.").arg(m_job)
                : tr("There is no job '%1' in the pipeline.").arg(m_job));
        return;
    }
    showJob(*job);
}

void JobInspector::showJob(const core::Job &job)
{
    m_form->setEnabled(true);
    m_pages->setCurrentIndex(1);
    const core::Pipeline &pipeline = m_document->pipeline();
    const JobOrigins origins(m_document->text(), m_document->filePath(), job.baseName);
    showOrigins(job, origins);

    setLineText(m_ui.name, job.baseName);
    refreshStage(job, pipeline.stages);
    setLineText(m_ui.image, job.image.name);
    m_ui.image->setPlaceholderText(tr("the runner's default image"));

    refreshWhen(job);

    refreshAllowFailure(job);
    refreshRetry(job);
    setLineText(m_ui.timeout, job.timeout);

    m_ui.beforeScript->setItems(job.beforeScript, m_discardTyping);
    m_ui.script->setItems(job.script, m_discardTyping);
    m_ui.afterScript->setItems(job.afterScript, m_discardTyping);

    m_ui.variables->setRows(variableRows(job, origins) + inheritedRows(job, pipeline));
    refreshArtifacts(job, origins);
    refreshNeeds(job, pipeline);
    refreshTrainyard(job);

    m_ui.inherited->setJob(job, origins);
}

void JobInspector::showOrigin(const QString &key, const QString &origin)
{
    QLabel *label = m_ui.origins.value(key);
    if (!label)
        return;
    label->setText(JobOrigins::describe(origin));
    label->setToolTip(
        origin.isEmpty()
            ? QString()
            : tr("Inherited: %1. A value set here overrides it for this job only.").arg(JobOrigins::describe(origin)));
    label->setVisible(!origin.isEmpty());
}

void JobInspector::showOrigins(const core::Job &job, const JobOrigins &origins)
{
    for (const QString &key : {kStage, kImage, kWhen, kStartIn, kAllowFailure, kRetry, kTimeout, kBeforeScript, kScript,
                               kAfterScript, kArtifacts, kNeeds})
        showOrigin(key, originOf(job, origins, key));
}

void JobInspector::refreshStage(const core::Job &job, const QStringList &pipelineStages)
{
    const QSignalBlocker block(m_ui.stage);
    m_ui.stage->clear();
    QStringList stages = pipelineStages;
    if (!stages.contains(job.stage))
        stages << job.stage;
    m_ui.stage->addItems(stages);
    m_ui.stage->setCurrentText(job.stage);
}

void JobInspector::refreshWhen(const core::Job &job)
{
    const core::YamlNode *when = job.raw.find(kWhen);
    const QString whenText = when && when->isScalar() ? when->text() : core::whenToString(job.when);
    {
        const QSignalBlocker block(m_ui.when);
        m_ui.when->setCurrentIndex(qMax(0, m_ui.when->findData(whenText)));
    }
    if (!when && job.hasRules)
        showOrigin(kWhen, tr("rules"));
    const bool delayed = whenText == QLatin1String("delayed");
    m_ui.jobForm->setRowVisible(m_ui.startInRow, delayed);
    setLineText(m_ui.startIn, job.startIn);
    if (delayed && job.startIn.isEmpty() && !m_ui.startInError->isVisible()) {
        m_ui.startInError->setText(tr("A delayed job needs a start time."));
        m_ui.startInError->show();
    }
}

void JobInspector::refreshAllowFailure(const core::Job &job)
{
    const core::YamlNode *allow = job.raw.find(kAllowFailure);
    const QSignalBlocker block(m_ui.allowFailure);
    m_ui.allowFailure->setChecked(job.allowFailure);
    const bool codes = allow && allow->isMap();
    m_ui.allowFailure->setEnabled(!codes);
    QStringList exitCodes;
    for (const int code : job.allowFailureExitCodes)
        exitCodes << QString::number(code);
    m_ui.allowFailure->setText(
        codes ? tr("Only for exit codes %1 (edit them in the file)").arg(exitCodes.join(QStringLiteral(", ")))
              : tr("The pipeline goes on if this job fails"));
}

void JobInspector::refreshRetry(const core::Job &job)
{
    const core::YamlNode *retry = job.raw.find(kRetry);
    const QSignalBlocker block(m_ui.retry);
    m_ui.retry->setValue(job.retry.max);
    const bool options = retry && retry->isMap();
    m_ui.retry->setEnabled(!options);
    m_ui.retry->setToolTip(options ? tr("retry has options (when, exit_codes); edit them in the file")
                                   : tr("How many times a failed job is run again (GitLab allows at most 2)"));
}

void JobInspector::refreshArtifacts(const core::Job &job, const JobOrigins &origins)
{
    m_ui.artifacts->setItems(job.artifacts.paths, m_discardTyping);
    if (const core::YamlNode *art = job.raw.find(kArtifacts); art && art->isMap()) {
        if (art->contains(QStringLiteral("paths")))
            showOrigin(kArtifacts, origins.of(art->keyLocation(QStringLiteral("paths"))));
    }
}

void JobInspector::refreshNeeds(const core::Job &job, const core::Pipeline &pipeline)
{
    std::optional<QList<NeedsEditor::Need>> needs;
    if (job.needs) {
        needs.emplace();
        for (const core::Need &n : *job.needs) {
            QStringList notes;
            if (!n.project.isEmpty())
                notes << tr("project %1").arg(n.project);
            if (!n.pipeline.isEmpty())
                notes << tr("pipeline %1").arg(n.pipeline);
            if (!n.artifacts)
                notes << tr("no artifacts");
            if (n.optional)
                notes << tr("optional");
            needs->append({n.job, notes.join(QStringLiteral(", ")), n.isLocal()});
        }
    }
    m_ui.needs->setNeeds(needs, needCandidates(job, pipeline));
}

void JobInspector::refreshTrainyard(const core::Job &job)
{
    {
        const QSignalBlocker block(m_ui.gpus);
        m_ui.gpus->setValue(qMin(job.trainyard.gpus, m_ui.gpus->maximum()));
    }
    setLineText(m_ui.tensorboard, job.trainyard.tensorboard);
}

bool JobInspector::apply(const std::function<QUndoCommand *()> &make, const QString &inlineKey)
{
    return m_applier->apply(m_job, make, inlineKey);
}

bool JobInspector::isApplyingEdit() const
{
    return m_applier->isApplying();
}

void JobInspector::renameJob()
{
    if (!m_document || m_job.isEmpty())
        return;
    const QString name = m_ui.name->text().trimmed();
    if (name == m_job) {
        m_ui.nameError->hide();
        return;
    }
    QString bad;
    if (name.isEmpty())
        bad = tr("A job needs a name.");
    else if (name.startsWith(u'.'))
        bad = tr("A name that starts with '.' makes a hidden template, not a job.");
    else if (core::GitlabCiReader::globalKeywords().contains(name))
        bad = tr("'%1' is a GitLab keyword, not a job name.").arg(name);
    else if (core::YamlBlockScanner(m_document->text()).topLevelEntry(name))
        bad = tr("There is already a job (or key) '%1'.").arg(name);
    if (!bad.isEmpty()) {
        m_ui.nameError->setText(bad);
        m_ui.nameError->show();
        return;
    }
    m_ui.nameError->hide();
    const QString old = m_job;
    m_job = name; // the refresh during the push looks for the new name
    m_ui.name->setModified(false);
    if (apply([this, old, name] { return new RenameJobCommand(m_document, old, name); })) {
        Q_EMIT jobRenamed(old, name);
        return;
    }
    m_job = old;
    refresh();
}

void JobInspector::setScalarField(const QString &key, QLineEdit *edit, QLabel *errorLabel)
{
    const core::Job *job = currentJob();
    if (!job)
        return;
    const QString value = edit->text().trimmed();
    const core::YamlNode *current = job->raw.find(key);
    const QString was = key == kImage ? job->image.name : (current ? current->text() : QString());
    if (errorLabel)
        errorLabel->hide();
    if (value == was)
        return;
    if (key == kStartIn && !value.isEmpty() && !core::JobScript::parseDurationSeconds(value)) {
        errorLabel->setText(tr("Not a duration GitLab reads: try '5 minutes', '1h 30m' or '30s'."));
        errorLabel->show();
        return;
    }
    edit->setModified(false);
    if (value.isEmpty()) {
        const bool own =
            current &&
            JobOrigins(m_document->text(), m_document->filePath(), m_job).of(job->raw.keyLocation(key)).isEmpty();
        if (own)
            apply([this, key, name = m_job] { return new RemoveJobKeyCommand(m_document, name, key); }, key);
        else
            refresh(); // nothing of the job's own to remove: show what it inherits again
        return;
    }
    apply([this, key, value, name = m_job] { return new SetJobFieldCommand(m_document, name, key, value); }, key);
}

void JobInspector::setTimeout()
{
    const QString value = m_ui.timeout->text().trimmed();
    if (!value.isEmpty() && !core::JobScript::parseDurationSeconds(value)) {
        m_ui.timeoutError->setText(tr("Not a duration GitLab reads: try '90 minutes', '1h 30m' or '3600' (seconds)."));
        m_ui.timeoutError->show();
        return;
    }
    m_ui.timeoutError->hide();
    setScalarField(kTimeout, m_ui.timeout, nullptr);
}

void JobInspector::setWhen(int index)
{
    const core::Job *job = currentJob();
    if (!job)
        return;
    const QString value = m_ui.when->itemData(index).toString();
    const core::YamlNode *when = job->raw.find(kWhen);
    const QString was = when && when->isScalar() ? when->text() : core::whenToString(job->when);
    if (value == was)
        return;
    m_ui.startInError->hide();
    apply([this, value, name = m_job] { return new SetJobFieldCommand(m_document, name, kWhen, value); }, kWhen);
}

} // namespace trainyard::ui
