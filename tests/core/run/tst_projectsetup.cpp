// "Try the demo": the offline demo copied into a folder of the user's, as a git repository with
// one clean commit on main, made with libgit2.
#include "run/projectsetup.h"
#include "vcs/gitinfo.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;

class tst_ProjectSetup final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsTheBundledExamples();
    void copiesDemoAsCleanRepository();
    void refusesNonEmptyTarget();
    void refusesFolderWithoutPipeline();
    void makesAFolderARepository();
};

void tst_ProjectSetup::findsTheBundledExamples()
{
    const QString dir = ProjectSetup::examplesDir();
    QVERIFY(!dir.isEmpty());
    QVERIFY(QFile::exists(dir + QStringLiteral("/offline-demo/.gitlab-ci.yml")));
    // The demo's README works in a copy: its commands name no path of the source tree.
    QFile readme(dir + QStringLiteral("/offline-demo/README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    const QByteArray text = readme.readAll();
    QVERIFY(text.contains("trainyard run --approve export"));
    QVERIFY2(!text.contains("-C resources/"), text.constData());
    // TRAINYARD_EXAMPLES_DIR wins (an installed copy, a packager's layout).
    QTemporaryDir other;
    qputenv("TRAINYARD_EXAMPLES_DIR", other.path().toUtf8());
    QCOMPARE(ProjectSetup::examplesDir(), QDir(other.path()).canonicalPath());
    qunsetenv("TRAINYARD_EXAMPLES_DIR");
}

void tst_ProjectSetup::copiesDemoAsCleanRepository()
{
    QTemporaryDir source;
    // A small example with Trainyard state and an ignore file of its own.
    QDir(source.path()).mkpath(QStringLiteral("data"));
    QDir(source.path()).mkpath(QStringLiteral(".trainyard/runs"));
    for (const auto &[name, text] :
         {std::pair{".gitlab-ci.yml", "job:\n  script: [echo hi]\n"}, std::pair{"data/train.csv", "x,y\n1,2\n"},
          std::pair{".gitignore", "*.tmp\n"}, std::pair{".trainyard/runs/old.json", "{}"}}) {
        QFile f(source.filePath(QLatin1String(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }
    QTemporaryDir parent;
    const QString target = parent.filePath(QStringLiteral("demo"));
    const auto done = ProjectSetup::copyExample(source.path(), target);
    QVERIFY2(done, done ? "" : qPrintable(done.error().toString()));
    QVERIFY(QFile::exists(target + QStringLiteral("/data/train.csv")));
    QVERIFY(!QFile::exists(target + QStringLiteral("/.trainyard"))); // the example's own state stays behind
    QFile ignore(target + QStringLiteral("/.gitignore"));
    QVERIFY(ignore.open(QIODevice::ReadOnly));
    QCOMPARE(ignore.readAll(), QByteArray("*.tmp\n.trainyard/\n"));
    const auto state = GitInfo::read(target);
    QVERIFY(state);
    QVERIFY(state->isRepository);
    QCOMPARE(state->branch, QStringLiteral("main"));
    QCOMPARE(state->sha.size(), 40);
    QVERIFY2(!state->dirty, "every file is committed");
    QCOMPARE(state->title, QStringLiteral("Start from the Trainyard example"));
}

void tst_ProjectSetup::refusesNonEmptyTarget()
{
    const QString demo = ProjectSetup::examplesDir() + QStringLiteral("/offline-demo");
    QTemporaryDir target;
    QFile keep(target.filePath(QStringLiteral("mine.txt")));
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.write("mine");
    keep.close();
    const auto refused = ProjectSetup::copyExample(demo, target.path());
    QVERIFY(!refused);
    QVERIFY(refused.error().message.contains(QStringLiteral("not empty")));
    QCOMPARE(refused.error().location.file, target.path());
    QVERIFY(QFile::exists(target.filePath(QStringLiteral("mine.txt")))); // nothing of the user's is lost
    QVERIFY(!QFile::exists(target.filePath(QStringLiteral(".gitlab-ci.yml"))));
}

void tst_ProjectSetup::refusesFolderWithoutPipeline()
{
    QTemporaryDir source;
    QTemporaryDir parent;
    const auto refused = ProjectSetup::copyExample(source.path(), parent.filePath(QStringLiteral("x")));
    QVERIFY(!refused);
    QVERIFY(refused.error().message.contains(QStringLiteral("no .gitlab-ci.yml")));
    QVERIFY(!QFile::exists(parent.filePath(QStringLiteral("x"))));
}

void tst_ProjectSetup::makesAFolderARepository()
{
    // A project that was never in git, with Trainyard state from runs made there already.
    QTemporaryDir dir;
    QDir(dir.path()).mkpath(QStringLiteral(".trainyard/artifacts"));
    for (const auto &[name, text] : {std::pair{".gitlab-ci.yml", "job:\n  script: [echo hi]\n"},
                                     std::pair{"train.py", "print(1)\n"}, std::pair{".trainyard/lineage.db", "x"}}) {
        QFile f(dir.filePath(QLatin1String(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }
    QVERIFY(!GitInfo::read(dir.path())->isRepository);
    const auto sha = ProjectSetup::makeRepository(dir.path());
    QVERIFY2(sha, sha ? "" : qPrintable(sha.error().toString()));
    QCOMPARE(sha->size(), 8);
    const auto state = GitInfo::read(dir.path());
    QVERIFY(state && state->isRepository);
    QCOMPARE(state->branch, QStringLiteral("main"));
    QVERIFY(state->sha.startsWith(*sha));
    QVERIFY2(!state->dirty, "every file is committed, .trainyard/ ignored");
    QVERIFY(state->title.startsWith(QStringLiteral("First commit")));
    // Once is enough: a folder in a repository is refused, naming it.
    const auto again = ProjectSetup::makeRepository(dir.path());
    QVERIFY(!again);
    QVERIFY2(again.error().message.contains(QStringLiteral("already in the git repository")),
             qPrintable(again.error().message));
}

QTEST_GUILESS_MAIN(tst_ProjectSetup)
#include "tst_projectsetup.moc"
