#include "projectsetup.h"

#include "vcs/githandles.h"
#include "vcs/gitinfo.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

namespace trainyard::core {

namespace {

using IndexPtr = git::Ptr<git_index, git_index_free>;
using SignaturePtr = git::Ptr<git_signature, git_signature_free>;

Result<void> copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot | QDir::System,
                    QDirIterator::Subdirectories);
    const QDir source(from);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = source.relativeFilePath(path);
        if (rel == QLatin1String(".trainyard") || rel.startsWith(QLatin1String(".trainyard/")) ||
            rel == QLatin1String(".git") || rel.startsWith(QLatin1String(".git/")))
            continue;
        const QFileInfo info = it.fileInfo();
        const QString target = to + u'/' + rel;
        if (info.isSymLink()) {
            if (!QFile::link(info.symLinkTarget(), target))
                return tl::unexpected(
                    Error::error(QStringLiteral("cannot copy the link %1").arg(path), SourceLocation{target}));
        } else if (info.isDir()) {
            if (!QDir().mkpath(target))
                return tl::unexpected(
                    Error::error(QStringLiteral("cannot create the folder %1").arg(target), SourceLocation{target}));
        } else if (!QFile::copy(path, target)) {
            return tl::unexpected(
                Error::error(QStringLiteral("cannot copy %1 to %2").arg(path, target), SourceLocation{target}));
        } else {
            QFile::setPermissions(target, info.permissions() | QFile::WriteOwner);
        }
    }
    return {};
}

Result<void> ignoreTrainyardState(const QString &dir)
{
    QFile ignore(dir + QStringLiteral("/.gitignore"));
    QByteArray text;
    if (ignore.exists()) {
        if (!ignore.open(QIODevice::ReadOnly))
            return tl::unexpected(Error::error(QStringLiteral("cannot read %1").arg(ignore.fileName()),
                                               SourceLocation{ignore.fileName()}));
        text = ignore.readAll();
        ignore.close();
    }
    if (text.split('\n').contains(".trainyard/"))
        return {};
    if (!text.isEmpty() && !text.endsWith('\n'))
        text += '\n';
    text += ".trainyard/\n";
    if (!ignore.open(QIODevice::WriteOnly | QIODevice::Truncate) || ignore.write(text) != text.size())
        return tl::unexpected(
            Error::error(QStringLiteral("cannot write %1").arg(ignore.fileName()), SourceLocation{ignore.fileName()}));
    return {};
}

/// Commits every file of `dir` git does not ignore, in a new repository; the commit's id.
Result<git_oid> commitAll(const QString &dir, const char *message)
{
    git::ensureInit();
    git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    options.flags = GIT_REPOSITORY_INIT_MKPATH;
    options.initial_head = "main";
    git_repository *rawRepo = nullptr;
    const QByteArray path = QFile::encodeName(dir);
    if (git_repository_init_ext(&rawRepo, path.constData(), &options) != 0)
        return tl::unexpected(git::error(QStringLiteral("cannot make a git repository in"), dir));
    git::RepoPtr repo(rawRepo);
    git_index *rawIndex = nullptr;
    if (git_repository_index(&rawIndex, repo.get()) != 0)
        return tl::unexpected(git::error(QStringLiteral("cannot open the git index of"), dir));
    IndexPtr index(rawIndex);
    if (git_index_add_all(index.get(), nullptr, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr) != 0 ||
        git_index_write(index.get()) != 0)
        return tl::unexpected(git::error(QStringLiteral("cannot add the files of"), dir));
    git_oid treeId;
    if (git_index_write_tree(&treeId, index.get()) != 0)
        return tl::unexpected(git::error(QStringLiteral("cannot write the tree of"), dir));
    git_tree *rawTree = nullptr;
    if (git_tree_lookup(&rawTree, repo.get(), &treeId) != 0)
        return tl::unexpected(git::error(QStringLiteral("cannot read the tree of"), dir));
    git::TreePtr tree(rawTree);
    // The user's own name when git knows it, else Trainyard's.
    git_signature *rawSig = nullptr;
    if (git_signature_default(&rawSig, repo.get()) != 0 &&
        git_signature_now(&rawSig, "Trainyard", "trainyard@localhost") != 0)
        return tl::unexpected(git::error(QStringLiteral("cannot make a commit signature for"), dir));
    SignaturePtr signature(rawSig);
    git_oid commitId;
    if (git_commit_create_v(&commitId, repo.get(), "HEAD", signature.get(), signature.get(), nullptr, message,
                            tree.get(), 0) != 0)
        return tl::unexpected(git::error(QStringLiteral("cannot commit the files of"), dir));
    return commitId;
}

} // namespace

QString ProjectSetup::examplesDir()
{
    QStringList candidates;
    if (const QString env = qEnvironmentVariable("TRAINYARD_EXAMPLES_DIR"); !env.isEmpty())
        candidates << env;
    if (QCoreApplication::instance())
        candidates << QCoreApplication::applicationDirPath() + QStringLiteral("/../share/trainyard/examples");
#ifdef TRAINYARD_SOURCE_EXAMPLES_DIR
    candidates << QStringLiteral(TRAINYARD_SOURCE_EXAMPLES_DIR);
#endif
    for (const QString &dir : std::as_const(candidates)) {
        if (QFileInfo(dir).isDir())
            return QDir(dir).canonicalPath();
    }
    return {};
}

Result<void> ProjectSetup::copyExample(const QString &exampleDir, const QString &targetDir)
{
    if (!QFileInfo::exists(exampleDir + QStringLiteral("/.gitlab-ci.yml")))
        return tl::unexpected(
            Error::error(QStringLiteral("%1 is not an example project (it has no .gitlab-ci.yml)").arg(exampleDir),
                         SourceLocation{exampleDir}));
    const QFileInfo target(targetDir);
    const bool existed = target.exists();
    if (existed &&
        (!target.isDir() || !QDir(targetDir).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)))
        return tl::unexpected(
            Error::error(QStringLiteral("%1 is not empty: choose a new or empty folder for the example").arg(targetDir),
                         SourceLocation{targetDir}));
    if (!QDir().mkpath(targetDir))
        return tl::unexpected(
            Error::error(QStringLiteral("cannot create the folder %1").arg(targetDir), SourceLocation{targetDir}));
    auto done = copyTree(exampleDir, targetDir).and_then([&] { return ignoreTrainyardState(targetDir); }).and_then([&] {
        return commitAll(targetDir, "Start from the Trainyard example").map([](const git_oid &) {});
    });
    if (!done) {
        // Nothing half-made stays behind; an empty folder the user chose stays, empty.
        QDir(targetDir).removeRecursively();
        if (existed)
            QDir().mkpath(targetDir);
    }
    return done;
}

Result<QString> ProjectSetup::makeRepository(const QString &dir)
{
    if (!QFileInfo(dir).isDir())
        return tl::unexpected(Error::error(QStringLiteral("%1 is not a folder").arg(dir), SourceLocation{dir}));
    if (auto state = GitInfo::read(dir); state && state->isRepository)
        return tl::unexpected(Error::error(
            QStringLiteral("%1 is already in the git repository %2").arg(dir, state->root), SourceLocation{dir}));
    if (auto ignored = ignoreTrainyardState(dir); !ignored)
        return tl::unexpected(ignored.error());
    auto committed = commitAll(dir, "First commit, made by Trainyard so that runs can be traced to it");
    if (!committed)
        return tl::unexpected(committed.error());
    char sha[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(sha, sizeof sha, &*committed);
    return QString::fromLatin1(sha).left(8);
}

} // namespace trainyard::core
