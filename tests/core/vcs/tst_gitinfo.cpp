#include "vcs/gitinfo.h"

#include "support/files.h"
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using trainyard::test::writeFile;

using namespace trainyard::core;

namespace {

/// What a data row does to a clean, committed repository before it is read.
enum class Change { None, ModifyTracked, DeleteTracked, StageNewFile, Untracked, UntrackedInDir, Ignored, IgnoredDir };

/// How a data row sets up the repository whose default branch is read.
enum class BranchSetup { Plain, AlsoMaster, OriginHead, Detached, Unborn };

} // namespace

Q_DECLARE_METATYPE(Change)
Q_DECLARE_METATYPE(BranchSetup)

class tst_GitInfo final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void cleanRepositoryOnMain();
    void dirtyState_data();
    void dirtyState();
    void detachedHead();
    void unbornBranch();
    void notARepository();
    void subdirectory();
    void defaultBranch_data();
    void defaultBranch();
    void remoteProjectPath_data();
    void remoteProjectPath();
    void projectPathFromUrl_data();
    void projectPathFromUrl();
    void tagAtHead();
    void changedFilesSinceBase();
    void changedFilesErrors();
    void refExists_data();
    void refExists();
    void brokenRepository();

private:
    /// Runs `git ARGS` in dir with a fixed identity and dates; false (with a warning) on failure.
    bool git(const QString &dir, const QStringList &args, QString *output = nullptr) const;
    /// A fresh repository on `branch` holding README.md and a .gitignore in one commit.
    bool initCommitted(const QString &dir, const QString &branch = QStringLiteral("main")) const;
    static QString canonical(const QString &path) { return QFileInfo(path).canonicalFilePath(); }

    QTemporaryDir m_home;
};

void tst_GitInfo::initTestCase()
{
    QVERIFY(m_home.isValid());
    // Neither the git CLI nor libgit2 may see the user's or the system's configuration. libgit2
    // reads these variables when it is initialised, which happens on the first GitInfo call.
    qputenv("HOME", m_home.path().toLocal8Bit());
    qputenv("XDG_CONFIG_HOME", m_home.path().toLocal8Bit());
    qputenv("GIT_CONFIG_NOSYSTEM", "1");
    for (const char *name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES"})
        qunsetenv(name);

    QString version;
    if (!git(m_home.path(), {QStringLiteral("--version")}, &version))
        QSKIP("the git command line tool is not available");
}

bool tst_GitInfo::git(const QString &dir, const QStringList &args, QString *output) const
{
    QProcess process;
    process.setWorkingDirectory(dir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    env.insert(QStringLiteral("GIT_AUTHOR_DATE"), QStringLiteral("2024-03-01T12:00:00+02:00"));
    env.insert(QStringLiteral("GIT_COMMITTER_DATE"), QStringLiteral("2024-03-01T12:00:00+02:00"));
    process.setProcessEnvironment(env);
    const QStringList config{QStringLiteral("-c"), QStringLiteral("user.name=Ada Lovelace"),
                             QStringLiteral("-c"), QStringLiteral("user.email=ada@example.com"),
                             QStringLiteral("-c"), QStringLiteral("commit.gpgsign=false"),
                             QStringLiteral("-c"), QStringLiteral("tag.gpgsign=false"),
                             QStringLiteral("-c"), QStringLiteral("core.autocrlf=false")};
    process.start(QStringLiteral("git"), config + args);
    if (!process.waitForFinished(30'000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        qWarning().noquote() << "git" << args.join(QLatin1Char(' ')) << "failed in" << dir << ':'
                             << process.errorString() << process.readAllStandardError();
        return false;
    }
    if (output)
        *output = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    return true;
}

bool tst_GitInfo::initCommitted(const QString &dir, const QString &branch) const
{
    return git(dir, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), branch}) &&
           writeFile(dir + QStringLiteral("/README.md"), "# project\n") &&
           writeFile(dir + QStringLiteral("/.gitignore"), "*.log\nbuild/\n") &&
           git(dir, {QStringLiteral("add"), QStringLiteral(".")}) &&
           git(dir, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"),
                     QStringLiteral("Add readme\n\nA longer body.\n")});
}

void tst_GitInfo::cleanRepositoryOnMain()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(initCommitted(dir.path()));
    QString sha;
    QVERIFY(git(dir.path(), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}, &sha));

    const auto state = GitInfo::read(dir.path());
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QVERIFY(state->isRepository);
    QCOMPARE(state->root, canonical(dir.path()));
    QCOMPARE(state->branch, QStringLiteral("main"));
    QVERIFY(!state->detached);
    QCOMPARE(state->sha, sha);
    QCOMPARE(state->sha.size(), 40);
    QCOMPARE(state->shortSha, sha.left(8));
    QCOMPARE(state->authorName, QStringLiteral("Ada Lovelace"));
    QCOMPARE(state->authorEmail, QStringLiteral("ada@example.com"));
    QCOMPARE(state->message, QStringLiteral("Add readme\n\nA longer body."));
    QCOMPARE(state->title, QStringLiteral("Add readme"));
    const QDateTime expected(QDate(2024, 3, 1), QTime(12, 0), QTimeZone(2 * 3600));
    QCOMPARE(state->commitTime, expected);
    QCOMPARE(state->commitTime.offsetFromUtc(), 2 * 3600);
    QVERIFY(!state->dirty);
    QCOMPARE(state->defaultBranch, QStringLiteral("main"));
    QVERIFY(state->remoteUrl.isEmpty());
    QVERIFY(state->projectPath.isEmpty());
    QVERIFY(state->tag.isEmpty());
}

void tst_GitInfo::dirtyState_data()
{
    QTest::addColumn<Change>("change");
    QTest::addColumn<bool>("dirty");

    QTest::newRow("clean") << Change::None << false;
    QTest::newRow("modified tracked file") << Change::ModifyTracked << true;
    QTest::newRow("deleted tracked file") << Change::DeleteTracked << true;
    QTest::newRow("staged new file") << Change::StageNewFile << true;
    QTest::newRow("untracked file") << Change::Untracked << true;
    QTest::newRow("untracked file in new directory") << Change::UntrackedInDir << true;
    QTest::newRow("ignored file") << Change::Ignored << false;
    QTest::newRow("file in ignored directory") << Change::IgnoredDir << false;
}

void tst_GitInfo::dirtyState()
{
    QFETCH(Change, change);
    QFETCH(bool, dirty);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(initCommitted(dir.path()));
    const QString root = dir.path() + QLatin1Char('/');
    switch (change) {
    case Change::None:
        break;
    case Change::ModifyTracked:
        QVERIFY(writeFile(root + QStringLiteral("README.md"), "# changed\n"));
        break;
    case Change::DeleteTracked:
        QVERIFY(QFile::remove(root + QStringLiteral("README.md")));
        break;
    case Change::StageNewFile:
        QVERIFY(writeFile(root + QStringLiteral("train.py"), "print()\n"));
        QVERIFY(git(dir.path(), {QStringLiteral("add"), QStringLiteral("train.py")}));
        break;
    case Change::Untracked:
        QVERIFY(writeFile(root + QStringLiteral("notes.txt"), "x\n"));
        break;
    case Change::UntrackedInDir:
        QVERIFY(writeFile(root + QStringLiteral("src/model/net.py"), "x\n"));
        break;
    case Change::Ignored:
        QVERIFY(writeFile(root + QStringLiteral("train.log"), "epoch 1\n"));
        break;
    case Change::IgnoredDir:
        QVERIFY(writeFile(root + QStringLiteral("build/out/model.bin"), "x\n"));
        break;
    }

    const auto state = GitInfo::read(dir.path());
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QCOMPARE(state->dirty, dirty);
}

void tst_GitInfo::detachedHead()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(initCommitted(dir.path()));
    QString first;
    QVERIFY(git(dir.path(), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}, &first));
    QVERIFY(git(dir.path(), {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
                             QStringLiteral("-m"), QStringLiteral("second")}));
    QVERIFY(git(dir.path(), {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("--detach"),
                             QStringLiteral("HEAD~1")}));

    const auto state = GitInfo::read(dir.path());
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QVERIFY(state->detached);
    QVERIFY(state->branch.isEmpty());
    QCOMPARE(state->sha, first);
    QCOMPARE(state->title, QStringLiteral("Add readme"));
    QVERIFY(!state->dirty);
    QCOMPARE(state->defaultBranch, QStringLiteral("main"));
}

void tst_GitInfo::unbornBranch()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(
        git(dir.path(), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")}));

    auto state = GitInfo::read(dir.path());
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QVERIFY(state->isRepository);
    QCOMPARE(state->root, canonical(dir.path()));
    QCOMPARE(state->branch, QStringLiteral("main"));
    QVERIFY(!state->detached);
    QVERIFY(state->sha.isEmpty());
    QVERIFY(state->shortSha.isEmpty());
    QVERIFY(state->message.isEmpty());
    QVERIFY(!state->commitTime.isValid());
    QVERIFY(!state->dirty);
    QCOMPARE(state->defaultBranch, QStringLiteral("main"));
    QVERIFY(state->tag.isEmpty());

    QVERIFY(writeFile(dir.path() + QStringLiteral("/train.py"), "print()\n"));
    state = GitInfo::read(dir.path());
    QVERIFY(state);
    QVERIFY(state->dirty);
}

void tst_GitInfo::notARepository()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto state = GitInfo::read(dir.path());
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QVERIFY(!state->isRepository);
    QVERIFY(state->root.isEmpty());
    QVERIFY(state->sha.isEmpty());

    const auto missing = GitInfo::read(dir.path() + QStringLiteral("/does/not/exist"));
    QVERIFY(missing);
    QVERIFY(!missing->isRepository);

    QVERIFY(!GitInfo::changedFiles(dir.path(), QStringLiteral("HEAD")));
    QVERIFY(!GitInfo::refExists(dir.path(), QStringLiteral("HEAD")));
}

void tst_GitInfo::subdirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(initCommitted(dir.path()));
    const QString deeper = dir.path() + QStringLiteral("/src/models");
    QVERIFY(writeFile(deeper + QStringLiteral("/net.py"), "x\n"));
    QVERIFY(git(dir.path(), {QStringLiteral("add"), QStringLiteral(".")}));
    QVERIFY(git(dir.path(),
                {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("Add model")}));

    const auto state = GitInfo::read(deeper);
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QVERIFY(state->isRepository);
    QCOMPARE(state->root, canonical(dir.path()));
    QCOMPARE(state->title, QStringLiteral("Add model"));
    QVERIFY(!state->dirty);
}

void tst_GitInfo::defaultBranch_data()
{
    QTest::addColumn<QString>("initialBranch");
    QTest::addColumn<BranchSetup>("setup");
    QTest::addColumn<QString>("expected");

    QTest::newRow("main") << QStringLiteral("main") << BranchSetup::Plain << QStringLiteral("main");
    QTest::newRow("master") << QStringLiteral("master") << BranchSetup::Plain << QStringLiteral("master");
    QTest::newRow("current branch") << QStringLiteral("trunk") << BranchSetup::Plain << QStringLiteral("trunk");
    QTest::newRow("master beats current")
        << QStringLiteral("trunk") << BranchSetup::AlsoMaster << QStringLiteral("master");
    QTest::newRow("origin/HEAD") << QStringLiteral("main") << BranchSetup::OriginHead << QStringLiteral("develop");
    QTest::newRow("detached, no main or master")
        << QStringLiteral("trunk") << BranchSetup::Detached << QStringLiteral("main");
    QTest::newRow("unborn current branch") << QStringLiteral("trunk") << BranchSetup::Unborn << QStringLiteral("trunk");
}

void tst_GitInfo::defaultBranch()
{
    QFETCH(QString, initialBranch);
    QFETCH(BranchSetup, setup);
    QFETCH(QString, expected);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.path();
    if (setup == BranchSetup::Unborn)
        QVERIFY(git(path, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), initialBranch}));
    else
        QVERIFY(initCommitted(path, initialBranch));

    switch (setup) {
    case BranchSetup::Plain:
    case BranchSetup::Unborn:
        break;
    case BranchSetup::AlsoMaster:
        QVERIFY(git(path, {QStringLiteral("branch"), QStringLiteral("master")}));
        break;
    case BranchSetup::OriginHead:
        QVERIFY(git(path, {QStringLiteral("update-ref"), QStringLiteral("refs/remotes/origin/develop"),
                           QStringLiteral("HEAD")}));
        QVERIFY(git(path, {QStringLiteral("symbolic-ref"), QStringLiteral("refs/remotes/origin/HEAD"),
                           QStringLiteral("refs/remotes/origin/develop")}));
        break;
    case BranchSetup::Detached:
        QVERIFY(git(path, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("--detach")}));
        QVERIFY(git(path, {QStringLiteral("branch"), QStringLiteral("-q"), QStringLiteral("-D"), initialBranch}));
        break;
    }

    const auto state = GitInfo::read(path);
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QCOMPARE(state->defaultBranch, expected);
}

void tst_GitInfo::remoteProjectPath_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("projectPath");

    QTest::newRow("https, subgroup") << QStringLiteral("https://gitlab.com/group/sub/proj.git")
                                     << QStringLiteral("group/sub/proj");
    QTest::newRow("scp-like ssh") << QStringLiteral("git@gitlab.com:group/proj.git") << QStringLiteral("group/proj");
}

void tst_GitInfo::remoteProjectPath()
{
    QFETCH(QString, url);
    QFETCH(QString, projectPath);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(initCommitted(dir.path()));
    QVERIFY(git(dir.path(), {QStringLiteral("remote"), QStringLiteral("add"), QStringLiteral("origin"), url}));

    const auto state = GitInfo::read(dir.path());
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QCOMPARE(state->remoteUrl, url);
    QCOMPARE(state->projectPath, projectPath);
}

void tst_GitInfo::projectPathFromUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("projectPath");

    const QString groupProj = QStringLiteral("group/proj");
    QTest::newRow("https") << QStringLiteral("https://gitlab.com/group/proj.git") << groupProj;
    QTest::newRow("https, subgroups") << QStringLiteral("https://gitlab.com/a/b/c/proj.git")
                                      << QStringLiteral("a/b/c/proj");
    QTest::newRow("https, no .git") << QStringLiteral("https://gitlab.com/group/proj") << groupProj;
    QTest::newRow("https, trailing slash") << QStringLiteral("https://gitlab.com/group/proj/") << groupProj;
    QTest::newRow("https, credentials and port")
        << QStringLiteral("https://ci:token@gitlab.example.com:8443/group/proj.git") << groupProj;
    QTest::newRow("ssh url with port") << QStringLiteral("ssh://git@gitlab.example.com:2222/group/proj.git")
                                       << groupProj;
    QTest::newRow("scp-like") << QStringLiteral("git@gitlab.com:group/proj.git") << groupProj;
    QTest::newRow("scp-like, no user") << QStringLiteral("gitlab.com:group/proj") << groupProj;
    QTest::newRow("scp-like, absolute path") << QStringLiteral("git@host:/group/proj.git") << groupProj;
    QTest::newRow("single segment") << QStringLiteral("https://gitlab.com/proj.git") << QString();
    QTest::newRow("local path") << QStringLiteral("/srv/git/group/proj.git") << QString();
    QTest::newRow("relative path") << QStringLiteral("../group/proj.git") << QString();
    QTest::newRow("file url") << QStringLiteral("file:///srv/git/group/proj.git") << QString();
    QTest::newRow("empty") << QString() << QString();
}

void tst_GitInfo::projectPathFromUrl()
{
    QFETCH(QString, url);
    QFETCH(QString, projectPath);
    QCOMPARE(GitInfo::projectPathFromUrl(url), projectPath);
}

void tst_GitInfo::tagAtHead()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.path();
    QVERIFY(initCommitted(path));
    QVERIFY(git(path, {QStringLiteral("tag"), QStringLiteral("v0.9")}));
    QVERIFY(git(path, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
                       QStringLiteral("-m"), QStringLiteral("second")}));

    auto state = GitInfo::read(path);
    QVERIFY2(state, qPrintable(state ? QString() : state.error().toString()));
    QVERIFY2(state->tag.isEmpty(), qPrintable(state->tag)); // v0.9 names the previous commit

    // An annotated tag must be peeled to its commit; the first name wins.
    QVERIFY(git(path, {QStringLiteral("tag"), QStringLiteral("v1.0")}));
    QVERIFY(git(path, {QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("release-1"), QStringLiteral("-m"),
                       QStringLiteral("Release 1")}));
    state = GitInfo::read(path);
    QVERIFY(state);
    QCOMPARE(state->tag, QStringLiteral("release-1"));
}

void tst_GitInfo::changedFilesSinceBase()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.path();
    QVERIFY(git(path, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")}));
    QVERIFY(git(path, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
                       QStringLiteral("-m"), QStringLiteral("base")}));
    QString base;
    QVERIFY(git(path, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}, &base));
    QVERIFY(git(path, {QStringLiteral("update-ref"), QStringLiteral("refs/remotes/origin/main"), base}));

    QVERIFY(writeFile(path + QStringLiteral("/.gitignore"), "*.log\n"));
    QVERIFY(writeFile(path + QStringLiteral("/a.txt"), "a\n"));
    QVERIFY(writeFile(path + QStringLiteral("/dir/b.txt"), "b\n"));
    QVERIFY(git(path, {QStringLiteral("add"), QStringLiteral(".")}));
    QVERIFY(git(path, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("work")}));

    // Uncommitted: one staged file, one untracked file in a new directory, one ignored file.
    QVERIFY(writeFile(path + QStringLiteral("/staged.txt"), "s\n"));
    QVERIFY(git(path, {QStringLiteral("add"), QStringLiteral("staged.txt")}));
    QVERIFY(writeFile(path + QStringLiteral("/new/c.txt"), "c\n"));
    QVERIFY(writeFile(path + QStringLiteral("/train.log"), "ignored\n"));

    const QStringList all{QStringLiteral(".gitignore"), QStringLiteral("a.txt"), QStringLiteral("dir/b.txt"),
                          QStringLiteral("new/c.txt"), QStringLiteral("staged.txt")};
    for (const QString &ref : {base, QStringLiteral("refs/remotes/origin/main"), QStringLiteral("HEAD~1")}) {
        const auto files = GitInfo::changedFiles(path, ref);
        QVERIFY2(files, qPrintable(files ? QString() : files.error().toString()));
        QCOMPARE(*files, all);
    }

    // Against HEAD only the uncommitted changes remain; from a subdirectory too.
    QVERIFY(writeFile(path + QStringLiteral("/a.txt"), "changed\n"));
    const auto uncommitted = GitInfo::changedFiles(path + QStringLiteral("/dir"), QStringLiteral("HEAD"));
    QVERIFY2(uncommitted, qPrintable(uncommitted ? QString() : uncommitted.error().toString()));
    QCOMPARE(*uncommitted,
             (QStringList{QStringLiteral("a.txt"), QStringLiteral("new/c.txt"), QStringLiteral("staged.txt")}));
}

void tst_GitInfo::changedFilesErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(initCommitted(dir.path()));

    const auto unknown = GitInfo::changedFiles(dir.path(), QStringLiteral("refs/remotes/origin/no-such-branch"));
    QVERIFY(!unknown);
    QVERIFY2(unknown.error().message.contains(QStringLiteral("refs/remotes/origin/no-such-branch")),
             qPrintable(unknown.error().message));
    QVERIFY(unknown.error().isError());

    QVERIFY(!GitInfo::changedFiles(dir.path(), QString()));
}

void tst_GitInfo::refExists_data()
{
    QTest::addColumn<QString>("ref");
    QTest::addColumn<bool>("exists");

    QTest::newRow("HEAD") << QStringLiteral("HEAD") << true;
    QTest::newRow("branch short name") << QStringLiteral("main") << true;
    QTest::newRow("branch full name") << QStringLiteral("refs/heads/main") << true;
    QTest::newRow("tag") << QStringLiteral("v1.0") << true;
    QTest::newRow("sha") << QStringLiteral("<sha>") << true;
    QTest::newRow("short sha") << QStringLiteral("<shortSha>") << true;
    QTest::newRow("missing branch") << QStringLiteral("refs/heads/nope") << false;
    QTest::newRow("missing parent") << QStringLiteral("HEAD~5") << false;
    QTest::newRow("unknown sha") << QStringLiteral("0123456789abcdef0123456789abcdef01234567") << false;
    QTest::newRow("empty") << QString() << false;
}

void tst_GitInfo::refExists()
{
    QFETCH(QString, ref);
    QFETCH(bool, exists);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(initCommitted(dir.path()));
    QVERIFY(git(dir.path(), {QStringLiteral("tag"), QStringLiteral("v1.0")}));
    QString sha;
    QVERIFY(git(dir.path(), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}, &sha));
    if (ref == QStringLiteral("<sha>"))
        ref = sha;
    else if (ref == QStringLiteral("<shortSha>"))
        ref = sha.left(8);

    QCOMPARE(GitInfo::refExists(dir.path(), ref), exists);
}

void tst_GitInfo::brokenRepository()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(initCommitted(dir.path()));
    // The branch names a commit that is not in the object database.
    QVERIFY(
        writeFile(dir.path() + QStringLiteral("/.git/refs/heads/main"), "0123456789abcdef0123456789abcdef01234567\n"));

    const auto state = GitInfo::read(dir.path());
    QVERIFY(!state);
    QVERIFY2(state.error().message.contains(canonical(dir.path())), qPrintable(state.error().message));
    QVERIFY(!state.error().location.file.isEmpty());
}

QTEST_GUILESS_MAIN(tst_GitInfo)
#include "tst_gitinfo.moc"
