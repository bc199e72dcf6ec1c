#include "projectsession.h"

#include "async/onworker.h"
#include "project/lineagewatcher.h"
#include "project/watchedpaths.h"

#include "pipeline/gitlabcireader.h"
#include "pipeline/pipelinelinter.h"
#include "vcs/gitinfo.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace trainyard::ui {

ProjectSession::ProjectSession(QObject *parent)
    : QObject(parent)
    , m_watcher(new QFileSystemWatcher(this))
    , m_settle(new QTimer(this))
    , m_gitWatcher(new QFileSystemWatcher(this))
    , m_gitSettle(new QTimer(this))
    , m_lineage(new LineageWatcher(this))
{
    m_gitSettle->setSingleShot(true);
    m_gitSettle->setInterval(300);
    connect(m_gitWatcher, &QFileSystemWatcher::directoryChanged, m_gitSettle, [this] {
        if (!m_gitSettle->isActive())
            m_gitSettle->start(); // a commit touches many files: one notice when it has settled
    });
    connect(m_gitSettle, &QTimer::timeout, this, [this] {
        if (m_gitDirectories.isEmpty() && QFileInfo::exists(m_dir + QStringLiteral("/.git")))
            m_gitDirectories = core::GitInfo::gitDirectories(m_dir); // `git init` here: a few stat()s
        watchGit();                                                  // and refs/heads, created by the first commit
        Q_EMIT gitChanged();
    });
    connect(m_lineage, &LineageWatcher::changed, this, &ProjectSession::recordsChanged);
    m_settle->setSingleShot(true);
    m_settle->setInterval(300);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, m_settle, qOverload<>(&QTimer::start));
    connect(m_settle, &QTimer::timeout, this, [this] {
        if (!m_watcher->files().contains(pipelineFile()) && QFileInfo::exists(pipelineFile()))
            m_watcher->addPath(pipelineFile()); // an editor that saves by renaming drops the watch
        Q_EMIT pipelineFileChanged();
    });
}

QString ProjectSession::pipelineFile() const
{
    return m_dir + QStringLiteral("/.gitlab-ci.yml");
}

void ProjectSession::watchPipelineFile()
{
    if (!m_dir.isEmpty() && !m_watcher->files().contains(pipelineFile()) && QFileInfo::exists(pipelineFile()))
        m_watcher->addPath(pipelineFile());
}

bool ProjectSession::isWatching() const
{
    return !m_watcher->files().isEmpty();
}

void ProjectSession::watchGit()
{
    QStringList wanted;
    if (!m_dir.isEmpty()) {
        if (m_gitDirectories.isEmpty())
            wanted << m_dir;
        for (const QString &git : std::as_const(m_gitDirectories)) {
            wanted << git;
            if (QFileInfo(git + QStringLiteral("/refs/heads")).isDir())
                wanted << git + QStringLiteral("/refs/heads");
        }
    }
    watchExactly(m_gitWatcher, wanted);
}

void ProjectSession::open(const QString &dir)
{
    m_dir = dir;
    m_gitDirectories.clear();
    m_gitSettle->stop();
    watchGit();
    m_lineage->setProjectDir(dir);
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files()); // the last project's
    onWorker(
        this,
        [dir] {
            ProjectRead read;
            read.dir = dir;
            read.exists = QFileInfo(dir).isDir();
            read.hasFile = QFileInfo::exists(dir + QStringLiteral("/.gitlab-ci.yml"));
            if (!read.exists)
                return read;
            read.context = core::EvaluationContext::fromProject(dir);
            read.gitDirectories = core::GitInfo::gitDirectories(dir);
            (void)read.context.projectFiles(); // list the tree and the changes here, not on the GUI thread
            (void)read.context.changedFiles();
            if (!read.hasFile)
                return read;
            core::GitlabCiReader::Options options;
            options.projectDir = dir;
            read.pipeline = core::GitlabCiReader::read(options);
            if (!read.pipeline.hasErrors())
                read.lint = core::PipelineLinter::lint(read.pipeline);
            return read;
        },
        [this](const ProjectRead &read) {
            if (read.dir != m_dir)
                return; // another project was opened meanwhile
            if (read.hasFile)
                m_watcher->addPath(pipelineFile());
            m_gitDirectories = read.gitDirectories;
            watchGit(); // the repository's folders, wherever they are (a project in a subfolder, a worktree)
            Q_EMIT this->read(read);
        });
}

} // namespace trainyard::ui
