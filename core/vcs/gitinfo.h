#pragma once

#include "common/error.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace trainyard::core {

/// A snapshot of a project's git state, as recorded in lineage and exposed as CI_COMMIT_* variables.
struct GitState
{
    bool isRepository = false;
    QString root;          ///< work tree root, no trailing '/'; empty for a bare repository
    QString branch;        ///< current branch short name; empty when detached
    bool detached = false; ///< HEAD points at a commit, not at a branch
    QString sha;           ///< HEAD commit sha (40 hex); empty for an unborn branch
    QString shortSha;      ///< first 8 chars of sha, as GitLab's CI_COMMIT_SHORT_SHA
    QString authorName;
    QString authorEmail;
    QString message;      ///< full commit message, trailing newlines removed
    QString title;        ///< first line of message
    QDateTime commitTime; ///< committer time, in the committer's UTC offset
    bool dirty = false;   ///< tracked files modified/staged/deleted, or untracked non-ignored files
    /// refs/remotes/origin/HEAD's target if present, else "main" if refs/heads/main exists,
    /// else "master" if that exists, else the current branch, else "main".
    QString defaultBranch;
    QString remoteUrl;   ///< url of remote "origin" as configured (no insteadOf rewrite), if any
    QString projectPath; ///< "namespace/name" derived from remoteUrl, else empty
    QString tag;         ///< a tag pointing exactly at HEAD (first by name), if any
};

/// Reads a project's git state with libgit2. Stateless; every call opens the repository anew,
/// so calls are safe from any thread.
class GitInfo final
{
public:
    /// Reads the state of the repository containing `dir` (searches upwards). A directory that is
    /// not in a repository (or does not exist) gives isRepository=false, not an error. Errors only
    /// for a broken repository.
    static Result<GitState> read(const QString &dir);

    /// Files (relative to the work tree root, '/'-separated, sorted) that differ between `baseRef`
    /// (e.g. "refs/remotes/origin/main", or a sha) and HEAD, plus files changed in the work
    /// tree/index relative to HEAD (staged, unstaged, untracked-not-ignored). A rename lists both
    /// paths. Returns an Error naming the ref when baseRef cannot be resolved.
    static Result<QStringList> changedFiles(const QString &dir, const QString &baseRef);

    /// SHA-256 (64 lowercase hex digits) of the uncommitted changes of the work tree containing
    /// `dir`, against HEAD: the patch of staged and unstaged changes to tracked files plus the
    /// untracked, not ignored files with their content (binary files as binary patches). Empty when
    /// the tree is clean; the same changes give the same hash. Records what a "dirty" run ran.
    static Result<QString> diffHash(const QString &dir);

    /// The folders of the repository containing `dir` that change when git commits, checks out or
    /// stages: its git directory (`.git`, or `.git/worktrees/NAME` for a worktree) and the common
    /// one whose `refs/heads` the branches live in, each once, without a trailing '/'. Empty when
    /// `dir` is in no repository.
    static QStringList gitDirectories(const QString &dir);

    /// True when `ref` (anything `git rev-parse` accepts) resolves in the repository at dir.
    static bool refExists(const QString &dir, const QString &ref);

    /// "namespace/name" from a remote URL: https/http/ssh/git URLs and scp-like
    /// "user@host:path" forms, ".git" stripped. Empty for local paths or a single path segment.
    static QString projectPathFromUrl(const QString &url);
};

} // namespace trainyard::core
