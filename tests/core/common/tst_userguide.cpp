// Finding and reading the user guide: the first candidate that exists, the text, and every
// picture it links beside it (a missing picture or a web one is left out, not an error).
#include "common/userguide.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;

class tst_UserGuide final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsTheFirstThatExists();
    void readsTextAndPictures();
    void missingGuideIsAnError();
    void buildingComesLast();
};

static bool write(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

void tst_UserGuide::findsTheFirstThatExists()
{
    QTemporaryDir dir;
    const QString installed = dir.filePath(QStringLiteral("share/doc/trainyard/README.md"));
    const QString source = dir.filePath(QStringLiteral("src/README.md"));
    QVERIFY(write(source, "# Trainyard\n"));
    QCOMPARE(UserGuide::find({installed, source}), QFileInfo(source).canonicalFilePath());
    QVERIFY(write(installed, "# Trainyard\n"));
    QCOMPARE(UserGuide::find({installed, source}), QFileInfo(installed).canonicalFilePath());
    QCOMPARE(UserGuide::find({dir.filePath(QStringLiteral("none.md"))}), QString());
    QCOMPARE(UserGuide::find({dir.path()}), QString()); // a folder is no guide
}

void tst_UserGuide::readsTextAndPictures()
{
    QTemporaryDir dir;
    const QByteArray text = "# Guide\n![The canvas](docs/shots/canvas.png)\n![Gone](docs/shots/gone.png)\n"
                            "![Web](https://example.org/x.png)\nSee [the CLI](docs/cli.md).\n";
    QVERIFY(write(dir.filePath(QStringLiteral("README.md")), text));
    QVERIFY(write(dir.filePath(QStringLiteral("docs/shots/canvas.png")), "PNG bytes"));
    const auto guide = UserGuide::read(dir.filePath(QStringLiteral("README.md")));
    QVERIFY2(guide, qPrintable(guide ? QString() : guide.error().toString()));
    QCOMPARE(guide->markdown, text);
    QCOMPARE(guide->images.size(), size_t(1));
    QCOMPARE(guide->images.front().first, QStringLiteral("docs/shots/canvas.png"));
    QCOMPARE(guide->images.front().second, QByteArray("PNG bytes"));
}

void tst_UserGuide::missingGuideIsAnError()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("README.md"));
    const auto guide = UserGuide::read(path);
    QVERIFY(!guide);
    QVERIFY(guide.error().toString().contains(path));
}

void tst_UserGuide::buildingComesLast()
{
    const QByteArray marker = QByteArray(UserGuide::kBuildersMarker) + '\n';
    const QByteArray intro = "# Tool\nWhat it is.\n\n";
    const QByteArray build = "## Build\n" + marker + "    make\n```\n## not a heading (code)\n```\n\n";
    const QByteArray use = "## Using it\nOpen it.\n\n";
    const QByteArray tour = "## Tour\n### Canvas\nCards.\n<!-- a comment, not the marker -->\n";
    const QByteArray layout = "## Layout\n" + marker + "core/, ui/\n";
    QCOMPARE(UserGuide::forReaders(intro + build + use + tour + layout), intro + use + tour + build + layout);
    QCOMPARE(UserGuide::forReaders(intro + use), intro + use); // nothing marked: as written
    // A last section without a final line break still ends before the next.
    QCOMPARE(UserGuide::forReaders(build + "## Use\nx"), "## Use\nx\n" + build);

    // read() gives the guide in that order.
    QTemporaryDir dir;
    QVERIFY(write(dir.filePath(QStringLiteral("README.md")), intro + build + use));
    QCOMPARE(UserGuide::read(dir.filePath(QStringLiteral("README.md")))->markdown, intro + use + build);
}

QTEST_GUILESS_MAIN(tst_UserGuide)
#include "tst_userguide.moc"
