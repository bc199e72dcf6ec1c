#include "engine/artifactstore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "support/files.h"
#include <algorithm>
#include <memory>

using trainyard::test::writeFile;

using namespace trainyard::core;

class tst_ArtifactStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void collect_data();
    void collect();
    void escapeRefused_data();
    void escapeRefused();
    void identicalContentStoredOnce();
    void objectLayout();
    void copyOutChecksAndNeverHalfWrites();
    void hashMatchesSha256sum();
    void stageRestoresContentAndExecBit();
    void stageReplacesExisting();
    void stageRefuses_data();
    void stageRefuses();
    void jsonRoundTrip();
    void fromJsonRejects_data();
    void fromJsonRejects();

private:
    static QByteArray readFile(const QString &path);
    static bool isExecutable(const QString &path) { return QFileInfo(path).permissions() & QFileDevice::ExeOwner; }
    static QStringList pathsOf(const ArtifactStore::ArtifactSet &set);
    /// Objects (files) under the store's sha256/ directory.
    QStringList objects() const;
    QString ws() const { return m_tmp->path() + QStringLiteral("/ws"); }
    QString storeRoot() const { return m_tmp->path() + QStringLiteral("/project/.trainyard/artifacts"); }

    std::unique_ptr<QTemporaryDir> m_tmp;
};

// The fixture workspace, fresh for every test:
//   models/a.bin  models/b.bin  models/c.txt  logs/train.log  logs/sub/deep.log
//   bin/tool (executable)  dup1.txt dup2.txt (same content)
//   link-in -> models/c.txt   link-dir -> models   link-out -> ../outside.txt (outside)
//   link-dangling -> nowhere
void tst_ArtifactStore::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    const QString w = ws();
    QVERIFY(writeFile(w + QStringLiteral("/models/a.bin"), "AAAA"));
    QVERIFY(writeFile(w + QStringLiteral("/models/b.bin"), "BBBB"));
    QVERIFY(writeFile(w + QStringLiteral("/models/c.txt"), "cc"));
    QVERIFY(writeFile(w + QStringLiteral("/logs/train.log"), "log\n"));
    QVERIFY(writeFile(w + QStringLiteral("/logs/sub/deep.log"), "deep\n"));
    QVERIFY(writeFile(w + QStringLiteral("/bin/tool"), "#!/bin/sh\n", true));
    QVERIFY(writeFile(w + QStringLiteral("/dup1.txt"), "same"));
    QVERIFY(writeFile(w + QStringLiteral("/dup2.txt"), "same"));
    QVERIFY(writeFile(m_tmp->path() + QStringLiteral("/outside.txt"), "secret"));
    QVERIFY(QFile::link(QStringLiteral("models/c.txt"), w + QStringLiteral("/link-in")));
    QVERIFY(QFile::link(QStringLiteral("models"), w + QStringLiteral("/link-dir")));
    QVERIFY(QFile::link(QStringLiteral("../outside.txt"), w + QStringLiteral("/link-out")));
    QVERIFY(QFile::link(QStringLiteral("nowhere"), w + QStringLiteral("/link-dangling")));
}

QByteArray tst_ArtifactStore::readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList tst_ArtifactStore::pathsOf(const ArtifactStore::ArtifactSet &set)
{
    QStringList paths;
    for (const auto &file : set.files)
        paths.append(file.path);
    return paths;
}

QStringList tst_ArtifactStore::objects() const
{
    QStringList found;
    QDirIterator it(storeRoot() + QStringLiteral("/sha256"), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        found.append(it.next());
    return found;
}

void tst_ArtifactStore::collect_data()
{
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<QStringList>("exclude");
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QStringList>("missing");
    QTest::addColumn<QStringList>("skipped");

    const QString a = QStringLiteral("models/a.bin");
    const QString b = QStringLiteral("models/b.bin");
    const QString c = QStringLiteral("models/c.txt");
    const QString train = QStringLiteral("logs/train.log");
    const QString deep = QStringLiteral("logs/sub/deep.log");
    using L = QStringList;

    QTest::newRow("file") << L{a} << L{} << L{a} << L{} << L{};
    QTest::newRow("leading ./") << L{QStringLiteral("./models/a.bin")} << L{} << L{a} << L{} << L{};
    QTest::newRow("normalised inside") << L{QStringLiteral("models/../logs/train.log")} << L{} << L{train} << L{}
                                       << L{};
    QTest::newRow("directory") << L{QStringLiteral("logs")} << L{} << L{deep, train} << L{} << L{};
    QTest::newRow("directory trailing slash") << L{QStringLiteral("logs/")} << L{} << L{deep, train} << L{} << L{};
    QTest::newRow("glob star") << L{QStringLiteral("models/*.bin")} << L{} << L{a, b} << L{} << L{};
    QTest::newRow("glob tail double star") << L{QStringLiteral("logs/**")} << L{} << L{deep, train} << L{} << L{};
    QTest::newRow("globstar") << L{QStringLiteral("**/*.log")} << L{} << L{deep, train} << L{} << L{};
    QTest::newRow("overlapping entries merged") << L{a, QStringLiteral("models/*.bin")} << L{} << L{a, b} << L{} << L{};
    QTest::newRow("exclude glob") << L{QStringLiteral("models")} << L{QStringLiteral("models/*.txt")} << L{a, b} << L{}
                                  << L{};
    QTest::newRow("exclude directory") << L{QStringLiteral("logs")} << L{QStringLiteral("logs/sub")} << L{train} << L{}
                                       << L{};
    QTest::newRow("exclude globstar") << L{QStringLiteral("logs"), QStringLiteral("models")}
                                      << L{QStringLiteral("**/*.log")} << L{a, b, c} << L{} << L{};
    QTest::newRow("missing literal") << L{QStringLiteral("nope.txt")} << L{} << L{} << L{QStringLiteral("nope.txt")}
                                     << L{};
    QTest::newRow("missing glob") << L{QStringLiteral("*.zip"), a} << L{} << L{a} << L{QStringLiteral("*.zip")} << L{};
    QTest::newRow("symlink inside stored as its file")
        << L{QStringLiteral("link-in")} << L{} << L{QStringLiteral("link-in")} << L{} << L{};
    QTest::newRow("symlinked directory inside")
        << L{QStringLiteral("link-dir")} << L{}
        << L{QStringLiteral("link-dir/a.bin"), QStringLiteral("link-dir/b.bin"), QStringLiteral("link-dir/c.txt")}
        << L{} << L{};
    QTest::newRow("symlink outside skipped")
        << L{QStringLiteral("link-out")} << L{} << L{} << L{} << L{QStringLiteral("link-out")};
    QTest::newRow("dangling symlink skipped")
        << L{QStringLiteral("link-dangling")} << L{} << L{} << L{} << L{QStringLiteral("link-dangling")};
    QTest::newRow("glob over symlinks") << L{QStringLiteral("link-*")} << L{QStringLiteral("link-dir")}
                                        << L{QStringLiteral("link-in")} << L{}
                                        << L{QStringLiteral("link-dangling"), QStringLiteral("link-out")};
}

void tst_ArtifactStore::collect()
{
    QFETCH(QStringList, paths);
    QFETCH(QStringList, exclude);
    QFETCH(QStringList, files);
    QFETCH(QStringList, missing);
    QFETCH(QStringList, skipped);

    ArtifactStore store(storeRoot());
    const auto set = store.collect(QStringLiteral("train"), ws(), paths, exclude);
    QVERIFY2(set, qPrintable(set ? QString() : set.error().toString()));
    QCOMPARE(set->job, QStringLiteral("train"));
    QCOMPARE(pathsOf(*set), files);
    QCOMPARE(set->missing, missing);
    QStringList skippedPaths;
    for (const auto &s : set->skipped) {
        skippedPaths.append(s.path);
        QVERIFY(!s.reason.isEmpty());
    }
    QCOMPARE(skippedPaths, skipped);

    qint64 total = 0;
    for (const auto &file : set->files) {
        total += file.size;
        QCOMPARE(file.size, QFileInfo(ws() + QLatin1Char('/') + file.path).size());
        QCOMPARE(readFile(ArtifactStore::objectPath(storeRoot(), file.sha256)),
                 readFile(ws() + QLatin1Char('/') + file.path));
    }
    QCOMPARE(set->totalBytes, total);
}

void tst_ArtifactStore::escapeRefused_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("parent") << QStringLiteral("../outside.txt");
    QTest::newRow("parent after normalising") << QStringLiteral("a/../../outside.txt");
    QTest::newRow("deep parent") << QStringLiteral("models/../../x");
    QTest::newRow("parent glob") << QStringLiteral("../*.txt");
    QTest::newRow("bare parent") << QStringLiteral("..");
    QTest::newRow("absolute") << QStringLiteral("/etc/passwd");
    QTest::newRow("absolute glob") << QStringLiteral("/tmp/**");
}

void tst_ArtifactStore::escapeRefused()
{
    QFETCH(QString, path);
    ArtifactStore store(storeRoot());
    const auto set = store.collect(QStringLiteral("train"), ws(), {QStringLiteral("models/a.bin"), path}, {});
    QVERIFY(!set);
    QCOMPARE(set.error().job, QStringLiteral("train"));
    QVERIFY2(set.error().message.contains(QStringLiteral("train")), qPrintable(set.error().message));
    QVERIFY2(set.error().message.contains(path), qPrintable(set.error().message));
    QVERIFY(set.error().isError());
}

void tst_ArtifactStore::identicalContentStoredOnce()
{
    ArtifactStore store(storeRoot());
    const auto set =
        store.collect(QStringLiteral("train"), ws(), {QStringLiteral("dup1.txt"), QStringLiteral("dup2.txt")}, {});
    QVERIFY2(set, qPrintable(set ? QString() : set.error().toString()));
    QCOMPARE(set->files.size(), size_t(2));
    QCOMPARE(set->files[0].sha256, set->files[1].sha256);
    QCOMPARE(objects().size(), 1);

    // A second collection of the same content (a re-run) adds nothing either.
    const auto again = store.collect(QStringLiteral("train"), ws(), {QStringLiteral("dup1.txt")}, {});
    QVERIFY(again);
    QCOMPARE(objects().size(), 1);
}

void tst_ArtifactStore::objectLayout()
{
    ArtifactStore store(storeRoot());
    const auto set = store.collect(QStringLiteral("train"), ws(), {QStringLiteral("models/a.bin")}, {});
    QVERIFY2(set, qPrintable(set ? QString() : set.error().toString()));
    const QString sha = set->files.at(0).sha256;
    QCOMPARE(sha.size(), 64);
    const QString object = ArtifactStore::objectPath(storeRoot(), sha);
    QCOMPARE(object, storeRoot() + QStringLiteral("/sha256/") + sha.left(2) + QLatin1Char('/') + sha.mid(2));
    QCOMPARE(objects(), QStringList{object});
    QVERIFY(!(QFileInfo(object).permissions() & QFileDevice::WriteOwner)); // objects are read-only
    // No temporary file is left behind.
    QCOMPARE(
        QDir(storeRoot() + QStringLiteral("/tmp")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
        QStringList());
}

void tst_ArtifactStore::copyOutChecksAndNeverHalfWrites()
{
    ArtifactStore store(storeRoot());
    const auto set = store.collect(QStringLiteral("train"), ws(), {QStringLiteral("models/a.bin")}, {});
    QVERIFY(set);
    const QString sha = set->files.at(0).sha256;
    const QByteArray content = readFile(ws() + QStringLiteral("/models/a.bin"));
    QVERIFY(QDir().mkpath(m_tmp->filePath(QStringLiteral("out"))));
    const QString destination = m_tmp->filePath(QStringLiteral("out/model.bin"));

    QVERIFY(store.copyOut(sha, destination, QStringLiteral("models/a.bin")));
    QCOMPARE(readFile(destination), content);

    // A damaged object is refused; the copy already there stays as it was, nothing half-written.
    const QString object = ArtifactStore::objectPath(storeRoot(), sha);
    QVERIFY(QFile::setPermissions(object, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QVERIFY(writeFile(object, content + "tampered"));
    const auto damaged = store.copyOut(sha, destination, QStringLiteral("models/a.bin"));
    QVERIFY(!damaged);
    QVERIFY2(damaged.error().message.contains(QStringLiteral("models/a.bin")) &&
                 damaged.error().message.contains(QStringLiteral("the artifact store is damaged")),
             qPrintable(damaged.error().message));
    QCOMPARE(readFile(destination), content);
    QCOMPARE(QDir(m_tmp->filePath(QStringLiteral("out"))).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("model.bin")});

    const auto missing = store.copyOut(QString(64, u'0'), destination, QStringLiteral("x.bin"));
    QVERIFY(!missing);
    QVERIFY2(missing.error().message.contains(QStringLiteral("not in the artifact store")),
             qPrintable(missing.error().message));
}

void tst_ArtifactStore::hashMatchesSha256sum()
{
    // Larger than one 1 MiB chunk and not a multiple of it.
    QByteArray big;
    big.reserve(3 * 1024 * 1024 / 2);
    for (int i = 0; big.size() < 3 * 1024 * 1024 / 2; ++i)
        big.append(QByteArray::number(i) + '\n');
    const QString path = ws() + QStringLiteral("/big.bin");
    QVERIFY(writeFile(path, big));

    const auto empty = ArtifactStore::sha256File(ws() + QStringLiteral("/empty"));
    QVERIFY(!empty); // does not exist
    QVERIFY(writeFile(ws() + QStringLiteral("/empty"), QByteArray()));
    QCOMPARE(*ArtifactStore::sha256File(ws() + QStringLiteral("/empty")),
             QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));

    const auto hash = ArtifactStore::sha256File(path);
    QVERIFY(hash);
    if (QStandardPaths::findExecutable(QStringLiteral("sha256sum")).isEmpty())
        QSKIP("sha256sum is not available");
    QProcess process;
    process.start(QStringLiteral("sha256sum"), {path});
    QVERIFY(process.waitForFinished(30'000));
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(*hash, process.readAllStandardOutput().left(64));
}

void tst_ArtifactStore::stageRestoresContentAndExecBit()
{
    ArtifactStore store(storeRoot());
    const auto set = store.collect(QStringLiteral("build"), ws(),
                                   {QStringLiteral("bin"), QStringLiteral("models"), QStringLiteral("link-in")}, {});
    QVERIFY2(set, qPrintable(set ? QString() : set.error().toString()));

    const QString fresh = m_tmp->path() + QStringLiteral("/next-job");
    const auto staged = store.stage(*set, fresh);
    QVERIFY2(staged, qPrintable(staged ? QString() : staged.error().toString()));
    for (const auto &file : set->files) {
        const QString copy = fresh + QLatin1Char('/') + file.path;
        QVERIFY2(QFileInfo(copy).isFile() && !QFileInfo(copy).isSymLink(), qPrintable(copy));
        QCOMPARE(readFile(copy), readFile(ws() + QLatin1Char('/') + file.path));
        QCOMPARE(isExecutable(copy), file.executable);
        QVERIFY(QFileInfo(copy).permissions() & QFileDevice::WriteOwner); // a job may overwrite it
    }
    QVERIFY(isExecutable(fresh + QStringLiteral("/bin/tool")));
    QVERIFY(!isExecutable(fresh + QStringLiteral("/models/a.bin")));
    QCOMPARE(readFile(fresh + QStringLiteral("/link-in")), QByteArray("cc"));

    // Changing a staged file leaves the store's object alone.
    QVERIFY(writeFile(fresh + QStringLiteral("/models/a.bin"), "changed"));
    const auto a = std::find_if(set->files.cbegin(), set->files.cend(),
                                [](const auto &file) { return file.path == QLatin1String("models/a.bin"); });
    QVERIFY(a != set->files.cend());
    QCOMPARE(readFile(ArtifactStore::objectPath(storeRoot(), a->sha256)), QByteArray("AAAA"));
}

void tst_ArtifactStore::stageReplacesExisting()
{
    ArtifactStore store(storeRoot());
    const auto set = store.collect(QStringLiteral("build"), ws(),
                                   {QStringLiteral("models/a.bin"), QStringLiteral("models/b.bin")}, {});
    QVERIFY(set);
    const QString target = m_tmp->path() + QStringLiteral("/next-job");
    QVERIFY(writeFile(target + QStringLiteral("/models/a.bin"), "old checkout version"));
    QVERIFY(writeFile(m_tmp->path() + QStringLiteral("/victim.txt"), "keep"));
    QVERIFY(QFile::link(m_tmp->path() + QStringLiteral("/victim.txt"), target + QStringLiteral("/models/b.bin")));

    const auto staged = store.stage(*set, target);
    QVERIFY2(staged, qPrintable(staged ? QString() : staged.error().toString()));
    QCOMPARE(readFile(target + QStringLiteral("/models/a.bin")), QByteArray("AAAA"));
    QVERIFY(!QFileInfo(target + QStringLiteral("/models/b.bin")).isSymLink());
    QCOMPARE(readFile(target + QStringLiteral("/models/b.bin")), QByteArray("BBBB"));
    QCOMPARE(readFile(m_tmp->path() + QStringLiteral("/victim.txt")), QByteArray("keep"));
}

void tst_ArtifactStore::stageRefuses_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("knownObject");
    QTest::addColumn<QString>("expected");
    QTest::newRow("parent") << QStringLiteral("../escaped.bin") << true << QStringLiteral("outside");
    QTest::newRow("absolute") << QStringLiteral("/tmp/escaped.bin") << true << QStringLiteral("absolute");
    QTest::newRow("through a workspace symlink")
        << QStringLiteral("out/escaped.bin") << true << QStringLiteral("through a symlink");
    QTest::newRow("object not in store") << QStringLiteral("models/x.bin") << false
                                         << QStringLiteral("not in the store");
}

void tst_ArtifactStore::stageRefuses()
{
    QFETCH(QString, path);
    QFETCH(bool, knownObject);
    QFETCH(QString, expected);

    ArtifactStore store(storeRoot());
    auto set = store.collect(QStringLiteral("build"), ws(), {QStringLiteral("models/a.bin")}, {});
    QVERIFY(set);
    set->files.at(0).path = path;
    if (!knownObject)
        set->files.at(0).sha256 = QString(64, QLatin1Char('0'));
    const QString target = m_tmp->path() + QStringLiteral("/next-job");
    const QString outside = m_tmp->path() + QStringLiteral("/elsewhere");
    QVERIFY(QDir().mkpath(target));
    QVERIFY(QDir().mkpath(outside));
    QVERIFY(QFile::link(outside, target + QStringLiteral("/out")));

    const auto staged = store.stage(*set, target);
    QVERIFY(!staged);
    QVERIFY2(staged.error().message.contains(expected), qPrintable(staged.error().message));
    QCOMPARE(staged.error().job, QStringLiteral("build"));
    QVERIFY(!QFileInfo::exists(outside + QStringLiteral("/escaped.bin")));
    QVERIFY(!QFileInfo::exists(m_tmp->path() + QStringLiteral("/escaped.bin")));
}

void tst_ArtifactStore::jsonRoundTrip()
{
    ArtifactStore store(storeRoot());
    const auto set = store.collect(QStringLiteral("train: [gpu, 1]"), ws(),
                                   {QStringLiteral("bin"), QStringLiteral("models/*.bin"), QStringLiteral("link-out"),
                                    QStringLiteral("nothing/**")},
                                   {});
    QVERIFY2(set, qPrintable(set ? QString() : set.error().toString()));
    QCOMPARE(set->missing.size(), 1);
    QCOMPARE(set->skipped.size(), size_t(1));

    const QJsonObject json = ArtifactStore::toJson(*set);
    const auto back = ArtifactStore::fromJson(json);
    QVERIFY2(back, qPrintable(back ? QString() : back.error().toString()));
    QCOMPARE(back->job, set->job);
    QCOMPARE(back->totalBytes, set->totalBytes);
    QCOMPARE(back->missing, set->missing);
    QCOMPARE(back->files.size(), set->files.size());
    for (size_t i = 0; i < set->files.size(); ++i) {
        QCOMPARE(back->files[i].path, set->files[i].path);
        QCOMPARE(back->files[i].sha256, set->files[i].sha256);
        QCOMPARE(back->files[i].size, set->files[i].size);
        QCOMPARE(back->files[i].executable, set->files[i].executable);
    }
    QCOMPARE(back->skipped.size(), set->skipped.size());
    QCOMPARE(back->skipped[0].path, set->skipped[0].path);
    QCOMPARE(back->skipped[0].reason, set->skipped[0].reason);
    QCOMPARE(ArtifactStore::toJson(*back), json);
}

void tst_ArtifactStore::fromJsonRejects_data()
{
    QTest::addColumn<QJsonObject>("json");
    const auto withFile = [](const QString &path, const QJsonValue &sha, const QJsonValue &size) {
        const QJsonObject file{{QStringLiteral("path"), path},
                               {QStringLiteral("sha256"), sha},
                               {QStringLiteral("size"), size},
                               {QStringLiteral("executable"), false}};
        return QJsonObject{{QStringLiteral("job"), QStringLiteral("j")}, {QStringLiteral("files"), QJsonArray{file}}};
    };
    const QString sha(64, QLatin1Char('a'));
    QTest::newRow("no job") << QJsonObject{{QStringLiteral("files"), QJsonArray()}};
    QTest::newRow("no files") << QJsonObject{{QStringLiteral("job"), QStringLiteral("j")}};
    QTest::newRow("escaping path") << withFile(QStringLiteral("../x"), sha, 1);
    QTest::newRow("absolute path") << withFile(QStringLiteral("/x"), sha, 1);
    QTest::newRow("unclean path") << withFile(QStringLiteral("a//b"), sha, 1);
    QTest::newRow("empty path") << withFile(QString(), sha, 1);
    QTest::newRow("short sha") << withFile(QStringLiteral("x"), QStringLiteral("abc"), 1);
    QTest::newRow("uppercase sha") << withFile(QStringLiteral("x"), QString(64, QLatin1Char('A')), 1);
    QTest::newRow("negative size") << withFile(QStringLiteral("x"), sha, -1);
    QTest::newRow("size not a number") << withFile(QStringLiteral("x"), sha, QStringLiteral("1"));
}

void tst_ArtifactStore::fromJsonRejects()
{
    QFETCH(QJsonObject, json);
    const auto set = ArtifactStore::fromJson(json);
    QVERIFY(!set);
    QVERIFY(set.error().message.startsWith(QStringLiteral("invalid artifact set")));
}

QTEST_GUILESS_MAIN(tst_ArtifactStore)
#include "tst_artifactstore.moc"
