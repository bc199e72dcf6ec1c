#include "eventfilereader.h"

#include "tfrecordreader.h"

#include <QFile>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <future>
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

/// Where a read in two parts starts looking for the second part's first record, as a share of
/// the new bytes: the first part's thread also hands the second part's values to the sink.
constexpr double kFirstPartShare = 0.45;
/// How far it looks (a record is rarely larger; when none starts there, one thread reads all).
constexpr qint64 kSplitScanBytes = qint64(1) << 20;

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

void EventFileReader::readNew(EventDecoder &decoder, const EventDecoder::Sink &sink, ReadReport &report,
                              const TagFilter &keepTag)
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
    const bool ahead =
        m_readAheadFrom == 0 || (fileSize - m_offset >= m_readAheadFrom && QThread::idealThreadCount() > 1);
    if (!ahead) {
        TfRecordReader records(file, m_offset, m_path, m_checkCrc);
        for (;;) {
            if (!take(nextStep(records), decoder, sink, report, file))
                break;
        }
    } else {
        readInTwoParts(file, fileSize, decoder, sink, report, keepTag);
    }
    report.bytesRead += m_offset - start;
}

/// The second part of a file read in two: read on its own thread, by its own decoder, up to
/// where reading stops; its values wait there for the first part's decoder (EventDecoder::apply).
/// It lives on the heap, on cache lines of its own: what either thread writes for each record
/// must share no line with what the other touches, or every record waits for the line to come
/// back from the other core (on this project's 2-core machine that made both parts about twice
/// as slow as one thread alone).
struct alignas(128) EventFileReader::SecondPart
{
    qint64 begin = -1; ///< its first record; -1: none found, the first part reads the whole file
    EventDecoder reader;
    EventDecoder::PendingValues values;             ///< of the tags kept
    std::vector<signed char> keeps;                 ///< by the reader's tag id: 1 kept, -1 not, 0 not asked yet
    std::vector<EventDecoder::PendingTally> others; ///< by the reader's tag id, of the tags not kept
    ReadReport report;                              ///< records read, damage; points are counted as they are applied
    Step last;                                      ///< where it stopped (not a record)
    Error lastError;                                ///< last.error points here
    std::atomic<bool> cancelled{false};

    void setAsideOthers(size_t n, const TagFilter &keepTag);

    void read(const QString &path, bool checkCrc, qint64 from, qint64 fileSize, const TagFilter &keepTag,
              std::promise<qint64> &found)
    {
        QFile own(path);
        if (own.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
            begin = TfRecordReader::findRecordStart(own, from, kSplitScanBytes);
        found.set_value(begin);
        if (begin < 0)
            return;
        // About a value per 50 bytes when the file holds scalars only (a guess, not a limit).
        // The file may have grown past the size the reading started with: never negative.
        values.reserve(size_t(std::clamp<qint64>(fileSize - begin, 0, qint64(128) << 20) / 48));
        TfRecordReader records(own, begin, path, checkCrc);
        // The filter as a flag of this thread's own: the caller's TagFilter may share a line
        // with what the first part writes for each record.
        const bool filtering = static_cast<bool>(keepTag);
        for (qint64 n = 0;; ++n) {
            if (n % 256 == 0 && cancelled.load(std::memory_order_relaxed))
                return;
            const Step step = nextStep(records);
            if (step.status == TfRecordReader::Status::Record) {
                ++report.recordsRead;
                const Result<int> read = reader.read(step.record, values);
                if (!read)
                    report.damage.push_back(undecodable(step.offset, read.error(), path));
                else if (filtering && *read > 0)
                    setAsideOthers(size_t(*read), keepTag);
            } else if (step.status == TfRecordReader::Status::BadRecord) {
                report.damage.push_back(*step.error);
            } else {
                last = step;
                if (step.error) {
                    lastError = *step.error;
                    last.error = &lastError;
                }
                return;
            }
        }
    }
};

/// Tallies the last `n` values read whose tags are not kept in `others`, instead of keeping them.
void EventFileReader::SecondPart::setAsideOthers(size_t n, const TagFilter &keepTag)
{
    size_t kept = values.size() - n;
    for (size_t i = values.size() - n; i < values.size(); ++i) {
        const int id = values[i].kind.tagId;
        if (size_t(id) >= keeps.size()) {
            keeps.resize(size_t(id) + 1, 0);
            others.resize(size_t(id) + 1);
        }
        if (keeps[size_t(id)] == 0)
            keeps[size_t(id)] = keepTag(reader.tag(id)) ? 1 : -1;
        if (keeps[size_t(id)] > 0)
            values[kept++] = values[i];
        else
            others[size_t(id)].add(values[i].kind);
    }
    values.resize(kept);
}

void EventFileReader::readInTwoParts(QFile &file, qint64 fileSize, EventDecoder &decoder,
                                     const EventDecoder::Sink &sink, ReadReport &report, const TagFilter &keepTag)
{
    const qint64 start = m_offset;
    const qint64 middle = start + qint64(double(fileSize - start) * kFirstPartShare);
    const auto secondPart = std::make_unique<SecondPart>();
    SecondPart &second = *secondPart;
    second.reader.setWireFastPath(decoder.wireFastPath());
    std::promise<qint64> found;
    std::future<qint64> secondBegins = found.get_future();
    std::thread thread([&] { second.read(m_path, m_checkCrc, middle, fileSize, keepTag, found); });

    // The first part, up to where the second begins. Records framed from the start decide
    // where the second part really begins: when they step over its first record (that was a
    // chance match inside a record), this thread reads on alone and the second part is dropped.
    TfRecordReader records(file, start, m_path, m_checkCrc);
    ReadReport first;    // counted apart from `report`, which may share a line with what the second part reads
    qint64 splitAt = -2; // not known yet
    bool merge = false;
    for (;;) {
        const qint64 next = records.resumeOffset();
        if (splitAt == -2 && next >= middle)
            splitAt = secondBegins.get();
        if (splitAt >= 0 && next >= splitAt) {
            merge = next == splitAt;
            if (merge)
                break;
            second.cancelled = true;
            splitAt = -1;
        }
        if (!take(nextStep(records), decoder, sink, first, file))
            break;
    }
    if (!merge)
        second.cancelled = true;
    thread.join();
    report.add(first);
    if (!merge)
        return;
    // A tag's values are all kept or all tallied: the two are independent.
    for (const EventDecoder::PendingValue &value : second.values)
        report.pointsAdded += decoder.apply(second.reader, value, sink);
    for (size_t id = 0; id < second.others.size(); ++id) {
        if (second.keeps[id] < 0)
            report.pointsAdded += decoder.settle(second.reader, int(id), second.others[id]);
    }
    decoder.countMessageParsesOf(second.reader);
    report.recordsRead += second.report.recordsRead;
    report.damage.insert(report.damage.end(), std::make_move_iterator(second.report.damage.begin()),
                         std::make_move_iterator(second.report.damage.end()));
    take(second.last, decoder, sink, report, file);
}

Error EventFileReader::undecodable(qint64 offset, const Error &error, const QString &path)
{
    return Error::error(QStringLiteral("record at offset %1: %2").arg(offset).arg(error.message), SourceLocation{path});
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
            report.damage.push_back(undecodable(step.offset, decoded.error(), m_path));
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
