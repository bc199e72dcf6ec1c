#pragma once

#include "common/error.h"

#include "engine/scheduler.h"
#include "pipeline/pipeline.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

namespace trainyard::core {

class DockerClient;
struct LineageImage;

/// An artifact (by job and path) whose content is not the same in the original and the reproduction.
struct ArtifactDifference
{
    QString job;
    QString path;
    QString originalSha256;   ///< empty: the original run did not produce it
    QString reproducedSha256; ///< empty: the reproduction did not produce it
};

/// A job that ended differently in the reproduction (e.g. success, then failed).
struct JobDifference
{
    QString job;
    QString originalStatus;
    QString reproducedStatus; ///< empty: the job was not run
};

/// A data input that is not what the original run read: the reason a reproduction is refused.
struct DataDifference
{
    QString name;
    QString path; ///< where it was looked for (absolute)
    QString recordedHash;
    QString currentHash; ///< empty when it is missing (or could not be read: see `problem`)
    qint64 recordedFiles = 0;
    qint64 currentFiles = 0;
    qint64 recordedBytes = 0;
    qint64 currentBytes = 0;
    /// Files (relative to the input) modified after the original run started: the likely
    /// changes. Files removed since cannot be named (only their count tells).
    QStringList changedFiles;
    QString problem; ///< why it could not be hashed, if so
};

/// The run a reproduction makes, prepared by RunReproducer: the pipeline as committed (in the
/// worktree), the same jobs with every image pinned, recorded in the original project's store
/// with the original's number. The run service executes it.
struct ReproductionRun
{
    Pipeline pipeline;
    QString engine;
    QString dockerEndpoint;
    RunOptions options;
    SchedulerEvents events;
    QString databasePath;
    QString numberIn; ///< the project it reproduces a run of: its next run number is the reproduction's
};

/// What a reproduction came to.
struct ReproductionReport
{
    QString originalRunId;
    QString reproductionRunId;
    QString commitSha;
    QString worktree;           ///< the project folder inside the worktree the reproduction ran in
    QString reproductionStatus; ///< runStatusToString() of the reproduction
    QString failure;            ///< why the reproduction errored, if it did (see `errored`)
    /// The reproduction errored before its jobs ran: its run did not start, or a job could not be
    /// run at all (the engine refused its container). That is no verdict on the original run:
    /// nothing was compared, and the release review is unchanged.
    bool errored = false;
    bool identical = false;    ///< every artifact the same, and every job ended the same
    int comparedArtifacts = 0; ///< artifacts compared (of both runs, by job and path)
    std::vector<ArtifactDifference> differences;
    std::vector<JobDifference> jobDifferences;

    /// "identical: N artifacts …", "errored: …", or aligned tables JOB PATH ORIGINAL REPRODUCED (and the jobs
    /// that ended differently): what `trainyard reproduce` prints and the database keeps.
    QString toText() const;
    /// Why the reproduction `record` errored: `failure` (its run did not start), else the first
    /// job that could not be run at all; empty when its jobs ran.
    static QString errorOf(const RunRecord &record, const QString &failure);
};

/// Reproduces a recorded run (`trainyard reproduce RUN`): checks the run's commit out into a git
/// worktree under `<project>/.trainyard/reproduce/`, pins every image to the ID the run recorded,
/// verifies every data input against its recorded hash, runs the same jobs, and compares artifact
/// hashes with the original. The reproduction's lineage (trigger "reproduce") and the comparison
/// go into the project's own lineage database.
///
/// run() returns an Error only when it refuses (unknown or unfinished run, uncommitted changes in
/// it, a missing image, changed data…) and then nothing has run; a reproduction that ran, however
/// it ended, gives a report.
class RunReproducer final
{
public:
    struct Options
    {
        /// "docker" or "shell"; empty: the engine the original run used.
        QString engine = QStringLiteral("docker");
        QString dockerEndpoint; ///< empty: DockerClient::defaultEndpoint()
        SchedulerEvents events; ///< forwarded to the scheduler (thread-safe callbacks)
        /// Steps that take time: checkout, pulls, data hashing (bytes), the run (jobs done of all).
        /// Called from run()'s thread and, while the jobs run, from the scheduler's and the
        /// lineage recorder's threads: must be thread-safe, like `events`.
        std::function<void(const QString &label, qint64 current, qint64 total)> progress;
        /// Notes for the user (what is pinned, where the worktree is, recording problems); the
        /// same threads as `progress`.
        std::function<void(const QString &message)> message;
        bool keepWorktree = true; ///< leave the worktree for inspection (the logs are in it)
        /// Runs the prepared reproduction to its end (the run service's RunExecution), blocking;
        /// an Error with the record when it did not start. Required.
        std::function<std::pair<RunRecord, QString>(const ReproductionRun &)> execute;
    };

    RunReproducer(QString projectDir, QString runId, Options options);
    ~RunReproducer();
    Q_DISABLE_COPY_MOVE(RunReproducer)

    /// Blocking: call it on a worker thread or from the CLI.
    Result<ReproductionReport> run();
    /// Stops a reproduction being prepared (checkout, data hashing); the run itself is stopped
    /// by whoever executes it. Thread-safe.
    void cancel();

    /// After run() refused because data changed: what differs, input by input.
    std::vector<DataDifference> dataDifferences() const;

    /// The data differences in words, as run()'s Error says them.
    static QString dataDifferencesText(const QString &runId, const std::vector<DataDifference> &differences);

private:
    struct Context;
    /// The images the original run's jobs ran in, by reference, and the jobs that ran in each.
    struct JobImages;
    Result<void> readRun(Context &c);
    Result<void> pinImages(Context &c);
    /// The images of the jobs that ran; an Error when one has no recorded image ID to pin.
    Result<JobImages> jobImages(const Context &c) const;
    /// Makes sure `image` is on this machine, pulling it by its registry digest if it is not.
    Result<void> ensureImagePresent(DockerClient &client, const QString &reference, const LineageImage &image,
                                    const QStringList &jobs) const;
    /// Pulls `image` by its first registry digest; `who` and `firstJob` say whose image it is.
    Result<void> pullByDigest(DockerClient &client, const QString &reference, const LineageImage &image,
                              const QString &who, const QString &firstJob) const;
    Result<void> makeWorktree(Context &c);
    Result<void> readPipeline(Context &c);
    Result<void> verifyData(Context &c);
    Result<ReproductionReport> reproduce(Context &c);
    /// The secrets the pipeline names, after noting the missing ones and the warnings.
    Result<QHash<QString, QString>> loadSecrets(const Context &c) const;
    /// The options the reproduction runs with: the jobs that ran, approved, with the images pinned.
    RunOptions runOptions(const Context &c, const QHash<QString, QString> &secrets) const;
    /// Options::events, with the progress of the jobs in `ran` that have ended added.
    SchedulerEvents eventsWithProgress(const QStringList &ran) const;
    /// The report of the reproduction `record` against the original, recorded in the store.
    Result<ReproductionReport> compareWithOriginal(const Context &c, const RunRecord &record,
                                                   const QString &failure) const;
    /// Fills the report's compared artifacts and their differences (by job and path).
    Result<void> compareArtifacts(const Context &c, const RunRecord &record, ReproductionReport &report) const;
    /// Fills the report's jobs that ended differently.
    void compareJobs(const Context &c, const RunRecord &record, ReproductionReport &report) const;
    /// Records the comparison in the store; when it cannot be recorded, that is only noted.
    void recordComparison(const Context &c, const QString &reproductionRunId, const ReproductionReport &report) const;
    void note(const QString &message) const;
    void dropWorktree(const Context &c) const;

    QString m_projectDir;
    QString m_runId;
    Options m_options;
    std::atomic_bool m_cancel{false};
    mutable std::mutex m_mutex;
    std::vector<DataDifference> m_dataDifferences;
};

} // namespace trainyard::core
