#include "tfrecordreader.h"

#include "crc32c.h"

#include <QByteArray>
#include <QIODevice>

#include <algorithm>
#include <cstring>

namespace trainyard::core {

namespace {

// Large enough that a read() costs nothing per record, small enough to stay in the L2 cache
// while the records in it are checked and decoded.
constexpr qint64 ChunkSize = 512 << 10;

static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "TFRecord fields are little-endian; so is every host we build for");

std::uint64_t readLittleEndian64(const char *p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

std::uint32_t readLittleEndian32(const char *p)
{
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

} // namespace

TfRecordReader::TfRecordReader(QIODevice &device, qint64 startOffset, QString name, bool checkCrc)
    : m_device(device)
    , m_name(std::move(name))
    , m_checkCrc(checkCrc)
    , m_bufferOffset(startOffset)
    , m_recordOffset(startOffset)
    , m_resumeOffset(startOffset)
{
    if (!m_device.seek(startOffset)) {
        m_broken = true;
        fail(Status::BadFraming, QStringLiteral("cannot seek to it (%1)").arg(m_device.errorString()));
    }
}

// Makes at least `wanted` unconsumed bytes available; false when the device has fewer.
bool TfRecordReader::fill(qint64 wanted)
{
    if (m_end - m_begin >= wanted)
        return true;
    // Never grow the buffer for a length the device cannot back: a corrupt or hostile length
    // field must not allocate gigabytes.
    const qint64 available = m_end - m_begin + std::max<qint64>(0, m_device.size() - m_device.pos());
    if (available < wanted)
        return false;
    const qint64 capacity = std::max(wanted, std::min(ChunkSize, available));
    if (m_capacity < capacity) {
        auto grown = std::make_unique_for_overwrite<char[]>(size_t(capacity));
        if (m_end > m_begin)
            std::memcpy(grown.get(), m_buffer.get() + m_begin, size_t(m_end - m_begin));
        m_buffer = std::move(grown);
        m_capacity = capacity;
    } else if (m_begin > 0 && m_end > m_begin) {
        std::memmove(m_buffer.get(), m_buffer.get() + m_begin, size_t(m_end - m_begin));
    }
    m_bufferOffset += m_begin;
    m_end -= m_begin;
    m_begin = 0;
    while (m_end < wanted) {
        const qint64 n = m_device.read(m_buffer.get() + m_end, m_capacity - m_end);
        if (n <= 0)
            return false;
        m_end += n;
    }
    return true;
}

TfRecordReader::Status TfRecordReader::fail(Status status, const QString &what)
{
    m_error =
        Error::error(QStringLiteral("record at offset %1: %2").arg(m_recordOffset).arg(what), SourceLocation{m_name});
    return status;
}

qint64 TfRecordReader::findRecordStart(QIODevice &device, qint64 from, qint64 scanBytes)
{
    const qint64 size = device.size();
    if (from < 0 || from >= size || !device.seek(from))
        return -1;
    const QByteArray window = device.read(std::min(scanBytes + HeaderSize, size - from));
    for (qint64 pos = 0; pos + HeaderSize <= window.size() && pos < scanBytes; ++pos) {
        const qint64 room = size - from - pos - HeaderSize - FooterSize; // for the data
        if (room < 0)
            break;
        const char *header = window.constData() + pos;
        const std::uint64_t length = readLittleEndian64(header);
        if (length > std::uint64_t(std::min(MaxRecordBytes, room)) ||
            crc32c::mask(crc32c::value(header, 8)) != readLittleEndian32(header + 8))
            continue;
        // The length passes: the data must too (read again when it runs past the window).
        const qint64 recordBytes = qint64(length) + FooterSize;
        QByteArray beyond;
        const char *data = header + HeaderSize;
        if (pos + HeaderSize + recordBytes > window.size()) {
            if (!device.seek(from + pos + HeaderSize))
                return -1;
            beyond = device.read(recordBytes);
            if (beyond.size() < recordBytes)
                return -1;
            data = beyond.constData();
        }
        if (crc32c::mask(crc32c::value(data, size_t(length))) == readLittleEndian32(data + length))
            return from + pos;
    }
    return -1;
}

TfRecordReader::Status TfRecordReader::next()
{
    m_record = {};
    if (m_broken)
        return Status::BadFraming; // m_error still says where framing was lost
    m_recordOffset = m_bufferOffset + m_begin;
    // fill() only when the buffer runs dry: once per block, not per record.
    if (m_end - m_begin < HeaderSize && !fill(HeaderSize))
        return m_end == m_begin ? Status::End : Status::Unfinished;
    const char *header = m_buffer.get() + m_begin;
    const std::uint64_t length = readLittleEndian64(header);
    if (m_checkCrc && crc32c::mask(crc32c::value(header, 8)) != readLittleEndian32(header + 8)) {
        m_broken = true;
        return fail(Status::BadFraming,
                    QStringLiteral("length field fails its CRC (the rest of the file cannot be read)"));
    }
    // A valid CRC does not make a length sane: a sparse file can claim 40 GB and be that long.
    if (length > std::uint64_t(MaxRecordBytes)) {
        m_broken = true;
        return fail(Status::BadFraming,
                    QStringLiteral("its length field claims %1 bytes, more than the %2 MiB a record "
                                   "may hold (the rest of the file cannot be read)")
                        .arg(length)
                        .arg(MaxRecordBytes >> 20));
    }
    const qint64 total = HeaderSize + qint64(length) + FooterSize;
    if (m_end - m_begin < total && !fill(total))
        return Status::Unfinished;
    const char *data = m_buffer.get() + m_begin + HeaderSize;
    m_begin += total;
    m_resumeOffset = m_bufferOffset + m_begin;
    if (m_checkCrc && crc32c::mask(crc32c::value(data, size_t(length))) != readLittleEndian32(data + length))
        return fail(Status::BadRecord, QStringLiteral("data fails its CRC"));
    m_record = std::string_view(data, size_t(length));
    return Status::Record;
}

} // namespace trainyard::core
