#pragma once

#include "common/error.h"
#include "pipeline/evaluationcontext.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/pipeline.h"
#include "pipeline/yamleditor.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

QT_BEGIN_NAMESPACE
class QUndoCommand;
class QUndoStack;
QT_END_NAMESPACE

namespace trainyard::ui {

/// One open `.gitlab-ci.yml`: its text, the pipeline read from that text, its lint warnings and
/// the undo stack every edit goes through (the commands are in pipelinecommands.h).
class PipelineDocument final : public QObject
{
    Q_OBJECT

public:
    /// Reads `<projectDir>/.gitlab-ci.yml`; an absent file is an Error saying so.
    static core::Result<std::unique_ptr<PipelineDocument>>
    load(const QString &projectDir, const core::EvaluationContext &context, QObject *parent = nullptr);
    /// A new, unsaved pipeline for `projectDir`: stages test, train, evaluate, export, one placeholder job each.
    static std::unique_ptr<PipelineDocument> create(const QString &projectDir, const core::EvaluationContext &context,
                                                    QObject *parent = nullptr);
    ~PipelineDocument() override;

    QString projectDir() const { return m_projectDir; }
    QString filePath() const { return m_filePath; }
    QByteArray text() const { return m_editor.text(); }
    const core::YamlEditor &editor() const { return m_editor; }
    const core::Pipeline &pipeline() const { return m_pipeline; }
    const std::vector<core::Error> &lint() const { return m_lint; }
    QUndoStack *undoStack() const { return m_undoStack; }
    /// True when the text differs from what was last saved (the undo stack is not clean).
    bool isModified() const;
    /// Writes the text atomically and marks the undo stack clean.
    core::Result<void> save();
    /// True when the file on disk is no longer what this document read or last wrote (another
    /// editor changed it, or made it): saving would overwrite that. Reads the (small) file.
    bool changedOnDisk() const;

    /// Pushes `command` onto the undo stack, or deletes it when it already refused (obsolete):
    /// QUndoStack::push would drop the redo history even for a command it then discards.
    void push(QUndoCommand *command);

    /// The job's own lines after its key line (its body, as written), for copying a job.
    core::Result<QByteArray> jobBody(const QString &job) const;

    /// Replaces the whole text and re-reads the pipeline. For commands' redo()/undo() only: it is
    /// not an undoable edit by itself.
    core::Result<void> setText(const QByteArray &text);
    /// The editor a command's prepared edit left (its text is the one the command's redo() will
    /// set): setText() of that text takes it instead of reading the text again.
    void offerEditor(core::YamlEditor editor);
    /// Tells the user an edit could not be made.
    void reportProblem(const core::Error &error);

Q_SIGNALS:
    /// After every edit, undo or redo: pipeline(), lint() and text() are new.
    void changed();
    void modifiedChanged(bool modified);
    /// An edit that could not be made; the message is meant for the user.
    void problem(const trainyard::core::Error &error);

private:
    PipelineDocument(QString projectDir, core::EvaluationContext context, core::YamlEditor editor, QObject *parent);
    void reread();

    QString m_projectDir;
    QString m_filePath;
    std::optional<QByteArray> m_diskText; ///< what was read or last written; nullopt: no file yet
    core::EvaluationContext m_context;
    core::YamlEditor m_editor;
    /// Editors setText() may take instead of reading a text again: the one a command offered, and
    /// the one the last setText() replaced (an undo sets its text back). At most two trees more.
    std::optional<core::YamlEditor> m_offered;
    std::optional<core::YamlEditor> m_replaced;
    core::Pipeline m_pipeline;
    /// What reading m_pipeline kept, and the text it was read from: an edit inside one job of that
    /// text is read again for that job alone (GitlabCiReader::rereadEntry()).
    std::shared_ptr<core::GitlabCiReader::Memo> m_memo;
    QByteArray m_memoText;
    std::vector<core::Error> m_lint;
    QUndoStack *m_undoStack = nullptr;
};

} // namespace trainyard::ui
