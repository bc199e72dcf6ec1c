#pragma once

#include "eventfilereader.h"
#include "logdirscanner.h"
#include "scalarseries.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace trainyard::core {

/// The scalars of every run of a logdir, read incrementally: each readNew() rescans the logdir
/// for new runs and event files and reads only the records appended since the last call, so a
/// running job's curves are followed at the cost of what it wrote. Files of a run are read in
/// name order and merged into one series per tag (file order is kept: a restarted run's steps
/// may repeat). A file that ends inside a record is resumed from that record at the next call.
///
/// One-shot use (the CLI): construct, readNew() once. Not thread-safe: use it from one thread
/// (ScalarWatcher runs it where it lives).
class ScalarTailer final
{
public:
    struct Options
    {
        bool checkCrc = true;
        /// Runs (by name) to read; all when unset.
        std::function<bool(const QString &runName)> acceptRun;
        /// Tags to keep; all when unset. Asked once per tag and run, maybe from a reading thread
        /// (never two calls at once); the points of other tags are decoded (their records are
        /// checked as before) but not stored.
        std::function<bool(const QString &tag)> acceptTag;
        /// New bytes of a file from which it is read in two parts, the second on another thread
        /// (EventFileReader; 0: always).
        qint64 readAheadFromBytes = EventFileReader::kReadAheadBytes;
    };

    explicit ScalarTailer(QString logdir, Options options);
    explicit ScalarTailer(QString logdir);
    ~ScalarTailer();
    ScalarTailer(const ScalarTailer &) = delete;
    ScalarTailer &operator=(const ScalarTailer &) = delete;

    /// Rescans, then reads what is new. Fails only when the logdir itself cannot be scanned
    /// (missing, not a folder); damaged records are in the report.
    Result<ReadReport> readNew();

    const QString &logdir() const { return m_logdir; }
    /// The runs found so far, ordered by name (pointers stay valid for the tailer's life).
    std::vector<const RunScalars *> runs() const;
    /// The run of that name, or nullptr.
    const RunScalars *run(const QString &name) const;
    /// The folders and event files being followed, for a file-system watcher.
    QStringList watchedPaths() const;

private:
    struct RunState;
    RunState &runState(const RunLocation &location);
    static void reserveAhead(const RunState &run, ScalarSeries &series, qint64 newBytes);

    QString m_logdir;
    Options m_options;
    std::vector<std::unique_ptr<RunState>> m_runs; ///< ordered by name
};

} // namespace trainyard::core
