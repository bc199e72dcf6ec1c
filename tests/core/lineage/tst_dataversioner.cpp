// DataVersioner: the hash format (checked against coreutils), the stat cache (a changed byte is
// found, an unchanged tree is not read again: bytes read are counted), parallel hashing with
// progress, cancellation, errors; DvcInfo on the DVC-style project in tests/data/dvc-project.
#include "lineage/dataversioner.h"
#include "lineage/dvcinfo.h"
#include "lineage/lineagestore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "support/files.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using trainyard::test::writeFile;

using namespace trainyard::core;

namespace {

/// Sets a file's mtime an hour back, out of the stat cache's racy window.
void age(const QString &path, int seconds = 3600)
{
    const QByteArray p = QFile::encodeName(path);
    struct timespec times[2];
    times[0].tv_sec = times[1].tv_sec = QDateTime::currentSecsSinceEpoch() - seconds;
    times[0].tv_nsec = times[1].tv_nsec = 123456789;
    ::utimensat(AT_FDCWD, p.constData(), times, 0);
}

/// A tree of files, all aged; returns their count.
int makeTree(const QString &root)
{
    const QList<std::pair<QString, QByteArray>> files{
        {QStringLiteral("a.csv"), QByteArray("x,y\n1,2\n")},
        {QStringLiteral("b/c.bin"), QByteArray(200000, '\x01')},
        {QStringLiteral("b/d/e.txt"), QByteArray("deep\n")},
        {QStringLiteral(".hidden"), QByteArray("h")},
        {QStringLiteral("empty"), QByteArray()},
        {QStringLiteral("Zeta.txt"), QByteArray("upper case sorts first")},
        {QStringLiteral("b-c.txt"), QByteArray("'-' sorts before '/'")},
        {QString::fromUtf8("\xc3\xa9t\xc3\xa9.txt"), QByteArray("utf-8 name")},
    };
    for (const auto &[name, content] : files) {
        writeFile(root + u'/' + name, content);
        age(root + u'/' + name);
    }
    return int(files.size());
}

QString shell(const QString &dir, const QString &command)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("sh"), {QStringLiteral("-c"), command});
    p.waitForFinished(60000);
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

} // namespace

class tst_DataVersioner final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fileHashIsSha256();
    void directoryHashFormat();
    void directoryHashMatchesCoreutils();
    void singleFileVersion();
    void symlinks();
    void unchangedTreeIsNotReadAgain();
    void changedByteIsDetected();
    void replacedFileIsDetected();
    void addedAndRemovedFiles();
    void racyFilesAreNotCached();
    void cacheInTheLineageDatabase();
    void parallelWithProgress();
    void cancelled();
    void errorsNameThePath();
    void filter();
    void dvcHashes_data();
    void dvcHashes();
    void dvcBrokenFile();
};

void tst_DataVersioner::fileHashIsSha256()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("abc"));
    QVERIFY(writeFile(path, "abc"));
    std::atomic<qint64> read{0};
    const auto hash = DataVersioner::hashFile(path, &read);
    QVERIFY(hash);
    QCOMPARE(*hash, QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(read.load(), 3);
    QCOMPARE(DataVersioner::sha256Hex(QByteArray()),
             QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

void tst_DataVersioner::directoryHashFormat()
{
    // The exact bytes: "<sha>  <path>\n" per file, sorted by UTF-8 bytes of the path.
    const QString a = QString(64, u'a');
    const QString b = QString(64, u'b');
    const std::vector<DataVersion::File> files{
        {QStringLiteral("z/x"), a, 1}, {QStringLiteral("Z"), b, 2}, {QStringLiteral("z-y"), a, 3}};
    const QByteArray expected = b.toLatin1() + "  Z\n" + a.toLatin1() + "  z-y\n" + a.toLatin1() + "  z/x\n";
    QCOMPARE(DataVersioner::directoryHash(files), DataVersioner::sha256Hex(expected));
    QCOMPARE(DataVersioner::directoryHash({}), DataVersioner::sha256Hex(QByteArray()));
}

void tst_DataVersioner::directoryHashMatchesCoreutils()
{
    QTemporaryDir dir;
    const int count = makeTree(dir.path());
    DataVersioner versioner;
    const auto v = versioner.version(dir.path());
    QVERIFY2(v, v ? "" : qPrintable(v.error().toString()));
    QVERIFY(v->isDirectory);
    QCOMPARE(int(v->files.size()), count);
    QCOMPARE(v->files.front().path, QStringLiteral(".hidden"));
    const QString expected =
        shell(dir.path(), QStringLiteral("find . -type f -printf '%P\\0' | sort -z | xargs -0 sha256sum | sha256sum"))
            .section(u' ', 0, 0);
    QCOMPARE(expected.size(), 64);
    QCOMPARE(v->hash, expected);
    qint64 total = 0;
    for (const auto &f : v->files) {
        total += f.size;
        QCOMPARE(f.sha256, shell(dir.path(), QStringLiteral("sha256sum '%1'").arg(f.path)).section(u' ', 0, 0));
    }
    QCOMPARE(v->totalBytes, total);
    QCOMPARE(v->bytesRead, total);
}

void tst_DataVersioner::singleFileVersion()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("one.csv"));
    QVERIFY(writeFile(path, "abc"));
    DataVersioner versioner;
    const auto v = versioner.version(path);
    QVERIFY(v);
    QVERIFY(!v->isDirectory);
    QCOMPARE(v->hash, QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(v->files.size(), size_t(1));
    QCOMPARE(v->files.front().path, QStringLiteral("one.csv"));
}

void tst_DataVersioner::symlinks()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("data"));
    QVERIFY(writeFile(root + QStringLiteral("/real.txt"), "content"));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("outside/o.txt")), "outside"));
    QVERIFY(QFile::link(root + QStringLiteral("/real.txt"), root + QStringLiteral("/link.txt")));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("outside")), root + QStringLiteral("/linkdir")));
    QVERIFY(QFile::link(root + QStringLiteral("/missing"), root + QStringLiteral("/dangling")));
    DataVersioner versioner;
    const auto v = versioner.version(root);
    QVERIFY2(v, v ? "" : qPrintable(v.error().toString()));
    QCOMPARE(v->files.size(),
             size_t(2)); // link.txt and real.txt; the directory link and the dangling one are not followed
    QCOMPARE(v->files[0].path, QStringLiteral("link.txt"));
    QCOMPARE(v->files[0].sha256, v->files[1].sha256);
}

void tst_DataVersioner::unchangedTreeIsNotReadAgain()
{
    QTemporaryDir dir;
    makeTree(dir.path());
    MemoryHashCache cache;
    DataVersioner versioner(&cache);
    const auto first = versioner.version(dir.path());
    QVERIFY(first);
    QCOMPARE(first->bytesRead, first->totalBytes);
    QCOMPARE(cache.size(), qsizetype(first->files.size()));
    const qint64 afterFirst = versioner.bytesRead();
    const auto second = versioner.version(dir.path());
    QVERIFY(second);
    QCOMPARE(second->hash, first->hash);
    QCOMPARE(second->bytesRead, 0);
    QCOMPARE(second->filesRead, 0);
    QCOMPARE(versioner.bytesRead(), afterFirst); // the counter of every read() says the same
}

void tst_DataVersioner::changedByteIsDetected()
{
    QTemporaryDir dir;
    makeTree(dir.path());
    MemoryHashCache cache;
    DataVersioner versioner(&cache);
    const auto before = versioner.version(dir.path());
    QVERIFY(before);
    // One byte in the middle of the big file; same size.
    const QString big = dir.filePath(QStringLiteral("b/c.bin"));
    {
        QFile f(big);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(100000);
        f.write("\x02", 1);
    }
    QCOMPARE(QFileInfo(big).size(), 200000);
    const auto after = versioner.version(dir.path());
    QVERIFY(after);
    QVERIFY(after->hash != before->hash);
    QCOMPARE(after->bytesRead, 200000); // only the changed file was read
    QCOMPARE(after->filesRead, 1);
    QCOMPARE(
        after->hash,
        shell(dir.path(), QStringLiteral("find . -type f -printf '%P\\0' | sort -z | xargs -0 sha256sum | sha256sum"))
            .section(u' ', 0, 0));
}

void tst_DataVersioner::replacedFileIsDetected()
{
    // Same size and mtime, another inode (a file replaced by rename, mtime kept): read again.
    QTemporaryDir dir;
    makeTree(dir.path());
    MemoryHashCache cache;
    DataVersioner versioner(&cache);
    const auto before = versioner.version(dir.path());
    QVERIFY(before);
    const QString target = dir.filePath(QStringLiteral("a.csv"));
    const QString replacement = dir.filePath(QStringLiteral("tmp"));
    QVERIFY(writeFile(replacement, "x,y\n9,9\n"));
    shell(dir.path(), QStringLiteral("touch -r a.csv tmp && mv tmp a.csv"));
    const auto after = versioner.version(dir.path());
    QVERIFY(after);
    QVERIFY(after->hash != before->hash);
    QCOMPARE(after->filesRead, 1);
}

void tst_DataVersioner::addedAndRemovedFiles()
{
    QTemporaryDir dir;
    makeTree(dir.path());
    MemoryHashCache cache;
    DataVersioner versioner(&cache);
    const auto before = versioner.version(dir.path());
    QVERIFY(QFile::remove(dir.filePath(QStringLiteral("a.csv"))));
    const auto removed = versioner.version(dir.path());
    QVERIFY(removed && removed->hash != before->hash);
    QCOMPARE(removed->filesRead, 0);
    QCOMPARE(cache.size(), qsizetype(removed->files.size())); // the gone file is forgotten
    QVERIFY(writeFile(dir.filePath(QStringLiteral("a.csv")), "x,y\n1,2\n"));
    age(dir.filePath(QStringLiteral("a.csv")));
    const auto back = versioner.version(dir.path());
    QCOMPARE(back->hash, before->hash); // same content, same version
    QCOMPARE(back->filesRead, 1);
}

void tst_DataVersioner::racyFilesAreNotCached()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(QStringLiteral("fresh")), "just written"));
    MemoryHashCache cache;
    DataVersioner versioner(&cache);
    QVERIFY(versioner.version(dir.path()));
    QCOMPARE(cache.size(), 0); // its mtime is within the racy window
    const auto again = versioner.version(dir.path());
    QCOMPARE(again->filesRead, 1);
    age(dir.filePath(QStringLiteral("fresh")));
    QVERIFY(versioner.version(dir.path()));
    QCOMPARE(cache.size(), 1);
}

void tst_DataVersioner::cacheInTheLineageDatabase()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    makeTree(data);
    const QString db = dir.filePath(QStringLiteral("lineage.db"));
    QString hash;
    {
        auto store = LineageStore::open(db);
        QVERIFY(store);
        auto cache = (*store)->hashCache();
        DataVersioner versioner(cache.get());
        const auto v = versioner.version(data);
        QVERIFY(v);
        QVERIFY(v->bytesRead > 0);
        hash = v->hash;
    }
    // Another process, later: nothing is read.
    auto store = LineageStore::open(db);
    QVERIFY(store);
    auto cache = (*store)->hashCache();
    DataVersioner versioner(cache.get());
    const auto v = versioner.version(data);
    QVERIFY(v);
    QCOMPARE(v->hash, hash);
    QCOMPARE(v->bytesRead, 0);
}

void tst_DataVersioner::parallelWithProgress()
{
    QTemporaryDir dir;
    for (int i = 0; i < 64; ++i)
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f%1").arg(i)), QByteArray(100000 + i, char('a' + i % 26))));
    DataVersioner single(nullptr, 1);
    DataVersioner parallel(nullptr, 4);
    qint64 lastDone = -1;
    qint64 total = 0;
    bool monotonic = true;
    const auto p = parallel.version(dir.path(), [&](qint64 done, qint64 all, qint64, qint64) {
        monotonic = monotonic && done >= lastDone;
        lastDone = done;
        total = all;
    });
    QVERIFY(p);
    const auto s = single.version(dir.path());
    QCOMPARE(p->hash, s->hash);
    QVERIFY(monotonic);
    QCOMPARE(lastDone, p->totalBytes); // the last report says everything is done
    QCOMPARE(total, p->totalBytes);
}

void tst_DataVersioner::cancelled()
{
    QTemporaryDir dir;
    for (int i = 0; i < 8; ++i)
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f%1").arg(i)), QByteArray(1 << 20, 'x')));
    std::atomic_bool cancel{true};
    DataVersioner versioner;
    const auto v = versioner.version(dir.path(), {}, &cancel);
    QVERIFY(!v);
    QVERIFY2(v.error().message.contains(QStringLiteral("cancelled")), qPrintable(v.error().message));
}

void tst_DataVersioner::errorsNameThePath()
{
    QTemporaryDir dir;
    DataVersioner versioner;
    const QString missing = dir.filePath(QStringLiteral("missing"));
    const auto none = versioner.version(missing);
    QVERIFY(!none);
    QCOMPARE(none.error().location.file, missing);
    if (::geteuid() != 0) { // root reads anything
        const QString locked = dir.filePath(QStringLiteral("d/locked"));
        QVERIFY(writeFile(locked, "secret"));
        QFile::setPermissions(locked, QFileDevice::Permissions());
        const auto denied = versioner.version(dir.filePath(QStringLiteral("d")));
        QVERIFY(!denied);
        QVERIFY2(denied.error().message.contains(locked), qPrintable(denied.error().message));
    }
}

void tst_DataVersioner::filter()
{
    QTemporaryDir dir;
    makeTree(dir.path());
    DataVersioner versioner;
    const auto all = versioner.version(dir.path());
    const auto some = versioner.version(dir.path(), {}, nullptr,
                                        [](const QString &rel) { return !rel.startsWith(QLatin1String("b/")); });
    QVERIFY(all && some);
    QCOMPARE(some->files.size(), all->files.size() - 2);
    QVERIFY(some->hash != all->hash);
}

void tst_DataVersioner::dvcHashes_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("md5");
    QTest::addColumn<QString>("source");
    QTest::newRow(".dvc file") << "data"
                               << "3863d0e317dee0a55c4e59d2ec0eef33.dir"
                               << "data.dvc";
    QTest::newRow("trailing slash") << "data/"
                                    << "3863d0e317dee0a55c4e59d2ec0eef33.dir"
                                    << "data.dvc";
    QTest::newRow("dvc.lock out") << "features"
                                  << "9f1c2a7e4b5d6c8a0e1f2b3c4d5e6f70.dir"
                                  << "dvc.lock:featurize";
    QTest::newRow("untracked") << "data/train.csv"
                               << ""
                               << "";
}

void tst_DataVersioner::dvcHashes()
{
    QFETCH(QString, path);
    QFETCH(QString, md5);
    QFETCH(QString, source);
    const auto dvc = DvcInfo::lookup(QStringLiteral(TRAINYARD_TEST_DATA "/dvc-project"), path);
    QVERIFY2(dvc, dvc ? "" : qPrintable(dvc.error().toString()));
    QCOMPARE(dvc->md5, md5);
    QCOMPARE(dvc->source, source);
}

void tst_DataVersioner::dvcBrokenFile()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(QStringLiteral("data.dvc")), "outs:\n- md5: [unclosed\n"));
    const auto dvc = DvcInfo::lookup(dir.path(), QStringLiteral("data"));
    QVERIFY(!dvc);
    QVERIFY2(dvc.error().location.file.endsWith(QStringLiteral("data.dvc")), qPrintable(dvc.error().toString()));
    QVERIFY(dvc.error().location.line > 0);
}

QTEST_GUILESS_MAIN(tst_DataVersioner)
#include "tst_dataversioner.moc"
