#include "pipelinepresenter.h"

#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "cluster/clusterpanel.h"
#include "document/editcontroller.h"
#include "document/pipelinedocument.h"
#include "inspector/messagebar.h"
#include "project/datarootprompt.h"
#include "project/projectsession.h"
#include "project/welcomepage.h"
#include "window/workbenchdocks.h"
#include "window/workbenchstatus.h"
#include "window/workbenchviews.h"

#include <QEvent>
#include <QFileInfo>
#include <QTimer>
#include <QWidget>

#include <algorithm>

namespace trainyard::ui {

PipelinePresenter::PipelinePresenter(QWidget *window, WorkbenchViews *views, EditController *edit,
                                     WorkbenchDocks *docks, WorkbenchStatus *status, ProjectSession *project)
    : QObject(window)
    , m_window(window)
    , m_views(views)
    , m_edit(edit)
    , m_docks(docks)
    , m_status(status)
    , m_project(project)
    , m_dataRootPrompt(new DataRootPrompt(window))
{
    window->installEventFilter(this);
}

bool PipelinePresenter::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window &&
        (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange))
        refresh();
    return QObject::eventFilter(watched, event);
}

void PipelinePresenter::opening()
{
    m_noPipelineFile = false;
    m_fitPending = true;
}

void PipelinePresenter::present(const ProjectRead &read)
{
    const QString &dir = read.dir;
    if (!read.hasFile) {
        m_noPipelineFile = true;
        m_pipeline.reset();
        m_edit->setDocument(nullptr); // nothing to edit until "Create pipeline"
        m_context = read.context;
        m_status->showProject(dir);
        showRepositoryState(QFileInfo(dir).fileName());
        m_views->welcome()->showNoPipeline(dir);
        m_views->showWelcomePage(true);
        Q_EMIT shown(dir);
        return;
    }
    m_context = read.context;
    // The document re-reads the text after every edit, with the context made here.
    auto document = PipelineDocument::load(dir, read.context);
    m_edit->setDocument(document ? std::move(*document) : nullptr);
    show(dir, read.pipeline, read.lint);
}

bool PipelinePresenter::createPipeline()
{
    if (m_project->dir().isEmpty() || !m_noPipelineFile)
        return false;
    m_noPipelineFile = false;
    m_edit->setDocument(PipelineDocument::create(m_project->dir(), m_context));
    refresh();
    m_window->setWindowModified(true);
    return true;
}

void PipelinePresenter::showRepositoryState(const QString &name)
{
    MessageBar *notice = m_views->projectNotice();
    if (m_context.isRepository) {
        m_noticeShownFor.clear();
        m_window->setWindowTitle(tr("%1 (%2)[*] — Trainyard").arg(name, m_context.branch));
        notice->hide();
        return;
    }
    m_window->setWindowTitle(tr("%1 (not a git repository)[*] — Trainyard").arg(name));
    if (std::exchange(m_noticeShownFor, m_context.projectDir) == m_context.projectDir)
        return; // shown already (and maybe closed by the user)
    notice->showMessage(tr("<b>This folder is not a git repository.</b> Runs made here cannot be tied to a commit, "
                           "so they cannot be reproduced or released. Make it a repository, with a first commit of "
                           "its files, to trace every run from now on."),
                        tr("Make it a git repository…"));
}

void PipelinePresenter::refresh()
{
    if (PipelineDocument *doc = m_edit->document())
        show(m_project->dir(), doc->pipeline(), doc->lint());
    else if (m_pipeline)
        show(m_project->dir(), *m_pipeline, {});
}

void PipelinePresenter::show(const QString &dir, const core::Pipeline &pipeline, const std::vector<core::Error> &lint)
{
    const QString name = QFileInfo(dir).fileName();
    showRepositoryState(name);
    m_status->showProject(dir);
    PipelineCanvas *canvas = m_views->canvas();
    canvas->pipelineScene()->setPipeline(pipeline, lint);
    if (std::exchange(m_fitPending, false))
        QTimer::singleShot(0, canvas, &PipelineCanvas::fitIfLarger); // after the layout has settled
    if (m_pipeline.get() != &pipeline)
        m_pipeline = std::make_unique<core::Pipeline>(pipeline);
    const QStringList lines = m_docks->showProblems(pipeline.problems, lint);
    m_docks->cluster()->setUrl(pipeline.trainyard.slurm.url);
    const int errors = int(
        std::count_if(pipeline.problems.begin(), pipeline.problems.end(), [](const auto &p) { return p.isError(); }));
    m_status->showProblems(errors, int(pipeline.jobs.size()), int(lint.size()), lines.join(u'\n'));
    const bool unreadable = pipeline.jobs.empty() && errors;
    if (unreadable) {
        m_views->welcome()->showUnreadable(name, lines);
        m_docks->showProblemsDock(); // in front of the console, where the user looks for why
    }
    m_views->showWelcomePage(unreadable);
    // Data outside the project: ask once per folder whether jobs may read it on this machine.
    QTimer::singleShot(0, this, [this, dir] {
        if (m_pipeline && m_project->dir() == dir && m_dataRootPrompt->askFor(dir, *m_pipeline))
            Q_EMIT reloadRequested();
    });
    Q_EMIT shown(dir);
}

} // namespace trainyard::ui
