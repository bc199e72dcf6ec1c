#include "eventfilereader.h"

#include "tfrecordreader.h"

#include <QFile>
#include <QThread>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace trainyard::core {

void ReadReport::add(const ReadReport &other)
{
    pointsAdded += other.pointsAdded;
    recordsRead += other.recordsRead;
    bytesRead += other.bytesRead;
    damage.insert(damage.end(), other.damage.begin(), other.damage.end());
    unfinished.insert(unfinished.end(), other.unfinished.begin(), other.unfinished.end());
}

namespace {

/// Records framed and checked by the read-ahead thread, with where reading stopped at the end.
struct Batch
{
    struct Item
    {
        TfRecordReader::Status status = TfRecordReader::Status::End;
        qint64 offset = 0; ///< the record's
        size_t begin = 0;  ///< its bytes in Batch::bytes
        size_t size = 0;
        int error = -1;          ///< BadRecord, BadFraming: in Batch::errors
        qint64 resumeOffset = 0; ///< the last item's
    };
    std::string bytes;
    std::vector<Item> items; ///< a million records make a million items: kept small
    std::vector<Error> errors;
};

constexpr size_t kBatchBytes = size_t(1) << 20;
constexpr size_t kBatchesAhead = 4; ///< at most this many wait: the read-ahead stays a few MiB

/// The batches between the read-ahead thread and the decoding one, in order.
class BatchQueue
{
public:
    void push(Batch batch)
    {
        std::unique_lock lock(m_mutex);
        m_notFull.wait(lock, [&] { return m_batches.size() < kBatchesAhead; });
        m_batches.push_back(std::move(batch));
        m_notEmpty.notify_one();
    }
    Batch pop()
    {
        std::unique_lock lock(m_mutex);
        m_notEmpty.wait(lock, [&] { return !m_batches.empty(); });
        Batch batch = std::move(m_batches.front());
        m_batches.pop_front();
        m_notFull.notify_one();
        return batch;
    }
    /// A batch decoded, given back so that its memory is filled again (fresh pages cost a fault each).
    void recycle(Batch batch)
    {
        batch.bytes.clear();
        batch.items.clear();
        batch.errors.clear();
        std::lock_guard lock(m_mutex);
        m_spare.push_back(std::move(batch));
    }
    /// An empty batch, with the memory of a recycled one when there is one.
    Batch fresh()
    {
        std::lock_guard lock(m_mutex);
        if (m_spare.empty()) {
            Batch batch;
            batch.bytes.reserve(kBatchBytes + 4096);
            return batch;
        }
        Batch batch = std::move(m_spare.back());
        m_spare.pop_back();
        return batch;
    }

private:
    std::vector<Batch> m_spare;
    std::mutex m_mutex;
    std::condition_variable m_notFull;
    std::condition_variable m_notEmpty;
    std::deque<Batch> m_batches;
};

bool stops(TfRecordReader::Status status)
{
    return status != TfRecordReader::Status::Record && status != TfRecordReader::Status::BadRecord;
}

} // namespace

/// One step of the record reader, as the decoding takes it.
struct EventFileReader::Step
{
    TfRecordReader::Status status = TfRecordReader::Status::End;
    qint64 offset = 0;
    std::string_view record;
    const Error *error = nullptr; ///< BadRecord, BadFraming
    qint64 resumeOffset = 0;
};

EventFileReader::Step EventFileReader::nextStep(TfRecordReader &records)
{
    Step step;
    step.status = records.next();
    if (step.status == TfRecordReader::Status::Record) {
        step.offset = records.recordOffset();
        step.record = records.record();
    } else if (step.status != TfRecordReader::Status::End && step.status != TfRecordReader::Status::Unfinished) {
        step.error = &records.error();
    }
    if (stops(step.status))
        step.resumeOffset = records.resumeOffset();
    return step;
}

EventFileReader::EventFileReader(QString path, bool checkCrc, qint64 readAheadFrom)
    : m_path(std::move(path))
    , m_checkCrc(checkCrc)
    , m_readAheadFrom(readAheadFrom)
{}

void EventFileReader::readNew(EventDecoder &decoder, const EventDecoder::Sink &sink, ReadReport &report)
{
    if (m_broken)
        return;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        // A file that went away (a run folder cleaned up) is not damage; one we cannot read is,
        // once.
        if (file.exists() && !m_openErrorReported) {
            report.damage.push_back(
                Error::error(QStringLiteral("cannot open: %1").arg(file.errorString()), SourceLocation{m_path}));
            m_openErrorReported = true;
        }
        return;
    }
    m_openErrorReported = false;
    const qint64 fileSize = file.size();
    if (fileSize <= m_offset)
        return;

    const qint64 start = m_offset;
    TfRecordReader records(file, m_offset, m_path, m_checkCrc);
    const bool ahead =
        m_readAheadFrom == 0 || (fileSize - m_offset >= m_readAheadFrom && QThread::idealThreadCount() > 1);
    if (!ahead) {
        for (;;) {
            if (!take(nextStep(records), decoder, sink, report, file))
                break;
        }
    } else {
        // Framing, CRCs and reading the file on a second thread; decoding (the decoder and the
        // sink are this thread's) here, in the same order.
        BatchQueue queue;
        std::thread framer([&] {
            Batch batch = queue.fresh();
            for (;;) {
                // The step's record and error live in the reader until its next step: copied here.
                const Step step = nextStep(records);
                Batch::Item item{step.status,        step.offset, batch.bytes.size(),
                                 step.record.size(), -1,          step.resumeOffset};
                batch.bytes.append(step.record);
                if (step.error) {
                    item.error = int(batch.errors.size());
                    batch.errors.push_back(*step.error);
                }
                const bool last = stops(item.status);
                batch.items.push_back(item);
                if (last || batch.bytes.size() >= kBatchBytes) {
                    queue.push(std::move(batch));
                    if (last)
                        return;
                    batch = queue.fresh();
                }
            }
        });
        for (bool more = true; more;) {
            Batch batch = queue.pop();
            for (const Batch::Item &item : batch.items) {
                const Step step{item.status, item.offset, std::string_view(batch.bytes).substr(item.begin, item.size),
                                item.error >= 0 ? &batch.errors[size_t(item.error)] : nullptr, item.resumeOffset};
                if (!take(step, decoder, sink, report, file)) {
                    more = false; // the framer's last item: it has returned
                    break;
                }
            }
            queue.recycle(std::move(batch));
        }
        framer.join();
    }
    report.bytesRead += m_offset - start;
}

bool EventFileReader::take(const Step &step, EventDecoder &decoder, const EventDecoder::Sink &sink, ReadReport &report,
                           const QFile &file)
{
    switch (step.status) {
    case TfRecordReader::Status::Record: {
        ++report.recordsRead;
        const Result<int> decoded = decoder.decode(step.record, sink);
        if (decoded)
            report.pointsAdded += *decoded;
        else
            report.damage.push_back(
                Error::error(QStringLiteral("record at offset %1: %2").arg(step.offset).arg(decoded.error().message),
                             SourceLocation{m_path}));
        return true;
    }
    case TfRecordReader::Status::BadRecord:
        report.damage.push_back(*step.error);
        return true;
    case TfRecordReader::Status::BadFraming:
        report.damage.push_back(*step.error);
        m_broken = true;
        break;
    case TfRecordReader::Status::Unfinished:
        report.unfinished.push_back(
            Error::warning(QStringLiteral("unfinished record at offset %1 (%2 bytes): resumed at the next read")
                               .arg(step.resumeOffset)
                               .arg(file.size() - step.resumeOffset),
                           SourceLocation{m_path}));
        break;
    case TfRecordReader::Status::End:
        break;
    }
    m_offset = step.resumeOffset;
    return false;
}

} // namespace trainyard::core
