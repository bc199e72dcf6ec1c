#include "eventfilereader.h"

#include "tfrecordreader.h"

#include <QFile>

namespace trainyard::core {

void ReadReport::add(const ReadReport &other)
{
    pointsAdded += other.pointsAdded;
    recordsRead += other.recordsRead;
    bytesRead += other.bytesRead;
    damage.insert(damage.end(), other.damage.begin(), other.damage.end());
    unfinished.insert(unfinished.end(), other.unfinished.begin(), other.unfinished.end());
}

EventFileReader::EventFileReader(QString path, bool checkCrc)
    : m_path(std::move(path))
    , m_checkCrc(checkCrc)
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
    if (file.size() <= m_offset)
        return;

    const qint64 start = m_offset;
    TfRecordReader records(file, m_offset, m_path, m_checkCrc);
    for (;;) {
        const TfRecordReader::Status status = records.next();
        if (status == TfRecordReader::Status::Record) {
            ++report.recordsRead;
            const Result<int> decoded = decoder.decode(records.record(), sink);
            if (decoded) {
                report.pointsAdded += *decoded;
            } else {
                report.damage.push_back(Error::error(
                    QStringLiteral("record at offset %1: %2").arg(records.recordOffset()).arg(decoded.error().message),
                    SourceLocation{m_path}));
            }
            continue;
        }
        if (status == TfRecordReader::Status::BadRecord) {
            report.damage.push_back(records.error());
            continue;
        }
        if (status == TfRecordReader::Status::BadFraming) {
            report.damage.push_back(records.error());
            m_broken = true;
        } else if (status == TfRecordReader::Status::Unfinished) {
            report.unfinished.push_back(
                Error::warning(QStringLiteral("unfinished record at offset %1 (%2 bytes): resumed at the next read")
                                   .arg(records.resumeOffset())
                                   .arg(file.size() - records.resumeOffset()),
                               SourceLocation{m_path}));
        }
        break;
    }
    m_offset = records.resumeOffset();
    report.bytesRead += m_offset - start;
}

} // namespace trainyard::core
