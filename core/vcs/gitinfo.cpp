#include "gitinfo.h"

#include "githandles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTimeZone>
#include <QUrl>

#include <git2.h>

#include <memory>

namespace trainyard::core {

namespace {

using namespace git;

struct StrArray final
{
    StrArray() = default;
    ~StrArray() { git_strarray_dispose(&array); }
    Q_DISABLE_COPY_MOVE(StrArray)
    git_strarray array{};
};

QString fromGit(const char *s)
{
    return s ? QString::fromUtf8(s) : QString();
}

QByteArray toGitPath(const QString &path)
{
    return QFile::encodeName(QDir::cleanPath(path));
}

QString shaOf(const git_oid *oid)
{
    char buf[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(buf, sizeof buf, oid);
    return QString::fromLatin1(buf);
}

/// The repository containing dir: a null pointer (and no error) when there is none.
Result<RepoPtr> openRepository(const QString &dir)
{
    git::ensureInit();
    git_repository *raw = nullptr;
    const int rc = git_repository_open_ext(&raw, toGitPath(dir).constData(), 0, nullptr);
    RepoPtr repo(raw);
    if (rc == GIT_ENOTFOUND)
        return RepoPtr();
    if (rc < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot open git repository at"), dir));
    return repo;
}

/// The repository at `dir`, or an error when there is none (where openRepository says "none").
Result<RepoPtr> requireRepository(const QString &dir)
{
    auto opened = openRepository(dir);
    if (opened && !opened->get())
        return tl::unexpected(Error::error(QStringLiteral("not a git repository: %1").arg(dir), SourceLocation{dir}));
    return opened;
}

QString workdirOf(git_repository *repo)
{
    QString root = fromGit(git_repository_workdir(repo));
    while (root.size() > 1 && root.endsWith(QLatin1Char('/')))
        root.chop(1);
    return root;
}

bool referenceExists(git_repository *repo, const char *name)
{
    git_reference *raw = nullptr;
    const int rc = git_reference_lookup(&raw, repo, name);
    RefPtr ref(raw);
    return rc == 0;
}

QString stripPrefix(const QString &s, QLatin1String prefix)
{
    return s.startsWith(prefix) ? s.mid(prefix.size()) : s;
}

QString defaultBranchOf(git_repository *repo, const QString &currentBranch)
{
    git_reference *raw = nullptr;
    if (git_reference_lookup(&raw, repo, "refs/remotes/origin/HEAD") == 0) {
        RefPtr originHead(raw);
        if (git_reference_type(originHead.get()) == GIT_REFERENCE_SYMBOLIC) {
            const QString target = fromGit(git_reference_symbolic_target(originHead.get()));
            const QString name = stripPrefix(target, QLatin1String("refs/remotes/origin/"));
            if (!name.isEmpty())
                return name;
        }
    }
    if (referenceExists(repo, "refs/heads/main"))
        return QStringLiteral("main");
    if (referenceExists(repo, "refs/heads/master"))
        return QStringLiteral("master");
    if (!currentBranch.isEmpty())
        return currentBranch;
    return QStringLiteral("main");
}

QString originUrl(git_repository *repo)
{
    // Read from the configuration rather than git_remote_lookup: in libgit2 1.5 the latter leaks
    // PCRE2 match data (tens of KiB per call) while matching url.*.insteadOf, and read()
    // may run often. So insteadOf rewrites are not applied. A missing "origin" (or an unreadable
    // configuration) is not a broken repository: it just has no remote URL.
    git_config *rawConfig = nullptr;
    if (git_repository_config_snapshot(&rawConfig, repo) < 0) {
        git_error_clear();
        return {};
    }
    ConfigPtr config(rawConfig);
    git_buf url = GIT_BUF_INIT;
    QString result;
    if (git_config_get_string_buf(&url, config.get(), "remote.origin.url") == 0)
        result = QString::fromUtf8(url.ptr, qsizetype(url.size));
    else
        git_error_clear();
    git_buf_dispose(&url);
    return result;
}

/// The first tag by name whose target peels to `head`.
Result<QString> tagAt(git_repository *repo, const git_oid *head, const QString &root)
{
    StrArray tags;
    if (git_tag_list(&tags.array, repo) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot list tags in"), root));
    QStringList names;
    names.reserve(int(tags.array.count));
    for (size_t i = 0; i < tags.array.count; ++i)
        names.append(fromGit(tags.array.strings[i]));
    names.sort();
    for (const QString &name : std::as_const(names)) {
        const QByteArray refName = "refs/tags/" + name.toUtf8();
        git_reference *rawRef = nullptr;
        if (git_reference_lookup(&rawRef, repo, refName.constData()) < 0)
            continue;
        RefPtr ref(rawRef);
        git_object *rawObj = nullptr;
        // Tags of trees or blobs do not peel to a commit; they cannot name HEAD.
        if (git_reference_peel(&rawObj, ref.get(), GIT_OBJECT_COMMIT) < 0)
            continue;
        ObjectPtr commit(rawObj);
        if (git_oid_equal(git_object_id(commit.get()), head))
            return name;
    }
    git_error_clear();
    return QString();
}

Result<bool> isDirty(git_repository *repo, const QString &root)
{
    if (git_repository_is_bare(repo))
        return false;
    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    // Without RECURSE_UNTRACKED_DIRS libgit2 still looks into an untracked directory far enough
    // to tell whether it holds anything that is not ignored, which is all "dirty" needs.
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED;
    git_status_list *raw = nullptr;
    const int rc = git_status_list_new(&raw, repo, &opts);
    StatusPtr status(raw);
    if (rc < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the status of"), root));
    return git_status_list_entrycount(status.get()) > 0;
}

/// The commit HEAD resolves to. Goes through git_repository_head rather than git_revparse_single,
/// which leaks a reference in libgit2 1.5 when the branch names a missing object.
Result<ObjectPtr> headCommit(git_repository *repo, const QString &root)
{
    git_reference *rawRef = nullptr;
    if (git_repository_head(&rawRef, repo) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read HEAD of"), root));
    RefPtr head(rawRef);
    git_object *raw = nullptr;
    if (git_reference_peel(&raw, head.get(), GIT_OBJECT_COMMIT) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the HEAD commit of"), root));
    return ObjectPtr(raw);
}

/// The tree HEAD points at; a null tree for an unborn branch.
Result<TreePtr> headTree(git_repository *repo, const QString &root)
{
    const int unborn = git_repository_head_unborn(repo);
    if (unborn < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read HEAD of"), root));
    if (unborn == 1)
        return TreePtr();
    auto commit = headCommit(repo, root);
    if (!commit)
        return tl::unexpected(commit.error());
    git_tree *raw = nullptr;
    if (git_commit_tree(&raw, reinterpret_cast<const git_commit *>(commit->get())) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the HEAD tree of"), root));
    return TreePtr(raw);
}

void addDeltaPaths(const git_diff_delta *delta, QSet<QString> &paths)
{
    if (!delta)
        return;
    if (delta->old_file.path)
        paths.insert(fromGit(delta->old_file.path));
    if (delta->new_file.path)
        paths.insert(fromGit(delta->new_file.path));
}

} // namespace

QStringList GitInfo::gitDirectories(const QString &dir)
{
    auto opened = openRepository(dir);
    if (!opened || !opened->get())
        return {};
    QStringList out;
    for (const char *path : {git_repository_path(opened->get()), git_repository_commondir(opened->get())}) {
        QString folder = path ? fromGit(path) : QString();
        while (folder.endsWith(u'/') && folder.size() > 1)
            folder.chop(1);
        if (!folder.isEmpty() && !out.contains(folder))
            out << folder;
    }
    return out;
}

Result<GitState> GitInfo::read(const QString &dir)
{
    auto opened = openRepository(dir);
    if (!opened)
        return tl::unexpected(opened.error());
    GitState state;
    git_repository *repo = opened->get();
    if (!repo)
        return state;

    state.isRepository = true;
    state.root = workdirOf(repo);
    const QString where = state.root.isEmpty() ? fromGit(git_repository_path(repo)) : state.root;

    // HEAD itself tells branch vs detached, also on an unborn branch where it cannot be resolved.
    {
        git_reference *raw = nullptr;
        if (git_reference_lookup(&raw, repo, "HEAD") < 0)
            return tl::unexpected(git::error(QStringLiteral("cannot read HEAD of"), where));
        RefPtr head(raw);
        if (git_reference_type(head.get()) == GIT_REFERENCE_SYMBOLIC) {
            const QString target = fromGit(git_reference_symbolic_target(head.get()));
            state.branch = stripPrefix(target, QLatin1String("refs/heads/"));
        } else {
            state.detached = true;
        }
    }

    const int unborn = git_repository_head_unborn(repo);
    if (unborn < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read HEAD of"), where));
    if (unborn == 0) {
        auto object = headCommit(repo, where);
        if (!object)
            return tl::unexpected(object.error());
        const auto *commit = reinterpret_cast<const git_commit *>(object->get());
        const git_oid *oid = git_commit_id(commit);
        state.sha = shaOf(oid);
        state.shortSha = state.sha.left(8);
        if (const git_signature *author = git_commit_author(commit)) {
            state.authorName = fromGit(author->name);
            state.authorEmail = fromGit(author->email);
        }
        state.message = fromGit(git_commit_message(commit));
        while (state.message.endsWith(QLatin1Char('\n')))
            state.message.chop(1);
        state.title = state.message.section(QLatin1Char('\n'), 0, 0);
        // Keep the committer's offset, as `git log` shows it; QTimeZone rejects offsets beyond
        // +-14h, which a hand-made commit can carry, so those fall back to UTC.
        QTimeZone zone(git_commit_time_offset(commit) * 60);
        if (!zone.isValid())
            zone = QTimeZone::utc();
        state.commitTime = QDateTime::fromSecsSinceEpoch(qint64(git_commit_time(commit)), zone);

        auto tag = tagAt(repo, oid, where);
        if (!tag)
            return tl::unexpected(tag.error());
        state.tag = *tag;
    }

    auto dirty = isDirty(repo, where);
    if (!dirty)
        return tl::unexpected(dirty.error());
    state.dirty = *dirty;

    state.defaultBranch = defaultBranchOf(repo, state.branch);
    state.remoteUrl = originUrl(repo);
    state.projectPath = projectPathFromUrl(state.remoteUrl);
    return state;
}

Result<QStringList> GitInfo::changedFiles(const QString &dir, const QString &baseRef)
{
    auto opened = requireRepository(dir);
    if (!opened)
        return tl::unexpected(opened.error());
    git_repository *repo = opened->get();
    const QString root = workdirOf(repo);
    const QString where = root.isEmpty() ? fromGit(git_repository_path(repo)) : root;

    TreePtr base;
    {
        git_object *raw = nullptr;
        const QByteArray spec = baseRef.toUtf8() + "^{tree}";
        if (baseRef.isEmpty() || git_revparse_single(&raw, repo, spec.constData()) < 0) {
            const QString why = baseRef.isEmpty() ? QStringLiteral("empty ref") : git::lastMessage();
            return tl::unexpected(
                Error::error(QStringLiteral("cannot resolve git ref '%1' in %2: %3").arg(baseRef, where, why),
                             SourceLocation{where}));
        }
        base.reset(reinterpret_cast<git_tree *>(raw));
    }
    auto head = headTree(repo, where);
    if (!head)
        return tl::unexpected(head.error());

    QSet<QString> paths;
    {
        git_diff *raw = nullptr;
        if (git_diff_tree_to_tree(&raw, repo, base.get(), head->get(), nullptr) < 0)
            return tl::unexpected(git::error(QStringLiteral("cannot diff the commits in"), where));
        DiffPtr diff(raw);
        const size_t n = git_diff_num_deltas(diff.get());
        for (size_t i = 0; i < n; ++i)
            addDeltaPaths(git_diff_get_delta(diff.get(), i), paths);
    }

    if (!git_repository_is_bare(repo)) {
        git_status_options opts = GIT_STATUS_OPTIONS_INIT;
        opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
        opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
        git_status_list *raw = nullptr;
        const int rc = git_status_list_new(&raw, repo, &opts);
        StatusPtr status(raw);
        if (rc < 0)
            return tl::unexpected(git::error(QStringLiteral("cannot read the status of"), where));
        const size_t n = git_status_list_entrycount(status.get());
        for (size_t i = 0; i < n; ++i) {
            const git_status_entry *entry = git_status_byindex(status.get(), i);
            addDeltaPaths(entry->head_to_index, paths);
            addDeltaPaths(entry->index_to_workdir, paths);
        }
    }

    QStringList files(paths.cbegin(), paths.cend());
    files.sort();
    return files;
}

Result<QString> GitInfo::diffHash(const QString &dir)
{
    auto opened = requireRepository(dir);
    if (!opened)
        return tl::unexpected(opened.error());
    git_repository *repo = opened->get();
    if (git_repository_is_bare(repo))
        return QString();
    const QString where = workdirOf(repo);
    auto head = headTree(repo, where);
    if (!head)
        return tl::unexpected(head.error());

    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS | GIT_DIFF_SHOW_UNTRACKED_CONTENT |
                 GIT_DIFF_SHOW_BINARY;
    git_diff *raw = nullptr;
    if (git_diff_tree_to_workdir_with_index(&raw, repo, head->get(), &opts) < 0)
        return tl::unexpected(git::error(QStringLiteral("cannot diff the work tree of"), where));
    DiffPtr diff(raw);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const auto feed = [](const git_diff_delta *, const git_diff_hunk *, const git_diff_line *line,
                         void *payload) -> int {
        auto *h = static_cast<QCryptographicHash *>(payload);
        // Context, added and removed lines carry their origin; headers carry it in their content.
        if (line->origin == GIT_DIFF_LINE_CONTEXT || line->origin == GIT_DIFF_LINE_ADDITION ||
            line->origin == GIT_DIFF_LINE_DELETION)
            h->addData(QByteArrayView(&line->origin, 1));
        h->addData(QByteArrayView(line->content, qsizetype(line->content_len)));
        return 0;
    };
    // Trainyard's own state (.trainyard/, written while a run goes) is no part of what ran, as
    // for the workspace copy; a patch is made per file so its files are never even read.
    bool any = false;
    const size_t deltas = git_diff_num_deltas(diff.get());
    for (size_t i = 0; i < deltas; ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), i);
        const QString path = fromGit(delta->new_file.path ? delta->new_file.path : delta->old_file.path);
        if (path == QLatin1String(".trainyard") || path.startsWith(QLatin1String(".trainyard/")))
            continue;
        git_patch *rawPatch = nullptr;
        if (git_patch_from_diff(&rawPatch, diff.get(), i) < 0)
            return tl::unexpected(git::error(QStringLiteral("cannot diff %1 in").arg(path), where));
        std::unique_ptr<git_patch, decltype(&git_patch_free)> patch(rawPatch, git_patch_free);
        if (patch && git_patch_print(patch.get(), feed, &hash) < 0)
            return tl::unexpected(git::error(QStringLiteral("cannot print the diff of %1 in").arg(path), where));
        any = true;
    }
    if (!any)
        return QString();
    return QString::fromLatin1(hash.result().toHex());
}

bool GitInfo::refExists(const QString &dir, const QString &ref)
{
    if (ref.isEmpty())
        return false;
    auto opened = openRepository(dir);
    if (!opened || !opened->get())
        return false;
    git_object *raw = nullptr;
    const int rc = git_revparse_single(&raw, opened->get(), ref.toUtf8().constData());
    ObjectPtr object(raw);
    if (rc < 0)
        git_error_clear();
    return rc == 0;
}

QString GitInfo::projectPathFromUrl(const QString &url)
{
    const QString trimmed = url.trimmed();
    if (trimmed.isEmpty())
        return {};

    QString path;
    if (trimmed.contains(QLatin1String("://"))) {
        const QUrl parsed(trimmed);
        static const QStringList remoteSchemes{QStringLiteral("https"),   QStringLiteral("http"),
                                               QStringLiteral("ssh"),     QStringLiteral("git"),
                                               QStringLiteral("git+ssh"), QStringLiteral("ssh+git")};
        if (!parsed.isValid() || parsed.host().isEmpty() || !remoteSchemes.contains(parsed.scheme().toLower()))
            return {};
        path = parsed.path(QUrl::FullyDecoded);
    } else {
        // scp-like: [user@]host:path. The host part holds no '/', which tells it from a local path.
        static const QRegularExpression scpLike(QStringLiteral("^(?:[^@/:]+@)?([^@/:]+):(.+)$"));
        const QRegularExpressionMatch m = scpLike.match(trimmed);
        if (!m.hasMatch())
            return {};
        path = m.captured(2);
    }

    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    if (path.endsWith(QLatin1String(".git")))
        path.chop(4);
    while (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    if (path.startsWith(QLatin1Char('~')))
        return {};
    const QStringList segments = path.split(QLatin1Char('/'));
    if (segments.size() < 2 || segments.contains(QString()))
        return {};
    return path;
}

} // namespace trainyard::core
