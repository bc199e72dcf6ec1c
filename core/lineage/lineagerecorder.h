#pragma once

#include "engine/artifactstore.h"
#include "engine/runrecord.h"
#include "engine/scheduler.h"
#include "metrics/jobmetricsfile.h"
#include "pipeline/pipeline.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace trainyard::core {

class LineageStore;
class SecretMasker;
struct LineageConsumption;
struct PlanNode;

/// Records a run's lineage as it happens: fed the scheduler's job changes (wrap() its events) and
/// the final RunRecord, it writes to the project's LineageStore on a thread of its own, one
/// transaction per state change, so the scheduler never waits on the database. What it records:
/// the run (who, branch, trigger, engine), the commit (libgit2, with a hash of uncommitted
/// changes), every planned job with the jobs it waits for, images (reference, image ID, repo
/// digests, build-context hash of images built from `.trainyard: images`), the version of every
/// `.trainyard: data` input (DataVersioner, stat-cached in the database; DVC's md5 when present),
/// artifacts with their expiry, which job was staged which artifact, non-secret variables, the
/// TensorBoard log directory, and metric gates (evaluated when values arrive: TensorBoard scalars
/// through LineageStore::recordScalars, or numbers at the top level of a JSON artifact of the job).
///
/// Use:
///     LineageRecorder lineage(pipeline, {.onlyJobs = …, .secrets = …});
///     Scheduler scheduler(pipeline, executor, options, lineage.wrap(events));
///     lineage.runStarted(scheduler.runId(), executor.name());
///     auto result = scheduler.run();
///     lineage.runFinished(result ? *result : scheduler.snapshot());
///
/// Problems (database damaged, disk full) never stop a run: they are reported through
/// Options::message and problems(), and recording stops for that run.
class LineageRecorder final
{
public:
    struct Options
    {
        QString databasePath;            ///< default: LineageStore::defaultPath(project)
        QStringList onlyJobs;            ///< RunOptions::onlyJobs, to know the plan
        QHash<QString, QString> secrets; ///< RunOptions::secrets: never recorded, names nor values
        QString trigger = QStringLiteral("cli");
        QString reproduces; ///< a reproduction: the id of the run it reproduces
        /// Problems and notes, called from the recorder's thread.
        std::function<void(const QString &message)> message;
        /// Data hashing progress (label, bytes done, bytes in all), from the recorder's thread.
        std::function<void(const QString &label, qint64 current, qint64 total)> progress;
    };

    LineageRecorder(Pipeline pipeline, Options options);
    /// Writes what is still queued, then stops.
    ~LineageRecorder();
    Q_DISABLE_COPY_MOVE(LineageRecorder)

    /// `events` with runStarted and jobChanged also feeding this recorder (it must outlive the
    /// scheduler).
    SchedulerEvents wrap(SchedulerEvents events);

    /// Before Scheduler::run(): opens the store and records the run, commit, planned jobs,
    /// variables, gates, images and data versions. Returns at once; the work is queued.
    void runStarted(const QString &runId, const QString &engine);
    /// A job's new state. Thread-safe; returns at once.
    void jobChanged(const JobRecord &job);
    /// The run's end: records it and waits until everything queued is written.
    void runFinished(const RunRecord &record);
    /// Waits until everything queued so far is written.
    void flush();

    /// Problems met while recording, in order.
    QStringList problems() const;
    QString databasePath() const { return m_options.databasePath; }

private:
    struct State;
    struct JobOutputs;
    void post(std::function<void()> task);
    void loop();
    void report(const QString &message);

    // Run on the recorder's thread.
    void doRunStarted(const QString &runId, const QString &engine);
    void doRunNumbered(qint64 pipelineIid);
    void doJobChanged(const JobRecord &job);
    void doRunFinished(const RunRecord &record);

    // The steps of doRunStarted.
    /// Opens the store; false (after saying why) when the run's lineage cannot be recorded.
    bool openStore();
    /// Fills the run's row: where, which commit (and hash of the uncommitted changes), who, how.
    void describeRun(const QString &runId, const QString &engine, const QString &projectDir, const GitState &git);
    /// Plans the run's jobs as the scheduler will, for the jobs and edges to record.
    void planRun();
    /// The images the planned jobs use, with the build-context hash of those built from `images`.
    void identifyImages(const QString &runId, const QString &projectDir);
    /// Writes the commit, run, variables, planned jobs and images (in the caller's transaction).
    Result<void> writeRunStart(const QString &runId, const GitState &git, const QSet<QString> &secretNames,
                               const SecretMasker &masker);
    /// Writes one planned job as pending, with the jobs it waits for, its variables and its gates.
    Result<void> writePlannedJob(const QString &runId, const PlanNode &node, const QSet<QString> &secretNames,
                                 const SecretMasker &masker);
    /// Hashes and writes the version of every data input, each as it is known.
    void recordDataVersions(const QString &runId, const QString &projectDir);

    // The steps of doJobChanged.
    /// The artifacts a job starting to run was staged; nullopt when not to be recorded (again).
    std::optional<std::vector<LineageConsumption>> stagedArtifacts(const JobRecord &record, const Job *job);
    /// What a final job produced (remembered for its consumers); nothing while it is not final.
    JobOutputs producedOutputs(const JobRecord &record, const Job *job, const QString &projectDir);
    /// Reads the artifact `file` of `job` (stored at `objectPath`) for metrics into `outputs`;
    /// its problems are reported as warnings.
    void readMetrics(const QString &objectPath, const ArtifactStore::StoredFile &file, JobMetricsFile::Format format,
                     const QString &job, JobOutputs &outputs);
    /// Notes the image as the engine resolved it; true when it changed and is to be written.
    bool resolveImage(const JobRecord &record);
    /// Writes the job's state and what the steps above found (in the caller's transaction).
    Result<void> writeJobChange(const JobRecord &record, const Job *job,
                                const std::optional<std::vector<LineageConsumption>> &consumed,
                                const JobOutputs &outputs, bool writeImage);

    Pipeline m_pipeline;
    Options m_options;
    std::unique_ptr<State> m_state; ///< touched only on the recorder's thread

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<std::function<void()>> m_queue;
    bool m_busy = false;
    bool m_stop = false;
    QStringList m_problems;
    std::thread m_thread;
};

} // namespace trainyard::core
