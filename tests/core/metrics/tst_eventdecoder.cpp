// The Event decoder on generated records: every scalar encoding TensorBoard writers use, the
// per-tag memory of metadata, and everything that must be skipped.
#include "metrics/eventdecoder.h"

#include "support/eventfilewriter.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

using namespace trainyard::core;
using namespace trainyard::test;

namespace {

struct Decoded
{
    QByteArray tag;
    ScalarPoint point;
};

/// Decodes records one after the other with one decoder (as one run's files are read).
class Decoder
{
public:
    QList<Decoded> decode(const QByteArray &record, QString *error = nullptr)
    {
        QList<Decoded> out;
        const Result<int> n = m_decoder.decode(std::string_view(record.constData(), size_t(record.size())),
                                               [&](int tagId, const ScalarPoint &p) {
                                                   const std::string &tag = m_decoder.tag(tagId);
                                                   out.append({QByteArray(tag.data(), qsizetype(tag.size())), p});
                                               });
        if (!n && error)
            *error = n.error().message;
        if (n && *n != out.size())
            qWarning("decode() said %d, the sink got %d", *n, int(out.size()));
        return out;
    }

private:
    EventDecoder m_decoder;
};

quint64 bitsOf(double d)
{
    quint64 b;
    std::memcpy(&b, &d, 8);
    return b;
}

} // namespace

class tst_EventDecoder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void simpleValues();
    void nonFiniteValuesAreKept();
    void tensorDtypesAndEncodings_data();
    void tensorDtypesAndEncodings();
    void metadataOnlyOnFirstEvent();
    void tensorWithoutScalarsMetadataIsSkipped();
    void firstMetadataWins();
    void nonScalarTensorsAreSkipped_data();
    void nonScalarTensorsAreSkipped();
    void largeAndNegativeSteps();
    void unicodeTags();
    void eventsWithoutSummary();
    void manyValuesInOneEvent();
    void missingWallTimeAndStepAreZero();
    void unknownFieldsAreSkipped();
    void repeatedSummaryFieldsAreMerged();
    void malformedRecordsFail_data();
    void malformedRecordsFail();
    void readThenApplyIsDecode();
};

void tst_EventDecoder::simpleValues()
{
    Decoder d;
    const auto points = d.decode(summaryEvent(1700000000.25, 7, {simpleValue("loss", 0.1f)}));
    QCOMPARE(points.size(), 1);
    QCOMPARE(points[0].tag, QByteArray("loss"));
    QCOMPARE(points[0].point.step, 7);
    QCOMPARE(points[0].point.wallTime, 1700000000.25);
    QCOMPARE(points[0].point.value, double(0.1f)); // the float32 widened, not 0.1
}

void tst_EventDecoder::nonFiniteValuesAreKept()
{
    Decoder d;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const auto points = d.decode(summaryEvent(
        1, 1, {simpleValue("a", nan), simpleValue("b", inf), simpleValue("c", -inf), simpleValue("d", -0.0f)}));
    QCOMPARE(points.size(), 4);
    QVERIFY(std::isnan(points[0].point.value));
    QCOMPARE(points[1].point.value, std::numeric_limits<double>::infinity());
    QCOMPARE(points[2].point.value, -std::numeric_limits<double>::infinity());
    QCOMPARE(bitsOf(points[3].point.value), bitsOf(-0.0));

    const auto tensors = d.decode(
        summaryEvent(1, 2,
                     {tensorValue("e", tensor(DType::Double, Encoding::Content, std::nan("")), "scalars"),
                      tensorValue("f", tensor(DType::Float, Encoding::Packed, -std::numeric_limits<double>::infinity()),
                                  "scalars")}));
    QCOMPARE(tensors.size(), 2);
    QVERIFY(std::isnan(tensors[0].point.value));
    QCOMPARE(tensors[1].point.value, -std::numeric_limits<double>::infinity());
}

void tst_EventDecoder::tensorDtypesAndEncodings_data()
{
    QTest::addColumn<int>("dtype");
    QTest::addColumn<int>("encoding");
    QTest::addColumn<double>("realValue");
    QTest::addColumn<qint64>("intValue");
    QTest::addColumn<double>("expected");

    const QList<std::pair<const char *, Encoding>> encodings{
        {"packed", Encoding::Packed}, {"unpacked", Encoding::Unpacked}, {"tensor_content", Encoding::Content}};
    for (const auto &[name, encoding] : encodings) {
        const int e = int(encoding);
        QTest::addRow("float %s", name) << int(DType::Float) << e << 0.1 << qint64(0) << double(0.1f);
        QTest::addRow("float negative %s", name) << int(DType::Float) << e << -3.5e-8 << qint64(0) << double(-3.5e-8f);
        QTest::addRow("double %s", name) << int(DType::Double) << e << 0.1 << qint64(0) << 0.1;
        QTest::addRow("double tiny %s", name) << int(DType::Double) << e << 4.9e-324 << qint64(0) << 4.9e-324;
        QTest::addRow("int32 %s", name) << int(DType::Int32) << e << 0.0 << qint64(-7) << -7.0;
        QTest::addRow("int32 max %s", name) << int(DType::Int32) << e << 0.0 << qint64(2147483647) << 2147483647.0;
        QTest::addRow("int64 %s", name) << int(DType::Int64) << e << 0.0 << (qint64(1) << 40) + 1
                                        << double((qint64(1) << 40) + 1);
        QTest::addRow("int64 negative %s", name)
            << int(DType::Int64) << e << 0.0 << qint64(-123456789012) << -123456789012.0;
        QTest::addRow("float zero %s", name) << int(DType::Float) << e << 0.0 << qint64(0) << 0.0;
    }
}

void tst_EventDecoder::tensorDtypesAndEncodings()
{
    QFETCH(int, dtype);
    QFETCH(int, encoding);
    QFETCH(double, realValue);
    QFETCH(qint64, intValue);
    QFETCH(double, expected);
    Decoder d;
    const ProtoMessage t = tensor(DType(dtype), Encoding(encoding), realValue, intValue);
    const auto points = d.decode(summaryEvent(1.5, 3, {tensorValue("x", t, "scalars")}));
    QCOMPARE(points.size(), 1);
    QCOMPARE(points[0].tag, QByteArray("x"));
    QCOMPARE(bitsOf(points[0].point.value), bitsOf(expected));
    QCOMPARE(points[0].point.step, 3);
}

// TF2's tf.summary.scalar sends the `scalars` metadata with a tag's first value only.
void tst_EventDecoder::metadataOnlyOnFirstEvent()
{
    Decoder d;
    QCOMPARE(d.decode(summaryEvent(1, 0, {tensorValue("acc", tensor(DType::Float, Encoding::Content, 0.5), "scalars")}))
                 .size(),
             1);
    for (int step = 1; step <= 3; ++step) {
        const auto points =
            d.decode(summaryEvent(1 + step, step, {tensorValue("acc", tensor(DType::Float, Encoding::Content, step))}));
        QCOMPARE(points.size(), 1);
        QCOMPARE(points[0].point.value, double(step));
        QCOMPARE(points[0].point.step, step);
    }
    // A fresh decoder (a different run) does not know the tag.
    Decoder other;
    QCOMPARE(other.decode(summaryEvent(9, 9, {tensorValue("acc", tensor(DType::Float, Encoding::Content, 1))})).size(),
             0);
    // A tag first seen as a simple_value is a scalar tag too (TensorBoard migrates it so).
    QCOMPARE(other.decode(summaryEvent(9, 9, {simpleValue("legacy", 1)})).size(), 1);
    QCOMPARE(
        other.decode(summaryEvent(9, 10, {tensorValue("legacy", tensor(DType::Double, Encoding::Packed, 2))})).size(),
        1);
}

void tst_EventDecoder::tensorWithoutScalarsMetadataIsSkipped()
{
    Decoder d;
    // A rank-0 float with no metadata at all (TF1 Estimator files have such tensors), then one
    // of another plugin.
    QCOMPARE(d.decode(summaryEvent(1, 1, {tensorValue("raw", tensor(DType::Float, Encoding::Content, 1))})).size(), 0);
    QCOMPARE(d.decode(summaryEvent(1, 1, {tensorValue("h", tensor(DType::Float, Encoding::Content, 1), "histograms")}))
                 .size(),
             0);
    QCOMPARE(d.decode(summaryEvent(1, 2, {tensorValue("h", tensor(DType::Float, Encoding::Content, 1))})).size(), 0);
}

// TensorBoard keeps the first metadata of a tag; a later one does not change what the tag is.
void tst_EventDecoder::firstMetadataWins()
{
    Decoder d;
    QCOMPARE(
        d.decode(summaryEvent(1, 1, {tensorValue("t", tensor(DType::Float, Encoding::Content, 1), "scalars")})).size(),
        1);
    QCOMPARE(
        d.decode(summaryEvent(1, 2, {tensorValue("t", tensor(DType::Float, Encoding::Content, 2), "text")})).size(), 1);
    QCOMPARE(
        d.decode(summaryEvent(1, 1, {tensorValue("u", tensor(DType::Float, Encoding::Content, 1), "text")})).size(), 0);
    QCOMPARE(
        d.decode(summaryEvent(1, 2, {tensorValue("u", tensor(DType::Float, Encoding::Content, 2), "scalars")})).size(),
        0);
}

void tst_EventDecoder::nonScalarTensorsAreSkipped_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("rank 1") << tensorValue("v", tensor(DType::Float, Encoding::Content, 1, 0, {1}), "scalars").data();
    QTest::newRow("rank 2 doubles")
        << tensorValue("v", tensor(DType::Double, Encoding::Packed, 1, 0, {30, 3}), "scalars").data();
    QTest::newRow("string") << tensorValue("v", tensor(DType::String, Encoding::Packed, 1), "scalars").data();
    QTest::newRow("content of the wrong size")
        << tensorValue("v", ProtoMessage().varint(field::TensorDtype, 1).bytes(field::TensorContent, "12345678"),
                       "scalars")
               .data();
    QTest::newRow("no value at all")
        << tensorValue("v", ProtoMessage().varint(field::TensorDtype, 1), "scalars").data();
    QTest::newRow("two float_val")
        << tensorValue(
               "v",
               ProtoMessage().varint(field::TensorDtype, 1).fixed32(field::FloatVal, 1).fixed32(field::FloatVal, 2),
               "scalars")
               .data();
    QTest::newRow("unknown dtype (half)")
        << tensorValue("v", ProtoMessage().varint(field::TensorDtype, 19).bytes(field::TensorContent, "ab"), "scalars")
               .data();
    QTest::newRow("histogram") << histogramValue("v").data();
    QTest::newRow("hparams: metadata, no value") << ProtoMessage()
                                                        .bytes(field::ValueTag, "_hparams_/experiment")
                                                        .message(field::ValueMetadata, metadata("hparams"))
                                                        .data();
}

void tst_EventDecoder::nonScalarTensorsAreSkipped()
{
    QFETCH(QByteArray, value);
    Decoder d;
    QString error;
    ProtoMessage v;
    v.raw(value);
    const auto points = d.decode(summaryEvent(1, 1, {v, simpleValue("after", 2)}), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(points.size(), 1); // the next value of the same event is still read
    QCOMPARE(points[0].tag, QByteArray("after"));
}

void tst_EventDecoder::largeAndNegativeSteps()
{
    Decoder d;
    const qint64 beyondDouble = (qint64(1) << 53) + 1; // not representable as a double
    const qint64 steps[] = {beyondDouble, std::numeric_limits<qint64>::max(), -1, std::numeric_limits<qint64>::min()};
    for (const qint64 step : steps) {
        const auto points = d.decode(summaryEvent(1, step, {simpleValue("s", 1)}));
        QCOMPARE(points.size(), 1);
        QCOMPARE(points[0].point.step, step);
    }
}

void tst_EventDecoder::unicodeTags()
{
    Decoder d;
    const QByteArray tag = QStringLiteral(u"损失/训练 ✓ — Überprüfung 🚀").toUtf8();
    const auto points = d.decode(summaryEvent(1, 1, {simpleValue(tag, 4)}));
    QCOMPARE(points.size(), 1);
    QCOMPARE(points[0].tag, tag);
    QCOMPARE(QString::fromUtf8(points[0].tag), QStringLiteral(u"损失/训练 ✓ — Überprüfung 🚀"));
}

void tst_EventDecoder::eventsWithoutSummary()
{
    Decoder d;
    QString error;
    QCOMPARE(d.decode(fileVersionEvent(1), &error).size(), 0);
    QCOMPARE(d.decode(graphEvent(1, 100000), &error).size(), 0);
    QCOMPARE(d.decode(QByteArray(), &error).size(), 0); // an empty Event is valid protobuf
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_EventDecoder::manyValuesInOneEvent()
{
    Decoder d;
    QList<ProtoMessage> values;
    for (int i = 0; i < 15; ++i)
        values.append(i % 3 == 0 ? histogramValue("h" + QByteArray::number(i))
                                 : simpleValue("v" + QByteArray::number(i), float(i)));
    const auto points = d.decode(summaryEvent(5, 5, values));
    QCOMPARE(points.size(), 10);
    QCOMPARE(points[0].tag, QByteArray("v1"));
    QCOMPARE(points[9].tag, QByteArray("v14"));
    QCOMPARE(points[9].point.value, 14.0);
}

void tst_EventDecoder::missingWallTimeAndStepAreZero()
{
    Decoder d;
    const auto points = d.decode(summaryEvent(0, 0, {simpleValue("z", 1)}));
    QCOMPARE(points.size(), 1);
    QCOMPARE(points[0].point.step, 0);
    QCOMPARE(points[0].point.wallTime, 0.0);
}

void tst_EventDecoder::unknownFieldsAreSkipped()
{
    Decoder d;
    // Event.source_metadata (10), a session_log (7) and unknown fields in the Value, in any order.
    ProtoMessage value = simpleValue("k", 2.5f);
    value.varint(99, 12345).bytes(7, "node");
    const QByteArray summary = ProtoMessage().message(field::SummaryValue, value).data();
    const QByteArray event = ProtoMessage()
                                 .bytes(10, "writer")
                                 .bytes(field::EventSummary, summary)
                                 .varint(field::EventStep, 42)
                                 .message(7, ProtoMessage().varint(1, 1))
                                 .fixed64(field::EventWallTime, 3.0)
                                 .data();
    const auto points = d.decode(event);
    QCOMPARE(points.size(), 1);
    QCOMPARE(points[0].point.step, 42); // fields after the summary still count
    QCOMPARE(points[0].point.wallTime, 3.0);
    QCOMPARE(points[0].point.value, 2.5);
}

// Protobuf merges a message field that occurs twice; so must we (the values of both).
void tst_EventDecoder::repeatedSummaryFieldsAreMerged()
{
    Decoder d;
    const QByteArray first = ProtoMessage().message(field::SummaryValue, simpleValue("a", 1)).data();
    const QByteArray second = ProtoMessage().message(field::SummaryValue, simpleValue("b", 2)).data();
    const QByteArray event = ProtoMessage()
                                 .varint(field::EventStep, 5)
                                 .bytes(field::EventSummary, first)
                                 .varint(field::EventStep, 6) // the last occurrence wins
                                 .bytes(field::EventSummary, second)
                                 .data();
    const auto points = d.decode(event);
    QCOMPARE(points.size(), 2);
    QCOMPARE(points[0].tag, QByteArray("a"));
    QCOMPARE(points[1].tag, QByteArray("b"));
    QCOMPARE(points[1].point.value, 2.0);
    QCOMPARE(points[0].point.step, 6);
}

void tst_EventDecoder::malformedRecordsFail_data()
{
    QTest::addColumn<QByteArray>("record");
    const QByteArray good = summaryEvent(1, 1, {simpleValue("loss", 1)});
    QTest::newRow("cut short") << good.left(good.size() - 3);
    QTest::newRow("garbage") << QByteArray("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11);
    QTest::newRow("length past the end") << QByteArray("\x2a\x7f"
                                                       "abc",
                                                       5);
    QTest::newRow("field number 0") << QByteArray("\x02\x00", 2);
    QTest::newRow("bad nested value") << ProtoMessage().bytes(field::EventSummary, "\x0a\x05\x0a\x09").data();
}

void tst_EventDecoder::malformedRecordsFail()
{
    QFETCH(QByteArray, record);
    Decoder d;
    QString error;
    d.decode(record, &error);
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains(QStringLiteral("Event")), qPrintable(error));
    // The decoder carries on with the next record.
    QCOMPARE(d.decode(summaryEvent(1, 1, {simpleValue("loss", 1)})).size(), 1);
}

namespace {

std::string_view viewOf(const QByteArray &bytes)
{
    return {bytes.constData(), size_t(bytes.size())};
}

QByteArray pointText(const EventDecoder &decoder, int tagId, const ScalarPoint &p)
{
    return QByteArray::fromStdString(decoder.tag(tagId)) + ' ' + QByteArray::number(p.step) + ' ' +
           QByteArray::number(p.value);
}

QByteArrayList scalarTags(const EventDecoder &decoder)
{
    QByteArrayList tags;
    for (int id = 0; id < decoder.tagCount(); ++id) {
        if (decoder.isScalarTag(id))
            tags << QByteArray::fromStdString(decoder.tag(id));
    }
    std::sort(tags.begin(), tags.end());
    return tags;
}

} // namespace

// A run decoded in two parts (EventFileReader's second thread): the second part read() by
// another decoder, then its values applied (the tags kept) or tallied and settled (the others)
// by the decoder of the first. Wherever the run is split, the points, their count and the tags'
// kinds are those of decoding it in one, including tags whose kind is fixed in the other part.
void tst_EventDecoder::readThenApplyIsDecode()
{
    const auto scalarTensor = [](const QByteArray &tag, double v, const QByteArray &plugin = {}) {
        return tensorValue(tag, tensor(DType::Float, Encoding::Content, v), plugin);
    };
    const QList<QByteArray> records{
        fileVersionEvent(1),
        summaryEvent(1, 0, {scalarTensor("late", 0)}), // no kind yet: not a point
        summaryEvent(1, 1, {simpleValue("loss", 1), scalarTensor("tf2", 1, "scalars")}),
        summaryEvent(1, 2, {scalarTensor("late", 2), scalarTensor("tf2", 2), scalarTensor("text", 2, "text")}),
        summaryEvent(1, 3, {scalarTensor("late", 3, "scalars"), scalarTensor("text", 3)}), // "late" fixed here
        summaryEvent(1, 4,
                     {scalarTensor("late", 4), simpleValue("loss", 4), scalarTensor("tf2", 4), histogramValue("h")}),
        summaryEvent(1, 5, {scalarTensor("text", 5, "scalars"), scalarTensor("late", 5), simpleValue("text", 5)}),
    };
    const auto kept = [](const std::string &tag) { return tag == "loss" || tag == "late"; };

    EventDecoder whole;
    QList<std::pair<int, QByteArray>> reference; // record index, point
    qint64 referenceCount = 0;
    for (int i = 0; i < records.size(); ++i) {
        const Result<int> n = whole.decode(viewOf(records[i]), [&](int id, const ScalarPoint &p) {
            reference.append({i, pointText(whole, id, p)});
        });
        QVERIFY(n);
        referenceCount += *n;
    }
    QCOMPARE(referenceCount, 9);

    for (int split = 0; split <= records.size(); ++split) {
        for (const bool filtered : {false, true}) {
            const QByteArray row = "split " + QByteArray::number(split) + (filtered ? " filtered" : "");
            EventDecoder first;
            EventDecoder second;
            QByteArrayList points;
            const EventDecoder::Sink sink = [&](int id, const ScalarPoint &p) { points << pointText(first, id, p); };
            qint64 count = 0;
            for (int i = 0; i < split; ++i)
                count += *first.decode(viewOf(records[i]), sink);
            EventDecoder::PendingValues values;
            for (int i = split; i < records.size(); ++i)
                QVERIFY(second.read(viewOf(records[i]), values));
            std::map<int, EventDecoder::PendingTally> tallies;
            for (const EventDecoder::PendingValue &v : values) {
                if (!filtered || kept(second.tag(v.kind.tagId)))
                    count += first.apply(second, v, sink);
                else
                    tallies[v.kind.tagId].add(v.kind);
            }
            for (const auto &[id, tally] : tallies)
                count += first.settle(second, id, tally);

            QByteArrayList expected;
            for (const auto &[index, point] : reference) {
                if (index < split || !filtered || kept(point.left(point.indexOf(' ')).toStdString()))
                    expected << point;
            }
            QVERIFY2(points == expected,
                     QByteArray(row + ": " + points.join(", ") + " | " + expected.join(", ")).constData());
            QVERIFY2(count == referenceCount, row.constData());
            QVERIFY2(scalarTags(first) == scalarTags(whole),
                     QByteArray(row + ": " + scalarTags(first).join(", ")).constData());
        }
    }
}

QTEST_GUILESS_MAIN(tst_EventDecoder)
#include "tst_eventdecoder.moc"
