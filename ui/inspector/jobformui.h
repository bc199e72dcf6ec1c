#pragma once

#include <QCoreApplication>
#include <QHash>
#include <QString>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QWidget;

namespace trainyard::ui {

/// The keys the form's fields edit (GitLab's, and `.trainyard: jobs:` ones); also the names of
/// their origin notes.
namespace jobkey {
inline const QString kImage = QStringLiteral("image");
inline const QString kStage = QStringLiteral("stage");
inline const QString kWhen = QStringLiteral("when");
inline const QString kStartIn = QStringLiteral("start_in");
inline const QString kAllowFailure = QStringLiteral("allow_failure");
inline const QString kRetry = QStringLiteral("retry");
inline const QString kTimeout = QStringLiteral("timeout");
inline const QString kBeforeScript = QStringLiteral("before_script");
inline const QString kScript = QStringLiteral("script");
inline const QString kAfterScript = QStringLiteral("after_script");
inline const QString kVariables = QStringLiteral("variables");
inline const QString kArtifacts = QStringLiteral("artifacts");
inline const QString kNeeds = QStringLiteral("needs");
inline const QString kGpus = QStringLiteral("gpus");
inline const QString kTensorboard = QStringLiteral("tensorboard");
} // namespace jobkey

class InheritedView;
class ListEdit;
class NeedsEditor;
class VariablesTable;

/// The widgets of the job inspector's form, laid out in groups (Job, Scripts, Variables,
/// Artifacts, Needs, Trainyard, Inherits) with labels, buddies, tooltips and tab order, as a
/// Designer form would be. JobInspector fills them and turns their edits into undo commands.
struct JobFormUi
{
    Q_DECLARE_TR_FUNCTIONS(trainyard::ui::JobFormUi)

public:
    /// Creates the widgets inside `form`.
    void setupUi(QWidget *form);

    QLineEdit *name = nullptr;
    QLabel *nameError = nullptr;
    QComboBox *stage = nullptr;
    QLineEdit *image = nullptr;
    QComboBox *when = nullptr;
    QLineEdit *startIn = nullptr;
    QLabel *startInError = nullptr;
    QWidget *startInRow = nullptr;
    QFormLayout *jobForm = nullptr;
    QCheckBox *allowFailure = nullptr;
    QSpinBox *retry = nullptr;
    QLineEdit *timeout = nullptr;
    QLabel *timeoutError = nullptr;
    ListEdit *beforeScript = nullptr;
    ListEdit *script = nullptr;
    ListEdit *afterScript = nullptr;
    VariablesTable *variables = nullptr;
    ListEdit *artifacts = nullptr;
    NeedsEditor *needs = nullptr;
    QSpinBox *gpus = nullptr;
    QLineEdit *tensorboard = nullptr;
    InheritedView *inherited = nullptr;
    /// Per key ("image", "script", ...): the note that says where an inherited value comes from.
    QHash<QString, QLabel *> origins;

private:
    /// `widget` in a box of `form` with its origin note for `key` (kept in `origins`) and `error` under it.
    QWidget *field(QWidget *form, QWidget *widget, const QString &key, QLabel *error = nullptr);
    /// The Job group: name, stage and image, then the rows setupWhenRows() and setupFailureRows() add.
    QGroupBox *setupJobBox(QWidget *form);
    /// Adds the When and Start in rows to the Job group.
    void setupWhenRows(QWidget *form, QGroupBox *jobBox);
    /// Adds the Allow failure, Retry and Timeout rows to the Job group.
    void setupFailureRows(QWidget *form, QGroupBox *jobBox);
    /// The Scripts group: before script, script and after script.
    QGroupBox *setupScriptBox(QWidget *form);
    /// The Variables group: the job's variables table.
    QGroupBox *setupVariablesBox(QWidget *form);
    /// The Artifacts group: the paths the job keeps.
    QGroupBox *setupArtifactsBox(QWidget *form);
    /// The Needs group: the jobs this one needs.
    QGroupBox *setupNeedsBox(QWidget *form);
    /// The Trainyard group: the `.trainyard: jobs:` settings (GPUs, TensorBoard logs).
    QGroupBox *setupTrainyardBox(QWidget *form);
    /// The Inherits group: what the job inherits, and from where.
    QGroupBox *setupInheritsBox(QWidget *form);
    /// Sets the tab order of the Job group's fields, on to the scripts.
    void setupTabOrder();
};

} // namespace trainyard::ui
