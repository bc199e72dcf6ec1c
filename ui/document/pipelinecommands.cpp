// The base of the pipeline commands, PipelineEditCommand, and the helpers they share (pipelinecommandhelpers.h).
#include "pipelinecommands.h"

#include "pipelinecommandhelpers.h"
#include "pipelinedocument.h"

namespace trainyard::ui {

using core::Error;
using core::YamlEditor;

namespace pipelinecommandhelpers {

/// The first job written under `name` (parallel jobs share their key, and their needs).
const core::Job *jobByKey(const core::Pipeline &pipeline, const QString &name)
{
    for (const core::Job &job : pipeline.jobs) {
        if (job.baseName == name)
            return &job;
    }
    return nullptr;
}

} // namespace pipelinecommandhelpers

// --- PipelineEditCommand ---

PipelineEditCommand::PipelineEditCommand(PipelineDocument *document, const QString &text)
    : QUndoCommand(text)
    , m_document(document)
    , m_before(document->text())
{}

void PipelineEditCommand::prepare(Edit edit)
{
    m_edit = std::move(edit);
    m_before = m_document->text();
    YamlEditor editor = m_document->editor();
    if (auto ok = m_edit(editor, m_document->pipeline()); !ok) {
        setObsolete(true);
        m_document->reportProblem(ok.error());
        return;
    }
    m_after = editor.text();
    // An edit that changes nothing is no undo step.
    if (m_after == m_before)
        setObsolete(true);
}

void PipelineEditCommand::redo()
{
    // The edit was made against the text at construction; if the command was pushed later, redo it
    // against the text it is pushed onto.
    if (!m_pushed && m_document->text() != m_before)
        prepare(m_edit);
    m_pushed = true;
    if (!isObsolete())
        m_document->setText(m_after);
}

void PipelineEditCommand::undo()
{
    m_document->setText(m_before);
}

Error PipelineEditCommand::refusal(const QString &message, const QString &job) const
{
    return Error::error(message, core::SourceLocation{m_document->filePath()}, job);
}

} // namespace trainyard::ui
