// libFuzzer harness: arbitrary bytes as a TensorBoard event file (TFRecord framing, with and
// without CRC checks so that mutations reach the protobuf decoder), then as one bare Event
// record, and the points found through smoothing and downsampling. Built only in the separate
// clang tree (-DTRAINYARD_FUZZ=ON); see run_fuzz.sh next to this file (harness "eventreader").
#include "metrics/downsample.h"
#include "metrics/eventdecoder.h"
#include "metrics/smoothing.h"
#include "metrics/tfrecordreader.h"

#include <QBuffer>
#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

using namespace trainyard::core;

namespace {

void quietMessages(QtMsgType, const QMessageLogContext &, const QString &) {}

struct Collected
{
    std::vector<double> xs, ys;
    size_t tagBytes = 0;
};

void readFramed(const QByteArray &bytes, bool checkCrc, EventDecoder &decoder, const EventDecoder::Sink &sink)
{
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    if (!buffer.open(QIODevice::ReadOnly))
        std::abort();
    TfRecordReader reader(buffer, 0, QStringLiteral("fuzz.tfevents"), checkCrc);
    qint64 lastOffset = -1;
    for (;;) {
        const TfRecordReader::Status status = reader.next();
        if (status == TfRecordReader::Status::Record) {
            (void)decoder.decode(reader.record(), sink);
        } else if (status != TfRecordReader::Status::BadRecord) {
            break;
        }
        // Every record read or skipped must move the reader on: a loop here would be a hang.
        if (reader.resumeOffset() <= lastOffset)
            std::abort();
        lastOffset = reader.resumeOffset();
    }
    if (reader.resumeOffset() > bytes.size())
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    qInstallMessageHandler(quietMessages);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    EventDecoder decoder;
    Collected c;
    const EventDecoder::Sink sink = [&](int tagId, const ScalarPoint &p) {
        c.tagBytes += decoder.tag(tagId).size();
        c.xs.push_back(double(p.step));
        c.ys.push_back(p.value);
    };
    readFramed(bytes, true, decoder, sink);
    readFramed(bytes, false, decoder, sink);
    (void)decoder.decode(std::string_view(bytes.constData(), size_t(bytes.size())), sink);

    if (!c.ys.empty()) {
        const std::vector<double> smoothed = smoothTensorBoard(c.ys, 0.6);
        if (smoothed.size() != c.ys.size())
            std::abort();
        for (const size_t i : downsample::lttb(c.xs, c.ys, 16)) {
            if (i >= c.xs.size())
                std::abort();
        }
        for (const size_t i : downsample::minMaxPerColumn(c.xs, c.ys, -1e6, 1e6, 8)) {
            if (i >= c.xs.size())
                std::abort();
        }
    }
    return 0;
}
