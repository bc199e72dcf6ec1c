#include "workspace.h"

#include "vcs/githandles.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <git2.h>

#include <memory>

#include <sys/stat.h>
#include <unistd.h>

namespace trainyard::core {

namespace {

using namespace git;

struct GitBuf final
{
    GitBuf() = default;
    ~GitBuf() { git_buf_dispose(&buf); }
    Q_DISABLE_COPY_MOVE(GitBuf)
    git_buf buf = GIT_BUF_INIT;
};

const QString StateDir = QStringLiteral(".trainyard");

Error fileError(const QString &what, const QString &path, const QString &why = {})
{
    const QString message =
        why.isEmpty() ? QStringLiteral("%1 %2").arg(what, path) : QStringLiteral("%1 %2: %3").arg(what, path, why);
    return Error::error(message, SourceLocation{path});
}

bool lstatPath(const QString &path, struct stat *st)
{
    return ::lstat(QFile::encodeName(path).constData(), st) == 0;
}

/// The target of a symlink as stored in it (QFileInfo only gives the resolved, absolute one).
QByteArray readLink(const QString &path)
{
    QByteArray buf(4096, Qt::Uninitialized);
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buf.data(), size_t(buf.size()));
    if (n < 0)
        return {};
    buf.truncate(qsizetype(n));
    return buf;
}

Result<void> makeSymlink(const QByteArray &target, const QString &linkPath)
{
    if (::symlink(target.constData(), QFile::encodeName(linkPath).constData()) != 0) {
        const int saved = errno;
        return tl::unexpected(fileError(QStringLiteral("cannot create symlink"), linkPath, qt_error_string(saved)));
    }
    return {};
}

Result<void> makeParent(const QString &path)
{
    const QString parent = QFileInfo(path).path();
    if (!QDir().mkpath(parent))
        return tl::unexpected(fileError(QStringLiteral("cannot create directory"), parent));
    return {};
}

Result<void> writeFile(const QString &path, const char *data, qint64 size, bool executable)
{
    QFileDevice::Permissions perms =
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (executable)
        perms |= QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, perms))
        return tl::unexpected(fileError(QStringLiteral("cannot write"), path, file.errorString()));
    if (file.write(data, size) != size || !file.flush())
        return tl::unexpected(fileError(QStringLiteral("cannot write"), path, file.errorString()));
    return {};
}

/// Removes whatever is at path without following a symlink there; a directory goes with its
/// contents. Absent is fine.
Result<void> removePath(const QString &path)
{
    struct stat st;
    if (!lstatPath(path, &st))
        return {};
    const bool ok = S_ISDIR(st.st_mode) ? QDir(path).removeRecursively() : QFile::remove(path);
    if (!ok)
        return tl::unexpected(fileError(QStringLiteral("cannot remove"), path));
    return {};
}

/// Copies one non-directory entry: a symlink as a symlink, a regular file with its permissions
/// (QFile::copy clones where the file system can). False in `copied` for sockets, fifos, devices.
Result<void> copyEntry(const QString &source, const QString &dest, const struct stat &st, bool *copied)
{
    *copied = false;
    if (S_ISLNK(st.st_mode)) {
        if (auto made = makeSymlink(readLink(source), dest); !made)
            return made;
    } else if (S_ISREG(st.st_mode)) {
        if (!QFile::copy(source, dest))
            return tl::unexpected(fileError(QStringLiteral("cannot copy"), source, QStringLiteral("to %1").arg(dest)));
    } else {
        return {};
    }
    *copied = true;
    return {};
}

/// True when `rel` (a project-relative path) must never be copied: the project's state dir, or
/// the workspace itself when it lies inside the project (`targetRel`, empty when it does not).
bool isExcluded(const QString &rel, const QString &targetRel)
{
    const auto under = [&rel](const QString &dir) { return rel == dir || rel.startsWith(dir + QLatin1Char('/')); };
    return under(StateDir) || (!targetRel.isEmpty() && under(targetRel));
}

/// The target's path relative to the project when it lies inside it, else empty.
QString targetInside(const QString &projectCanon, const QString &targetCanon)
{
    const QString rel = QDir(projectCanon).relativeFilePath(targetCanon);
    return rel.startsWith(QLatin1String("..")) || QDir::isAbsolutePath(rel) ? QString() : rel;
}

Result<void> prepareTarget(const QString &target)
{
    const QFileInfo info(target);
    if (info.exists() || info.isSymLink()) {
        if (!info.isDir() || info.isSymLink())
            return tl::unexpected(fileError(QStringLiteral("workspace target is not a directory:"), target));
        if (!QDir(target).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot))
            return tl::unexpected(fileError(QStringLiteral("workspace target is not empty:"), target));
        return {};
    }
    if (!QDir().mkpath(target))
        return tl::unexpected(fileError(QStringLiteral("cannot create workspace directory"), target));
    return {};
}

// --- plain copy (no repository) ---

Result<void> copyTree(const QString &sourceDir, const QString &destDir, const QString &rel, const QString &targetRel,
                      QStringList &notes)
{
    const QDir dir(sourceDir);
    const QStringList names =
        dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &name : names) {
        const QString childRel = rel.isEmpty() ? name : rel + QLatin1Char('/') + name;
        const QString source = sourceDir + QLatin1Char('/') + name;
        const QString dest = destDir + QLatin1Char('/') + name;
        struct stat st;
        if (!lstatPath(source, &st)) {
            const int saved = errno;
            return tl::unexpected(fileError(QStringLiteral("cannot read"), source, qt_error_string(saved)));
        }
        if (S_ISDIR(st.st_mode)) {
            // .git at any depth: repository metadata (a nested clone) is not project content.
            if (name == QLatin1String(".git") || isExcluded(childRel, targetRel))
                continue;
            if (!QDir().mkdir(dest))
                return tl::unexpected(fileError(QStringLiteral("cannot create directory"), dest));
            if (auto copied = copyTree(source, dest, childRel, targetRel, notes); !copied)
                return copied;
            continue;
        }
        if (isExcluded(childRel, targetRel))
            continue;
        bool copied = false;
        if (auto done = copyEntry(source, dest, st, &copied); !done)
            return done;
        if (!copied)
            notes.append(QStringLiteral("not a regular file, not copied: %1").arg(childRel));
    }
    return {};
}

// --- git ---

QString workdirOf(git_repository *repo)
{
    QString root = QString::fromUtf8(git_repository_workdir(repo));
    while (root.size() > 1 && root.endsWith(QLatin1Char('/')))
        root.chop(1);
    return root;
}

/// The tree of HEAD below `prefix` (repo-relative, empty for the root). Null (no error) when HEAD
/// is unborn or has nothing at prefix; commitSha is set when HEAD has a commit.
Result<TreePtr> baseTree(git_repository *repo, const QString &prefix, const QString &where, QString *commitSha)
{
    const int unborn = git_repository_head_unborn(repo);
    if (unborn < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read HEAD of"), where));
    if (unborn == 1)
        return TreePtr();
    git_reference *rawRef = nullptr;
    if (git_repository_head(&rawRef, repo) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read HEAD of"), where));
    RefPtr head(rawRef);
    git_object *rawCommit = nullptr;
    if (git_reference_peel(&rawCommit, head.get(), GIT_OBJECT_COMMIT) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the HEAD commit of"), where));
    ObjectPtr commit(rawCommit);
    char sha[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(sha, sizeof sha, git_object_id(commit.get()));
    *commitSha = QString::fromLatin1(sha);

    git_tree *rawTree = nullptr;
    if (git_commit_tree(&rawTree, reinterpret_cast<const git_commit *>(commit.get())) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the HEAD tree of"), where));
    TreePtr root(rawTree);
    if (prefix.isEmpty())
        return root;

    git_tree_entry *rawEntry = nullptr;
    const int rc = git_tree_entry_bypath(&rawEntry, root.get(), prefix.toUtf8().constData());
    TreeEntryPtr entry(rawEntry);
    if (rc == GIT_ENOTFOUND) {
        git_error_clear();
        return TreePtr(); // the project directory is not committed yet
    }
    if (rc < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the HEAD tree of"), where));
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE)
        return TreePtr(); // committed as a file or submodule: nothing to take from HEAD
    git_tree *rawSub = nullptr;
    if (git_tree_lookup(&rawSub, repo, git_tree_entry_id(entry.get())) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the HEAD tree of"), where));
    return TreePtr(rawSub);
}

struct TreeWriter
{
    git_repository *repo = nullptr;
    QString target;    ///< workspace root
    QString prefix;    ///< project's path in the repository, with a trailing '/' unless empty
    QString targetRel; ///< the workspace's path in the project, if inside
    QStringList *notes = nullptr;
    Error error;
    bool failed = false;

    int fail(Error e)
    {
        error = std::move(e);
        failed = true;
        return -1;
    }

    // git_tree_walk callback: 0 continues, 1 skips a subtree, <0 stops.
    int visit(const char *root, const git_tree_entry *entry)
    {
        const QString rel = QString::fromUtf8(root) + QString::fromUtf8(git_tree_entry_name(entry));
        if (isExcluded(rel, targetRel))
            return 1;
        const QString dest = target + QLatin1Char('/') + rel;
        switch (git_tree_entry_filemode(entry)) {
        case GIT_FILEMODE_TREE:
            if (!QDir().mkdir(dest))
                return fail(fileError(QStringLiteral("cannot create directory"), dest));
            return 0;
        case GIT_FILEMODE_COMMIT:
            notes->append(QStringLiteral("submodule not copied: %1").arg(rel));
            return 0;
        case GIT_FILEMODE_LINK:
        case GIT_FILEMODE_BLOB:
        case GIT_FILEMODE_BLOB_EXECUTABLE:
            break;
        default:
            notes->append(QStringLiteral("unknown entry type, not copied: %1").arg(rel));
            return 0;
        }

        git_blob *rawBlob = nullptr;
        if (git_blob_lookup(&rawBlob, repo, git_tree_entry_id(entry)) < 0)
            return fail(git::error(QStringLiteral("cannot read blob of"), rel));
        BlobPtr blob(rawBlob);
        if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
            const QByteArray linkTarget(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                        qsizetype(git_blob_rawsize(blob.get())));
            auto made = makeSymlink(linkTarget, dest);
            return made ? 0 : fail(made.error());
        }
        // A binary blob is written as it is: git_blob_filter() leaves it out altogether (an empty
        // buffer) under GIT_BLOB_FILTER_CHECK_FOR_BINARY, which its default options set, and no
        // checkout filter applies to one anyway.
        if (git_blob_is_binary(blob.get())) {
            auto written = writeFile(dest, static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                     qint64(git_blob_rawsize(blob.get())),
                                     git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE);
            return written ? 0 : fail(written.error());
        }
        // Apply the checkout filters (eol, ident) as a clone would, with attributes from HEAD so
        // the copy depends on the commit, not on a dirty .gitattributes.
        GitBuf content;
        git_blob_filter_options opts = GIT_BLOB_FILTER_OPTIONS_INIT;
        opts.flags |= GIT_BLOB_FILTER_ATTRIBUTES_FROM_HEAD;
        const QByteArray repoPath = (prefix + rel).toUtf8();
        if (git_blob_filter(&content.buf, blob.get(), repoPath.constData(), &opts) < 0)
            return fail(git::error(QStringLiteral("cannot filter blob of"), rel));
        auto written = writeFile(dest, content.buf.ptr, qint64(content.buf.size),
                                 git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE);
        return written ? 0 : fail(written.error());
    }
};

int treeWalkCallback(const char *root, const git_tree_entry *entry, void *payload)
{
    return static_cast<TreeWriter *>(payload)->visit(root, entry);
}

/// Repository-relative paths that differ between HEAD and the index or the work tree
/// (untracked non-ignored files listed one by one; submodules left out).
Result<QStringList> changedPaths(git_repository *repo, const QString &where)
{
    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags =
        GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list *raw = nullptr;
    const int rc = git_status_list_new(&raw, repo, &opts);
    StatusPtr status(raw);
    if (rc < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the status of"), where));
    QSet<QString> paths;
    const auto add = [&paths](const git_diff_delta *delta) {
        if (!delta)
            return;
        if (delta->old_file.path)
            paths.insert(QString::fromUtf8(delta->old_file.path));
        if (delta->new_file.path)
            paths.insert(QString::fromUtf8(delta->new_file.path));
    };
    const size_t n = git_status_list_entrycount(status.get());
    for (size_t i = 0; i < n; ++i) {
        const git_status_entry *entry = git_status_byindex(status.get(), i);
        add(entry->head_to_index);
        add(entry->index_to_workdir);
    }
    QStringList list(paths.cbegin(), paths.cend());
    list.sort();
    return list;
}

/// True when every directory between root and path (exclusive) is a real directory, so writing
/// at path cannot land outside root through a symlink.
bool parentStaysInside(const QString &rootCanon, const QString &path)
{
    const QString parent = QFileInfo(QFileInfo(path).path()).canonicalFilePath();
    return parent == rootCanon || parent.startsWith(rootCanon + QLatin1Char('/'));
}

/// Replaces the HEAD version of the changed paths with their working-tree version.
Result<QStringList> overlayChanges(const QStringList &changed, const QString &workdir, const QString &prefix,
                                   const QString &target, const QString &targetRel, QStringList &notes)
{
    const QString targetCanon = QFileInfo(target).canonicalFilePath();
    QStringList present;
    QStringList dirty;
    for (const QString &repoPath : changed) {
        // An untracked nested repository comes as "dir/": it is not project content.
        if (repoPath.endsWith(QLatin1Char('/')) || !repoPath.startsWith(prefix))
            continue;
        const QString rel = repoPath.mid(prefix.size());
        if (rel.isEmpty() || isExcluded(rel, targetRel))
            continue;
        dirty.append(rel);
        struct stat st;
        const bool exists = lstatPath(workdir + QLatin1Char('/') + repoPath, &st);
        // A path that became a directory is a removal here; its files come as their own entries.
        if (exists && !S_ISDIR(st.st_mode)) {
            present.append(rel);
            continue;
        }
        const QString dest = target + QLatin1Char('/') + rel;
        if (!parentStaysInside(targetCanon, dest))
            continue; // below a symlink: nothing of ours to remove there
        if (auto removed = removePath(dest); !removed)
            return tl::unexpected(removed.error());
    }

    for (const QString &rel : std::as_const(present)) {
        const QString source = workdir + QLatin1Char('/') + prefix + rel;
        const QString dest = target + QLatin1Char('/') + rel;
        struct stat st;
        if (!lstatPath(source, &st))
            continue;                                  // gone since the status was read
        if (auto removed = removePath(dest); !removed) // a file that was a directory at HEAD
            return tl::unexpected(removed.error());
        if (auto made = makeParent(dest); !made)
            return tl::unexpected(made.error());
        if (!parentStaysInside(targetCanon, dest))
            return tl::unexpected(fileError(QStringLiteral("refusing to write through a symlink:"), dest));
        bool copied = false;
        if (auto done = copyEntry(source, dest, st, &copied); !done)
            return tl::unexpected(done.error());
        if (!copied)
            notes.append(QStringLiteral("not a regular file, not copied: %1").arg(rel));
    }
    return dirty;
}

void tally(const QString &dir, Workspace::WorkspaceInfo &info)
{
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        if (fi.isSymLink()) {
            ++info.files;
        } else if (fi.isFile()) {
            ++info.files;
            info.bytes += fi.size();
        }
    }
}

} // namespace

Result<Workspace::WorkspaceInfo> Workspace::create(const QString &projectDir, const QString &targetDir)
{
    const QFileInfo projectInfo(projectDir);
    if (!projectInfo.isDir())
        return tl::unexpected(fileError(QStringLiteral("project directory does not exist:"), projectDir));
    const QString projectCanon = projectInfo.canonicalFilePath();
    const QString target = QDir::cleanPath(QDir(targetDir).absolutePath());
    if (auto prepared = prepareTarget(target); !prepared)
        return tl::unexpected(prepared.error());
    const QString targetCanon = QFileInfo(target).canonicalFilePath();
    if (targetCanon == projectCanon)
        return tl::unexpected(fileError(QStringLiteral("workspace target is the project itself:"), target));
    const QString targetRel = targetInside(projectCanon, targetCanon);

    WorkspaceInfo info;
    info.path = target;

    git::ensureInit();
    git_repository *rawRepo = nullptr;
    const int rc = git_repository_open_ext(&rawRepo, QFile::encodeName(projectCanon).constData(), 0, nullptr);
    RepoPtr repo(rawRepo);
    if (rc < 0 && rc != GIT_ENOTFOUND)
        return tl::unexpected(git::error(QStringLiteral("cannot open git repository at"), projectDir));
    if (rc == GIT_ENOTFOUND) {
        git_error_clear();
        if (auto copied = copyTree(projectCanon, target, QString(), targetRel, info.notes); !copied)
            return tl::unexpected(copied.error());
        tally(target, info);
        return info;
    }
    if (git_repository_is_bare(repo.get()))
        return tl::unexpected(fileError(QStringLiteral("cannot make a workspace of a bare repository:"), projectDir));

    const QString workdir = QFileInfo(workdirOf(repo.get())).canonicalFilePath();
    QString prefix = QDir(workdir).relativeFilePath(projectCanon);
    if (prefix.startsWith(QLatin1String("..")))
        return tl::unexpected(fileError(QStringLiteral("project directory is outside the work tree of"), workdir));
    prefix = prefix == QLatin1String(".") ? QString() : prefix + QLatin1Char('/');

    // Read the status before writing anything: the target may lie inside the work tree.
    auto changed = changedPaths(repo.get(), workdir);
    if (!changed)
        return tl::unexpected(changed.error());

    auto base = baseTree(repo.get(), prefix.chopped(prefix.isEmpty() ? 0 : 1), workdir, &info.commitSha);
    if (!base)
        return tl::unexpected(base.error());
    if (base->get()) {
        TreeWriter writer{repo.get(), target, prefix, targetRel, &info.notes, {}, false};
        const int walked = git_tree_walk(base->get(), GIT_TREEWALK_PRE, treeWalkCallback, &writer);
        if (writer.failed)
            return tl::unexpected(writer.error);
        if (walked < 0)
            return tl::unexpected(git::error(QStringLiteral("cannot read the HEAD tree of"), workdir));
    }

    auto dirty = overlayChanges(*changed, workdir, prefix, target, targetRel, info.notes);
    if (!dirty)
        return tl::unexpected(dirty.error());
    info.dirtyFiles = *dirty;
    info.dirty = !info.dirtyFiles.isEmpty();
    tally(target, info);
    return info;
}

QString Workspace::runFolder(const QString &projectDir, const QString &runId)
{
    return QDir(projectDir).absoluteFilePath(QStringLiteral(".trainyard/workspaces/") + runId);
}

qint64 Workspace::removeRun(const QString &projectDir, const QString &runId)
{
    const QString folder = runFolder(projectDir, runId);
    if (runId.isEmpty() || !QFileInfo(folder).isDir() || QFileInfo(folder).isSymLink())
        return -1;
    qint64 bytes = 0;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::System | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext())
        bytes += it.nextFileInfo().size();
    QDir(folder).removeRecursively();
    return bytes;
}

} // namespace trainyard::core
