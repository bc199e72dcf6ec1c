#pragma once

#include "eventdecoder.h"

#include <QString>

QT_BEGIN_NAMESPACE
class QFile;
QT_END_NAMESPACE

namespace trainyard::core {
class TfRecordReader;
}

#include <functional>
#include <string>
#include <vector>

namespace trainyard::core {

/// What one read of event files did.
struct ReadReport
{
    qint64 pointsAdded = 0; ///< points decoded (with those of tags a ScalarTailer does not keep)
    qint64 recordsRead = 0;
    qint64 bytesRead = 0; ///< bytes of whole records consumed
    /// CRC mismatches, undecodable records, unreadable files: each names the file and byte
    /// offset. Every record before a damaged one was kept, and reading went on after it when
    /// the framing allowed.
    std::vector<Error> damage;
    /// Warnings: files that end inside a record (a writer still writing, or killed). Not
    /// damage; the next read resumes at that record.
    std::vector<Error> unfinished;

    bool isDamaged() const { return !damage.empty(); }
    void add(const ReadReport &other);
};

/// Reads one event file incrementally: each readNew() decodes the records appended since the
/// last one, from the offset where it stopped (after the last whole record).
class EventFileReader final
{
public:
    /// New bytes from which a read is split in two parts, the second read on another thread
    /// (with more than one core) while the calling one reads the first.
    static constexpr qint64 kReadAheadBytes = qint64(4) << 20;

    /// `readAheadFrom`: new bytes from which a read is split (0: always, even on one core).
    explicit EventFileReader(QString path, bool checkCrc = true, qint64 readAheadFrom = kReadAheadBytes);

    /// The tags whose points a sink keeps (UTF-8 bytes as written). A read in two parts asks it
    /// from its second thread too, so the points of the others need not wait there; the sink may
    /// still be given some of them.
    using TagFilter = std::function<bool(const std::string &tag)>;

    /// Reads the new records of the file, hands its scalars to `sink` through `decoder`, and
    /// adds what happened to `report`. `keepTag`: see TagFilter; empty: all are kept.
    void readNew(EventDecoder &decoder, const EventDecoder::Sink &sink, ReadReport &report,
                 const TagFilter &keepTag = {});

    const QString &path() const { return m_path; }
    /// Where the next read starts.
    qint64 offset() const { return m_offset; }
    /// True once a length field failed its CRC: the file cannot be framed past offset().
    bool isBroken() const { return m_broken; }

private:
    struct Step;
    struct SecondPart;
    /// The reader's next step; its record and error stay the reader's until the step after.
    static Step nextStep(TfRecordReader &records);
    /// readNew() in two parts, the second read on another thread and its values handed to
    /// `sink` once the first part is done; in one when no second part can be found.
    void readInTwoParts(QFile &file, qint64 fileSize, EventDecoder &decoder, const EventDecoder::Sink &sink,
                        ReadReport &report, const TagFilter &keepTag);
    /// The damage of a record that is no Event.
    static Error undecodable(qint64 offset, const Error &error, const QString &path);
    /// Takes one step of the record reader into `report` (a record decoded, or damage); false
    /// when reading stopped there (m_offset and m_broken then say where and why). `file` is the
    /// one read, no longer read by another thread when reading stops.
    bool take(const Step &step, EventDecoder &decoder, const EventDecoder::Sink &sink, ReadReport &report,
              const QFile &file);

    QString m_path;
    bool m_checkCrc;
    qint64 m_readAheadFrom;
    qint64 m_offset = 0;
    bool m_broken = false;
    bool m_openErrorReported = false;
};

} // namespace trainyard::core
