#pragma once

#include "pipeline/evaluationcontext.h"
#include "pipeline/pipeline.h"

#include <QObject>

#include <memory>
#include <vector>

class QWidget;

namespace trainyard::ui {

class DataRootPrompt;
class EditController;
class ProjectSession;
struct ProjectRead;
class WorkbenchDocks;
class WorkbenchStatus;
class WorkbenchViews;

/// Shows the open project's pipeline: the one read from disk (ProjectSession) or the one being
/// edited (EditController) on the canvas, its problems in the Problems dock and the status bar,
/// the welcome page instead when there is no pipeline file or nothing could be read, and the
/// window's title. It keeps the pipeline as last shown, the one a run starts from.
class PipelinePresenter final : public QObject
{
    Q_OBJECT

public:
    PipelinePresenter(QWidget *window, WorkbenchViews *views, EditController *edit, WorkbenchDocks *docks,
                      WorkbenchStatus *status, ProjectSession *project);

    /// A project is being opened: its pipeline is fitted into the view once it is shown.
    void opening();
    /// Shows what the project session read from an existing folder.
    void present(const ProjectRead &read);
    /// A new, unsaved pipeline for the open project that has no pipeline file; false when it has one.
    bool createPipeline();
    /// Shows the edited document again (after an edit), or the pipeline as last read.
    void refresh();
    /// The pipeline as last shown (for runs); null when there is none.
    const core::Pipeline *pipeline() const { return m_pipeline.get(); }
    /// There is a pipeline file and its pipeline has no errors.
    bool canRun() const { return m_pipeline && !m_pipeline->hasErrors() && !m_noPipelineFile; }

Q_SIGNALS:
    /// A pipeline, or the page saying there is none, is shown; `dir` is the project's folder.
    void shown(const QString &dir);
    /// The user allowed a data folder outside the project: the pipeline must be read again.
    void reloadRequested();

protected:
    /// Light/dark: the canvas paints with the palette; it is drawn again when the window's changes.
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void show(const QString &dir, const core::Pipeline &pipeline, const std::vector<core::Error> &lint);
    /// The title names the branch; outside git, it says so, and the notice offers to make a repository.
    void showRepositoryState(const QString &name);

    QWidget *m_window;
    WorkbenchViews *m_views;
    EditController *m_edit;
    WorkbenchDocks *m_docks;
    WorkbenchStatus *m_status;
    ProjectSession *m_project;
    DataRootPrompt *m_dataRootPrompt;
    std::unique_ptr<core::Pipeline> m_pipeline;
    bool m_noPipelineFile = false;
    bool m_fitPending = false;
    core::EvaluationContext m_context; ///< of the project as last read (for "Create pipeline" too)
    QString m_noticeShownFor;          ///< the project the notice was shown for: once closed, it stays closed
};

} // namespace trainyard::ui
