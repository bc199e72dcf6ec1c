#include "joblogfile.h"

#include <QFile>

#include <algorithm>
#include <vector>

namespace trainyard::core {

namespace {
constexpr qint64 BlockSize = 1 << 20;
} // namespace

LogLine JobLogFile::parseLine(QByteArrayView line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.size() >= 2 && line[1] == ' ') {
        switch (line[0]) {
        case ' ':
            return {LogLine::Stream::Stdout, QString::fromUtf8(line.sliced(2))};
        case 'E':
            return {LogLine::Stream::Stderr, QString::fromUtf8(line.sliced(2))};
        case '#':
            return {LogLine::Stream::System, QString::fromUtf8(line.sliced(2))};
        default:
            break;
        }
    }
    return {LogLine::Stream::Stdout, QString::fromUtf8(line)};
}

Result<LogTail> JobLogFile::readTail(const QString &path, int maxLines)
{
    LogTail tail;
    QFile file(path);
    if (!file.exists())
        return tail;
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(Error::error(QStringLiteral("cannot read the job log: %1").arg(file.errorString()),
                                           SourceLocation{path, 0, 0}));
    tail.exists = true;
    const qint64 size = file.size();
    if (size == 0)
        return tail;
    maxLines = std::max(1, maxLines);

    // Walk back block by block until the tail holds maxLines line breaks before the last line:
    // the line after the maxLines-th break from the end is the first one kept. A break that ends
    // the file closes the last line rather than starting a new one.
    std::vector<QByteArray> blocks; // newest first
    qint64 pos = size;
    qint64 start = 0; // file offset of the first kept byte
    int breaks = 0;
    bool found = false;
    while (pos > 0 && !found) {
        const qint64 from = std::max<qint64>(0, pos - BlockSize);
        if (!file.seek(from))
            return tl::unexpected(Error::error(QStringLiteral("cannot read the job log: %1").arg(file.errorString()),
                                               SourceLocation{path, 0, 0}));
        QByteArray block = file.read(pos - from);
        if (block.size() != pos - from)
            return tl::unexpected(Error::error(QStringLiteral("cannot read the job log: %1").arg(file.errorString()),
                                               SourceLocation{path, 0, 0}));
        for (qint64 i = block.size() - 1; i >= 0; --i) {
            if (block.at(i) != '\n' || from + i == size - 1)
                continue;
            if (++breaks == maxLines) {
                start = from + i + 1;
                found = true;
                break;
            }
        }
        blocks.push_back(std::move(block));
        pos = from;
    }
    QByteArray text;
    text.reserve(size - start);
    for (auto it = blocks.rbegin(); it != blocks.rend(); ++it)
        text.append(*it);
    text = text.sliced(text.size() - (size - start));

    // The lines before the kept ones are only counted, a block at a time.
    qint64 before = 0;
    if (start > 0) {
        if (!file.seek(0))
            return tl::unexpected(Error::error(QStringLiteral("cannot read the job log: %1").arg(file.errorString()),
                                               SourceLocation{path, 0, 0}));
        qint64 left = start;
        while (left > 0) {
            const QByteArray block = file.read(std::min(left, BlockSize));
            if (block.isEmpty())
                break;
            before += block.count('\n');
            left -= block.size();
        }
    }

    QByteArrayView rest(text);
    if (rest.endsWith('\n'))
        rest.chop(1);
    tail.lines.reserve(std::min<qsizetype>(maxLines, rest.size() / 2 + 1));
    while (true) {
        const qsizetype nl = rest.indexOf('\n');
        tail.lines.append(parseLine(nl < 0 ? rest : rest.first(nl)));
        if (nl < 0)
            break;
        rest = rest.sliced(nl + 1);
    }
    tail.totalLines = before + tail.lines.size();
    return tail;
}

} // namespace trainyard::core
