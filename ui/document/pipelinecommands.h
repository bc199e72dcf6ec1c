#pragma once

#include "common/error.h"
#include "pipeline/pipeline.h"
#include "pipeline/yamleditor.h"

#include <QByteArray>
#include <QHash>
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
    SetJobField = 1, ///< consecutive edits of the same job and key are one undo step
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

/// Renames a job and the plain `needs`/`dependencies` references to it in other jobs.
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

/// Rewrites `stages:`. `renamed` maps old stage names to new ones; jobs of a renamed stage move
/// with it. Refused when a stage that still has jobs would disappear.
class SetStagesCommand final : public PipelineEditCommand
{
public:
    SetStagesCommand(PipelineDocument *document, const QStringList &stages,
                     const QHash<QString, QString> &renamed = {});
};

} // namespace trainyard::ui
