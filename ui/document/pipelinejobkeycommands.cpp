// The commands that set or remove one job's keys: fields, lists, flags, numbers, variables, artifacts, settings.
#include "pipelinecommands.h"

#include "pipelinecommandhelpers.h"
#include "pipelinedocument.h"

#include "pipeline/extendsresolver.h"
#include "pipeline/yamlloader.h"

#include <QMap>

#include <optional>
#include <vector>

namespace trainyard::ui {

using core::Error;
using core::Pipeline;
using core::Result;
using core::YamlEditor;
using pipelinecommandhelpers::jobByKey;

namespace {

/// A variable's value as written: `KEY: value` or `KEY: {value: ...}`; nullopt for anything else.
std::optional<QString> variableText(const core::YamlNode &node)
{
    if (node.isScalar() || node.isNull())
        return node.text();
    if (node.isMap()) {
        if (const core::YamlNode *v = node.find(QStringLiteral("value")); v && (v->isScalar() || v->isNull()))
            return v->text();
    }
    return std::nullopt;
}

/// The variables of a `variables:` node by name (entries that are not variables left out).
QMap<QString, QString> variableMap(const core::YamlNode *node)
{
    QMap<QString, QString> out;
    if (!node || !node->isMap())
        return out;
    for (const auto &[name, value] : node->entries()) {
        if (const auto text = variableText(value))
            out.insert(name, *text);
    }
    return out;
}

/// The job's variables after `extends` as `text` would give them; nullopt when that cannot be
/// worked out from this file alone (a template from an include, a broken extends).
std::optional<QMap<QString, QString>> extendedVariables(const QByteArray &text, const QString &fileName,
                                                        const QString &job)
{
    auto tree = core::YamlLoader::parse(text, fileName);
    if (!tree)
        return std::nullopt;
    std::vector<Error> problems;
    core::ExtendsResolver resolver(problems);
    const core::YamlNode root = resolver.resolve(*tree);
    for (const Error &e : problems) {
        if (e.isError() && e.job == job)
            return std::nullopt;
    }
    const core::YamlNode *node = root.find(job);
    return variableMap(node ? node->find(QStringLiteral("variables")) : nullptr);
}

} // namespace

// --- SetJobFieldCommand ---

SetJobFieldCommand::SetJobFieldCommand(PipelineDocument *document, const QString &job, const QString &key,
                                       const QString &value)
    : PipelineEditCommand(document, QStringLiteral("Set %1 of %2").arg(key, job))
    , m_job(job)
    , m_key(key)
{
    prepare([=](YamlEditor &editor, const Pipeline &) { return editor.setJobScalar(job, key, value); });
}

bool SetJobFieldCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const SetJobFieldCommand *>(other);
    if (next->m_job != m_job || next->m_key != m_key || next->m_before != m_after)
        return false;
    m_after = next->m_after;
    // Typed back to where it started: the step disappears.
    setObsolete(m_after == m_before);
    return true;
}

// --- SetJobListCommand ---

SetJobListCommand::SetJobListCommand(PipelineDocument *document, const QString &job, const QString &key,
                                     const QStringList &items)
    : PipelineEditCommand(document, QStringLiteral("Set %1 of %2").arg(key, job))
{
    prepare([=](YamlEditor &editor, const Pipeline &) { return editor.setJobList(job, key, items); });
}

// --- SetJobFlagCommand / SetJobNumberCommand / RemoveJobKeyCommand ---

SetJobFlagCommand::SetJobFlagCommand(PipelineDocument *document, const QString &job, const QString &key, bool value)
    : PipelineEditCommand(document, QStringLiteral("Set %1 of %2").arg(key, job))
{
    prepare([=](YamlEditor &editor, const Pipeline &) { return editor.setJobBool(job, key, value); });
}

SetJobNumberCommand::SetJobNumberCommand(PipelineDocument *document, const QString &job, const QString &key, int value)
    : PipelineEditCommand(document, QStringLiteral("Set %1 of %2").arg(key, job))
    , m_job(job)
    , m_key(key)
{
    prepare([=](YamlEditor &editor, const Pipeline &) { return editor.setJobInt(job, key, value); });
}

bool SetJobNumberCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const SetJobNumberCommand *>(other);
    if (next->m_job != m_job || next->m_key != m_key || next->m_before != m_after)
        return false;
    m_after = next->m_after;
    setObsolete(m_after == m_before);
    return true;
}

RemoveJobKeyCommand::RemoveJobKeyCommand(PipelineDocument *document, const QString &job, const QString &key)
    : PipelineEditCommand(document, QStringLiteral("Remove %1 of %2").arg(key, job))
{
    prepare([=](YamlEditor &editor, const Pipeline &) { return editor.removeJobKey(job, key); });
}

// --- SetJobVariablesCommand ---

SetJobVariablesCommand::SetJobVariablesCommand(PipelineDocument *document, const QString &job,
                                               const YamlEditor::ScalarEntries &variables)
    : SetVariablesCommand(document, job, variables)
{
    if (const core::Job *target = jobByKey(m_document->pipeline(), job)) {
        QMap<QString, QString> pipelineVariables;
        for (const core::Variable &v : m_document->pipeline().variables)
            pipelineVariables.insert(v.name, v.value);
        describe(variableMap(target->raw.find(QStringLiteral("variables"))), pipelineVariables);
    }
    prepare([=, this](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        const core::Job *target = jobByKey(pipeline, job);
        if (!target)
            return tl::unexpected(refusal(QStringLiteral("no job '%1'").arg(job), job));
        const QString key = QStringLiteral("variables");
        // What the job has now after extends, and which of it the job's own mapping holds.
        const QMap<QString, QString> now = variableMap(target->raw.find(key));
        auto tree = core::YamlLoader::parse(editor.text(), m_document->filePath());
        if (!tree)
            return tl::unexpected(tree.error());
        const core::YamlNode *jobNode = tree->find(job);
        const core::YamlNode *ownNode = jobNode ? jobNode->find(key) : nullptr;
        const QMap<QString, QString> own = variableMap(ownNode);
        QMap<QString, QString> wanted;
        for (const auto &[name, value] : variables) {
            if (name.trimmed().isEmpty())
                return tl::unexpected(refusal(QStringLiteral("a variable of job '%1' has no name").arg(job), job));
            if (wanted.contains(name))
                return tl::unexpected(
                    refusal(QStringLiteral("job '%1' would have the variable %2 twice").arg(job, name), job));
            wanted.insert(name, value);
        }
        // What templates give the job: its variables once its own mapping is gone.
        std::optional<QMap<QString, QString>> base;
        YamlEditor probe = editor;
        if (!ownNode || probe.removeJobKey(job, key))
            base = extendedVariables(probe.text(), m_document->filePath(), job);
        if (!base) {
            base.emplace();
            for (auto it = now.cbegin(); it != now.cend(); ++it) {
                if (!own.contains(it.key()))
                    base->insert(it.key(), it.value());
            }
        }
        for (auto it = base->cbegin(); it != base->cend(); ++it) {
            if (!wanted.contains(it.key()))
                return tl::unexpected(
                    refusal(QStringLiteral("job '%1' gets the variable %2 from a template; it cannot be removed for "
                                           "this job alone (give it an empty value instead)")
                                .arg(job, it.key()),
                            job));
        }
        // Only what the job sets differently from its templates is written.
        YamlEditor::ScalarEntries written;
        for (const auto &[name, value] : variables) {
            if (!base->contains(name) || base->value(name) != value)
                written.append({name, value});
        }
        if (written.isEmpty()) {
            if (ownNode) {
                if (auto ok = editor.removeJobKey(job, key); !ok)
                    return ok;
            }
        } else if (auto ok = editor.setJobMapping(job, key, written); !ok) {
            return ok;
        }
        // A template can override or re-add what was written; then say so rather than pretend.
        const auto result = extendedVariables(editor.text(), m_document->filePath(), job);
        if (result && *result != wanted)
            return tl::unexpected(
                refusal(QStringLiteral("the variables of job '%1' would not read back as set (a template or merge key "
                                       "overrides them); edit them in the text")
                            .arg(job),
                        job));
        return {};
    });
}

// --- SetJobArtifactsPathsCommand ---

SetJobArtifactsPathsCommand::SetJobArtifactsPathsCommand(PipelineDocument *document, const QString &job,
                                                         const QStringList &paths)
    : PipelineEditCommand(document, QStringLiteral("Set artifacts of %1").arg(job))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        const core::Job *target = jobByKey(pipeline, job);
        if (!target)
            return tl::unexpected(refusal(QStringLiteral("no job '%1'").arg(job), job));
        const QByteArray before = editor.text();
        if (auto ok = editor.setJobNestedList(job, {QStringLiteral("artifacts"), QStringLiteral("paths")}, paths); !ok)
            return ok;
        if (paths.isEmpty() && editor.text() == before && !target->artifacts.paths.isEmpty())
            return tl::unexpected(refusal(
                QStringLiteral("job '%1' gets its artifacts paths from a template; they cannot be removed for this "
                               "job alone")
                    .arg(job),
                job));
        return {};
    });
}

// --- SetTrainyardJobSettingCommand ---

SetTrainyardJobSettingCommand::SetTrainyardJobSettingCommand(PipelineDocument *document, const QString &job,
                                                             const QString &key, const QString &value)
    : PipelineEditCommand(document, QStringLiteral("Set %1 of %2").arg(key, job))
    , m_job(job)
    , m_key(key)
{
    prepare([=](YamlEditor &editor, const Pipeline &) {
        return value.isEmpty() ? editor.removeTrainyardJobSetting(job, key)
                               : editor.setTrainyardJobSetting(job, key, value);
    });
}

SetTrainyardJobSettingCommand::SetTrainyardJobSettingCommand(PipelineDocument *document, const QString &job,
                                                             const QString &key, int value)
    : PipelineEditCommand(document, QStringLiteral("Set %1 of %2").arg(key, job))
    , m_job(job)
    , m_key(key)
{
    prepare([=](YamlEditor &editor, const Pipeline &) {
        return value == 0 ? editor.removeTrainyardJobSetting(job, key) : editor.setTrainyardJobSetting(job, key, value);
    });
}

bool SetTrainyardJobSettingCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const SetTrainyardJobSettingCommand *>(other);
    if (next->m_job != m_job || next->m_key != m_key || next->m_before != m_after)
        return false;
    m_after = next->m_after;
    setObsolete(m_after == m_before);
    return true;
}

// --- InlineKeyCommand ---

InlineKeyCommand::InlineKeyCommand(PipelineDocument *document, const QString &job, const QString &key)
    : PipelineEditCommand(document, QStringLiteral("Inline %1 for %2").arg(key, job))
{
    prepare([=](YamlEditor &editor, const Pipeline &) { return editor.inlineKey(job, key); });
}

} // namespace trainyard::ui
