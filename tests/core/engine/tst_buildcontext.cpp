#include "engine/buildcontext.h"

#include "support/files.h"
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using trainyard::test::writeFile;

using namespace trainyard::core;

namespace {

/// The sorted entry names of a tar file, through `tar -tf`.
QStringList tarNames(const QString &archive)
{
    QProcess tar;
    tar.start(QStringLiteral("tar"), {QStringLiteral("-tf"), archive});
    tar.waitForFinished(30000);
    QStringList names = QString::fromUtf8(tar.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    names.sort();
    return names;
}

} // namespace

class tst_BuildContext final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isExcluded_data();
    void isExcluded();
    void contextHonoursDockerignore();
    void dockerfileOutsideContext();
    void missingDockerfile();
    void trainyardFolderIsNeverSent();
};

void tst_BuildContext::isExcluded_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("excluded");

    const QStringList p{QStringLiteral("*.log"), QStringLiteral("build"), QStringLiteral("!build/keep.txt"),
                        QStringLiteral("**/*.tmp"), QStringLiteral("data/raw")};
    QTest::newRow("top-level glob") << p << QStringLiteral("run.log") << true;
    QTest::newRow("glob stays in its directory") << p << QStringLiteral("logs/run.log") << false;
    QTest::newRow("directory") << p << QStringLiteral("build") << true;
    QTest::newRow("inside a directory") << p << QStringLiteral("build/out.o") << true;
    QTest::newRow("exception") << p << QStringLiteral("build/keep.txt") << false;
    QTest::newRow("double star") << p << QStringLiteral("a/b/c.tmp") << true;
    QTest::newRow("double star at top") << p << QStringLiteral("c.tmp") << true;
    QTest::newRow("nested directory") << p << QStringLiteral("data/raw/x.csv") << true;
    QTest::newRow("sibling") << p << QStringLiteral("data/clean/x.csv") << false;
    QTest::newRow("no patterns") << QStringList{} << QStringLiteral("anything") << false;
    QTest::newRow("last match wins") << QStringList{QStringLiteral("!a.txt"), QStringLiteral("*.txt")}
                                     << QStringLiteral("a.txt") << true;
}

void tst_BuildContext::isExcluded()
{
    QFETCH(QStringList, patterns);
    QFETCH(QString, path);
    QFETCH(bool, excluded);
    QCOMPARE(BuildContext::isExcluded(patterns, path), excluded);
}

void tst_BuildContext::contextHonoursDockerignore()
{
    QTemporaryDir tmp;
    const QString ctx = tmp.filePath(QStringLiteral("ctx"));
    QVERIFY(writeFile(ctx + QStringLiteral("/Dockerfile"), "FROM scratch\n"));
    QVERIFY(writeFile(ctx + QStringLiteral("/.dockerignore"),
                      "# comment\n\n*.log\n/secret.txt\nbuild\n!build/keep.txt\n**/*.tmp\nDockerfile\n"));
    QVERIFY(writeFile(ctx + QStringLiteral("/app.py"), "print()\n"));
    QVERIFY(writeFile(ctx + QStringLiteral("/run.log"), "x"));
    QVERIFY(writeFile(ctx + QStringLiteral("/secret.txt"), "x"));
    QVERIFY(writeFile(ctx + QStringLiteral("/build/out.o"), "x"));
    QVERIFY(writeFile(ctx + QStringLiteral("/build/keep.txt"), "x"));
    QVERIFY(writeFile(ctx + QStringLiteral("/src/a.tmp"), "x"));
    QVERIFY(writeFile(ctx + QStringLiteral("/src/main.py"), "x"));

    const QString archive = tmp.filePath(QStringLiteral("ctx.tar"));
    QFile file(archive);
    QVERIFY(file.open(QIODevice::WriteOnly));
    const auto dockerfile = BuildContext::write(ctx, QString(), &file);
    file.close();
    QVERIFY2(dockerfile, qPrintable(dockerfile ? QString() : dockerfile.error().message));
    QCOMPARE(*dockerfile, QStringLiteral("Dockerfile"));
    // The Dockerfile and .dockerignore are sent even though ignored; "build/" is walked for the exception.
    QCOMPARE(tarNames(archive),
             (QStringList{QStringLiteral(".dockerignore"), QStringLiteral("Dockerfile"), QStringLiteral("app.py"),
                          QStringLiteral("build/"), QStringLiteral("build/keep.txt"), QStringLiteral("src/"),
                          QStringLiteral("src/main.py")}));
}

void tst_BuildContext::dockerfileOutsideContext()
{
    QTemporaryDir tmp;
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("ctx/app.py")), "x"));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("docker/train.Dockerfile")), "FROM scratch\n"));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("ctx/sub/Dockerfile.gpu")), "FROM scratch\n"));
    const QString archive = tmp.filePath(QStringLiteral("ctx.tar"));
    {
        QFile file(archive);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const auto dockerfile = BuildContext::write(tmp.filePath(QStringLiteral("ctx")),
                                                    tmp.filePath(QStringLiteral("docker/train.Dockerfile")), &file);
        QVERIFY(dockerfile);
        QCOMPARE(*dockerfile, QStringLiteral(".trainyard.Dockerfile"));
    }
    QVERIFY(tarNames(archive).contains(QStringLiteral(".trainyard.Dockerfile")));

    QFile other(tmp.filePath(QStringLiteral("ctx2.tar")));
    QVERIFY(other.open(QIODevice::WriteOnly));
    const auto inside =
        BuildContext::write(tmp.filePath(QStringLiteral("ctx")), QStringLiteral("sub/Dockerfile.gpu"), &other);
    QVERIFY(inside);
    QCOMPARE(*inside, QStringLiteral("sub/Dockerfile.gpu"));
}

void tst_BuildContext::missingDockerfile()
{
    QTemporaryDir tmp;
    QFile file(tmp.filePath(QStringLiteral("x.tar")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    const auto result = BuildContext::write(tmp.path(), QString(), &file);
    QVERIFY(!result);
    QVERIFY(result.error().message.contains(QStringLiteral("No Dockerfile")));
}

void tst_BuildContext::trainyardFolderIsNeverSent()
{
    // The project as its own context: its .trainyard/ holds the secrets and the lineage database.
    QTemporaryDir tmp;
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("Dockerfile")), "FROM scratch\nCOPY . /app\n"));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("train.py")), "x"));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral(".trainyard/secrets.env")), "TOKEN=abcdef\n"));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral(".trainyard/lineage.db")), "x"));
    const QString archive =
        QDir::temp().filePath(QStringLiteral("tst_buildcontext-%1.tar").arg(QCoreApplication::applicationPid()));
    {
        QFile file(archive);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(BuildContext::write(tmp.path(), QString(), &file));
    }
    const QStringList names = tarNames(archive);
    QFile::remove(archive);
    QCOMPARE(names, (QStringList{QStringLiteral("Dockerfile"), QStringLiteral("train.py")}));
}

QTEST_GUILESS_MAIN(tst_BuildContext)
#include "tst_buildcontext.moc"
