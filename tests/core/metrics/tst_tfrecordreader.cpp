#include "metrics/tfrecordreader.h"

#include "support/eventfilewriter.h"

#include <QBuffer>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;
using namespace trainyard::test;
using Status = TfRecordReader::Status;

namespace {

struct Read
{
    QList<QByteArray> records;
    QList<qint64> offsets;
    Status last = Status::End;
    qint64 resumeOffset = 0;
    QStringList errors;
};

/// Reads `bytes` from `start` until End, Unfinished or BadFraming.
Read readAll(const QByteArray &bytes, qint64 start = 0, bool checkCrc = true)
{
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    TfRecordReader reader(buffer, start, QStringLiteral("test.tfevents"), checkCrc);
    Read r;
    for (;;) {
        r.last = reader.next();
        if (r.last == Status::Record) {
            r.records.append(QByteArray(reader.record().data(), qsizetype(reader.record().size())));
            r.offsets.append(reader.recordOffset());
            continue;
        }
        if (r.last == Status::BadRecord) {
            r.errors.append(reader.error().toString());
            continue;
        }
        if (r.last == Status::BadFraming) {
            r.errors.append(reader.error().toString());
            if (reader.next() != Status::BadFraming) // stays broken, never loops
                r.errors.append(QStringLiteral("read on after a framing error"));
        }
        break;
    }
    r.resumeOffset = reader.resumeOffset();
    return r;
}

const QList<QByteArray> payloads{"first", QByteArray(), QByteArray(3000, 'x'), "fourth record"};

} // namespace

class tst_TfRecordReader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsRecordsAndOffsets();
    void emptyStream();
    void unfinishedAtEveryCut();
    void dataCrcMismatchIsReportedAndSkipped();
    void lengthCrcMismatchStopsWithOffset();
    void hugeLengthIsDamageNotAllocated();
    void sparseFileClaimingGigabytes();
    void crcCheckCanBeTurnedOff();
    void resumesFromAnOffset();
    void recordLargerThanTheBuffer();
    void growingFile();
    void findRecordStartFromAnywhere();
};

void tst_TfRecordReader::readsRecordsAndOffsets()
{
    const Read r = readAll(records(payloads));
    QCOMPARE(r.last, Status::End);
    QCOMPARE(r.records, payloads);
    QCOMPARE(r.offsets, (QList<qint64>{0, 16 + 5, 16 + 5 + 16, 16 + 5 + 16 + 16 + 3000}));
    QCOMPARE(r.resumeOffset, qint64(records(payloads).size()));
    QVERIFY(r.errors.isEmpty());
}

void tst_TfRecordReader::emptyStream()
{
    const Read r = readAll(QByteArray());
    QCOMPARE(r.last, Status::End);
    QVERIFY(r.records.isEmpty());
    QCOMPARE(r.resumeOffset, 0);
}

// Cut the stream anywhere inside the last record: every earlier record is read, and the
// reader stops cleanly at the last record's start.
void tst_TfRecordReader::unfinishedAtEveryCut()
{
    const QByteArray whole = records(payloads);
    const qint64 lastStart = whole.size() - record(payloads.last()).size();
    for (qint64 cut = lastStart + 1; cut < whole.size(); ++cut) {
        const Read r = readAll(whole.left(cut));
        QCOMPARE(r.last, Status::Unfinished);
        QCOMPARE(r.records, payloads.mid(0, 3));
        QCOMPARE(r.resumeOffset, lastStart);
        QVERIFY(r.errors.isEmpty());
    }
}

void tst_TfRecordReader::dataCrcMismatchIsReportedAndSkipped()
{
    QByteArray bytes = records(payloads);
    const qint64 third = record(payloads[0]).size() + record(payloads[1]).size();
    bytes[third + 12 + 100] = char(bytes[third + 12 + 100] ^ 0x01); // one bit of the third record's data
    const Read r = readAll(bytes);
    QCOMPARE(r.last, Status::End);
    QCOMPARE(r.records, (QList<QByteArray>{payloads[0], payloads[1], payloads[3]}));
    QCOMPARE(r.errors.size(), 1);
    QVERIFY2(r.errors[0].startsWith(QStringLiteral("test.tfevents: error:")), qPrintable(r.errors[0]));
    QVERIFY2(r.errors[0].contains(QStringLiteral("offset %1").arg(third)), qPrintable(r.errors[0]));
    QVERIFY2(r.errors[0].contains(QStringLiteral("CRC")), qPrintable(r.errors[0]));
}

void tst_TfRecordReader::lengthCrcMismatchStopsWithOffset()
{
    QByteArray bytes = records(payloads);
    const qint64 second = record(payloads[0]).size();
    bytes[second + 9] = char(bytes[second + 9] ^ 0x40); // the second record's length CRC
    const Read r = readAll(bytes);
    QCOMPARE(r.last, Status::BadFraming);
    QCOMPARE(r.records, payloads.mid(0, 1));
    QCOMPARE(r.errors.size(), 1);
    QVERIFY2(r.errors[0].contains(QStringLiteral("offset %1").arg(second)), qPrintable(r.errors[0]));
    QVERIFY2(r.errors[0].contains(QStringLiteral("length")), qPrintable(r.errors[0]));
    QCOMPARE(r.resumeOffset, second);
}

namespace {
QByteArray headerClaiming(quint64 length)
{
    QByteArray header(reinterpret_cast<const char *>(&length), 8);
    const quint32 crc = crc32c::mask(crc32c::value(header.constData(), 8));
    header.append(reinterpret_cast<const char *>(&crc), 4);
    return header;
}
} // namespace

// A length with a valid CRC that claims more than a record may have (a hostile or damaged file)
// is damage, reported with its offset, what was read before it kept: nothing of that size is
// ever allocated. A sane length past the end is a record still being written.
void tst_TfRecordReader::hugeLengthIsDamageNotAllocated()
{
    for (const quint64 length :
         {quint64(TfRecordReader::MaxRecordBytes) + 1, quint64(1) << 40, quint64(1) << 62, ~quint64(0)}) {
        const Read r = readAll(record("ok") + headerClaiming(length) + QByteArray(64, 'z'));
        QCOMPARE(r.last, Status::BadFraming);
        QCOMPARE(r.records, QList<QByteArray>{"ok"});
        QCOMPARE(r.errors.size(), 1);
        QVERIFY2(r.errors.first().contains(QStringLiteral("record at offset %1: its length field claims %2 bytes")
                                               .arg(record("ok").size())
                                               .arg(length)),
                 qPrintable(r.errors.first()));
    }
    const Read writing = readAll(record("ok") + headerClaiming(1000) + QByteArray(64, 'z'));
    QCOMPARE(writing.last, Status::Unfinished);
    QCOMPARE(writing.resumeOffset, record("ok").size());
}

// The file of the hardening issue (M1): sparse, a few KB on disk, 40 GB long, whose one record
// claims 40 GB with a valid CRC. It threw std::bad_alloc; now it is damage at offset 0.
void tst_TfRecordReader::sparseFileClaimingGigabytes()
{
    QTemporaryDir tmp;
    QFile file(tmp.filePath(QStringLiteral("events.out.tfevents.1.sparse")));
    QVERIFY(file.open(QIODevice::ReadWrite));
    const qint64 claimed = qint64(40) << 30;
    QVERIFY(file.write(record("first") + headerClaiming(quint64(claimed))) > 0);
    if (!file.resize(claimed + 64))
        QSKIP("this file system cannot make a sparse 40 GB file");
    QVERIFY(file.seek(0));
    TfRecordReader reader(file, 0, file.fileName());
    QCOMPARE(reader.next(), Status::Record);
    QCOMPARE(reader.next(), Status::BadFraming);
    QVERIFY2(reader.error().toString().contains(QLatin1String("claims 42949672960 bytes")),
             qPrintable(reader.error().toString()));
    QCOMPARE(reader.resumeOffset(), record("first").size());
}

void tst_TfRecordReader::crcCheckCanBeTurnedOff()
{
    QByteArray bytes = records(payloads);
    bytes[12] = char(bytes[12] ^ 0x01); // first record's data
    bytes[9] = char(bytes[9] ^ 0x01);   // and its length CRC
    const Read checked = readAll(bytes);
    QCOMPARE(checked.last, Status::BadFraming);
    const Read unchecked = readAll(bytes, 0, false);
    QCOMPARE(unchecked.last, Status::End);
    QCOMPARE(unchecked.records.size(), payloads.size());
    QCOMPARE(unchecked.records[0], QByteArray("girst"));
}

void tst_TfRecordReader::resumesFromAnOffset()
{
    const QByteArray bytes = records(payloads);
    const qint64 third = record(payloads[0]).size() + record(payloads[1]).size();
    const Read r = readAll(bytes, third);
    QCOMPARE(r.records, payloads.mid(2));
    QCOMPARE(r.offsets.first(), third);
}

void tst_TfRecordReader::recordLargerThanTheBuffer()
{
    QByteArray big(3 * 1024 * 1024 + 17, '\0');
    for (qsizetype i = 0; i < big.size(); ++i)
        big[i] = char(i * 7);
    const QList<QByteArray> list{QByteArray("a"), big, QByteArray("b")};
    const Read r = readAll(records(list));
    QCOMPARE(r.last, Status::End);
    QCOMPARE(r.records.size(), 3);
    QVERIFY(r.records[1] == big);
}

// A writer appends while we read: the unfinished record is picked up by the next reader,
// started at the offset the first one stopped at.
void tst_TfRecordReader::growingFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.out.tfevents.1.host"));
    const QByteArray whole = records(payloads);
    const qint64 cut = record(payloads[0]).size() + 7;
    QVERIFY(writeFile(path, whole.left(cut)));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
    TfRecordReader first(file, 0, path);
    QCOMPARE(first.next(), Status::Record);
    QCOMPARE(first.next(), Status::Unfinished);
    const qint64 resume = first.resumeOffset();
    QCOMPARE(resume, record(payloads[0]).size());

    QVERIFY(appendFile(path, whole.mid(cut)));
    TfRecordReader second(file, resume, path);
    QList<QByteArray> rest;
    while (second.next() == Status::Record)
        rest.append(QByteArray(second.record().data(), qsizetype(second.record().size())));
    QCOMPARE(rest, payloads.mid(1));
    QCOMPARE(second.resumeOffset(), whole.size());
}

// Where a second thread starts reading a file (EventFileReader): the first whole record at or
// after any offset, skipping records whose data fails its CRC, none past the end or the scan.
void tst_TfRecordReader::findRecordStartFromAnywhere()
{
    QList<QByteArray> payloads;
    for (int i = 0; i < 6; ++i)
        payloads.append(QByteArray(20 + i, char('a' + i)));
    QByteArray bytes = records(payloads);
    QList<qint64> starts{0};
    for (const QByteArray &p : payloads)
        starts.append(starts.last() + TfRecordReader::HeaderSize + p.size() + TfRecordReader::FooterSize);
    // Record 3's data fails its CRC: never a place to start.
    bytes[starts[3] + TfRecordReader::HeaderSize + 2] = 'X';
    QBuffer buffer(&bytes);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    for (qint64 from = 0; from < bytes.size(); ++from) {
        qint64 expected = -1;
        for (int r = 0; r < payloads.size(); ++r) {
            if (starts[r] >= from && r != 3) {
                expected = starts[r];
                break;
            }
        }
        QCOMPARE(TfRecordReader::findRecordStart(buffer, from, 1 << 20), expected);
    }
    // The scan looks no further than asked.
    QCOMPARE(TfRecordReader::findRecordStart(buffer, starts[0] + 1, starts[1] - starts[0] - 1), qint64(-1));
    QCOMPARE(TfRecordReader::findRecordStart(buffer, starts[0] + 1, starts[1] - starts[0]), starts[1]);
    // A length that passes its CRC but claims more than the file holds is no record.
    const QByteArray cut = records({QByteArray(100, 'z')}).left(60);
    QByteArray cutCopy = cut;
    QBuffer cutBuffer(&cutCopy);
    QVERIFY(cutBuffer.open(QIODevice::ReadOnly));
    QCOMPARE(TfRecordReader::findRecordStart(cutBuffer, 0, 1 << 20), qint64(-1));
}

QTEST_GUILESS_MAIN(tst_TfRecordReader)
#include "tst_tfrecordreader.moc"
