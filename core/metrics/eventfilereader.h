#pragma once

#include "eventdecoder.h"

#include <QString>

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
    explicit EventFileReader(QString path, bool checkCrc = true);

    /// Reads the new records of the file, hands its scalars to `sink` through `decoder`, and
    /// adds what happened to `report`.
    void readNew(EventDecoder &decoder, const EventDecoder::Sink &sink, ReadReport &report);

    const QString &path() const { return m_path; }
    /// Where the next read starts.
    qint64 offset() const { return m_offset; }
    /// True once a length field failed its CRC: the file cannot be framed past offset().
    bool isBroken() const { return m_broken; }

private:
    QString m_path;
    bool m_checkCrc;
    qint64 m_offset = 0;
    bool m_broken = false;
    bool m_openErrorReported = false;
};

} // namespace trainyard::core
