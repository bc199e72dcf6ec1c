#include "engine/tarwriter.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include "support/files.h"
#include <cstring>

using trainyard::test::writeFile;

using namespace trainyard::core;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Runs `tar ARGS`; returns its stdout, or fails the test.
QString runTar(const QStringList &args)
{
    QProcess tar;
    tar.start(QStringLiteral("tar"), args);
    if (!tar.waitForFinished(30000) || tar.exitStatus() != QProcess::NormalExit || tar.exitCode() != 0) {
        qWarning("tar %s failed: %s", qPrintable(args.join(QLatin1Char(' '))), tar.readAllStandardError().constData());
        return QStringLiteral("<tar failed>");
    }
    return QString::fromUtf8(tar.readAllStandardOutput());
}

} // namespace

class tst_TarWriter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void treeRoundTrip();
    void longPathsUsePrefixOrLongName();
    void explicitEntries();
    void filterSkipsEntries();
    void headerFields();
    void missingSourceIsAnError();

private:
    QTemporaryDir m_tmp;
    QString m_source;
    // 60 + 1 + 60 + 1 + 8 bytes: longer than 100, splittable at a '/' (ustar prefix).
    QString m_prefixPath =
        QString(60, QLatin1Char('p')) + QLatin1Char('/') + QString(60, QLatin1Char('q')) + QStringLiteral("/file.txt");
    // A 130-byte file name: no '/' split helps, so a GNU 'L' record is needed.
    QString m_longNamePath = QStringLiteral("deep/") + QString(126, QLatin1Char('n')) + QStringLiteral(".txt");
    // Over 255 bytes in total, in short components.
    QString m_veryLongPath;
};

void tst_TarWriter::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_source = m_tmp.filePath(QStringLiteral("src"));
    QStringList parts;
    for (int i = 0; i < 40; ++i)
        parts.append(QStringLiteral("level%1").arg(i, 2, 10, QLatin1Char('0')));
    m_veryLongPath = parts.join(QLatin1Char('/')) + QStringLiteral("/bottom.txt");

    QVERIFY(writeFile(m_source + QStringLiteral("/top.txt"), "top\n"));
    QVERIFY(writeFile(m_source + QStringLiteral("/.hidden"), "hidden"));
    QVERIFY(writeFile(m_source + QStringLiteral("/empty.bin"), QByteArray()));
    QVERIFY(writeFile(m_source + QStringLiteral("/a/b/c/nested.txt"), "nested content\n"));
    QVERIFY(writeFile(m_source + QStringLiteral("/run.sh"), "#!/bin/sh\necho hi\n"));
    QVERIFY(QFile::setPermissions(m_source + QStringLiteral("/run.sh"),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                      QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                      QFileDevice::ExeOther));
    QByteArray binary(3 * 512 + 17, '\0');
    for (int i = 0; i < binary.size(); ++i)
        binary[i] = char(i * 7);
    QVERIFY(writeFile(m_source + QStringLiteral("/data.bin"), binary));
    QVERIFY(writeFile(m_source + QLatin1Char('/') + m_prefixPath, "prefix\n"));
    QVERIFY(writeFile(m_source + QLatin1Char('/') + m_longNamePath, "long name\n"));
    QVERIFY(writeFile(m_source + QLatin1Char('/') + m_veryLongPath, "very long\n"));
    QVERIFY(QDir().mkpath(m_source + QStringLiteral("/emptydir")));
    QVERIFY(QFile::link(QStringLiteral("a/b/c/nested.txt"), m_source + QStringLiteral("/link")));
    QVERIFY(QFile::link(QStringLiteral("../nowhere"), m_source + QStringLiteral("/dangling")));
    QVERIFY(QFile::link(QStringLiteral("a"), m_source + QStringLiteral("/dirlink")));
    QVERIFY(QFile::link(QStringLiteral("./") + QString(110, QLatin1Char('t')), m_source + QStringLiteral("/longlink")));
}

void tst_TarWriter::treeRoundTrip()
{
    const QString archivePath = m_tmp.filePath(QStringLiteral("tree.tar"));
    {
        QFile archive(archivePath);
        QVERIFY(archive.open(QIODevice::WriteOnly));
        TarWriter tar(&archive);
        const auto added = tar.addTree(m_source);
        QVERIFY2(added, qPrintable(added ? QString() : added.error().message));
        QVERIFY(tar.finish());
        QCOMPARE(tar.bytesWritten(), archive.size());
    }
    const QByteArray bytes = readFile(archivePath);
    QCOMPARE(bytes.size() % 512, 0);
    QVERIFY(bytes.endsWith(QByteArray(1024, '\0')));

    const QString listing = runTar({QStringLiteral("-tvf"), archivePath});
    QVERIFY2(listing.contains(QStringLiteral("-rwxr-xr-x")) && listing.contains(QStringLiteral(" run.sh")),
             qPrintable(listing));
    QVERIFY2(listing.contains(QStringLiteral("link -> a/b/c/nested.txt")), qPrintable(listing));
    QVERIFY2(listing.contains(QStringLiteral("dirlink -> a\n")), qPrintable(listing));
    QVERIFY(listing.contains(QStringLiteral("lrwxrwxrwx")));
    QVERIFY(listing.contains(QStringLiteral(" emptydir/")));
    QVERIFY2(listing.contains(m_prefixPath) && listing.contains(m_longNamePath) && listing.contains(m_veryLongPath),
             qPrintable(listing));

    const QString extracted = m_tmp.filePath(QStringLiteral("extracted"));
    QVERIFY(QDir().mkpath(extracted));
    runTar({QStringLiteral("-xf"), archivePath, QStringLiteral("-C"), extracted});
    for (const QString &file : {QStringLiteral("top.txt"), QStringLiteral(".hidden"), QStringLiteral("empty.bin"),
                                QStringLiteral("a/b/c/nested.txt"), QStringLiteral("run.sh"),
                                QStringLiteral("data.bin"), m_prefixPath, m_longNamePath, m_veryLongPath}) {
        const QString copy = extracted + QLatin1Char('/') + file;
        QVERIFY2(QFileInfo(copy).isFile(), qPrintable(file));
        QCOMPARE(readFile(copy), readFile(m_source + QLatin1Char('/') + file));
    }
    QVERIFY(QFileInfo(extracted + QStringLiteral("/emptydir")).isDir());
    QVERIFY(QFileInfo(extracted + QStringLiteral("/run.sh")).permissions().testFlag(QFileDevice::ExeOwner));
    QVERIFY(!QFileInfo(extracted + QStringLiteral("/top.txt")).permissions().testFlag(QFileDevice::ExeOwner));
    QVERIFY(QFileInfo(extracted + QStringLiteral("/link")).isSymLink());
    QCOMPARE(readFile(extracted + QStringLiteral("/link")), QByteArray("nested content\n"));
    QVERIFY(QFileInfo(extracted + QStringLiteral("/dangling")).isSymLink());
    QCOMPARE(QFileInfo(extracted + QStringLiteral("/longlink")).symLinkTarget(),
             QFileInfo(extracted + QStringLiteral("/") + QString(110, QLatin1Char('t'))).absoluteFilePath());
    QVERIFY(QFileInfo(extracted + QStringLiteral("/dirlink")).isSymLink());
    QVERIFY(QFileInfo(extracted + QStringLiteral("/dirlink/b/c/nested.txt")).isFile());
}

void tst_TarWriter::longPathsUsePrefixOrLongName()
{
    // libarchive's restricted pax: a path that splits at a '/' goes into the ustar prefix; one that
    // does not, and a link target over 100 bytes, get a pax extended header ('x') before theirs.
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TarWriter tar(&buffer);
    QVERIFY(tar.addData(m_prefixPath, "x"));
    QVERIFY(tar.addData(m_longNamePath, "y"));
    QVERIFY(tar.addData(m_veryLongPath, "z"));
    QVERIFY(tar.addSymlink(QStringLiteral("s"), QString(150, QLatin1Char('t'))));
    QVERIFY(tar.finish());
    buffer.close();
    const QByteArray bytes = buffer.data();
    QCOMPARE(bytes.mid(257, 8), QByteArray("ustar\0"
                                           "00",
                                           8));
    // Split at the earliest '/' that leaves a name of at most 100 bytes.
    QCOMPARE(bytes.mid(345, 61), QByteArray(60, 'p') + '\0');
    QCOMPARE(bytes.left(70), QByteArray(60, 'q') + QByteArray("/file.txt\0", 10));
    QVERIFY(bytes.contains(QByteArray("path=" + m_longNamePath.toUtf8() + '\n')));
    QVERIFY(bytes.contains(QByteArray("path=" + m_veryLongPath.toUtf8() + '\n')));
    QVERIFY(bytes.contains(QByteArray("linkpath=" + QByteArray(150, 't') + '\n')));
    QCOMPARE(bytes.count("././@LongLink"), 0); // no GNU records: plain pax

    const QString path = m_tmp.filePath(QStringLiteral("long.tar"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(buffer.data());
    }
    const QStringList names = runTar({QStringLiteral("-tf"), path}).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(names, (QStringList{m_prefixPath, m_longNamePath, m_veryLongPath, QStringLiteral("s")}));
    QVERIFY(runTar({QStringLiteral("-tvf"), path}).contains(QStringLiteral("s -> ") + QString(150, QLatin1Char('t'))));
}

void tst_TarWriter::explicitEntries()
{
    const QString path = m_tmp.filePath(QStringLiteral("explicit.tar"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        TarWriter tar(&file);
        QVERIFY(tar.addDirectory(QStringLiteral("/bin/"), 0755));
        QVERIFY(tar.addData(QStringLiteral("./bin/tool"), "#!/bin/sh\n", 0750,
                            QDateTime::fromSecsSinceEpoch(1700000000, QTimeZone::utc())));
        QVERIFY(tar.addSymlink(QStringLiteral("bin/sh"), QStringLiteral("tool")));
        QVERIFY(tar.addFile(QStringLiteral("copied/nested.txt"), m_source + QStringLiteral("/a/b/c/nested.txt")));
        QVERIFY(tar.finish());
        QVERIFY(!tar.addData(QStringLiteral("late"), "x")); // after finish()
    }
    const QString listing = runTar({QStringLiteral("-tvf"), path, QStringLiteral("--utc")});
    QVERIFY2(listing.contains(QStringLiteral("drwxr-xr-x")) && listing.contains(QStringLiteral(" bin/\n")),
             qPrintable(listing));
    QVERIFY2(listing.contains(QStringLiteral("-rwxr-x--- 0/0              10 2023-11-14 22:13 bin/tool")),
             qPrintable(listing));
    QVERIFY(listing.contains(QStringLiteral("bin/sh -> tool")));
    QVERIFY(listing.contains(QStringLiteral("copied/nested.txt")));
    QVERIFY(!listing.contains(QStringLiteral("late")));
}

void tst_TarWriter::filterSkipsEntries()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TarWriter tar(&buffer);
    QStringList seen;
    QVERIFY(tar.addTree(m_source, [&](const QString &path, bool isDir) {
        seen.append(path);
        return !(isDir && path == QLatin1String("a")) && path != QLatin1String("top.txt") &&
               path != QLatin1String("link");
    }));
    QVERIFY(tar.finish());
    QVERIFY(seen.contains(QStringLiteral("a")));
    QVERIFY(!seen.contains(QStringLiteral("a/b"))); // a rejected directory is not entered
    QVERIFY(seen.contains(QStringLiteral("top.txt")));
    QVERIFY(!buffer.data().contains("top.txt"));
    QVERIFY(!buffer.data().contains("nested.txt"));
    QVERIFY(buffer.data().contains("run.sh"));
}

void tst_TarWriter::headerFields()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TarWriter tar(&buffer);
    QVERIFY(tar.addData(QStringLiteral("f"), QByteArray(1000, 'x'), 0644));
    QVERIFY(tar.finish());
    const QByteArray header = buffer.data().left(512);
    const auto octal = [&](int offset, int length) {
        return header.mid(offset, length).trimmed().toLongLong(nullptr, 8);
    };
    QCOMPARE(octal(100, 8), 0644);
    QCOMPARE(octal(108, 8), 0);                    // uid
    QCOMPARE(octal(116, 8), 0);                    // gid
    QCOMPARE(header.mid(265, 32).count('\0'), 32); // no user name
    QCOMPARE(octal(124, 12), 1000);
    QCOMPARE(header.at(156), '0');
    QCOMPARE(header.mid(257, 6), QByteArray("ustar\0", 6));
    // The checksum: the sum of the header bytes with the checksum field read as spaces.
    QByteArray copy = header;
    std::memset(copy.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (char c : std::as_const(copy))
        sum += static_cast<unsigned char>(c);
    QCOMPARE(unsigned(octal(148, 8)), sum);
    // Content padded to whole blocks, then the two zero blocks; no 10 KiB record padding.
    QCOMPARE(buffer.data().size(), 512 + 1024 + 1024);
    QCOMPARE(tar.bytesWritten(), buffer.data().size());
}

void tst_TarWriter::missingSourceIsAnError()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TarWriter tar(&buffer);
    const auto file = tar.addFile(QStringLiteral("x"), m_tmp.filePath(QStringLiteral("does-not-exist")));
    QVERIFY(!file);
    QVERIFY(file.error().message.contains(QStringLiteral("does-not-exist")));
    QVERIFY(!tar.addTree(m_tmp.filePath(QStringLiteral("no-such-dir"))));
}

QTEST_GUILESS_MAIN(tst_TarWriter)
#include "tst_tarwriter.moc"
