#pragma once

#include "common/error.h"
#include "containerspec.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace trainyard::core {

/// The end of one job's log file.
struct LogTail
{
    QList<LogLine> lines;  ///< the last lines, oldest first
    qint64 totalLines = 0; ///< lines in the whole file
    bool exists = false;   ///< false: there is no such file (the job never wrote one)
};

/// A job's log file as the scheduler writes it (`.trainyard/logs/<run>/<job>.log`, masked
/// already): one line per log line, tagged "  " stdout, "E " stderr, "# " Trainyard's own.
class JobLogFile final
{
public:
    /// Reads the last `maxLines` lines (blocking: call it on a worker thread). It reads backwards
    /// from the end, so a log of gigabytes costs only what is kept plus a count of the lines
    /// before. A missing file is an empty tail; an unreadable one an Error naming it.
    static Result<LogTail> readTail(const QString &path, int maxLines);
    /// One line of a log file; a line without a known tag is taken as stdout, whole.
    static LogLine parseLine(QByteArrayView line);
};

} // namespace trainyard::core
