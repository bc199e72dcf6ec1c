#pragma once

#include "common/error.h"

#include <QString>

#include <memory>
#include <string_view>

class QIODevice;

namespace trainyard::core {

/// Reads the records of a TFRecord stream (the framing of TensorBoard event files), one at a time.
///
/// A record is: uint64 little-endian length, masked CRC-32C of those 8 bytes, the data, masked
/// CRC-32C of the data. Reading starts at a given offset (where an earlier read stopped) and
/// goes through a reused buffer filled in large blocks, so records cost neither a system call
/// nor an allocation, and record() points into that buffer. A length field is never trusted:
/// one above MaxRecordBytes is damage (BadFraming, with its offset); one beyond the bytes the
/// device has is a record still being written (Unfinished).
class TfRecordReader final
{
public:
    enum class Status {
        Record,     ///< a record was read: see record() and recordOffset()
        End,        ///< the stream ends on a record boundary
        Unfinished, ///< the stream ends inside a record (a writer still writing, or killed): resumeOffset() is its
                    ///< start
        BadRecord,  ///< the record's data fails its CRC: error() says where; reading can go on after it
        BadFraming, ///< a length fails its CRC: nothing after recordOffset() can be framed; error() says where
    };

    /// Reads `device` (open, readable, seekable) from `startOffset`. `name` is the file named in errors.
    TfRecordReader(QIODevice &device, qint64 startOffset, QString name, bool checkCrc = true);

    Status next();

    /// The data of the record next() just returned; valid until the following next().
    std::string_view record() const { return m_record; }
    /// Byte offset of the record (or problem) next() just returned.
    qint64 recordOffset() const { return m_recordOffset; }
    /// Where a later read should start: after the last whole record, or at an unfinished one.
    qint64 resumeOffset() const { return m_resumeOffset; }
    /// What went wrong, for BadRecord and BadFraming: file and offset in the message.
    const Error &error() const { return m_error; }

    /// The first offset in [from, from + scanBytes) of `device` where a whole record starts whose
    /// length and data both pass their CRCs; -1 when there is none (or the device cannot be
    /// read). A false match needs 64 bits of CRC to agree by chance; a reader that starts there
    /// must still check that the records before lead to it (EventFileReader does).
    static qint64 findRecordStart(QIODevice &device, qint64 from, qint64 scanBytes);

    static constexpr qint64 HeaderSize = 12;
    /// The most a record may hold. TensorBoard's scalars, histograms and images take kilobytes to
    /// a few megabytes; a larger claim is a damaged or hostile file, never allocated.
    static constexpr qint64 MaxRecordBytes = qint64(256) << 20;
    static constexpr qint64 FooterSize = 4;

private:
    bool fill(qint64 wanted);
    Status fail(Status status, const QString &what);

    QIODevice &m_device;
    QString m_name;
    bool m_checkCrc;
    bool m_broken = false;
    std::unique_ptr<char[]> m_buffer; ///< not zero-filled: only m_begin..m_end is ever read
    qint64 m_capacity = 0;
    qint64 m_begin = 0;        ///< first unconsumed byte in m_buffer
    qint64 m_end = 0;          ///< end of the valid bytes in m_buffer
    qint64 m_bufferOffset = 0; ///< file offset of m_buffer[0]
    std::string_view m_record;
    qint64 m_recordOffset = 0;
    qint64 m_resumeOffset = 0;
    Error m_error;
};

} // namespace trainyard::core
