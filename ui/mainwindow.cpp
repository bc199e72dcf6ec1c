#include "mainwindow.h"

#include "canvas/jobcarditem.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "console/joblogview.h"
#include "console/logbatcher.h"
#include "console/runconsole.h"
#include "engine/runrecord.h"
#include "pipeline/gitlabcireader.h"
#include "document/editcontroller.h"
#include "document/pipelinedocument.h"
#include "run/runcontroller.h"
#include "pipeline/pipelinelinter.h"

#include <QAction>
#include <QCloseEvent>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QDockWidget>
#include <QListWidget>
#include <QtConcurrent/QtConcurrentRun>

namespace trainyard::ui {

using core::Pipeline;

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Trainyard"));
    setWindowIcon(QIcon(QStringLiteral(":/trainyard/icons/trainyard.svg")));
    resize(1100, 700);

    m_pages = new QStackedWidget(this);
    m_welcome = new QLabel(tr("<h2>Trainyard</h2><p>Open a project folder that holds a <tt>.gitlab-ci.yml</tt> "
                              "to see its pipeline.</p><p><a href=\"open\">Open project…</a> (Ctrl+O)</p>"),
                           m_pages);
    m_welcome->setAlignment(Qt::AlignCenter);
    connect(m_welcome, &QLabel::linkActivated, this, &MainWindow::chooseProject);
    m_canvas = new PipelineCanvas(m_pages);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(m_canvas);
    setCentralWidget(m_pages);

    m_projectLabel = new QLabel(tr("No project"), this);
    m_problemsLabel = new QLabel(this);
    statusBar()->addWidget(m_projectLabel, 1);
    statusBar()->addPermanentWidget(m_problemsLabel);
    // Problems of the pipeline (validator and linter); a click shows the job's card.
    m_problems = new QListWidget(this);
    auto *dock = new QDockWidget(tr("Problems"), this);
    dock->setObjectName(QStringLiteral("problemsDock"));
    dock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    // The run console: one tab per job, fed in batches so the UI keeps turning.
    m_logs = new LogBatcher(this);
    m_console = new RunConsole(m_logs, this);
    auto *consoleDock = new QDockWidget(tr("Run console"), this);
    consoleDock->setObjectName(QStringLiteral("consoleDock"));
    consoleDock->setWidget(m_console);
    addDockWidget(Qt::BottomDockWidgetArea, consoleDock);
    tabifyDockWidget(dock, consoleDock);
    resizeDocks({dock}, {180}, Qt::Vertical);
    connect(m_canvas, &PipelineCanvas::jobMenuRequested, this, &MainWindow::showJobMenu);
    m_edit = new EditController(this);
    connect(m_edit, &EditController::documentChanged, this, [this] {
        if (PipelineDocument *doc = m_edit->document())
            showPipeline(m_projectDir, doc->pipeline(), doc->lint());
    });
    connect(m_edit, &EditController::modifiedChanged, this, &QWidget::setWindowModified);
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (JobCardItem *card = m_canvas->pipelineScene()->card(item->data(Qt::UserRole).toString())) {
            m_canvas->scene()->clearSelection();
            card->setSelected(true);
            m_canvas->centerOn(card);
        }
    });
    createMenus();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open project…"), this, &MainWindow::chooseProject);
    open->setShortcut(QKeySequence::Open);
    file->addAction(m_edit->saveAction());
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_edit->undoAction());
    edit->addAction(m_edit->redoAction());
    edit->addSeparator();
    edit->addAction(m_edit->addJobAction());
    QMenu *run = menuBar()->addMenu(tr("&Run"));
    m_runAction = run->addAction(tr("&Run pipeline"), this, [this] { runPipeline(); });
    m_runAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_runAction->setEnabled(false);
    m_cancelAction = run->addAction(tr("&Cancel run"), this, [this] {
        if (m_run)
            m_run->cancel();
    });
    m_cancelAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_cancelAction->setEnabled(false);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Trainyard"), this, [this] {
        QMessageBox::about(this, tr("About Trainyard"),
                           tr("<b>Trainyard %1</b><p>A workbench for ML training pipelines written as "
                              ".gitlab-ci.yml.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::runPipeline(bool shellEngine)
{
    if (!m_pipeline || m_pipeline->hasErrors() || m_run || !m_edit->maybeSave())
        return;
    core::RunOptions options;
    m_run = std::make_unique<RunController>(*m_pipeline, shellEngine ? RunController::Engine::Shell : RunController::Engine::Docker,
                                            options, m_logs);
    connect(m_run.get(), &RunController::jobChanged, this, [this](const core::JobRecord &job) {
        m_canvas->pipelineScene()->setJobStatus(job.name, job.status, job.reason);
        m_console->setJobStatus(job.name, job.status);
        if (core::isFinal(job.status) && job.started.isValid())
            m_console->viewFor(job.name)->setFinished(job.exitCode, job.started.msecsTo(job.finished), core::jobStatusToString(job.status));
    });
    connect(m_run.get(), &RunController::progress, m_console, &RunConsole::setProgress);
    connect(m_run.get(), &RunController::message, this, [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_run.get(), &RunController::finished, this, &MainWindow::runFinished);
    m_runAction->setEnabled(false);
    m_cancelAction->setEnabled(true);
    statusBar()->showMessage(tr("Running %1…").arg(QFileInfo(m_projectDir).fileName()));
    m_run->start();
}

void MainWindow::runFinished(const core::RunRecord &record, const QString &error)
{
    m_run.release()->deleteLater(); // its thread has ended; delete once this signal returns
    m_runAction->setEnabled(true);
    m_cancelAction->setEnabled(false);
    if (error.isEmpty()) {
        statusBar()->showMessage(tr("Run #%1 %2").arg(record.pipelineIid).arg(core::runStatusToString(record.status)));
        return;
    }
    if (error.contains(QStringLiteral("not reachable")) &&
        QMessageBox::question(this, tr("Docker engine not reachable"),
                              tr("%1\n\nRun with the host shell instead? Jobs then run without isolation.").arg(error)) ==
            QMessageBox::Yes) {
        runPipeline(true);
        return;
    }
    QMessageBox::warning(this, tr("The run could not start"), error);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_edit->maybeSave())
        event->accept();
    else
        event->ignore();
}

void MainWindow::approveJob(const QString &job)
{
    if (m_run)
        m_run->approve(job);
}

void MainWindow::cancelJob(const QString &job)
{
    if (m_run)
        m_run->cancelJob(job);
}

void MainWindow::showJobMenu(const QString &job, const QPoint &globalPos)
{
    QMenu menu(this);
    JobCardItem *card = m_canvas->pipelineScene()->card(job);
    const bool running = m_run && card && card->status();
    if (running && *card->status() == core::JobStatus::Manual)
        menu.addAction(tr("Approve '%1'").arg(job), this, [this, job] { approveJob(job); });
    if (running && (*card->status() == core::JobStatus::Running || *card->status() == core::JobStatus::Pending))
        menu.addAction(tr("Cancel '%1'").arg(job), this, [this, job] { cancelJob(job); });
    menu.addAction(tr("Show log"), this, [this, job] { m_console->viewFor(job); });
    if (!m_run)
        m_edit->addJobActions(menu, job);
    menu.exec(globalPos);
}

void MainWindow::chooseProject()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open project"), m_projectDir);
    if (!dir.isEmpty())
        openProject(dir);
}

void MainWindow::openProject(const QString &dir)
{
    m_projectDir = QDir(dir).absolutePath();
    m_projectLabel->setText(tr("Reading %1…").arg(QDir::toNativeSeparators(m_projectDir)));
    // Reading walks the project tree and git state: off the UI thread.
    struct Read
    {
        Pipeline pipeline;
        std::vector<core::Error> lint;
        core::EvaluationContext context;
    };
    auto *watcher = new QFutureWatcher<Read>(this);
    connect(watcher, &QFutureWatcher<Read>::finished, this, [this, watcher, dir = m_projectDir] {
        watcher->deleteLater();
        if (dir != m_projectDir)
            return; // another project was opened meanwhile
        const Read read = watcher->result();
        // The document re-reads the text after every edit, with the context made here.
        auto document = PipelineDocument::load(dir, read.context);
        m_edit->setDocument(document ? std::move(*document) : nullptr);
        showPipeline(dir, read.pipeline, read.lint);
    });
    watcher->setFuture(QtConcurrent::run([dir = m_projectDir] {
        core::GitlabCiReader::Options options;
        options.projectDir = dir;
        Pipeline pipeline = core::GitlabCiReader::read(options);
        std::vector<core::Error> lint;
        if (!pipeline.hasErrors())
            lint = core::PipelineLinter::lint(pipeline);
        core::EvaluationContext context = core::EvaluationContext::fromProject(dir);
        (void)context.projectFiles(); // list the tree and the changes here, not on the UI thread
        (void)context.changedFiles();
        return Read{std::move(pipeline), std::move(lint), std::move(context)};
    }));
}

void MainWindow::showPipeline(const QString &dir, const Pipeline &pipeline, const std::vector<core::Error> &lint)
{
    const QString name = QFileInfo(dir).fileName();
    setWindowTitle(tr("%1 (%2)[*] — Trainyard").arg(name, pipeline.branch));
    m_projectLabel->setText(tr("%1 — branch %2").arg(QDir::toNativeSeparators(dir), pipeline.branch));
    m_canvas->pipelineScene()->setPipeline(pipeline, lint);
    m_pipeline = std::make_unique<Pipeline>(pipeline);
    m_runAction->setEnabled(!pipeline.hasErrors() && !m_run);
    m_problems->clear();
    int errors = 0;
    QStringList lines;
    for (const auto &list : {pipeline.problems, lint}) {
        for (const core::Error &p : list) {
            errors += p.isError() ? 1 : 0;
            auto *item = new QListWidgetItem(p.toString(), m_problems);
            item->setData(Qt::UserRole, p.job);
            item->setIcon(style()->standardIcon(p.isError() ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning));
            lines << p.toString();
        }
    }
    m_problemsLabel->setText(errors ? tr("%n error(s)", nullptr, errors) : tr("%n job(s)", nullptr, int(pipeline.jobs.size())));
    m_problemsLabel->setToolTip(lines.join(u'\n'));
    const bool unreadable = pipeline.jobs.empty() && errors;
    m_pages->setCurrentWidget(unreadable ? static_cast<QWidget *>(m_welcome) : m_canvas);
    if (unreadable)
        m_welcome->setText(tr("<h3>%1 cannot be read</h3><pre>%2</pre><p><a href=\"open\">Open another project…</a></p>")
                               .arg(name, lines.join(u'\n').toHtmlEscaped()));
}

} // namespace trainyard::ui
