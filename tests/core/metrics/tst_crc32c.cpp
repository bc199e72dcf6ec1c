#include "metrics/crc32c.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTest>

#include <cstring>
#include <functional>

using namespace trainyard::core;

namespace {

using Extend = std::function<std::uint32_t(std::uint32_t, const void *, std::size_t)>;

std::uint32_t valueOf(const Extend &extend, const QByteArray &bytes)
{
    return extend(0, bytes.constData(), size_t(bytes.size()));
}

QByteArray filled(int size, const std::function<char(int)> &byteAt)
{
    QByteArray b(size, '\0');
    for (int i = 0; i < size; ++i)
        b[i] = byteAt(i);
    return b;
}

} // namespace

class tst_Crc32c final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownVectors_data();
    void knownVectors();
    void implementationsAgree();
    void extendIsIncremental();
    void maskRoundTrip();
    void realFileHeader();
};

void tst_Crc32c::knownVectors_data()
{
    QTest::addColumn<QString>("implementation");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<quint32>("expected");

    // The check value of the CRC-32C catalogue entry, and the RFC 3720 (iSCSI) B.4 examples.
    const QByteArray iscsiRead = QByteArray::fromHex("01c0000000000000000000000000000014000000000004000000001400000018"
                                                     "28000000000000000200000000000000");
    const QList<std::tuple<const char *, QByteArray, quint32>> vectors{
        {"123456789", QByteArray("123456789"), 0xE3069283u},
        {"empty", QByteArray(), 0x00000000u},
        {"32 zeros", QByteArray(32, '\0'), 0x8A9136AAu},
        {"32 ones", QByteArray(32, '\xff'), 0x62A8AB43u},
        {"ascending", filled(32, [](int i) { return char(i); }), 0x46DD794Eu},
        {"descending", filled(32, [](int i) { return char(31 - i); }), 0x113FDB5Cu},
        {"iSCSI read", iscsiRead, 0xD9963A56u},
    };
    for (const QString &impl : {QStringLiteral("portable"), QStringLiteral("hardware"), QStringLiteral("dispatch")}) {
        for (const auto &[name, input, expected] : vectors)
            QTest::addRow("%s %s", qPrintable(impl), name) << impl << input << expected;
    }
}

void tst_Crc32c::knownVectors()
{
    QFETCH(QString, implementation);
    QFETCH(QByteArray, input);
    QFETCH(quint32, expected);
    Extend extend = &crc32c::extend;
    if (implementation == QLatin1String("portable")) {
        extend = &crc32c::extendPortable;
    } else if (implementation == QLatin1String("hardware")) {
        if (!crc32c::hardwareAvailable())
            QSKIP("this CPU has no SSE4.2");
        extend = &crc32c::extendHardware;
    }
    QCOMPARE(valueOf(extend, input), expected);
}

// Every length up to 300 at every alignment, so the byte loops around the 8-byte loop are covered.
void tst_Crc32c::implementationsAgree()
{
    if (!crc32c::hardwareAvailable())
        QSKIP("this CPU has no SSE4.2");
    QByteArray data(400, '\0');
    QRandomGenerator rng(42);
    for (char &c : data)
        c = char(rng.bounded(256));
    for (int offset = 0; offset < 8; ++offset) {
        for (int length = 0; length <= 300; ++length) {
            const char *p = data.constData() + offset;
            const auto portable = crc32c::extendPortable(0x12345678u, p, size_t(length));
            const auto hardware = crc32c::extendHardware(0x12345678u, p, size_t(length));
            if (portable != hardware)
                QFAIL(qPrintable(QStringLiteral("offset %1 length %2: %3 != %4")
                                     .arg(offset)
                                     .arg(length)
                                     .arg(portable)
                                     .arg(hardware)));
        }
    }
}

void tst_Crc32c::extendIsIncremental()
{
    const QByteArray text("The quick brown fox jumps over the lazy dog, twice over and then some more");
    const std::uint32_t whole = crc32c::value(text.constData(), size_t(text.size()));
    for (int split = 0; split <= text.size(); ++split) {
        const std::uint32_t first = crc32c::value(text.constData(), size_t(split));
        QCOMPARE(crc32c::extend(first, text.constData() + split, size_t(text.size() - split)), whole);
        QCOMPARE(crc32c::extendPortable(first, text.constData() + split, size_t(text.size() - split)), whole);
    }
}

void tst_Crc32c::maskRoundTrip()
{
    for (const std::uint32_t crc : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu, 0x80000000u}) {
        QVERIFY(crc32c::mask(crc) != crc);
        QCOMPARE(crc32c::unmask(crc32c::mask(crc)), crc);
    }
    // Rotated right by 15: 0x2507C60D; plus 0xA282EAD8 modulo 2^32.
    QCOMPARE(crc32c::mask(0xE3069283u), 0xC78AB0E5u);
}

// The first record header of a real event file (written by TensorFlow) carries the masked CRC
// of its length field: ours must compute the same four bytes.
void tst_Crc32c::realFileHeader()
{
    QFile f(QStringLiteral(TRAINYARD_TEST_DATA
                           "/tfevents/katib/test/unit/v1beta1/metricscollector/testdata/"
                           "tfevent-metricscollector/logs/train/events.out.tfevents.1637681485.2d662933d616.19.0.v2"));
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.errorString()));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.size() > 16);
    quint64 length = 0;
    quint32 storedLengthCrc = 0, storedDataCrc = 0;
    std::memcpy(&length, bytes.constData(), 8);
    std::memcpy(&storedLengthCrc, bytes.constData() + 8, 4);
    QVERIFY(length + 16 <= quint64(bytes.size()));
    std::memcpy(&storedDataCrc, bytes.constData() + 12 + length, 4);
    QCOMPARE(crc32c::mask(crc32c::value(bytes.constData(), 8)), storedLengthCrc);
    QCOMPARE(crc32c::mask(crc32c::value(bytes.constData() + 12, size_t(length))), storedDataCrc);
    QCOMPARE(crc32c::mask(crc32c::extendPortable(0, bytes.constData() + 12, size_t(length))), storedDataCrc);
}

QTEST_GUILESS_MAIN(tst_Crc32c)
#include "tst_crc32c.moc"
