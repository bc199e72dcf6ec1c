#include "jobformui.h"

#include "inheritedview.h"
#include "listedit.h"
#include "needseditor.h"
#include "variablestable.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace trainyard::ui {

using namespace jobkey;

namespace {

QLabel *messageLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    // A semantic colour (an error), readable on light and dark windows.
    QPalette p = label->palette();
    p.setColor(QPalette::WindowText, QColor(0xcf, 0x22, 0x2e));
    label->setPalette(p);
    label->hide();
    return label;
}

} // namespace

void JobFormUi::setupUi(QWidget *form)
{
    auto *column = new QVBoxLayout(form);
    column->addWidget(setupJobBox(form));
    column->addWidget(setupScriptBox(form));
    column->addWidget(setupVariablesBox(form));
    column->addWidget(setupArtifactsBox(form));
    column->addWidget(setupNeedsBox(form));
    column->addWidget(setupTrainyardBox(form));
    column->addWidget(setupInheritsBox(form));
    column->addStretch();
    setupTabOrder();
}

// A field with the note on where an inherited value comes from, and an error line under it.
QWidget *JobFormUi::field(QWidget *form, QWidget *widget, const QString &key, QLabel *error)
{
    auto *box = new QWidget(form);
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(1);
    grid->addWidget(widget, 0, 0);
    auto *origin = new QLabel(box);
    origin->setObjectName(QStringLiteral("origin:") + key);
    origin->setForegroundRole(QPalette::PlaceholderText);
    QFont small = origin->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    origin->setFont(small);
    origin->hide();
    grid->addWidget(origin, 0, 1);
    grid->setColumnStretch(0, 1);
    if (error)
        grid->addWidget(error, 1, 0, 1, 2);
    box->setFocusProxy(widget);
    origins.insert(key, origin);
    return box;
}

QGroupBox *JobFormUi::setupJobBox(QWidget *form)
{
    // --- Job ---
    auto *jobBox = new QGroupBox(tr("Job"), form);
    jobForm = new QFormLayout(jobBox);
    name = new QLineEdit(jobBox);
    name->setObjectName(QStringLiteral("name"));
    name->setToolTip(tr("The job's name: its key in .gitlab-ci.yml. Renaming also renames the needs that refer "
                        "to it."));
    nameError = messageLabel(jobBox, QStringLiteral("nameError"));
    jobForm->addRow(tr("&Name:"), field(form, name, QStringLiteral("name"), nameError));
    stage = new QComboBox(jobBox);
    stage->setObjectName(QStringLiteral("stage"));
    stage->setToolTip(tr("The stage the job belongs to. Without needs, a job starts when every job of the "
                         "previous stages has finished."));
    jobForm->addRow(tr("S&tage:"), field(form, stage, kStage));
    image = new QLineEdit(jobBox);
    image->setObjectName(QStringLiteral("image"));
    image->setToolTip(tr("The container image the job runs in, e.g. python:3.12-slim. Pin a version: 'latest' "
                         "changes under you."));
    jobForm->addRow(tr("&Image:"), field(form, image, kImage));
    setupWhenRows(form, jobBox);
    setupFailureRows(form, jobBox);
    return jobBox;
}

void JobFormUi::setupWhenRows(QWidget *form, QGroupBox *jobBox)
{
    when = new QComboBox(jobBox);
    when->setObjectName(QStringLiteral("when"));
    when->setToolTip(tr("When the job runs"));
    const QList<std::pair<QString, QString>> whens{
        {QStringLiteral("on_success"), tr("When every job before it succeeded (the default)")},
        {QStringLiteral("on_failure"), tr("Only when a job before it failed")},
        {QStringLiteral("always"), tr("Whatever happened before it")},
        {QStringLiteral("manual"), tr("Only when someone starts it (Approve)")},
        {QStringLiteral("never"), tr("Never")},
        {QStringLiteral("delayed"), tr("After a delay (Start in)")},
    };
    for (const auto &[value, tip] : whens) {
        when->addItem(value, value);
        when->setItemData(when->count() - 1, tip, Qt::ToolTipRole);
    }
    jobForm->addRow(tr("&When:"), field(form, when, kWhen));
    startIn = new QLineEdit(jobBox);
    startIn->setObjectName(QStringLiteral("startIn"));
    startIn->setPlaceholderText(tr("e.g. 5 minutes"));
    startIn->setToolTip(tr("How long a delayed job waits before it starts (at most one week)"));
    startInError = messageLabel(jobBox, QStringLiteral("startInError"));
    startInRow = field(form, startIn, kStartIn, startInError);
    jobForm->addRow(tr("Start in:"), startInRow);
}

void JobFormUi::setupFailureRows(QWidget *form, QGroupBox *jobBox)
{
    allowFailure = new QCheckBox(tr("The pipeline goes on if this job fails"), jobBox);
    allowFailure->setObjectName(QStringLiteral("allowFailure"));
    allowFailure->setToolTip(tr("allow_failure: a failure of this job is shown as a warning and does not stop "
                                "the jobs after it. Manual jobs allow failure unless told otherwise."));
    jobForm->addRow(tr("Allow &failure:"), field(form, allowFailure, kAllowFailure));
    retry = new QSpinBox(jobBox);
    retry->setObjectName(QStringLiteral("retry"));
    retry->setRange(0, 2);
    retry->setToolTip(tr("How many times a failed job is run again (GitLab allows at most 2)"));
    jobForm->addRow(tr("&Retry:"), field(form, retry, kRetry));
    timeout = new QLineEdit(jobBox);
    timeout->setObjectName(QStringLiteral("timeout"));
    timeout->setPlaceholderText(tr("the project's default (1 hour)"));
    timeout->setToolTip(tr("How long the job may run before it is stopped and fails, e.g. '90 minutes', '1h 30m' "
                           "or '3600' (seconds)"));
    timeoutError = messageLabel(jobBox, QStringLiteral("timeoutError"));
    jobForm->addRow(tr("Time&out:"), field(form, timeout, kTimeout, timeoutError));
}

QGroupBox *JobFormUi::setupScriptBox(QWidget *form)
{
    // --- Scripts ---
    auto *scriptBox = new QGroupBox(tr("Scripts"), form);
    auto *scriptForm = new QFormLayout(scriptBox);
    scriptForm->setRowWrapPolicy(QFormLayout::WrapAllRows);
    beforeScript = new ListEdit(scriptBox);
    beforeScript->setObjectName(QStringLiteral("beforeScript"));
    beforeScript->setToolTip(tr("Shell commands run before the script, in the same shell; one per line"));
    scriptForm->addRow(tr("&Before script:"), field(form, beforeScript, kBeforeScript));
    script = new ListEdit(scriptBox);
    script->setObjectName(QStringLiteral("script"));
    script->setToolTip(tr("The job's shell commands, one per line. The job fails at the first command that "
                          "fails."));
    scriptForm->addRow(tr("&Script:"), field(form, script, kScript));
    afterScript = new ListEdit(scriptBox);
    afterScript->setObjectName(QStringLiteral("afterScript"));
    afterScript->setToolTip(tr("Commands run after the script even when it failed, in a new shell; their "
                               "failure does not fail the job"));
    scriptForm->addRow(tr("After scri&pt:"), field(form, afterScript, kAfterScript));
    return scriptBox;
}

QGroupBox *JobFormUi::setupVariablesBox(QWidget *form)
{
    // --- Variables ---
    auto *varBox = new QGroupBox(tr("Variables"), form);
    auto *varLayout = new QVBoxLayout(varBox);
    variables = new VariablesTable(varBox);
    varLayout->addWidget(field(form, variables, kVariables));
    return varBox;
}

QGroupBox *JobFormUi::setupArtifactsBox(QWidget *form)
{
    // --- Artifacts ---
    auto *artBox = new QGroupBox(tr("Artifacts"), form);
    auto *artForm = new QFormLayout(artBox);
    artForm->setRowWrapPolicy(QFormLayout::WrapAllRows);
    artifacts = new ListEdit(artBox);
    artifacts->setObjectName(QStringLiteral("artifactsPaths"));
    artifacts->setPlaceholderText(tr("models/\nmetrics.json"));
    artifacts->setToolTip(tr("Files and folders the job keeps when it ends (artifacts: paths), one per line; "
                             "jobs that need this one get them"));
    artForm->addRow(tr("Pat&hs:"), field(form, artifacts, kArtifacts));
    return artBox;
}

QGroupBox *JobFormUi::setupNeedsBox(QWidget *form)
{
    // --- Needs ---
    auto *needsBox = new QGroupBox(tr("Needs"), form);
    auto *needsLayout = new QVBoxLayout(needsBox);
    needs = new NeedsEditor(needsBox);
    needs->setObjectName(QStringLiteral("needs"));
    needsLayout->addWidget(field(form, needs, kNeeds));
    return needsBox;
}

QGroupBox *JobFormUi::setupTrainyardBox(QWidget *form)
{
    // --- Trainyard ---
    auto *tyBox = new QGroupBox(tr("Trainyard"), form);
    tyBox->setToolTip(tr("Trainyard's own settings, kept under the hidden key .trainyard, which GitLab ignores"));
    auto *tyForm = new QFormLayout(tyBox);
    gpus = new QSpinBox(tyBox);
    gpus->setObjectName(QStringLiteral("gpus"));
    gpus->setRange(-1, 16);
    gpus->setSpecialValueText(tr("all"));
    gpus->setToolTip(tr("GPUs the job gets when Trainyard runs it (.trainyard: jobs: gpus); 'all' gives every "
                        "GPU of the machine"));
    tyForm->addRow(tr("&GPUs:"), field(form, gpus, kGpus));
    tensorboard = new QLineEdit(tyBox);
    tensorboard->setObjectName(QStringLiteral("tensorboard"));
    tensorboard->setPlaceholderText(tr("e.g. logs"));
    tensorboard->setToolTip(tr("Where the job writes TensorBoard event files, relative to the project; "
                               "Trainyard charts the scalars it finds there"));
    tyForm->addRow(tr("TensorBoard &logs:"), field(form, tensorboard, kTensorboard));
    return tyBox;
}

QGroupBox *JobFormUi::setupInheritsBox(QWidget *form)
{
    // --- Inherits ---
    auto *inhBox = new QGroupBox(tr("Inherits"), form);
    auto *inhLayout = new QVBoxLayout(inhBox);
    inherited = new InheritedView(inhBox);
    inhLayout->addWidget(inherited);
    return inhBox;
}

void JobFormUi::setupTabOrder()
{
    QWidget::setTabOrder(name, stage);
    QWidget::setTabOrder(stage, image);
    QWidget::setTabOrder(image, when);
    QWidget::setTabOrder(when, startIn);
    QWidget::setTabOrder(startIn, allowFailure);
    QWidget::setTabOrder(allowFailure, retry);
    QWidget::setTabOrder(retry, timeout);
    QWidget::setTabOrder(timeout, beforeScript);
}

} // namespace trainyard::ui
