#include "metrics/logdirscanner.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;

namespace {

void touch(const QString &path)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot create %s", qPrintable(path));
}

QStringList names(const std::vector<RunLocation> &runs)
{
    QStringList n;
    for (const RunLocation &r : runs)
        n.append(r.name);
    return n;
}

} // namespace

class tst_LogdirScanner final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nestedRunsHiddenFoldersAndTheLogdirItself();
    void filesInNameOrderOthersIgnored();
    void emptyLogdir();
    void singleEventFile();
    void missingOrWrongPathFails();
    void symlinkLoopDoesNotHang();
    void realTestData();
};

void tst_LogdirScanner::nestedRunsHiddenFoldersAndTheLogdirItself()
{
    QTemporaryDir dir;
    const QDir d(dir.path());
    touch(d.filePath(QStringLiteral("events.out.tfevents.1.root")));
    touch(d.filePath(QStringLiteral("exp/lr_0.01/train/events.out.tfevents.1.a")));
    touch(d.filePath(QStringLiteral("exp/lr_0.01/validation/events.out.tfevents.1.b")));
    touch(d.filePath(QStringLiteral("exp/lr_0.01/events.out.tfevents.1.c"))); // a run that also has sub-runs
    touch(d.filePath(QStringLiteral(".guild/events.out.tfevents.1.d")));
    touch(d.filePath(QStringLiteral("no-events-here/checkpoint.pt")));
    QDir().mkpath(d.filePath(QStringLiteral("empty/deeper")));

    const Result<std::vector<RunLocation>> runs = LogdirScanner::scan(dir.path());
    QVERIFY(runs);
    QCOMPARE(names(*runs),
             (QStringList{QString(), QStringLiteral(".guild"), QStringLiteral("exp/lr_0.01"),
                          QStringLiteral("exp/lr_0.01/train"), QStringLiteral("exp/lr_0.01/validation")}));
    QCOMPARE(runs->at(0).directory, QDir(dir.path()).absolutePath());
    QCOMPARE(runs->at(3).directory, d.filePath(QStringLiteral("exp/lr_0.01/train")));
    QCOMPARE(runs->at(3).eventFiles,
             QStringList{d.filePath(QStringLiteral("exp/lr_0.01/train/events.out.tfevents.1.a"))});
}

void tst_LogdirScanner::filesInNameOrderOthersIgnored()
{
    QTemporaryDir dir;
    const QDir d(dir.path());
    // Created out of order; some look alike but are not event files.
    for (const char *name : {"events.out.tfevents.1700000300.host.3.0.v2", "events.out.tfevents.1700000100.host.1.0",
                             "events.out.tfevents.1700000200.host.2.0.profile-empty", "events.out.tfevents.",
                             "events.out.tfevent.1.x", "my.events.out.tfevents.1", "README.md"})
        touch(d.filePath(QLatin1String(name)));
    QDir().mkpath(d.filePath(QStringLiteral("events.out.tfevents.99.folder"))); // a folder, not a file
    const Result<std::vector<RunLocation>> runs = LogdirScanner::scan(dir.path());
    QVERIFY(runs);
    QCOMPARE(runs->size(), size_t(1));
    QCOMPARE(runs->at(0).eventFiles,
             (QStringList{d.filePath(QStringLiteral("events.out.tfevents.1700000100.host.1.0")),
                          d.filePath(QStringLiteral("events.out.tfevents.1700000200.host.2.0.profile-empty")),
                          d.filePath(QStringLiteral("events.out.tfevents.1700000300.host.3.0.v2"))}));
}

void tst_LogdirScanner::emptyLogdir()
{
    QTemporaryDir dir;
    const Result<std::vector<RunLocation>> runs = LogdirScanner::scan(dir.path());
    QVERIFY(runs);
    QVERIFY(runs->empty());
}

void tst_LogdirScanner::singleEventFile()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("run/events.out.tfevents.5.host"));
    touch(file);
    const Result<std::vector<RunLocation>> runs = LogdirScanner::scan(file);
    QVERIFY(runs);
    QCOMPARE(runs->size(), size_t(1));
    QCOMPARE(runs->at(0).name, QString());
    QCOMPARE(runs->at(0).eventFiles, QStringList{file});
}

void tst_LogdirScanner::missingOrWrongPathFails()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("missing"));
    const Result<std::vector<RunLocation>> none = LogdirScanner::scan(missing);
    QVERIFY(!none);
    QCOMPARE(none.error().location.file, missing);
    const QString other = dir.filePath(QStringLiteral("notes.txt"));
    touch(other);
    const Result<std::vector<RunLocation>> notEvents = LogdirScanner::scan(other);
    QVERIFY(!notEvents);
    QVERIFY2(notEvents.error().toString().startsWith(other + QStringLiteral(": error:")),
             qPrintable(notEvents.error().toString()));
}

void tst_LogdirScanner::symlinkLoopDoesNotHang()
{
    QTemporaryDir dir;
    const QDir d(dir.path());
    touch(d.filePath(QStringLiteral("a/events.out.tfevents.1.x")));
    QVERIFY(QFile::link(dir.path(), d.filePath(QStringLiteral("a/loop"))));
    const Result<std::vector<RunLocation>> runs = LogdirScanner::scan(dir.path());
    QVERIFY(runs);
    QCOMPARE(names(*runs), QStringList{QStringLiteral("a")});
}

// The copied real files: 27 event files (the MANIFEST's 28 files count the MANIFEST too), each
// in its own folder but one (the profile-empty placeholder next to its training file): 26 runs.
void tst_LogdirScanner::realTestData()
{
    const Result<std::vector<RunLocation>> runs = LogdirScanner::scan(QStringLiteral(TRAINYARD_TEST_DATA "/tfevents"));
    QVERIFY(runs);
    int files = 0;
    for (const RunLocation &r : *runs)
        files += int(r.eventFiles.size());
    QCOMPARE(files, 27);
    QCOMPARE(runs->size(), size_t(26));
    QVERIFY(names(*runs).contains(
        QStringLiteral("guildai/guild/tests/samples/filter-runs/fa6f74adb50a4abb8f49840993f081f7/.guild")));
}

QTEST_GUILESS_MAIN(tst_LogdirScanner)
#include "tst_logdirscanner.moc"
