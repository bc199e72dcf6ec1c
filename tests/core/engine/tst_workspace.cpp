#include "engine/workspace.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "support/files.h"
#include <memory>

using trainyard::test::writeFile;

using namespace trainyard::core;

namespace {

/// What a data row does to the committed fixture repository before the workspace is made.
enum class Change {
    ModifyTracked,
    StageNewFile,
    Untracked,
    UntrackedInNewDir,
    Ignored,
    DeleteTracked,
    MakeExecutable,
    StageThenModify
};

} // namespace

Q_DECLARE_METATYPE(Change)

class tst_Workspace final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void cleanRepository();
    void binaryFilesCopiedWhole();
    void dirtyRepository_data();
    void dirtyRepository();
    void dirtyRepositoryListsEveryChange();
    void subdirectoryProject();
    void unbornBranch();
    void submoduleSkippedWithNote();
    void stateDirNeverCopied();
    void targetInsideProject();
    void nonRepository();
    void badTarget_data();
    void badTarget();

private:
    bool git(const QString &dir, const QStringList &args, QString *output = nullptr) const;
    static QByteArray readFile(const QString &path);
    static bool isExecutable(const QString &path) { return QFileInfo(path).permissions() & QFileDevice::ExeOwner; }
    /// Every file and symlink under dir, relative, sorted.
    static QStringList listFiles(const QString &dir);
    /// A committed repository: README.md, .gitignore, scripts/run.sh (executable), link -> README.md.
    bool makeRepository(const QString &dir) const;
    QString repoDir() const { return m_tmp->path() + QStringLiteral("/repo"); }
    QString wsDir() const { return m_tmp->path() + QStringLiteral("/ws"); }

    QTemporaryDir m_home;
    std::unique_ptr<QTemporaryDir> m_tmp;
};

void tst_Workspace::initTestCase()
{
    QVERIFY(m_home.isValid());
    // Neither git nor libgit2 may see the user's or the system's configuration.
    qputenv("HOME", m_home.path().toLocal8Bit());
    qputenv("XDG_CONFIG_HOME", m_home.path().toLocal8Bit());
    qputenv("GIT_CONFIG_NOSYSTEM", "1");
    for (const char *name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES"})
        qunsetenv(name);
    if (!git(m_home.path(), {QStringLiteral("--version")}))
        QSKIP("the git command line tool is not available");
}

void tst_Workspace::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
}

bool tst_Workspace::git(const QString &dir, const QStringList &args, QString *output) const
{
    QProcess process;
    process.setWorkingDirectory(dir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    process.setProcessEnvironment(env);
    const QStringList config{QStringLiteral("-c"), QStringLiteral("user.name=t"),
                             QStringLiteral("-c"), QStringLiteral("user.email=t@t"),
                             QStringLiteral("-c"), QStringLiteral("commit.gpgsign=false"),
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

QByteArray tst_Workspace::readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList tst_Workspace::listFiles(const QString &dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info = it.fileInfo();
        if (info.isSymLink() || !info.isDir())
            files.append(path.mid(dir.size() + 1));
    }
    files.sort();
    return files;
}

bool tst_Workspace::makeRepository(const QString &dir) const
{
    return QDir().mkpath(dir) &&
           git(dir, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")}) &&
           writeFile(dir + QStringLiteral("/README.md"), "# project\n") &&
           writeFile(dir + QStringLiteral("/.gitignore"), "*.log\nbuild/\n") &&
           writeFile(dir + QStringLiteral("/scripts/run.sh"), "#!/bin/sh\necho hi\n", true) &&
           QFile::link(QStringLiteral("README.md"), dir + QStringLiteral("/link")) &&
           git(dir, {QStringLiteral("add"), QStringLiteral(".")}) &&
           git(dir, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("init")});
}

void tst_Workspace::cleanRepository()
{
    QVERIFY(makeRepository(repoDir()));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/debug.log"), "ignored\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/build/out.bin"), "ignored\n"));
    QString head;
    QVERIFY(git(repoDir(), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}, &head));

    const auto info = Workspace::create(repoDir(), wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QCOMPARE(info->path, wsDir());
    QCOMPARE(info->commitSha, head);
    QVERIFY(!info->dirty);
    QVERIFY(info->dirtyFiles.isEmpty());
    QCOMPARE(listFiles(wsDir()), QStringList({QStringLiteral(".gitignore"), QStringLiteral("README.md"),
                                              QStringLiteral("link"), QStringLiteral("scripts/run.sh")}));
    QCOMPARE(info->files, 4);
    QCOMPARE(info->bytes, qint64(10 + 13 + 18)); // symlinks count as files, not bytes
    QCOMPARE(readFile(wsDir() + QStringLiteral("/README.md")), QByteArray("# project\n"));
    QVERIFY(isExecutable(wsDir() + QStringLiteral("/scripts/run.sh")));
    QVERIFY(!isExecutable(wsDir() + QStringLiteral("/README.md")));
    const QFileInfo link(wsDir() + QStringLiteral("/link"));
    QVERIFY(link.isSymLink());
    QCOMPARE(link.symLinkTarget(), wsDir() + QStringLiteral("/README.md"));
    QVERIFY(!QFileInfo::exists(wsDir() + QStringLiteral("/.git")));
}

// A committed binary file (model weights, an event file, an image) arrives byte for byte, while
// text files still get the checkout filters their attributes ask for.
void tst_Workspace::binaryFilesCopiedWhole()
{
    QVERIFY(makeRepository(repoDir()));
    QByteArray weights;
    for (int i = 0; i < 70000; ++i)
        weights.append(char(i * 7 % 256)); // NULs and high bytes: binary to git
    QVERIFY(writeFile(repoDir() + QStringLiteral("/model/weights.bin"), weights));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/.gitattributes"), "*.txt text eol=crlf\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/notes.txt"), "a\nb\n"));
    QVERIFY(git(repoDir(), {QStringLiteral("add"), QStringLiteral(".")}));
    QVERIFY(
        git(repoDir(), {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("bin")}));

    const auto info = Workspace::create(repoDir(), wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QCOMPARE(readFile(wsDir() + QStringLiteral("/model/weights.bin")), weights);
    QCOMPARE(readFile(wsDir() + QStringLiteral("/notes.txt")), QByteArray("a\r\nb\r\n"));
}

void tst_Workspace::dirtyRepository_data()
{
    QTest::addColumn<Change>("change");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("content"); ///< null: the path must be absent
    QTest::addColumn<bool>("executable");
    QTest::addColumn<QStringList>("dirtyFiles");

    const QString readme = QStringLiteral("README.md");
    QTest::newRow("modified tracked") << Change::ModifyTracked << readme << QByteArray("changed\n") << false
                                      << QStringList{readme};
    QTest::newRow("staged new file") << Change::StageNewFile << QStringLiteral("new.txt") << QByteArray("new\n")
                                     << false << QStringList{QStringLiteral("new.txt")};
    QTest::newRow("untracked") << Change::Untracked << QStringLiteral("notes.txt") << QByteArray("notes\n") << false
                               << QStringList{QStringLiteral("notes.txt")};
    QTest::newRow("untracked in new dir") << Change::UntrackedInNewDir << QStringLiteral("data/a.csv")
                                          << QByteArray("1,2\n") << false << QStringList{QStringLiteral("data/a.csv")};
    QTest::newRow("ignored stays out") << Change::Ignored << QStringLiteral("train.log") << QByteArray() << false
                                       << QStringList();
    QTest::newRow("deleted tracked") << Change::DeleteTracked << QStringLiteral("scripts/run.sh") << QByteArray()
                                     << false << QStringList{QStringLiteral("scripts/run.sh")};
    QTest::newRow("made executable") << Change::MakeExecutable << readme << QByteArray("# project\n") << true
                                     << QStringList{readme};
    QTest::newRow("staged then modified: work tree wins")
        << Change::StageThenModify << readme << QByteArray("second\n") << false << QStringList{readme};
}

void tst_Workspace::dirtyRepository()
{
    QFETCH(Change, change);
    QFETCH(QString, path);
    QFETCH(QByteArray, content);
    QFETCH(bool, executable);
    QFETCH(QStringList, dirtyFiles);

    QVERIFY(makeRepository(repoDir()));
    const QString file = repoDir() + QLatin1Char('/') + path;
    switch (change) {
    case Change::ModifyTracked:
    case Change::Untracked:
    case Change::UntrackedInNewDir:
        QVERIFY(writeFile(file, content));
        break;
    case Change::Ignored:
        QVERIFY(writeFile(file, "log\n"));
        break;
    case Change::StageNewFile:
        QVERIFY(writeFile(file, content));
        QVERIFY(git(repoDir(), {QStringLiteral("add"), path}));
        break;
    case Change::DeleteTracked:
        QVERIFY(QFile::remove(file));
        break;
    case Change::MakeExecutable:
        QVERIFY(writeFile(file, content, true));
        break;
    case Change::StageThenModify:
        QVERIFY(writeFile(file, "first\n"));
        QVERIFY(git(repoDir(), {QStringLiteral("add"), path}));
        QVERIFY(writeFile(file, content));
        break;
    }

    const auto info = Workspace::create(repoDir(), wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QCOMPARE(info->dirtyFiles, dirtyFiles);
    QCOMPARE(info->dirty, !dirtyFiles.isEmpty());
    QVERIFY(!info->commitSha.isEmpty());
    const QString copied = wsDir() + QLatin1Char('/') + path;
    if (content.isNull()) {
        QVERIFY(!QFileInfo::exists(copied));
    } else {
        QCOMPARE(readFile(copied), content);
        QCOMPARE(isExecutable(copied), executable);
    }
    // The rest of the checkout is untouched.
    QCOMPARE(readFile(wsDir() + QStringLiteral("/.gitignore")), QByteArray("*.log\nbuild/\n"));
}

void tst_Workspace::dirtyRepositoryListsEveryChange()
{
    QVERIFY(makeRepository(repoDir()));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/README.md"), "changed\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/data/new.csv"), "x\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/out.log"), "ignored\n"));
    QVERIFY(QFile::remove(repoDir() + QStringLiteral("/scripts/run.sh")));

    const auto info = Workspace::create(repoDir(), wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QVERIFY(info->dirty);
    QCOMPARE(info->dirtyFiles, QStringList({QStringLiteral("README.md"), QStringLiteral("data/new.csv"),
                                            QStringLiteral("scripts/run.sh")}));
    QCOMPARE(listFiles(wsDir()), QStringList({QStringLiteral(".gitignore"), QStringLiteral("README.md"),
                                              QStringLiteral("data/new.csv"), QStringLiteral("link")}));
    QCOMPARE(readFile(wsDir() + QStringLiteral("/README.md")), QByteArray("changed\n"));
}

void tst_Workspace::subdirectoryProject()
{
    QVERIFY(makeRepository(repoDir()));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/app/main.py"), "print(1)\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/app/sub/x.txt"), "x\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/other/y.txt"), "y\n"));
    QVERIFY(git(repoDir(), {QStringLiteral("add"), QStringLiteral(".")}));
    QVERIFY(
        git(repoDir(), {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("apps")}));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/app/new.txt"), "new\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/other/z.txt"), "z\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/README.md"), "changed outside the project\n"));

    const auto info = Workspace::create(repoDir() + QStringLiteral("/app"), wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QCOMPARE(listFiles(wsDir()),
             QStringList({QStringLiteral("main.py"), QStringLiteral("new.txt"), QStringLiteral("sub/x.txt")}));
    QCOMPARE(info->dirtyFiles, QStringList{QStringLiteral("new.txt")});
    QVERIFY(info->dirty);
    QVERIFY(!info->commitSha.isEmpty());
}

void tst_Workspace::unbornBranch()
{
    QVERIFY(QDir().mkpath(repoDir()));
    QVERIFY(git(repoDir(), {QStringLiteral("init"), QStringLiteral("-q")}));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/.gitignore"), "*.log\n"));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/staged.txt"), "s\n"));
    QVERIFY(git(repoDir(), {QStringLiteral("add"), QStringLiteral("staged.txt")}));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/a.log"), "ignored\n"));

    const auto info = Workspace::create(repoDir(), wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QVERIFY(info->commitSha.isEmpty());
    QVERIFY(info->dirty);
    const QStringList expected{QStringLiteral(".gitignore"), QStringLiteral("staged.txt")};
    QCOMPARE(info->dirtyFiles, expected);
    QCOMPARE(listFiles(wsDir()), expected);
}

void tst_Workspace::submoduleSkippedWithNote()
{
    QVERIFY(makeRepository(repoDir()));
    QString head;
    QVERIFY(git(repoDir(), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}, &head));
    // A gitlink entry is all a submodule is in the tree; no clone is needed to test skipping it.
    QVERIFY(git(repoDir(), {QStringLiteral("update-index"), QStringLiteral("--add"), QStringLiteral("--cacheinfo"),
                            QStringLiteral("160000,%1,vendor/lib").arg(head)}));
    QVERIFY(
        git(repoDir(), {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("sub")}));

    const auto info = Workspace::create(repoDir(), wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QVERIFY(!info->dirty);
    QVERIFY(!QFileInfo::exists(wsDir() + QStringLiteral("/vendor/lib")));
    QCOMPARE(info->notes, QStringList{QStringLiteral("submodule not copied: vendor/lib")});
}

void tst_Workspace::stateDirNeverCopied()
{
    QVERIFY(makeRepository(repoDir()));
    // Even committed by mistake and not ignored, the project's state dir stays out.
    QVERIFY(writeFile(repoDir() + QStringLiteral("/.trainyard/committed.txt"), "c\n"));
    QVERIFY(git(repoDir(), {QStringLiteral("add"), QStringLiteral(".")}));
    QVERIFY(
        git(repoDir(), {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("oops")}));
    QVERIFY(writeFile(repoDir() + QStringLiteral("/.trainyard/lineage.db"), "db\n"));

    const auto info = Workspace::create(repoDir(), wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QVERIFY(!QFileInfo::exists(wsDir() + QStringLiteral("/.trainyard")));
    QVERIFY(!info->dirty);
}

void tst_Workspace::targetInsideProject()
{
    QVERIFY(makeRepository(repoDir()));
    const QString target = repoDir() + QStringLiteral("/.trainyard/workspaces/job1");
    const auto info = Workspace::create(repoDir(), target);
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QVERIFY(!info->dirty);
    QCOMPARE(listFiles(target), QStringList({QStringLiteral(".gitignore"), QStringLiteral("README.md"),
                                             QStringLiteral("link"), QStringLiteral("scripts/run.sh")}));

    // Outside git, a target inside the project (not under .trainyard) is not copied into itself.
    const QString plain = m_tmp->path() + QStringLiteral("/plain");
    QVERIFY(writeFile(plain + QStringLiteral("/a.txt"), "a\n"));
    const auto second = Workspace::create(plain, plain + QStringLiteral("/ws"));
    QVERIFY2(second, qPrintable(second ? QString() : second.error().toString()));
    QCOMPARE(listFiles(plain + QStringLiteral("/ws")), QStringList{QStringLiteral("a.txt")});
}

void tst_Workspace::nonRepository()
{
    const QString dir = m_tmp->path() + QStringLiteral("/plain");
    QVERIFY(writeFile(dir + QStringLiteral("/a.txt"), "a\n"));
    QVERIFY(writeFile(dir + QStringLiteral("/bin/tool"), "#!/bin/sh\n", true));
    QVERIFY(writeFile(dir + QStringLiteral("/.env"), "X=1\n"));
    QVERIFY(writeFile(dir + QStringLiteral("/.trainyard/lineage.db"), "db\n"));
    QVERIFY(writeFile(dir + QStringLiteral("/vendor/.git/config"), "[core]\n"));
    QVERIFY(writeFile(dir + QStringLiteral("/vendor/lib.py"), "pass\n"));
    QVERIFY(QFile::link(QStringLiteral("a.txt"), dir + QStringLiteral("/link")));

    const auto info = Workspace::create(dir, wsDir());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
    QVERIFY(info->commitSha.isEmpty());
    QVERIFY(!info->dirty);
    QVERIFY(info->dirtyFiles.isEmpty());
    QCOMPARE(listFiles(wsDir()),
             QStringList({QStringLiteral(".env"), QStringLiteral("a.txt"), QStringLiteral("bin/tool"),
                          QStringLiteral("link"), QStringLiteral("vendor/lib.py")}));
    QCOMPARE(info->files, 5);
    QVERIFY(isExecutable(wsDir() + QStringLiteral("/bin/tool")));
    QVERIFY(!isExecutable(wsDir() + QStringLiteral("/a.txt")));
    QVERIFY(QFileInfo(wsDir() + QStringLiteral("/link")).isSymLink());
    QCOMPARE(QFile::symLinkTarget(wsDir() + QStringLiteral("/link")), wsDir() + QStringLiteral("/a.txt"));
}

void tst_Workspace::badTarget_data()
{
    QTest::addColumn<bool>("asFile");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not empty") << false << QStringLiteral("not empty");
    QTest::newRow("a file") << true << QStringLiteral("not a directory");
}

void tst_Workspace::badTarget()
{
    QFETCH(bool, asFile);
    QFETCH(QString, expected);
    QVERIFY(makeRepository(repoDir()));
    QVERIFY(writeFile(asFile ? wsDir() : wsDir() + QStringLiteral("/stale.txt"), "x\n"));

    const auto info = Workspace::create(repoDir(), wsDir());
    QVERIFY(!info);
    QVERIFY2(info.error().message.contains(expected), qPrintable(info.error().message));
    QCOMPARE(info.error().location.file, wsDir());
    QVERIFY(!QFileInfo::exists(wsDir() + QStringLiteral("/README.md")));
}

QTEST_GUILESS_MAIN(tst_Workspace)
#include "tst_workspace.moc"
