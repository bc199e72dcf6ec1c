#include "mainwindow.h"

#include "pipeline/gitlabcireader.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTreeWidget>
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
    m_jobs = new QTreeWidget(m_pages);
    m_jobs->setHeaderLabels({tr("Stage / job"), tr("When"), tr("Image"), tr("Needs")});
    for (int column = 0; column < 3; ++column)
        m_jobs->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_jobs->header()->setStretchLastSection(true);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(m_jobs);
    setCentralWidget(m_pages);

    m_projectLabel = new QLabel(tr("No project"), this);
    m_problemsLabel = new QLabel(this);
    statusBar()->addWidget(m_projectLabel, 1);
    statusBar()->addPermanentWidget(m_problemsLabel);
    createMenus();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open project…"), this, &MainWindow::chooseProject);
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Trainyard"), this, [this] {
        QMessageBox::about(this, tr("About Trainyard"),
                           tr("<b>Trainyard %1</b><p>A workbench for ML training pipelines written as "
                              ".gitlab-ci.yml.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
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
    auto *watcher = new QFutureWatcher<Pipeline>(this);
    connect(watcher, &QFutureWatcher<Pipeline>::finished, this, [this, watcher, dir = m_projectDir] {
        watcher->deleteLater();
        if (dir != m_projectDir)
            return; // another project was opened meanwhile
        showPipeline(dir, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([dir = m_projectDir] {
        core::GitlabCiReader::Options options;
        options.projectDir = dir;
        return core::GitlabCiReader::read(options);
    }));
}

void MainWindow::showPipeline(const QString &dir, const Pipeline &pipeline)
{
    const QString name = QFileInfo(dir).fileName();
    setWindowTitle(tr("%1 (%2) — Trainyard").arg(name, pipeline.branch));
    m_projectLabel->setText(tr("%1 — branch %2").arg(QDir::toNativeSeparators(dir), pipeline.branch));
    m_jobs->clear();
    for (const QString &stage : pipeline.stages) {
        QTreeWidgetItem *stageItem = nullptr;
        for (const core::Job &job : pipeline.jobs) {
            if (job.stage != stage)
                continue;
            if (!stageItem) {
                stageItem = new QTreeWidgetItem(m_jobs, {stage});
                QFont f = stageItem->font(0);
                f.setBold(true);
                stageItem->setFont(0, f);
            }
            QStringList needs;
            if (job.needs) {
                for (const auto &n : *job.needs)
                    needs << n.job;
            }
            QString when = core::whenToString(job.when);
            if (job.allowFailure)
                when += tr(" (may fail)");
            new QTreeWidgetItem(stageItem, {job.name, when, job.image.name,
                                            job.needs ? needs.join(QStringLiteral(", ")) : QString()});
        }
    }
    m_jobs->expandAll();
    int errors = 0;
    for (const auto &p : pipeline.problems)
        errors += p.isError() ? 1 : 0;
    m_problemsLabel->setText(errors ? tr("%n error(s)", nullptr, errors) : tr("%n job(s)", nullptr, int(pipeline.jobs.size())));
    if (errors) {
        QStringList lines;
        for (const auto &p : pipeline.problems)
            lines << p.toString();
        m_problemsLabel->setToolTip(lines.join(u'\n'));
    }
    m_pages->setCurrentWidget(pipeline.jobs.empty() && errors ? static_cast<QWidget *>(m_welcome) : m_jobs);
    if (pipeline.jobs.empty() && errors)
        m_welcome->setText(tr("<h3>%1 cannot be read</h3><pre>%2</pre><p><a href=\"open\">Open another project…</a></p>")
                               .arg(name, m_problemsLabel->toolTip().toHtmlEscaped()));
}

} // namespace trainyard::ui
