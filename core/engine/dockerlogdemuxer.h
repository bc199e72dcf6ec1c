#pragma once

#include "containerspec.h"

#include <QByteArray>

#include <functional>

namespace trainyard::core {

/// Splits Docker's multiplexed log stream into lines per stream.
///
/// Without a TTY, `GET /containers/{id}/logs` and attach send frames: an 8-byte header
/// (byte 0: stream, 0 stdin / 1 stdout / 2 stderr / 3 system error; bytes 4..7: big-endian
/// payload length) and the payload. Frames are not aligned to lines, and a line may span
/// frames, so partial lines are buffered per stream until their '\n' (a trailing '\r' is
/// dropped). Bytes can arrive split anywhere; large frames are processed as they come, never
/// buffered whole. Trainyard never gives job containers a TTY; should a stream not start with
/// a valid header anyway (a TTY container's raw output), everything is taken as stdout.
class DockerLogDemuxer final
{
public:
    using LineHandler = std::function<void(const LogLine &)>;

    /// A line longer than `maxLineBytes` is emitted in pieces of that size, to bound memory.
    explicit DockerLogDemuxer(LineHandler onLine, qsizetype maxLineBytes = 1024 * 1024);

    /// Consumes the next bytes of the stream and emits every line they complete.
    void feed(const QByteArray &bytes);
    /// Emits the partial lines left at the end of the stream (stdout first, then stderr, system).
    void finish();

    /// True when the stream turned out not to be multiplexed and is read as raw stdout.
    bool isRaw() const { return m_raw; }

private:
    void append(int stream, const char *data, qsizetype size);
    void emitLine(int stream, QByteArray line);

    LineHandler m_onLine;
    qsizetype m_maxLineBytes;
    QByteArray m_header;     ///< the bytes of a header read so far (< 8)
    quint32 m_remaining = 0; ///< payload bytes left in the current frame
    int m_stream = 0;        ///< index into m_partial of the current frame
    bool m_started = false;  ///< the first header has been checked
    bool m_raw = false;
    QByteArray m_partial[3]; ///< stdout, stderr, system
};

} // namespace trainyard::core
