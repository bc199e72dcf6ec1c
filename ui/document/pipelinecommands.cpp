// The base of the pipeline commands, PipelineEditCommand, and the helpers they share (pipelinecommandhelpers.h).
#include "pipelinecommands.h"

#include "pipelinecommandhelpers.h"
#include "pipelinedocument.h"

#include <QSet>

#include <optional>

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
    else
        m_document->offerEditor(std::move(editor)); // redo() sets m_after: the document need not read it again
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

// --- SetVariablesCommand ---

SetVariablesCommand::SetVariablesCommand(PipelineDocument *document, const QString &scope,
                                         const YamlEditor::ScalarEntries &entries)
    : PipelineEditCommand(document, scope.isEmpty() ? QStringLiteral("Set pipeline variables")
                                                    : QStringLiteral("Set variables of %1").arg(scope))
    , m_scope(scope)
    , m_entries(entries)
{}

QString SetVariablesCommand::added(const QString &name) const
{
    return m_scope.isEmpty() ? QStringLiteral("Add variable %1 to the pipeline").arg(name)
                             : QStringLiteral("Add variable %1 to %2").arg(name, m_scope);
}

void SetVariablesCommand::describe(const QMap<QString, QString> &before, const QMap<QString, QString> &inherited)
{
    QStringList gained;
    int gainedRow = -1;
    QStringList changed;
    QSet<QString> kept;
    for (int row = 0; row < m_entries.size(); ++row) {
        const auto &[name, value] = m_entries[row];
        kept.insert(name);
        const auto was = before.contains(name)      ? std::optional(before.value(name))
                         : inherited.contains(name) ? std::optional(inherited.value(name))
                                                    : std::nullopt;
        if (!was) {
            gained << name;
            gainedRow = row;
        } else if (*was != value) {
            changed << name;
        }
    }
    QStringList lost;
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (!kept.contains(it.key()))
            lost << it.key();
    }
    const QString in = m_scope.isEmpty() ? QStringLiteral("the pipeline") : m_scope;
    const int kinds = int(!gained.isEmpty()) + int(!lost.isEmpty()) + int(!changed.isEmpty());
    if (gained.size() == 1 && kinds == 1) {
        m_addedRow = gainedRow;
        setText(added(gained.front()));
    } else if (lost.size() == 1 && kinds == 1) {
        setText(QStringLiteral("Remove variable %1 from %2").arg(lost.front(), in));
    } else if (gained.size() == 1 && lost.size() == 1 && changed.isEmpty()) {
        setText(QStringLiteral("Rename variable %1 to %2 in %3").arg(lost.front(), gained.front(), in));
    } else if (changed.size() == 1 && kinds == 1) {
        setText(QStringLiteral("Set %1 in %2").arg(changed.front(), in));
    }
}

bool SetVariablesCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const SetVariablesCommand *>(other);
    if (m_addedRow < 0 || next->m_scope != m_scope || next->m_before != m_after ||
        next->m_entries.size() != m_entries.size())
        return false;
    for (int row = 0; row < m_entries.size(); ++row) {
        if (row != m_addedRow && next->m_entries[row] != m_entries[row])
            return false; // another variable changed too: a step of its own
    }
    m_entries = next->m_entries;
    m_after = next->m_after;
    setText(added(m_entries[m_addedRow].first));
    return true;
}

} // namespace trainyard::ui
