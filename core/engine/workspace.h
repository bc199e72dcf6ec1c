#pragma once

#include "common/error.h"

#include <QString>
#include <QStringList>

namespace trainyard::core {

/// Builds the fresh copy of a project that one job runs in (mounted at CI_PROJECT_DIR).
/// Stateless; safe to call from any thread.
class Workspace final
{
public:
    struct WorkspaceInfo
    {
        QString path;           ///< the workspace directory, absolute and clean
        QString commitSha;      ///< HEAD commit the copy is based on; empty outside git or unborn HEAD
        bool dirty = false;     ///< uncommitted changes of the project's subtree were overlaid
        QStringList dirtyFiles; ///< overlaid or removed paths, relative to the project, sorted
        qint64 bytes = 0;       ///< total size of the regular files written
        int files = 0;          ///< regular files and symlinks written
        QStringList notes;      ///< things left out on purpose, e.g. "submodule not copied: lib/x"
    };

    /// Copies the project at `projectDir` into `targetDir`, which must be absent or an empty
    /// directory (it is created).
    ///
    /// In a git repository with a HEAD commit: every file tracked at HEAD below projectDir, read
    /// from the object database (checkout filters applied, executable bit kept, symlinks written
    /// as symlinks, submodules skipped with a note), then the working-tree version of every path
    /// below projectDir that differs from HEAD (staged, unstaged, untracked and not ignored;
    /// deleted paths are removed): those are `dirtyFiles`. On an unborn branch the base is empty,
    /// so the copy is the index plus the untracked, non-ignored files, all listed as dirty.
    ///
    /// Outside a repository: a plain copy of the directory tree (symlinks as symlinks, `.git/`
    /// directories skipped at any depth), with commitSha empty and dirty=false: nothing tells
    /// what is committed, so the copy cannot say what is not.
    ///
    /// Either way `<projectDir>/.trainyard/` (the project's own state) and `targetDir` itself,
    /// when it lies inside the project, are never copied. Paths are relative to projectDir.
    static Result<WorkspaceInfo> create(const QString &projectDir, const QString &targetDir);

    /// `<projectDir>/.trainyard/workspaces/<runId>`, the workspaces of one run's jobs.
    static QString runFolder(const QString &projectDir, const QString &runId);
    /// Removes the workspaces of a run (an interrupted one leaves them); the bytes freed (0 for a
    /// run killed before its first file was written), -1 when the run left no workspace folder.
    static qint64 removeRun(const QString &projectDir, const QString &runId);
};

} // namespace trainyard::core
