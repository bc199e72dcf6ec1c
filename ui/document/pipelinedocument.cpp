#include "pipelinedocument.h"

#include "pipeline/gitlabcireader.h"
#include "pipeline/pipelinelinter.h"
#include "pipeline/yamlblockscanner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QUndoStack>

namespace trainyard::ui {

using core::Error;
using core::Result;
using core::SourceLocation;

namespace {

QString pipelinePath(const QString &projectDir)
{
    return QDir(projectDir).filePath(QStringLiteral(".gitlab-ci.yml"));
}

} // namespace

PipelineDocument::PipelineDocument(QString projectDir, core::EvaluationContext context, core::YamlEditor editor,
                                   QObject *parent)
    : QObject(parent)
    , m_projectDir(std::move(projectDir))
    , m_filePath(pipelinePath(m_projectDir))
    , m_context(std::move(context))
    , m_editor(std::move(editor))
    , m_undoStack(new QUndoStack(this))
{
    connect(m_undoStack, &QUndoStack::cleanChanged, this, [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    reread();
}

PipelineDocument::~PipelineDocument() = default;

Result<std::unique_ptr<PipelineDocument>>
PipelineDocument::load(const QString &projectDir, const core::EvaluationContext &context, QObject *parent)
{
    const QString path = pipelinePath(projectDir);
    QFile file(path);
    if (!file.exists())
        return tl::unexpected(Error::error(QStringLiteral("%1 has no .gitlab-ci.yml; create a pipeline to start one")
                                               .arg(QDir::toNativeSeparators(projectDir)),
                                           SourceLocation{path}));
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(Error::error(QStringLiteral("cannot read the pipeline file: %1").arg(file.errorString()),
                                           SourceLocation{path}));
    const QByteArray bytes = file.readAll();
    auto editor = core::YamlEditor::fromText(bytes, path);
    if (!editor)
        return tl::unexpected(editor.error());
    // Not make_unique: the constructor is private.
    std::unique_ptr<PipelineDocument> doc(new PipelineDocument(projectDir, context, std::move(*editor), parent));
    doc->m_diskText = bytes;
    return doc;
}

std::unique_ptr<PipelineDocument> PipelineDocument::create(const QString &projectDir,
                                                           const core::EvaluationContext &context, QObject *parent)
{
    // A training pipeline to start from: the flow of test, train, evaluate and export, each job a
    // placeholder to replace. It is plain GitLab CI, so the same file runs on GitLab's runners.
    const QByteArray text = "# Created by Trainyard. This is GitLab CI: it runs unchanged on GitLab runners.\n"
                            "stages:\n"
                            "  - test\n"
                            "  - train\n"
                            "  - evaluate\n"
                            "  - export\n"
                            "\n"
                            "unit-tests:\n"
                            "  stage: test\n"
                            "  script:\n"
                            "    - echo \"Hello from Trainyard, run your tests here\"\n"
                            "\n"
                            "train:\n"
                            "  stage: train\n"
                            "  script:\n"
                            "    - mkdir -p model\n"
                            "    - echo \"train your model here\" > model/README\n"
                            "  artifacts:\n"
                            "    paths:\n"
                            "      - model/\n"
                            "\n"
                            "evaluate:\n"
                            "  stage: evaluate\n"
                            "  needs: [train]\n"
                            "  script:\n"
                            "    - ls model\n"
                            "\n"
                            "export:\n"
                            "  stage: export\n"
                            "  needs: [train, evaluate]\n"
                            "  when: manual\n"
                            "  script:\n"
                            "    - echo \"export the approved model here\"\n";
    auto editor = core::YamlEditor::fromText(text, pipelinePath(projectDir));
    Q_ASSERT(editor); // a constant that parses
    std::unique_ptr<PipelineDocument> doc(new PipelineDocument(projectDir, context, std::move(*editor), parent));
    // Nothing is on disk yet: the document starts modified so that closing it asks to save.
    doc->m_undoStack->resetClean();
    return doc;
}

bool PipelineDocument::isModified() const
{
    return !m_undoStack->isClean();
}

Result<void> PipelineDocument::save()
{
    QSaveFile file(m_filePath);
    if (!file.open(QIODevice::WriteOnly))
        return tl::unexpected(Error::error(QStringLiteral("cannot write the pipeline file: %1").arg(file.errorString()),
                                           SourceLocation{m_filePath}));
    const QByteArray bytes = m_editor.text();
    if (file.write(bytes) != bytes.size() || !file.commit())
        return tl::unexpected(Error::error(QStringLiteral("cannot write the pipeline file: %1").arg(file.errorString()),
                                           SourceLocation{m_filePath}));
    m_undoStack->setClean();
    m_diskText = bytes;
    return {};
}

bool PipelineDocument::changedOnDisk() const
{
    QFile file(m_filePath);
    if (!file.exists())
        return false; // nothing there to overwrite (not yet created, or removed: saving restores it)
    if (!m_diskText || !file.open(QIODevice::ReadOnly))
        return true;
    return file.readAll() != *m_diskText;
}

void PipelineDocument::push(QUndoCommand *command)
{
    if (command->isObsolete()) {
        delete command;
        return;
    }
    m_undoStack->push(command);
}

Result<QByteArray> PipelineDocument::jobBody(const QString &job) const
{
    const QByteArray text = m_editor.text();
    const core::YamlBlockScanner s(text);
    const auto entry = s.topLevelEntry(job);
    if (!entry)
        return tl::unexpected(Error::error(QStringLiteral("no job '%1'").arg(job), SourceLocation{m_filePath}, job));
    if (!entry->inlineValue.isEmpty())
        return tl::unexpected(
            Error::error(QStringLiteral("job '%1' is not written as a block of its own keys").arg(job),
                         SourceLocation{m_filePath, entry->keyLine + 1, 1}, job));
    const auto &lines = s.lines();
    int last = entry->lastLine;
    while (last > entry->keyLine && (lines[size_t(last)].blank || lines[size_t(last)].comment))
        --last; // comments after the last key belong to what follows
    if (last == entry->keyLine)
        return QByteArray();
    const qsizetype begin = lines[size_t(entry->keyLine)].next;
    return text.mid(begin, lines[size_t(last)].end - begin);
}

void PipelineDocument::offerEditor(core::YamlEditor editor)
{
    m_offered = std::move(editor);
}

Result<void> PipelineDocument::setText(const QByteArray &text)
{
    // A text an editor already holds (a redo's prepared edit, an undo's previous text) is not
    // read again: on a large file reading is most of an edit's time.
    std::optional<core::YamlEditor> next;
    if (m_offered && m_offered->text() == text)
        next = std::move(m_offered);
    else if (m_replaced && m_replaced->text() == text)
        next = std::move(m_replaced);
    m_offered.reset();
    if (!next) {
        auto editor = core::YamlEditor::fromText(text, m_filePath);
        if (!editor) {
            // Commands only hand over texts an editor produced or held, so this is a bug: keep the old text.
            qWarning("PipelineDocument::setText: %s", qPrintable(editor.error().toString()));
            return tl::unexpected(editor.error());
        }
        next = std::move(*editor);
    }
    m_replaced = std::move(m_editor);
    m_editor = std::move(*next);
    reread();
    Q_EMIT changed();
    return {};
}

void PipelineDocument::reportProblem(const Error &error)
{
    Q_EMIT problem(error);
}

void PipelineDocument::reread()
{
    // The editor has read its text already (every edit reads the result back): not again here.
    // An edit inside one job of the text last read is read again for that job alone, the rest of
    // the pipeline kept: on a file of thousands of jobs that is most of an edit's time.
    const bool alone =
        m_memo && m_editor.lastReadBack() == core::YamlEditor::ReadBack::Entry &&
        m_editor.textBeforeLastEdit() == m_memoText &&
        core::GitlabCiReader::rereadEntry(m_pipeline, *m_memo, m_editor.tree(), m_editor.lastEntryKey(), m_context);
    if (!alone)
        m_pipeline =
            core::GitlabCiReader::readDocument(m_editor.tree(), m_editor.readWarnings(), m_filePath, m_context, m_memo);
    m_memoText = m_editor.text();
    m_lint = core::PipelineLinter::lint(m_pipeline);
}

} // namespace trainyard::ui
