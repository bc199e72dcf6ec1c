#include "dockerlogdemuxer.h"

#include <cstring>
#include <utility>

namespace trainyard::core {

namespace {

constexpr int HeaderSize = 8;
constexpr int Stdout = 0, Stderr = 1, System = 2;

LogLine::Stream toStream(int index)
{
    switch (index) {
    case Stderr:
        return LogLine::Stream::Stderr;
    case System:
        return LogLine::Stream::System;
    default:
        return LogLine::Stream::Stdout;
    }
}

} // namespace

DockerLogDemuxer::DockerLogDemuxer(LineHandler onLine, qsizetype maxLineBytes)
    : m_onLine(std::move(onLine))
    , m_maxLineBytes(qMax<qsizetype>(1, maxLineBytes))
{}

void DockerLogDemuxer::feed(const QByteArray &bytes)
{
    const char *data = bytes.constData();
    qsizetype size = bytes.size();
    if (!m_started && size > 0) {
        // A multiplexed stream starts with a header whose byte 0 is 0..3 and bytes 1..3 are zero.
        // Anything else is a TTY's raw stream; checked on as many of those bytes as have arrived.
        const QByteArray head = m_header + bytes.left(HeaderSize - m_header.size());
        bool valid = quint8(head.at(0)) <= 3;
        for (int i = 1; i < qMin<qsizetype>(4, head.size()); ++i)
            valid = valid && head.at(i) == '\0';
        if (!valid) {
            m_raw = true;
            m_started = true;
            const QByteArray pending = m_header;
            m_header.clear();
            append(Stdout, pending.constData(), pending.size());
        } else if (head.size() >= 4) {
            m_started = true;
        }
    }
    if (m_raw) {
        append(Stdout, data, size);
        return;
    }
    while (size > 0) {
        if (m_remaining == 0) {
            const qsizetype take = qMin<qsizetype>(HeaderSize - m_header.size(), size);
            m_header.append(data, take);
            data += take;
            size -= take;
            if (m_header.size() < HeaderSize)
                return;
            const auto *h = reinterpret_cast<const quint8 *>(m_header.constData());
            m_stream = h[0] == 2 ? Stderr : h[0] == 3 ? System : Stdout; // 0 (stdin) is echoed input
            m_remaining = (quint32(h[4]) << 24) | (quint32(h[5]) << 16) | (quint32(h[6]) << 8) | quint32(h[7]);
            m_header.clear();
            continue;
        }
        const qsizetype take = qMin<qsizetype>(m_remaining, size);
        append(m_stream, data, take);
        data += take;
        size -= take;
        m_remaining -= quint32(take);
    }
}

void DockerLogDemuxer::append(int stream, const char *data, qsizetype size)
{
    QByteArray &partial = m_partial[stream];
    while (size > 0) {
        const char *newline = static_cast<const char *>(std::memchr(data, '\n', size_t(size)));
        const qsizetype chunk = newline ? newline - data : size;
        const qsizetype room = m_maxLineBytes - partial.size();
        if (chunk > room || (!newline && chunk == room)) {
            // Over-long line: emit what fits and carry on with the rest as a new line.
            partial.append(data, room);
            emitLine(stream, std::exchange(partial, QByteArray()));
            data += room;
            size -= room;
            continue;
        }
        partial.append(data, chunk);
        if (!newline)
            return;
        emitLine(stream, std::exchange(partial, QByteArray()));
        data += chunk + 1;
        size -= chunk + 1;
    }
}

void DockerLogDemuxer::emitLine(int stream, QByteArray line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    if (m_onLine)
        m_onLine(LogLine{toStream(stream), QString::fromUtf8(line)});
}

void DockerLogDemuxer::finish()
{
    // A header cut short at the end of a stream that never got going is raw output.
    if (!m_started && !m_header.isEmpty()) {
        m_partial[Stdout].append(m_header);
        m_header.clear();
    }
    for (int stream : {Stdout, Stderr, System}) {
        if (!m_partial[stream].isEmpty())
            emitLine(stream, std::exchange(m_partial[stream], QByteArray()));
    }
}

} // namespace trainyard::core
