#include "engine/dockerlogdemuxer.h"

#include <QRandomGenerator>
#include <QTest>

using namespace trainyard::core;

namespace {

/// One frame of Docker's multiplexed stream: type byte, three zero bytes, big-endian length.
QByteArray frame(quint8 type, const QByteArray &payload)
{
    QByteArray header(8, '\0');
    header[0] = char(type);
    const quint32 n = quint32(payload.size());
    header[4] = char(n >> 24);
    header[5] = char(n >> 16);
    header[6] = char(n >> 8);
    header[7] = char(n);
    return header + payload;
}

QByteArray out(const QByteArray &p)
{
    return frame(1, p);
}
QByteArray err(const QByteArray &p)
{
    return frame(2, p);
}

/// "O:text", "E:text" or "S:text" per emitted line, in emission order.
QString tagged(const LogLine &line)
{
    const char *prefix = line.stream == LogLine::Stream::Stdout   ? "O:"
                         : line.stream == LogLine::Stream::Stderr ? "E:"
                                                                  : "S:";
    return QLatin1String(prefix) + line.text;
}

/// Feeds `stream` in the given pieces and finishes; returns the tagged lines.
QStringList demux(const QList<QByteArray> &pieces, bool *raw = nullptr)
{
    QStringList lines;
    DockerLogDemuxer demuxer([&](const LogLine &line) { lines.append(tagged(line)); });
    for (const QByteArray &piece : pieces)
        demuxer.feed(piece);
    demuxer.finish();
    if (raw)
        *raw = demuxer.isRaw();
    return lines;
}

} // namespace

class tst_DockerLogDemuxer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lines_data();
    void lines();
    void splitAtEveryPosition_data() { lines_data(); }
    void splitAtEveryPosition();
    void byteByByte_data() { lines_data(); }
    void byteByByte();
    void hugeFrame();
    void overlongLineIsCut();
    void rawStreamFallback();
    void emptyStream();
};

void tst_DockerLogDemuxer::lines_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("one stdout line") << out("hello\n") << QStringList{QStringLiteral("O:hello")};
    QTest::newRow("several lines in a frame")
        << out("a\nb\n\nc\n")
        << QStringList{QStringLiteral("O:a"), QStringLiteral("O:b"), QStringLiteral("O:"), QStringLiteral("O:c")};
    QTest::newRow("line across frames") << out("hel") + out("lo wo") + out("rld\n")
                                        << QStringList{QStringLiteral("O:hello world")};
    QTest::newRow("interleaved partial lines")
        << out("out-") + err("err-") + out("line\n") + err("line\n")
        << QStringList{QStringLiteral("O:out-line"), QStringLiteral("E:err-line")};
    QTest::newRow("stderr completes first")
        << out("a") + err("x\n") + out("b\n") << QStringList{QStringLiteral("E:x"), QStringLiteral("O:ab")};
    QTest::newRow("zero-length frames") << out("") + out("a") + err("") + out("") + out("\n") + err("")
                                        << QStringList{QStringLiteral("O:a")};
    QTest::newRow("partial lines flushed at the end, stdout first")
        << err("tail-err") + out("tail-out") << QStringList{QStringLiteral("O:tail-out"), QStringLiteral("E:tail-err")};
    QTest::newRow("crlf") << out("dos\r\nline\r\n") << QStringList{QStringLiteral("O:dos"), QStringLiteral("O:line")};
    QTest::newRow("utf-8 split across frames")
        << out("gr\xc3") + out("\xbc\xc3\x9f\n") << QStringList{QString::fromUtf8("O:gr\xc3\xbc\xc3\x9f")};
    QTest::newRow("stdin and system streams")
        << frame(0, "typed\n") + frame(3, "oci runtime error\n")
        << QStringList{QStringLiteral("O:typed"), QStringLiteral("S:oci runtime error")};
    QTest::newRow("newline-only frames") << out("\n") + err("\n")
                                         << QStringList{QStringLiteral("O:"), QStringLiteral("E:")};
}

void tst_DockerLogDemuxer::lines()
{
    QFETCH(QByteArray, stream);
    QFETCH(QStringList, expected);
    bool raw = true;
    QCOMPARE(demux({stream}, &raw), expected);
    QVERIFY(!raw);
}

void tst_DockerLogDemuxer::splitAtEveryPosition()
{
    QFETCH(QByteArray, stream);
    QFETCH(QStringList, expected);
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        const QStringList got = demux({stream.left(cut), stream.mid(cut)});
        QVERIFY2(got == expected, qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(got.join(QLatin1Char('|')))));
    }
    // And three pieces: every pair of cuts.
    for (qsizetype a = 0; a <= stream.size(); ++a) {
        for (qsizetype b = a; b <= stream.size(); ++b)
            QCOMPARE(demux({stream.left(a), stream.mid(a, b - a), stream.mid(b)}), expected);
    }
}

void tst_DockerLogDemuxer::byteByByte()
{
    QFETCH(QByteArray, stream);
    QFETCH(QStringList, expected);
    QList<QByteArray> pieces;
    for (char c : std::as_const(stream))
        pieces.append(QByteArray(1, c));
    QCOMPARE(demux(pieces), expected);
}

void tst_DockerLogDemuxer::hugeFrame()
{
    // 8 MiB in one stdout frame (65536 lines of 127 characters), plus a stderr frame after it,
    // fed in random-sized chunks: the frame is processed as it arrives.
    QByteArray payload;
    payload.reserve(8 * 1024 * 1024);
    for (int i = 0; i < 65536; ++i)
        payload += QByteArray::number(i).rightJustified(127, 'x') + '\n';
    const QByteArray stream = out(payload) + err("after\n");

    int stdoutLines = 0;
    bool contentOk = true;
    QStringList stderrLines;
    DockerLogDemuxer demuxer([&](const LogLine &line) {
        if (line.stream == LogLine::Stream::Stderr) {
            stderrLines.append(line.text);
            return;
        }
        contentOk = contentOk && line.text.size() == 127 && line.text.endsWith(QString::number(stdoutLines));
        ++stdoutLines;
    });
    QRandomGenerator random(42);
    for (qsizetype at = 0; at < stream.size();) {
        const qsizetype n = qMin<qsizetype>(random.bounded(1, 70000), stream.size() - at);
        demuxer.feed(stream.mid(at, n));
        at += n;
    }
    demuxer.finish();
    QCOMPARE(stdoutLines, 65536);
    QVERIFY(contentOk);
    QCOMPARE(stderrLines, QStringList{QStringLiteral("after")});
}

void tst_DockerLogDemuxer::overlongLineIsCut()
{
    QStringList lines;
    DockerLogDemuxer demuxer([&](const LogLine &line) { lines.append(line.text); }, 10);
    demuxer.feed(out(QByteArray(25, 'a') + "\nshort\n" + QByteArray(10, 'b') + "\n"));
    demuxer.finish();
    QCOMPARE(lines,
             (QStringList{QString(10, QLatin1Char('a')), QString(10, QLatin1Char('a')), QString(5, QLatin1Char('a')),
                          QStringLiteral("short"), QString(10, QLatin1Char('b'))}));
}

void tst_DockerLogDemuxer::rawStreamFallback()
{
    // A TTY container's stream has no headers; it is read as plain stdout.
    bool raw = false;
    QCOMPARE(demux({"hello\nwor", "ld\n", "tail"}, &raw),
             (QStringList{QStringLiteral("O:hello"), QStringLiteral("O:world"), QStringLiteral("O:tail")}));
    QVERIFY(raw);
    QCOMPARE(demux({"h", "i\n"}, &raw), QStringList{QStringLiteral("O:hi")});
    QVERIFY(raw);
}

void tst_DockerLogDemuxer::emptyStream()
{
    QCOMPARE(demux({}), QStringList{});
    QCOMPARE(demux({QByteArray()}), QStringList{});
}

QTEST_GUILESS_MAIN(tst_DockerLogDemuxer)
#include "tst_dockerlogdemuxer.moc"
