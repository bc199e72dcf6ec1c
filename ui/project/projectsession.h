#pragma once

#include "common/error.h"
#include "pipeline/evaluationcontext.h"
#include "pipeline/pipeline.h"

#include <QObject>
#include <QString>

#include <vector>

class QFileSystemWatcher;
class QTimer;

namespace trainyard::ui {

class LineageWatcher;

/// A project folder as read off the GUI thread: whether it is there, its pipeline (or that it
/// has none), the linter's warnings and the git context edits are evaluated in.
struct ProjectRead
{
    QString dir;
    bool exists = false;
    bool hasFile = false;
    core::Pipeline pipeline;
    std::vector<core::Error> lint;
    core::EvaluationContext context;
    QStringList gitDirectories; ///< see core::GitInfo::gitDirectories
};

/// The open project: reads it on a worker (walking the tree and the git state never blocks the
/// window) and watches its `.gitlab-ci.yml`, so a change made in another editor is noticed, and
/// its lineage database, so a run made anywhere (a terminal, another window) is, and its git
/// folder, so a commit or checkout made in a terminal is.
class ProjectSession final : public QObject
{
    Q_OBJECT

public:
    explicit ProjectSession(QObject *parent = nullptr);

    QString dir() const { return m_dir; }
    /// Starts reading `dir` (absolute); read() follows, unless another open() came first.
    void open(const QString &dir);
    /// Starts watching the pipeline file (a pipeline made with "Create pipeline", once saved).
    void watchPipelineFile();
    bool isWatching() const;

Q_SIGNALS:
    void read(const trainyard::ui::ProjectRead &read);
    /// The pipeline file changed on disk (notifications of one save settled into one).
    void pipelineFileChanged();
    /// The project's lineage database changed: a run was recorded or changed, by any process.
    void recordsChanged();
    /// The project's `.git` changed (a commit, a checkout, files staged): its state is worth reading again.
    void gitChanged();

private:
    QString pipelineFile() const;
    /// Watches the repository's git directory and its `refs/heads` (git replaces files there by
    /// renaming them, which the folders notice; a file watch would be lost); the project folder
    /// until one is known (a repository made with `git init` is then noticed).
    void watchGit();

    QString m_dir;
    QStringList m_gitDirectories; ///< GitInfo::gitDirectories of m_dir, found with the project
    QFileSystemWatcher *m_watcher;
    QTimer *m_settle;
    QFileSystemWatcher *m_gitWatcher;
    QTimer *m_gitSettle;
    LineageWatcher *m_lineage;
};

} // namespace trainyard::ui
