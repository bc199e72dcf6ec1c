#pragma once

#include "common/error.h"

#include <QString>

namespace trainyard::core {

/// Linked git worktrees (libgit2), as `trainyard reproduce` needs them: a second checkout of a
/// recorded commit beside the project, sharing its object database. Stateless; every call opens
/// the repository anew, so calls are safe from any thread.
class GitWorktree final
{
public:
    /// Checks `commitSha` out into `path` (its parent must exist, `path` itself must not) as the
    /// linked worktree `name` of the repository containing `repoDir`, HEAD detached at the commit.
    /// The branch libgit2 needs to make a worktree is made for the moment and removed again.
    /// Errors name the commit, the repository and the path.
    static Result<void> add(const QString &repoDir, const QString &name, const QString &path, const QString &commitSha);

    /// True when the repository containing `repoDir` already has a worktree called `name` (or the
    /// branch add() would make for it).
    static bool nameInUse(const QString &repoDir, const QString &name);

    /// Removes the worktree `name`: its folder and git's record of it.
    static Result<void> remove(const QString &repoDir, const QString &name);
};

} // namespace trainyard::core
