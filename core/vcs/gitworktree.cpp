#include "gitworktree.h"

#include "githandles.h"

#include <QDir>
#include <QFile>

namespace trainyard::core {

namespace {

using WorktreePtr = git::Ptr<git_worktree, git_worktree_free>;
using CommitPtr = git::Ptr<git_commit, git_commit_free>;

Result<git::RepoPtr> openRepository(const QString &dir)
{
    git::ensureInit();
    git_repository *raw = nullptr;
    if (git_repository_open_ext(&raw, QFile::encodeName(QDir::cleanPath(dir)).constData(), 0, nullptr) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot open the git repository at"), dir));
    return git::RepoPtr(raw);
}

/// libgit2 (1.5) makes a worktree on a branch only; this one lives while the worktree is made.
QByteArray branchFor(const QString &name)
{
    return QStringLiteral("trainyard-reproduce/%1").arg(name).toUtf8();
}

} // namespace

Result<void> GitWorktree::add(const QString &repoDir, const QString &name, const QString &path,
                              const QString &commitSha)
{
    auto opened = openRepository(repoDir);
    if (!opened)
        return tl::unexpected(opened.error());
    git_repository *repo = opened->get();
    git_oid oid;
    if (git_oid_fromstr(&oid, commitSha.toLatin1().constData()) < 0)
        return tl::unexpected(Error::error(QStringLiteral("'%1' is not a commit sha").arg(commitSha)));
    git_commit *rawCommit = nullptr;
    if (git_commit_lookup(&rawCommit, repo, &oid) < 0)
        return tl::unexpected(Error::error(
            QStringLiteral("commit %1 is not in the git repository at %2 (rewritten history, or another clone?)")
                .arg(commitSha, repoDir),
            SourceLocation{repoDir}));
    CommitPtr commit(rawCommit);

    git_reference *rawBranch = nullptr;
    if (git_branch_create(&rawBranch, repo, branchFor(name).constData(), commit.get(), 0) < 0)
        return tl::unexpected(
            git::error(QStringLiteral("cannot make branch %1 in").arg(QString::fromUtf8(branchFor(name))), repoDir));
    git::RefPtr branch(rawBranch);
    const auto dropBranch = [&] {
        git_reference *again = nullptr;
        if (git_branch_lookup(&again, repo, branchFor(name).constData(), GIT_BRANCH_LOCAL) == 0) {
            git::RefPtr ref(again);
            (void)git_branch_delete(ref.get());
        }
    };

    git_worktree_add_options options;
    git_worktree_add_options_init(&options, GIT_WORKTREE_ADD_OPTIONS_VERSION);
    options.ref = branch.get();
    // The folder is new: write every file (a "safe" checkout would take missing files for deleted ones).
    options.checkout_options.checkout_strategy = GIT_CHECKOUT_FORCE;
    git_worktree *rawWorktree = nullptr;
    const QByteArray where = QFile::encodeName(QDir::cleanPath(path));
    if (git_worktree_add(&rawWorktree, repo, name.toUtf8().constData(), where.constData(), &options) < 0) {
        const Error e = git::error(QStringLiteral("cannot check commit %1 out into").arg(commitSha.left(12)), path);
        dropBranch();
        return tl::unexpected(e);
    }
    WorktreePtr worktree(rawWorktree);

    git_repository *rawCheckout = nullptr;
    if (git_repository_open(&rawCheckout, where.constData()) < 0) {
        const Error e = git::error(QStringLiteral("cannot open the new worktree"), path);
        dropBranch();
        return tl::unexpected(e);
    }
    git::RepoPtr checkout(rawCheckout);
    if (git_repository_set_head_detached(checkout.get(), &oid) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot detach HEAD at %1 in").arg(commitSha.left(12)), path));
    branch.reset();
    dropBranch();
    return {};
}

bool GitWorktree::nameInUse(const QString &repoDir, const QString &name)
{
    auto opened = openRepository(repoDir);
    if (!opened)
        return false;
    git_worktree *rawWorktree = nullptr;
    if (git_worktree_lookup(&rawWorktree, opened->get(), name.toUtf8().constData()) == 0) {
        WorktreePtr worktree(rawWorktree);
        return true;
    }
    git_reference *rawBranch = nullptr;
    if (git_branch_lookup(&rawBranch, opened->get(), branchFor(name).constData(), GIT_BRANCH_LOCAL) == 0) {
        git::RefPtr branch(rawBranch);
        return true;
    }
    return false;
}

Result<void> GitWorktree::remove(const QString &repoDir, const QString &name)
{
    auto opened = openRepository(repoDir);
    if (!opened)
        return tl::unexpected(opened.error());
    git_worktree *rawWorktree = nullptr;
    if (git_worktree_lookup(&rawWorktree, opened->get(), name.toUtf8().constData()) < 0)
        return tl::unexpected(git::error(QStringLiteral("no worktree %1 in").arg(name), repoDir));
    WorktreePtr worktree(rawWorktree);
    git_worktree_prune_options options;
    git_worktree_prune_options_init(&options, GIT_WORKTREE_PRUNE_OPTIONS_VERSION);
    options.flags = GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_WORKING_TREE;
    if (git_worktree_prune(worktree.get(), &options) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot remove worktree %1 of").arg(name), repoDir));
    return {};
}

} // namespace trainyard::core
