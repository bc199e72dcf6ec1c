#pragma once

#include "jobformui.h"

#include "common/error.h"
#include "document/pipelinedocument.h"

#include <QHash>
#include <QList>
#include <QPointer>
#include <QString>
#include <QWidget>

#include <functional>
#include <optional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QStackedWidget;
class QUndoCommand;

namespace trainyard::core {
struct Job;
}

namespace trainyard::ui {

class EditApplier;
class InheritedView;
class JobOrigins;
class ListEdit;
class MessageBar;
class NeedsEditor;
class PipelineSettingsView;
class VariablesTable;

/// The form beside the canvas that shows and edits one job: name, stage, image, scripts,
/// variables, artifacts paths, when, allow_failure, retry, timeout, its `.trainyard` GPUs and
/// TensorBoard log directory, needs, and (read-only) what it inherits from templates. Values are
/// the job's effective ones; those a template, `default:` or an anchor gives are marked as such.
/// Every change is an undo command on the document's stack; the form follows undo and redo. An
/// edit the document refuses is explained in an inline bar, which offers to inline the key for
/// this job when an alias or merge key shared with other jobs is what stands in the way.
class JobInspector final : public QWidget
{
    Q_OBJECT

public:
    explicit JobInspector(PipelineDocument *document = nullptr, QWidget *parent = nullptr);
    ~JobInspector() override;

    /// The document to show jobs of; nullptr shows the empty state. It is not owned.
    void setDocument(PipelineDocument *document);
    PipelineDocument *document() const { return m_document; }
    /// The job to show, by name (a parallel job's key or one of its instances); empty shows the
    /// pipeline's own settings (PipelineSettingsView).
    void setJob(const QString &job);
    /// The job shown (its key in the file), or empty.
    QString job() const { return m_job; }
    /// True while the inspector pushes an edit. PipelineDocument::problem signals emitted then are
    /// shown by the inspector itself (inline), so a window can leave them out of its own reports.
    bool isApplyingEdit() const;
    /// The inline bar that explains refused edits.
    MessageBar *messageBar() const { return m_bar; }
    PipelineSettingsView *pipelineSettings() const { return m_settings; }

Q_SIGNALS:
    /// The name field renamed the shown job (also for the canvas's selection).
    void jobRenamed(const QString &oldName, const QString &newName);

private:
    void build();
    /// Lays out the message bar and the pages (placeholder, scrollable form) and sets up the form.
    void buildPages();
    /// Connects the single-value fields (name, stage, image, when, start_in, allow_failure, retry, timeout).
    void connectFieldEdits();
    /// Connects the script lists, variables, artifacts paths and needs.
    void connectListEdits();
    /// Connects the script list `edit` of `key` (before_script, script or after_script).
    void connectScriptEdit(ListEdit *edit, const QString &key);
    /// Connects the `.trainyard` settings: GPUs and the TensorBoard log directory.
    void connectTrainyardEdits();
    void refresh();
    /// Shows the form filled with `job`.
    void showJob(const core::Job &job);
    /// Shows where the inherited value of `key` comes from (empty `origin`: the job's own, no label).
    void showOrigin(const QString &key, const QString &origin);
    /// Shows where the inherited values of the form's keys come from.
    void showOrigins(const core::Job &job, const JobOrigins &origins);
    /// Fills the stage box with the pipeline's stages (and `job`'s if missing) and selects `job`'s.
    void refreshStage(const core::Job &job, const QStringList &pipelineStages);
    /// Shows `when` (and its origin when rules decide it) and the start time a delayed job needs.
    void refreshWhen(const core::Job &job);
    /// Shows allow_failure; exit codes are shown but only editable in the file.
    void refreshAllowFailure(const core::Job &job);
    /// Shows retry; retry options are only editable in the file.
    void refreshRetry(const core::Job &job);
    /// Shows the artifacts paths and where they come from.
    void refreshArtifacts(const core::Job &job, const JobOrigins &origins);
    /// Shows the needs (with their notes) and the jobs that could be needed.
    void refreshNeeds(const core::Job &job, const core::Pipeline &pipeline);
    /// Shows the `.trainyard` settings: GPUs and the TensorBoard log directory.
    void refreshTrainyard(const core::Job &job);
    void showEmpty(const QString &message);
    const core::Job *currentJob() const;
    /// Pushes the edit for the shown job through the EditApplier (which explains refusals).
    bool apply(const std::function<QUndoCommand *()> &make, const QString &inlineKey = {});

    void renameJob();
    void setScalarField(const QString &key, QLineEdit *edit, QLabel *errorLabel);
    void setTimeout();
    void setWhen(int index);

    QPointer<PipelineDocument> m_document;
    QString m_job;
    bool m_discardTyping = false; ///< refresh() overwrites unapplied typing (another job is shown)
    QList<QMetaObject::Connection> m_documentConnections;

    QStackedWidget *m_pages = nullptr;
    QLabel *m_placeholder = nullptr;
    PipelineSettingsView *m_settings = nullptr; ///< shown when no job is selected
    QWidget *m_form = nullptr;
    MessageBar *m_bar = nullptr;
    EditApplier *m_applier = nullptr;

    JobFormUi m_ui;
};

} // namespace trainyard::ui
