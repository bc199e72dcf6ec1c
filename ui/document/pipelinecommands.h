#pragma once

#include "common/error.h"
#include "pipeline/pipeline.h"
#include "pipeline/yamleditor.h"

#include <QByteArray>
#include <QHash>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUndoCommand>

#include <functional>

// The undo commands of a PipelineDocument, one class per operation. Each makes its YamlEditor
// edits on a copy of the document's text when it is constructed; undo and redo then swap whole
// text snapshots, which is exact. A command that cannot make its edit reports the reason through
// PipelineDocument::problem and is obsolete: PipelineDocument::push() drops it, the stack unchanged.

namespace trainyard::ui {

class PipelineDocument;

/// Merge ids of the commands that merge (QUndoCommand::id()); all of them in one place.
enum class CommandId : int {
    SetJobField = 1,            ///< consecutive edits of the same job and key are one undo step
    SetJobNumber = 2,           ///< the same for an integer key (a spin box's steps)
    SetTrainyardJobSetting = 3, ///< the same for a `.trainyard: jobs:` setting
    SetVariables = 4,           ///< a variable added, then named and given a value, is one undo step
};

/// The base of all document commands: holds the text before and after the edit.
class PipelineEditCommand : public QUndoCommand
{
public:
    void redo() override;
    void undo() override;

protected:
    /// Makes the edit on `editor`, a copy of the document's text; `pipeline` is read from that text.
    using Edit = std::function<core::Result<void>(core::YamlEditor &editor, const core::Pipeline &pipeline)>;

    PipelineEditCommand(PipelineDocument *document, const QString &text);
    /// Runs `edit` now; on failure reports it and marks the command obsolete. Constructors call it last.
    void prepare(Edit edit);
    /// An Error about the document's file, naming `job`.
    core::Error refusal(const QString &message, const QString &job = {}) const;

    PipelineDocument *m_document;
    QByteArray m_before;
    QByteArray m_after;

private:
    Edit m_edit;
    bool m_pushed = false;
};

/// Sets one scalar key of a job (`stage`, `image`, `when`, ...); consecutive edits of the same key merge.
class SetJobFieldCommand final : public PipelineEditCommand
{
public:
    SetJobFieldCommand(PipelineDocument *document, const QString &job, const QString &key, const QString &value);
    int id() const override { return int(CommandId::SetJobField); }
    bool mergeWith(const QUndoCommand *other) override;

private:
    QString m_job;
    QString m_key;
};

/// Sets one list key of a job (`script`, `tags`, `needs`, ...) to plain items.
class SetJobListCommand final : public PipelineEditCommand
{
public:
    SetJobListCommand(PipelineDocument *document, const QString &job, const QString &key, const QStringList &items);
};

/// Sets a key YAML must read as a boolean (`allow_failure: true`), written plain.
class SetJobFlagCommand final : public PipelineEditCommand
{
public:
    SetJobFlagCommand(PipelineDocument *document, const QString &job, const QString &key, bool value);
};

/// Sets a key YAML must read as an integer (`retry: 2`); consecutive edits of the same key merge.
class SetJobNumberCommand final : public PipelineEditCommand
{
public:
    SetJobNumberCommand(PipelineDocument *document, const QString &job, const QString &key, int value);
    int id() const override { return int(CommandId::SetJobNumber); }
    bool mergeWith(const QUndoCommand *other) override;

private:
    QString m_job;
    QString m_key;
};

/// Removes a key the job writes itself (`image`, `timeout`), so that it inherits it again or
/// goes without. Refused when the key comes through a `<<` merge only.
class RemoveJobKeyCommand final : public PipelineEditCommand
{
public:
    RemoveJobKeyCommand(PipelineDocument *document, const QString &job, const QString &key);
};

/// The base of the commands that set a list of variables (a job's, the pipeline's). Its text says
/// what changed ("Add variable LR to train", "Rename variable A to B in train", "Set LR in train").
/// Adding a variable, then typing its name and its value, is one undo step: edits that only change
/// the row just added merge into the command that added it.
class SetVariablesCommand : public PipelineEditCommand
{
public:
    int id() const override { return int(CommandId::SetVariables); }
    bool mergeWith(const QUndoCommand *other) override;

protected:
    /// `scope`: the job, or empty for the pipeline's own variables; `entries`: the variables wanted.
    SetVariablesCommand(PipelineDocument *document, const QString &scope,
                        const core::YamlEditor::ScalarEntries &entries);
    /// Names the command after the difference between `before` (the variables as they are) and the
    /// entries. `inherited`: what the scope sees without setting it (a job, the pipeline's
    /// variables); setting one of those is a change, not an addition, and leaving it out no removal.
    void describe(const QMap<QString, QString> &before, const QMap<QString, QString> &inherited = {});

private:
    QString added(const QString &name) const;

    QString m_scope;
    core::YamlEditor::ScalarEntries m_entries;
    int m_addedRow = -1; ///< the row of m_entries this command added, or -1
};

/// Makes the job's variables (after `extends`) these, in this order. Only what differs from what
/// templates give is written to the job's own `variables:`; one a template gives cannot be removed
/// for this job alone, and is refused.
class SetJobVariablesCommand final : public SetVariablesCommand
{
public:
    SetJobVariablesCommand(PipelineDocument *document, const QString &job,
                           const core::YamlEditor::ScalarEntries &variables);
};

/// Sets the job's `artifacts: paths:`, keeping its other artifacts keys; empty removes them.
class SetJobArtifactsPathsCommand final : public PipelineEditCommand
{
public:
    SetJobArtifactsPathsCommand(PipelineDocument *document, const QString &job, const QStringList &paths);
};

/// Sets or removes one of Trainyard's own job settings, `.trainyard: jobs: <job>: <key>`
/// (`gpus`, `tensorboard`, ...); consecutive edits of the same setting merge.
class SetTrainyardJobSettingCommand final : public PipelineEditCommand
{
public:
    /// An empty value removes the setting (and the job's entry when it was the last).
    SetTrainyardJobSettingCommand(PipelineDocument *document, const QString &job, const QString &key,
                                  const QString &value);
    /// A number, written plain; 0 (the default) removes the setting.
    SetTrainyardJobSettingCommand(PipelineDocument *document, const QString &job, const QString &key, int value);
    int id() const override { return int(CommandId::SetTrainyardJobSetting); }
    bool mergeWith(const QUndoCommand *other) override;

private:
    QString m_job;
    QString m_key;
};

/// Gives a job its own copy of a key it shares through an alias or a `<<` merge key (see
/// YamlEditor::inlineKey), so that the next edit changes this job only.
class InlineKeyCommand final : public PipelineEditCommand
{
public:
    InlineKeyCommand(PipelineDocument *document, const QString &job, const QString &key);
};

/// Adds a job to an existing stage, with a placeholder script.
class AddJobCommand final : public PipelineEditCommand
{
public:
    AddJobCommand(PipelineDocument *document, const QString &name, const QString &stage);
};

/// Removes a job; with `alsoRemoveNeedsReferences`, also drops it from other jobs' needs/dependencies.
class RemoveJobCommand final : public PipelineEditCommand
{
public:
    RemoveJobCommand(PipelineDocument *document, const QString &job, bool alsoRemoveNeedsReferences);
};

/// Renames a job, the plain `needs`/`dependencies` references to it in other jobs, and its
/// `.trainyard: jobs:` settings.
class RenameJobCommand final : public PipelineEditCommand
{
public:
    RenameJobCommand(PipelineDocument *document, const QString &oldName, const QString &newName);
};

/// Makes `job` need `need` (creating `needs:` when absent); refused when it would make a cycle.
class AddNeedCommand final : public PipelineEditCommand
{
public:
    AddNeedCommand(PipelineDocument *document, const QString &job, const QString &need);
};

/// Removes `need` from the needs of `job`; the last one removed leaves `needs: []`.
class RemoveNeedCommand final : public PipelineEditCommand
{
public:
    RemoveNeedCommand(PipelineDocument *document, const QString &job, const QString &need);
};

/// Moves a job to another existing stage.
class MoveJobToStageCommand final : public PipelineEditCommand
{
public:
    MoveJobToStageCommand(PipelineDocument *document, const QString &job, const QString &stage);
};

/// Copies a job's lines under a free name (`job-copy`, `job-copy-2`, ...), right after it.
class DuplicateJobCommand final : public PipelineEditCommand
{
public:
    DuplicateJobCommand(PipelineDocument *document, const QString &job);
    /// The name the copy got (empty when refused).
    QString copyName() const { return m_copyName; }

private:
    QString m_copyName;
};

/// Sets the pipeline's own `variables:` (those every job inherits) to these, in this order.
class SetPipelineVariablesCommand final : public SetVariablesCommand
{
public:
    SetPipelineVariablesCommand(PipelineDocument *document, const core::YamlEditor::ScalarEntries &variables);
};

/// Sets the image jobs without one of their own run in (`default: image:`); empty removes it.
class SetDefaultImageCommand final : public PipelineEditCommand
{
public:
    SetDefaultImageCommand(PipelineDocument *document, const QString &image);
};

/// Rewrites `stages:`. `renamed` maps old stage names to new ones; jobs of a renamed stage move
/// with it. Refused when a stage that still has jobs would disappear.
class SetStagesCommand final : public PipelineEditCommand
{
public:
    SetStagesCommand(PipelineDocument *document, const QStringList &stages,
                     const QHash<QString, QString> &renamed = {});
};

} // namespace trainyard::ui
