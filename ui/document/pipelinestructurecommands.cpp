// The commands that change the pipeline's shape: add, remove, rename, move and copy jobs; needs; stages.
#include "pipelinecommands.h"

#include "pipeline/yamlloader.h"

#include "pipelinecommandhelpers.h"
#include "pipelinedocument.h"

#include "pipeline/gitlabcireader.h"
#include "pipeline/yamlblockscanner.h"

#include <QSet>

#include <algorithm>
#include <functional>
#include <optional>

namespace trainyard::ui {

using core::Error;
using core::Pipeline;
using core::Result;
using core::YamlEditor;
using pipelinecommandhelpers::jobByKey;

namespace {

/// The job keys of the pipeline, once each, in file order.
QStringList jobKeys(const Pipeline &pipeline)
{
    QStringList keys;
    for (const core::Job &job : pipeline.jobs) {
        if (!keys.contains(job.baseName))
            keys << job.baseName;
    }
    return keys;
}

/// The key a `needs` entry refers to: a parallel job may be named by its key or one instance.
QString keyOf(const Pipeline &pipeline, const QString &name)
{
    const core::Job *job = pipeline.job(name);
    return job ? job->baseName : name;
}

/// Whether `from` reaches `to` through `needs` (a new edge to→from would close a cycle).
bool needsReach(const Pipeline &pipeline, const QString &from, const QString &to)
{
    QSet<QString> seen;
    QStringList pending{from};
    while (!pending.isEmpty()) {
        const QString key = pending.takeLast();
        if (key == to)
            return true;
        if (seen.contains(key))
            continue;
        seen.insert(key);
        for (const core::Job &job : pipeline.jobs) {
            if (job.baseName != key || !job.needs)
                continue;
            for (const core::Need &need : *job.needs) {
                if (need.isLocal())
                    pending << keyOf(pipeline, need.job);
            }
        }
    }
    return false;
}

/// What becomes of a referenced job name: another name, or nothing (dropped).
using NameMap = std::function<std::optional<QString>(const QString &name)>;

/// Rewrites `job`'s needs (and dependencies) through `map`, where anything changes. Needs with
/// options (`artifacts: false`, `optional`, another project) cannot be written as plain items, so
/// a rewrite that would keep one is refused rather than losing the option.
Result<void> rewriteReferences(YamlEditor &editor, const core::Job &job, const QString &fileName, const NameMap &map,
                               bool dependenciesToo)
{
    if (job.needs) {
        QStringList items;
        bool differs = false;
        bool optioned = false;
        for (const core::Need &need : *job.needs) {
            const auto mapped = need.isLocal() ? map(need.job) : std::optional<QString>(need.job);
            if (!mapped || *mapped != need.job)
                differs = true;
            if (!mapped)
                continue;
            optioned = optioned || !need.isLocal() || !need.artifacts || need.optional;
            items << *mapped;
        }
        if (differs && optioned)
            return tl::unexpected(Error::error(
                QStringLiteral("the needs of job '%1' have entries with options (artifacts, optional, project); "
                               "edit them in the text")
                    .arg(job.baseName),
                core::SourceLocation{fileName}, job.baseName));
        if (differs) {
            if (auto ok = editor.setJobList(job.baseName, QStringLiteral("needs"), items); !ok)
                return ok;
        }
    }
    if (dependenciesToo && job.dependencies) {
        QStringList items;
        for (const QString &dependency : *job.dependencies) {
            if (const auto mapped = map(dependency))
                items << *mapped;
        }
        if (items != *job.dependencies) {
            if (auto ok = editor.setJobList(job.baseName, QStringLiteral("dependencies"), items); !ok)
                return ok;
        }
    }
    return {};
}

/// Rewrites the references of every job but `except`.
Result<void> rewriteAllReferences(YamlEditor &editor, const Pipeline &pipeline, const QString &except,
                                  const NameMap &map)
{
    for (const QString &key : jobKeys(pipeline)) {
        if (key == except)
            continue;
        if (auto ok = rewriteReferences(editor, *jobByKey(pipeline, key), pipeline.fileName, map, true); !ok)
            return ok;
    }
    return {};
}

/// A refusal for names a new job cannot have.
std::optional<QString> badJobName(const QString &name, const QByteArray &text)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("a job needs a name");
    if (name.startsWith(QLatin1Char('.')))
        return QStringLiteral("'%1' would be a hidden template, not a job").arg(name);
    if (core::GitlabCiReader::globalKeywords().contains(name))
        return QStringLiteral("'%1' is a keyword, not a job name").arg(name);
    if (core::YamlBlockScanner(text).topLevelEntry(name))
        return QStringLiteral("there is already a job '%1'").arg(name);
    return std::nullopt;
}

} // namespace

// --- AddJobCommand ---

AddJobCommand::AddJobCommand(PipelineDocument *document, const QString &name, const QString &stage)
    : PipelineEditCommand(document, QStringLiteral("Add job %1").arg(name))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        if (const auto bad = badJobName(name, editor.text()))
            return tl::unexpected(refusal(*bad, name));
        if (!pipeline.stages.contains(stage))
            return tl::unexpected(refusal(QStringLiteral("there is no stage '%1'").arg(stage), name));
        // Single quotes: the command holds ": ", which a plain YAML scalar cannot.
        QString command = QStringLiteral("echo \"TODO: %1\"").arg(name);
        command.replace(QLatin1Char('\''), QStringLiteral("''"));
        const QByteArray body =
            "  stage: " + YamlEditor::quoteScalar(stage) + "\n  script:\n    - '" + command.toUtf8() + "'\n";
        return editor.addJob(name, body);
    });
}

// --- RemoveJobCommand ---

RemoveJobCommand::RemoveJobCommand(PipelineDocument *document, const QString &job, bool alsoRemoveNeedsReferences)
    : PipelineEditCommand(document, QStringLiteral("Remove job %1").arg(job))
{
    prepare([=](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        if (alsoRemoveNeedsReferences) {
            const NameMap drop = [&](const QString &name) -> std::optional<QString> {
                if (keyOf(pipeline, name) == job)
                    return std::nullopt;
                return name;
            };
            if (auto ok = rewriteAllReferences(editor, pipeline, job, drop); !ok)
                return ok;
        }
        return editor.removeJob(job);
    });
}

// --- RenameJobCommand ---

RenameJobCommand::RenameJobCommand(PipelineDocument *document, const QString &oldName, const QString &newName)
    : PipelineEditCommand(document, QStringLiteral("Rename job %1 to %2").arg(oldName, newName))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        if (!jobByKey(pipeline, oldName))
            return tl::unexpected(refusal(QStringLiteral("no job '%1'").arg(oldName), oldName));
        if (const auto bad = badJobName(newName, editor.text()))
            return tl::unexpected(refusal(*bad, oldName));
        // Parallel instances (`build 1/2`) are named after the key: only references to the key move.
        const NameMap rename = [&](const QString &name) -> std::optional<QString> {
            return name == oldName ? newName : name;
        };
        if (auto ok = rewriteAllReferences(editor, pipeline, oldName, rename); !ok)
            return ok;
        if (auto ok = editor.renameJob(oldName, newName); !ok)
            return ok;
        return editor.renameTrainyardJob(oldName, newName);
    });
}

// --- AddNeedCommand / RemoveNeedCommand ---

AddNeedCommand::AddNeedCommand(PipelineDocument *document, const QString &job, const QString &need)
    : PipelineEditCommand(document, QStringLiteral("Make %1 need %2").arg(job, need))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        const core::Job *target = jobByKey(pipeline, job);
        if (!target)
            return tl::unexpected(refusal(QStringLiteral("no job '%1'").arg(job), job));
        if (!pipeline.job(need))
            return tl::unexpected(refusal(QStringLiteral("no job '%1' to need").arg(need), job));
        const QString needKey = keyOf(pipeline, need);
        if (needKey == job || needsReach(pipeline, needKey, job))
            return tl::unexpected(
                refusal(QStringLiteral("'%1' cannot need '%2': '%2' already waits for '%1', which would make a cycle")
                            .arg(job, need),
                        job));
        if (!target->needs)
            return editor.setJobList(job, QStringLiteral("needs"), {need});
        for (const core::Need &n : *target->needs) {
            if (n.isLocal() && n.job == need)
                return tl::unexpected(refusal(QStringLiteral("'%1' already needs '%2'").arg(job, need), job));
        }
        // Every entry is written back as a plain item, so one with options would lose them.
        QStringList items;
        for (const core::Need &n : *target->needs) {
            if (!n.isLocal() || !n.artifacts || n.optional)
                return tl::unexpected(refusal(
                    QStringLiteral("the needs of job '%1' have entries with options (artifacts, optional, project); "
                                   "edit them in the text")
                        .arg(job),
                    job));
            items << n.job;
        }
        items << need;
        return editor.setJobList(job, QStringLiteral("needs"), items);
    });
}

RemoveNeedCommand::RemoveNeedCommand(PipelineDocument *document, const QString &job, const QString &need)
    : PipelineEditCommand(document, QStringLiteral("Make %1 stop needing %2").arg(job, need))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        const core::Job *target = jobByKey(pipeline, job);
        if (!target)
            return tl::unexpected(refusal(QStringLiteral("no job '%1'").arg(job), job));
        const bool present =
            target->needs && std::any_of(target->needs->begin(), target->needs->end(),
                                         [&](const core::Need &n) { return n.isLocal() && n.job == need; });
        if (!present)
            return tl::unexpected(refusal(QStringLiteral("'%1' does not need '%2'").arg(job, need), job));
        const NameMap drop = [&](const QString &name) -> std::optional<QString> {
            if (name == need)
                return std::nullopt;
            return name;
        };
        return rewriteReferences(editor, *target, pipeline.fileName, drop, false);
    });
}

// --- MoveJobToStageCommand ---

MoveJobToStageCommand::MoveJobToStageCommand(PipelineDocument *document, const QString &job, const QString &stage)
    : PipelineEditCommand(document, QStringLiteral("Move %1 to stage %2").arg(job, stage))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        if (!pipeline.stages.contains(stage))
            return tl::unexpected(refusal(QStringLiteral("there is no stage '%1'").arg(stage), job));
        return editor.setJobScalar(job, QStringLiteral("stage"), stage);
    });
}

// --- DuplicateJobCommand ---

DuplicateJobCommand::DuplicateJobCommand(PipelineDocument *document, const QString &job)
    : PipelineEditCommand(document, QStringLiteral("Duplicate job %1").arg(job))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &) -> Result<void> {
        auto body = m_document->jobBody(job);
        if (!body)
            return tl::unexpected(body.error());
        if (body->trimmed().isEmpty())
            return tl::unexpected(refusal(QStringLiteral("job '%1' has no lines of its own to copy").arg(job), job));
        // A copied anchor would redefine it, and later aliases would then mean the copy.
        const QByteArray text = editor.text();
        const core::YamlBlockScanner s(text);
        const auto entry = s.topLevelEntry(job);
        for (const auto &anchor : core::YamlBlockScanner::anchors(text)) {
            if (entry && anchor.line >= entry->keyLine && anchor.line <= entry->lastLine)
                return tl::unexpected(refusal(
                    QStringLiteral("job '%1' defines the anchor &%2; copy it in the text").arg(job, anchor.name), job));
        }
        QString name = job + QStringLiteral("-copy");
        for (int n = 2; s.topLevelEntry(name); ++n)
            name = job + QStringLiteral("-copy-%1").arg(n);
        m_copyName = name;
        return editor.addJob(name, *body, job);
    });
    if (isObsolete())
        m_copyName.clear();
}

// --- SetStagesCommand ---

SetPipelineVariablesCommand::SetPipelineVariablesCommand(PipelineDocument *document,
                                                         const YamlEditor::ScalarEntries &variables)
    : SetVariablesCommand(document, QString(), variables)
{
    QMap<QString, QString> before;
    for (const core::Variable &v : m_document->pipeline().variables)
        before.insert(v.name, v.value);
    describe(before);
    prepare([=, this](YamlEditor &editor, const Pipeline &) -> Result<void> {
        for (const auto &[name, value] : variables) {
            if (name.trimmed().isEmpty())
                return tl::unexpected(refusal(QStringLiteral("a variable of the pipeline has no name")));
        }
        return editor.setPipelineVariables(variables);
    });
}

SetDefaultImageCommand::SetDefaultImageCommand(PipelineDocument *document, const QString &image)
    : PipelineEditCommand(document, QStringLiteral("Set default image"))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &) -> Result<void> {
        const QString key = QStringLiteral("default");
        auto tree = core::YamlLoader::parse(editor.text(), m_document->filePath());
        if (!tree)
            return tl::unexpected(tree.error());
        const core::YamlNode *current = tree->find(key);
        if (image.trimmed().isEmpty()) {
            if (!current || !current->contains(QStringLiteral("image")))
                return {};
            return editor.removeJobKey(key, QStringLiteral("image"));
        }
        if (!current)
            return editor.addJob(key, "  image: " + YamlEditor::quoteScalar(image.trimmed()));
        return editor.setJobScalar(key, QStringLiteral("image"), image.trimmed());
    });
}

SetStagesCommand::SetStagesCommand(PipelineDocument *document, const QStringList &stages,
                                   const QHash<QString, QString> &renamed)
    : PipelineEditCommand(document, QStringLiteral("Change stages"))
{
    prepare([=, this](YamlEditor &editor, const Pipeline &pipeline) -> Result<void> {
        const QStringList special{QStringLiteral(".pre"), QStringLiteral(".post")};
        if (stages.isEmpty())
            return tl::unexpected(refusal(QStringLiteral("a pipeline needs at least one stage")));
        for (const QString &stage : stages) {
            if (stage.trimmed().isEmpty() || special.contains(stage))
                return tl::unexpected(refusal(QStringLiteral("'%1' cannot be listed as a stage").arg(stage)));
            if (stages.count(stage) > 1)
                return tl::unexpected(refusal(QStringLiteral("stage '%1' is listed twice").arg(stage)));
        }
        QHash<QString, QString> renames = renamed;
        QStringList old = pipeline.stages;
        old.removeIf([&](const QString &s) { return special.contains(s); });
        // A list edited in place (same length, one name replaced) is a rename.
        if (renames.isEmpty() && old.size() == stages.size()) {
            QList<int> replaced;
            for (int i = 0; i < old.size(); ++i) {
                if (old[i] != stages[i] && !stages.contains(old[i]) && !old.contains(stages[i]))
                    replaced << i;
            }
            if (replaced.size() == 1)
                renames.insert(old[replaced[0]], stages[replaced[0]]);
        }
        for (auto it = renames.cbegin(); it != renames.cend(); ++it) {
            if (!stages.contains(it.value()))
                return tl::unexpected(refusal(
                    QStringLiteral("stage '%1' is renamed to '%2', which is not listed").arg(it.key(), it.value())));
        }
        QStringList moving;
        QStringList stranded;
        for (const QString &key : jobKeys(pipeline)) {
            const QString stage = jobByKey(pipeline, key)->stage;
            if (renames.contains(stage))
                moving << key;
            else if (!stages.contains(stage) && !special.contains(stage))
                stranded << QStringLiteral("%1 (%2)").arg(key, stage);
        }
        if (!stranded.isEmpty())
            return tl::unexpected(
                refusal(QStringLiteral("stages that would disappear still have jobs: %1; move them first")
                            .arg(stranded.join(QStringLiteral(", ")))));
        if (auto ok = editor.setStages(stages); !ok)
            return ok;
        for (const QString &key : moving) {
            const QString to = renames.value(jobByKey(pipeline, key)->stage);
            if (auto ok = editor.setJobScalar(key, QStringLiteral("stage"), to); !ok)
                return ok;
        }
        return {};
    });
}

} // namespace trainyard::ui
