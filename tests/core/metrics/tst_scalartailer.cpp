// Event files on disk, read by ScalarTailer (and followed by ScalarWatcher): runs with several
// files, empty files, unfinished tails, damaged records and files that grow while tailed.
#include "metrics/scalartailer.h"
#include "metrics/scalarwatcher.h"

#include "support/eventfilewriter.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace trainyard::core;
using namespace trainyard::test;

namespace {

/// A file version event, then `count` simple_value events for `tag`, steps first..first+count-1,
/// value = step / 2.
QList<QByteArray> lossEvents(int first, int count, const QByteArray &tag = "loss")
{
    QList<QByteArray> payloads{fileVersionEvent(1000)};
    for (int s = first; s < first + count; ++s)
        payloads.append(summaryEvent(1000 + s, s, {simpleValue(tag, float(s) / 2)}));
    return payloads;
}

QByteArray lossFile(int first, int count, const QByteArray &tag = "loss")
{
    return records(lossEvents(first, count, tag));
}

/// Byte offset of record `index` of a file of `payloads`.
qint64 offsetOf(const QList<QByteArray> &payloads, int index)
{
    return records(payloads.mid(0, index)).size();
}

QList<qint64> stepsOf(const RunScalars *run, const QString &tag)
{
    if (!run || !run->series.count(tag))
        return {};
    const auto steps = run->series.at(tag).steps();
    return QList<qint64>(steps.begin(), steps.end());
}

/// Options reading every file in order on one thread, or in two parts, the second on another
/// thread (EventFileReader's read-ahead, which large files get), as the test's data says.
ScalarTailer::Options readingOptions()
{
    QFETCH_GLOBAL(bool, readAhead);
    ScalarTailer::Options options;
    options.readAheadFromBytes = readAhead ? 0 : std::numeric_limits<qint64>::max();
    return options;
}

QList<qint64> range(qint64 first, qint64 count)
{
    QList<qint64> r;
    for (qint64 s = first; s < first + count; ++s)
        r.append(s);
    return r;
}

} // namespace

class tst_ScalarTailer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void nestedRunsAreNamedByPath();
    void resumedRunWithSeveralFiles();
    void emptyFile();
    void unfinishedTailIsResumed();
    void crcErrorMidFileKeepsTheRest();
    void lengthCrcErrorKeepsWhatCameBefore();
    void fileGrowingWhileTailed();
    void readInTwoPartsWithDamage();
    void recordInsideARecordIsNoPlaceToSplit();
    void newRunsAndFilesAppear();
    void runFilter();
    void tagFilterKeepsOnlyTheAskedTags();
    void missingLogdirFails();
    void memoryPerPoint();
    void watcherEmitsWhenSeriesGrow();
};

// Every case reads both ways: in order, and with the records framed ahead on a second thread.
void tst_ScalarTailer::initTestCase_data()
{
    QTest::addColumn<bool>("readAhead");
    QTest::newRow("in order") << false;
    QTest::newRow("read ahead") << true;
}

void tst_ScalarTailer::nestedRunsAreNamedByPath()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("lr_0.1/train")));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("lr_0.1/.hidden/eval")));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1.top")), lossFile(0, 2)));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("lr_0.1/train/events.out.tfevents.1.a")), lossFile(0, 3)));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("lr_0.1/.hidden/eval/events.out.tfevents.1.b")), lossFile(0, 4)));
    ScalarTailer tailer(dir.path(), readingOptions());
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(report);
    QCOMPARE(report->pointsAdded, 9);
    QCOMPARE(tailer.runs().size(), size_t(3));
    QCOMPARE(tailer.runs()[0]->name, QString());
    QCOMPARE(tailer.runs()[1]->name, QStringLiteral("lr_0.1/.hidden/eval"));
    QCOMPARE(tailer.runs()[2]->name, QStringLiteral("lr_0.1/train"));
    QCOMPARE(stepsOf(tailer.run(QStringLiteral("lr_0.1/.hidden/eval")), QStringLiteral("loss")), range(0, 4));
}

// A run restarted from a checkpoint writes a second file; TF2 writes a tag's metadata once per
// run, so the second file's tensors rely on the first file's metadata.
void tst_ScalarTailer::resumedRunWithSeveralFiles()
{
    QTemporaryDir dir;
    QList<QByteArray> first{fileVersionEvent(1)};
    first.append(summaryEvent(1, 0, {tensorValue("acc", tensor(DType::Float, Encoding::Content, 0.5), "scalars")}));
    for (int s = 1; s < 5; ++s)
        first.append(summaryEvent(1 + s, s, {tensorValue("acc", tensor(DType::Float, Encoding::Content, s))}));
    QList<QByteArray> second{fileVersionEvent(10)};
    for (int s = 3; s < 8; ++s) // steps 3 and 4 again: a restart from an earlier checkpoint
        second.append(summaryEvent(10 + s, s, {tensorValue("acc", tensor(DType::Float, Encoding::Packed, s * 10))}));
    // Written second-file-first: name order, not creation order, decides.
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1700000200.host.2.0.v2")), records(second)));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1700000100.host.1.0.v2")), records(first)));
    ScalarTailer tailer(dir.path(), readingOptions());
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(report && !report->isDamaged());
    QCOMPARE(stepsOf(tailer.run(QString()), QStringLiteral("acc")), (QList<qint64>{0, 1, 2, 3, 4, 3, 4, 5, 6, 7}));
    const auto values = tailer.run(QString())->series.at(QStringLiteral("acc")).values();
    QCOMPARE(values[0], 0.5);
    QCOMPARE(values[5], 30.0);
}

void tst_ScalarTailer::emptyFile()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1.empty")), QByteArray()));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.2.full")), lossFile(0, 3)));
    ScalarTailer tailer(dir.path(), readingOptions());
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(report);
    QVERIFY(!report->isDamaged());
    QVERIFY(report->unfinished.empty());
    QCOMPARE(report->pointsAdded, 3);
}

void tst_ScalarTailer::unfinishedTailIsResumed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.out.tfevents.1.host"));
    const QByteArray whole = lossFile(0, 10);
    const QByteArray lastRecord = record(summaryEvent(1009, 9, {simpleValue("loss", 4.5f)}));
    QVERIFY(whole.endsWith(lastRecord));
    const qint64 lastStart = whole.size() - lastRecord.size();
    QVERIFY(writeFile(path, whole.left(whole.size() - 5)));

    ScalarTailer tailer(dir.path(), readingOptions());
    Result<ReadReport> report = tailer.readNew();
    QVERIFY(report);
    QVERIFY(!report->isDamaged());
    QCOMPARE(report->pointsAdded, 9);
    QCOMPARE(report->unfinished.size(), size_t(1));
    QCOMPARE(report->unfinished[0].location.file, path);
    QVERIFY2(report->unfinished[0].message.contains(QStringLiteral("offset %1").arg(lastStart)),
             qPrintable(report->unfinished[0].toString()));

    QVERIFY(appendFile(path, whole.right(5)));
    report = tailer.readNew();
    QVERIFY(report);
    QCOMPARE(report->pointsAdded, 1);
    QVERIFY(report->unfinished.empty());
    QCOMPARE(stepsOf(tailer.run(QString()), QStringLiteral("loss")), range(0, 10));
}

void tst_ScalarTailer::crcErrorMidFileKeepsTheRest()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.out.tfevents.1.host"));
    QList<QByteArray> payloads{fileVersionEvent(1)};
    for (int s = 0; s < 5; ++s)
        payloads.append(summaryEvent(1 + s, s, {simpleValue("loss", float(s))}));
    QByteArray bytes = records(payloads);
    qint64 offset = 0;
    for (int i = 0; i < 3; ++i) // records 0..2: file version, steps 0 and 1
        offset += record(payloads[i]).size();
    bytes[offset + 14] = char(bytes[offset + 14] ^ 0x10); // step 2's data
    QVERIFY(writeFile(path, bytes));

    ScalarTailer tailer(dir.path(), readingOptions());
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(report);
    QCOMPARE(report->damage.size(), size_t(1));
    QCOMPARE(report->damage[0].location.file, path);
    QVERIFY2(report->damage[0].message.contains(QStringLiteral("offset %1").arg(offset)),
             qPrintable(report->damage[0].toString()));
    QCOMPARE(stepsOf(tailer.run(QString()), QStringLiteral("loss")), (QList<qint64>{0, 1, 3, 4}));
    // Reported once: a second read finds nothing new and no new damage.
    const Result<ReadReport> again = tailer.readNew();
    QVERIFY(again && !again->isDamaged() && again->pointsAdded == 0);
}

void tst_ScalarTailer::lengthCrcErrorKeepsWhatCameBefore()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.out.tfevents.1.host"));
    QByteArray bytes = lossFile(0, 6);
    const qint64 offset = offsetOf(lossEvents(0, 6), 4); // the record of step 3
    bytes[offset + 8] = char(bytes[offset + 8] ^ 0x01);
    QVERIFY(writeFile(path, bytes));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.2.host")), lossFile(100, 2)));
    ScalarTailer tailer(dir.path(), readingOptions());
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(report);
    QCOMPARE(report->damage.size(), size_t(1));
    QVERIFY2(report->damage[0].toString().startsWith(path + QStringLiteral(": error: record at offset %1").arg(offset)),
             qPrintable(report->damage[0].toString()));
    // Steps 0-2 of the broken file, then the next file of the run in full.
    QCOMPARE(stepsOf(tailer.run(QString()), QStringLiteral("loss")), (QList<qint64>{0, 1, 2, 100, 101}));
}

// A writer flushes at arbitrary byte positions; every read must add exactly the records that
// are complete by then, and the end result must be the whole series.
void tst_ScalarTailer::fileGrowingWhileTailed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.out.tfevents.1.host"));
    const QByteArray whole = lossFile(0, 200);
    QVERIFY(writeFile(path, QByteArray()));
    ScalarTailer tailer(dir.path(), readingOptions());
    qint64 written = 0;
    qint64 total = 0;
    int step = 1;
    while (written < whole.size()) {
        const qint64 n = std::min<qint64>(whole.size() - written, 1 + (step * 37) % 113);
        QVERIFY(appendFile(path, whole.mid(written, n)));
        written += n;
        ++step;
        const Result<ReadReport> report = tailer.readNew();
        QVERIFY(report && !report->isDamaged());
        total += report->pointsAdded;
        const RunScalars *run = tailer.run(QString());
        QCOMPARE(run ? run->pointCount() : 0, total);
    }
    QCOMPARE(total, 200);
    QCOMPARE(stepsOf(tailer.run(QString()), QStringLiteral("loss")), range(0, 200));
    QCOMPARE(tailer.run(QString())->series.at(QStringLiteral("loss")).values()[199], 99.5);
}

// A large file (read in two parts when read ahead: the second on another thread from about the
// middle) with a damaged record in each part and an unfinished tail: the points, the damage (in
// file order) and the place to resume are those of reading in order.
void tst_ScalarTailer::readInTwoPartsWithDamage()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.out.tfevents.1.host"));
    const QList<QByteArray> payloads = lossEvents(0, 100'000);
    QByteArray bytes = records(payloads);
    const qint64 early = offsetOf(payloads, 25'001); // step 25000, in the first part
    const qint64 late = offsetOf(payloads, 75'001);  // step 75000, in the second
    for (const qint64 damaged : {early, late})
        bytes[damaged + 14] = char(bytes[damaged + 14] ^ 0x10);
    QVERIFY(writeFile(path, bytes.left(bytes.size() - 3)));

    ScalarTailer tailer(dir.path(), readingOptions());
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(report);
    QCOMPARE(report->pointsAdded, 100'000 - 3); // the damaged two, and the unfinished last
    QCOMPARE(report->recordsRead, 1 + 100'000 - 3);
    QCOMPARE(report->damage.size(), size_t(2));
    QVERIFY2(report->damage[0].message.contains(QStringLiteral("offset %1").arg(early)),
             qPrintable(report->damage[0].toString()));
    QVERIFY2(report->damage[1].message.contains(QStringLiteral("offset %1").arg(late)),
             qPrintable(report->damage[1].toString()));
    const qint64 last = offsetOf(payloads, 100'000);
    QCOMPARE(report->unfinished.size(), size_t(1));
    QVERIFY2(report->unfinished[0].message.contains(QStringLiteral("offset %1").arg(last)),
             qPrintable(report->unfinished[0].toString()));
    QList<qint64> expected = range(0, 99'999);
    expected.removeAll(25'000);
    expected.removeAll(75'000);
    QCOMPARE(stepsOf(tailer.run(QString()), QStringLiteral("loss")), expected);

    QVERIFY(appendFile(path, bytes.right(3)));
    const Result<ReadReport> again = tailer.readNew();
    QVERIFY(again && !again->isDamaged() && again->unfinished.empty());
    QCOMPARE(again->pointsAdded, 1);
    QCOMPARE(again->bytesRead, bytes.size() - last);
}

// The second part starts at the first whole record found after the middle. Here the middle
// falls inside a graph whose bytes hold whole records of their own (a "fake" tag): they pass
// every CRC, but reading from the start steps over them, so they are no records of the file.
void tst_ScalarTailer::recordInsideARecordIsNoPlaceToSplit()
{
    QTemporaryDir dir;
    QByteArray inner;
    for (int i = 0; i < 2000; ++i)
        inner += record(summaryEvent(5, i, {simpleValue("fake", 42)}));
    QList<QByteArray> payloads = lossEvents(0, 10);
    payloads.append(ProtoMessage().fixed64(field::EventWallTime, 1).bytes(field::EventGraphDef, inner).data());
    payloads.append(lossEvents(10, 10).mid(1));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1.host")), records(payloads)));

    ScalarTailer tailer(dir.path(), readingOptions());
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(report && !report->isDamaged() && report->unfinished.empty());
    QCOMPARE(report->recordsRead, payloads.size());
    QCOMPARE(report->pointsAdded, 20);
    QCOMPARE(stepsOf(tailer.run(QString()), QStringLiteral("loss")), range(0, 20));
    QCOMPARE(tailer.run(QString())->series.size(), size_t(1));
}

void tst_ScalarTailer::newRunsAndFilesAppear()
{
    QTemporaryDir dir;
    ScalarTailer tailer(dir.path(), readingOptions());
    QVERIFY(tailer.readNew());
    QVERIFY(tailer.runs().empty());
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("b")));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("b/events.out.tfevents.1.x")), lossFile(0, 2)));
    QCOMPARE(tailer.readNew()->pointsAdded, 2);
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("a")));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("a/events.out.tfevents.1.x")), lossFile(0, 3)));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("b/events.out.tfevents.2.x")), lossFile(5, 1)));
    QCOMPARE(tailer.readNew()->pointsAdded, 4);
    QCOMPARE(tailer.runs().size(), size_t(2));
    QCOMPARE(tailer.runs()[0]->name, QStringLiteral("a"));
    QCOMPARE(stepsOf(tailer.run(QStringLiteral("b")), QStringLiteral("loss")), (QList<qint64>{0, 1, 5}));
    QVERIFY(tailer.watchedPaths().contains(dir.filePath(QStringLiteral("b/events.out.tfevents.2.x"))));
}

void tst_ScalarTailer::runFilter()
{
    QTemporaryDir dir;
    for (const char *run : {"keep/one", "skip", "keep/two"}) {
        QVERIFY(QDir(dir.path()).mkpath(QLatin1String(run)));
        QVERIFY(
            writeFile(dir.filePath(QLatin1String(run) + QStringLiteral("/events.out.tfevents.1.x")), lossFile(0, 1)));
    }
    ScalarTailer::Options options;
    options.acceptRun = [](const QString &name) { return name.startsWith(QLatin1String("keep")); };
    ScalarTailer tailer(dir.path(), options);
    QCOMPARE(tailer.readNew()->pointsAdded, 2);
    QCOMPARE(tailer.runs().size(), size_t(2));
    QVERIFY(!tailer.run(QStringLiteral("skip")));
}

// `trainyard scalars --tag` reads only what it prints: the other tags are decoded (their metadata
// still fixes their kind) but not stored; the filter is asked once per tag.
void tst_ScalarTailer::tagFilterKeepsOnlyTheAskedTags()
{
    QTemporaryDir dir;
    QList<QByteArray> payloads;
    for (int s = 0; s < 3; ++s)
        payloads.append(summaryEvent(s, s,
                                     {simpleValue("train/loss", float(s)), simpleValue("train/accuracy", 0.5f),
                                      tensorValue("eval/loss", tensor(DType::Float, Encoding::Content, float(s) / 2),
                                                  s == 0 ? "scalars" : "")}));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1.x")), records(payloads)));
    ScalarTailer::Options options;
    QStringList asked;
    options.acceptTag = [&asked](const QString &tag) {
        asked << tag;
        return tag.endsWith(QLatin1String("loss"));
    };
    ScalarTailer tailer(dir.path(), options);
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(report && !report->isDamaged());
    const RunScalars *run = tailer.run(QString());
    QVERIFY(run);
    QCOMPARE(run->series.size(), size_t(2));
    QCOMPARE(stepsOf(run, QStringLiteral("train/loss")), (QList<qint64>{0, 1, 2}));
    // The TF2 tag's later values (no metadata) are still known to be scalars.
    QCOMPARE(stepsOf(run, QStringLiteral("eval/loss")), (QList<qint64>{0, 1, 2}));
    QCOMPARE(run->series.at(QStringLiteral("eval/loss")).values()[2], 1.0);
    QVERIFY(!run->series.count(QStringLiteral("train/accuracy")));
    asked.sort();
    QCOMPARE(asked, (QStringList{QStringLiteral("eval/loss"), QStringLiteral("train/accuracy"),
                                 QStringLiteral("train/loss")}));
}

void tst_ScalarTailer::missingLogdirFails()
{
    QTemporaryDir dir;
    ScalarTailer tailer(dir.filePath(QStringLiteral("nope")));
    const Result<ReadReport> report = tailer.readNew();
    QVERIFY(!report);
    QCOMPARE(report.error().location.file, dir.filePath(QStringLiteral("nope")));
}

// A finished run read in one go holds 24 bytes per point: steps, wall times and values only.
void tst_ScalarTailer::memoryPerPoint()
{
    QTemporaryDir dir;
    QList<QByteArray> payloads;
    for (int s = 0; s < 100000; ++s)
        payloads.append(summaryEvent(s, s, {simpleValue("a", 1), simpleValue("b", 2)}));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1.x")), records(payloads)));
    ScalarTailer tailer(dir.path(), readingOptions());
    QCOMPARE(tailer.readNew()->pointsAdded, 200000);
    for (const auto &[tag, series] : tailer.run(QString())->series) {
        QCOMPARE(series.size(), 100000);
        QVERIFY2(series.memoryBytes() <= 24 * series.size(), qPrintable(QString::number(series.memoryBytes())));
    }
}

void tst_ScalarTailer::watcherEmitsWhenSeriesGrow()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.out.tfevents.1.host"));
    const QByteArray whole = lossFile(0, 20);
    const qint64 half = offsetOf(lossEvents(0, 20), 11); // up to step 9
    QVERIFY(writeFile(path, whole.left(half)));

    ScalarWatcher watcher(dir.path());
    watcher.setPollInterval(100);
    QSignalSpy updated(&watcher, &ScalarWatcher::updated);
    watcher.start();
    QCOMPARE(updated.size(), 1);
    QCOMPARE(updated.at(0).at(0).value<ReadReport>().pointsAdded, 10);

    QVERIFY(appendFile(path, whole.mid(half)));
    QVERIFY(updated.wait(5000));
    QCOMPARE(updated.last().at(0).value<ReadReport>().pointsAdded, 10);
    QCOMPARE(watcher.tailer().run(QString())->series.at(QStringLiteral("loss")).size(), 20);

    // Nothing new: no signal.
    QVERIFY(!updated.wait(400));
    watcher.stop();
}

QTEST_GUILESS_MAIN(tst_ScalarTailer)
#include "tst_scalartailer.moc"
