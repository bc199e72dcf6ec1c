#pragma once

#include "common/error.h"
#include "engine/jobstatus.h"
#include "engine/runrecord.h"
#include "lineagerecords.h"
#include "metrics/eventfilereader.h"
#include "metrics/scalarseries.h"
#include "runhistory.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <atomic>
#include <optional>
#include <utility>
#include <vector>

namespace trainyard::core {

struct Pipeline;

/// What Trainyard knows about the job that wrote a run's scalars, for the compare table.
struct RunParameters
{
    /// Variables the job saw (pipeline, job and matrix variables as written, no predefined `CI_*`),
    /// by name. Secrets (`.trainyard: secrets:` names and every key of `.trainyard/secrets.env`)
    /// are left out, and any secret value inside another value is masked.
    std::vector<std::pair<QString, QString>> variables;
    /// Where `variables` come from.
    enum class VariablesSource {
        Recorded,    ///< the lineage store recorded them with the run
        RunCommit,   ///< the pipeline file as committed at the run's commit: the run's own unless it was dirty
        CurrentFile, ///< the project's pipeline file now (the run's commit could not be read): may have changed since
    };
    VariablesSource variablesSource = VariablesSource::CurrentFile;
    /// True when the variables shown may not be the run's: taken from a file, and the run had
    /// uncommitted changes or the file is today's.
    bool variablesUncertain() const
    {
        return variablesSource == VariablesSource::CurrentFile ||
               (variablesSource == VariablesSource::RunCommit && dirty);
    }
    QString image;       ///< as written in the pipeline
    QString imageDigest; ///< the first repo digest, else the image id; empty when unknown (shell engine)
    QString commit;      ///< short sha (8 hex digits); empty outside git
    bool dirty = false;  ///< uncommitted changes were part of the run
    QString branch;
    /// Numbers the pipeline run's jobs (any of them: often an evaluate job after the one that
    /// wrote the scalars) reported in files: metrics and dotenv reports, metrics.json.
    std::vector<LineageMetric> metrics;
};

/// One TensorBoard run that Trainyard recorded: a folder of event files written by a job of a
/// pipeline run, below the job's `.trainyard: jobs: <job>: tensorboard:` directory.
struct RecordedScalarRun
{
    QString runId;
    qint64 pipelineIid = 0;
    QString job;
    /// The folder of the event files relative to the job's tensorboard directory ("" for the
    /// directory itself), as TensorBoard would name the run.
    QString subRun;
    /// "#3 train", or "#3 train/eval" for a sub-run; unique within a project.
    QString displayName;
    JobStatus status = JobStatus::Pending;
    QDateTime started;
    /// The event files as collected: paths in the artifact store (content-addressed, so they do
    /// not carry the event-file name), ordered by their original names.
    QStringList eventFiles;
    QStringList eventFileSha256; ///< the sha256 of each of eventFiles, in the same order
    /// Set instead of eventFiles when the artifacts hold none but the job's workspace does: a
    /// job still running (follow it with a ScalarWatcher: its sub-runs are "" and below), or a
    /// failed run whose workspace was kept.
    QString workspaceLogdir;
    bool running = false; ///< the job is running now: its scalars are still growing
    RunParameters parameters;
    LineageRunAnnotation annotation; ///< the pipeline run's name, notes and tags
    /// For a run of a team's store (listTeam): who ran it and on which machine.
    QString user;
    QString host;
};

/// The recorded runs of a project with their problems (unreadable records, artifact lists).
struct RecordedScalarRuns
{
    std::vector<RecordedScalarRun> runs; ///< oldest pipeline run first, then jobs in run order, then sub-runs by name
    std::vector<Error> problems;         ///< warnings; the runs they concern are left out
};

/// Finds the TensorBoard event files among a project's recorded runs (the lineage store), so the
/// compare view can show Trainyard's own runs next to any logdir. QtCore only; reads files, so
/// call it on a worker thread.
class RunScalarsLocator final
{
public:
    /// Reads the project's run records and its pipeline, then lists the runs. Fails only when
    /// `projectDir` is not a folder.
    ///
    /// Each run's tensorboard directory and variables come from the pipeline file as committed
    /// at the run's commit (read with libgit2; local includes resolve against today's files),
    /// else from `pipeline`, today's file. Variables the run record carries win over both.
    /// `newest` > 0: only the newest that many runs (the window's Compare view); 0: all of them.
    static Result<RecordedScalarRuns> list(const QString &projectDir, int newest = 0);
    /// The same with today's pipeline and the runs given (the window has the pipeline).
    static RecordedScalarRuns list(const QString &projectDir, const Pipeline &pipeline,
                                   const std::vector<RunHistory::Run> &runs);
    /// The same for runs read from a team's store (RunHistory::read with a project): this
    /// project's runs from every machine. Their event files are named where this project's
    /// artifact store keeps them (fetchEventFiles() downloads those it lacks). A job still running,
    /// and a workspace, are on the machine that runs it: left out. Display names say whose run it
    /// is, as several machines number their runs alike: "#3 train (alice on vm)".
    static RecordedScalarRuns listTeam(const QString &projectDir, const Pipeline &pipeline,
                                       const std::vector<RunHistory::Run> &runs);
    /// Reads the newest `newest` (0: all) runs of the project in `projectDir` (known by its git
    /// remote, as on every machine) from the team's store at `storeUrl`, and today's pipeline,
    /// then lists them as above. An Error when the project has no git remote or the store cannot
    /// be read.
    static Result<RecordedScalarRuns> listTeam(const QString &projectDir, const QString &storeUrl, int newest = 0);
    /// Downloads the event files of `run` that this project's artifact store (`projectDir`) lacks
    /// from the team's registry at `registryUrl`, each checked against its sha256, into the store.
    /// Returns how many were downloaded. An Error names the run and the file, or says how to set a
    /// registry when none is set.
    static Result<int> fetchEventFiles(const QString &projectDir, const RecordedScalarRun &run,
                                       const QString &registryUrl, const std::atomic_bool *cancel = nullptr);
    /// The project's `.gitlab-ci.yml` as committed at `commit`; nullopt outside git, for an
    /// unknown commit, or when the file is not in it.
    static std::optional<QByteArray> pipelineFileAt(const QString &projectDir, const QString &commit);

    /// Reads the event files of `run` (eventFiles, in order, through one decoder: a tag's
    /// metadata may be in an earlier file) into one RunScalars named by its display name.
    /// Damaged records and unreadable files are in `report`; what was readable is kept. For a
    /// run with a workspaceLogdir, use a ScalarTailer/ScalarWatcher on that folder instead.
    static RunScalars read(const RecordedScalarRun &run, ReadReport &report, bool checkCrc = true);

    /// Where the scheduler runs `job` of run `runId`: `<project>/.trainyard/workspaces/<run>/<job>`,
    /// with the job's name made file-system safe as the scheduler does.
    static QString workspaceDir(const QString &projectDir, const QString &runId, const QString &job);
    /// "#3 train", "#3 train/eval".
    static QString displayName(qint64 pipelineIid, const QString &job, const QString &subRun);
};

} // namespace trainyard::core
