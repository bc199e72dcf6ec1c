#pragma once

#include "jobexecutor.h"
#include "pipeline/trainyardsettings.h"

#include <QHash>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <memory>

namespace trainyard::core {

/// Runs each job of a pipeline as one batch job on a Slurm cluster (SlurmClient: slurmrestd or
/// the Slurm commands). The Scheduler keeps GitLab's semantics and submits a job when its needs
/// are met; Slurm places it, gives it its GPUs (GRES) and runs it. In the batch job, the script
/// runs in the job's image with the node's container runtime (docker, podman: the allocated
/// GPUs become the container's, CUDA_VISIBLE_DEVICES as Slurm set it), or on the node itself
/// (runtime none: not isolated, and the record says so).
///
/// The job's workspace is where the nodes see it: the project's own (default: the nodes see the
/// project folder, as on a shared home), or copied to `.trainyard: slurm: work_dir:` and back.
/// Its variables (secrets too) reach the node in a file only its user reads, removed as the job
/// starts: they never go to slurmctld. The output file is followed as the job's live log, the
/// state polled (why it waits is said), cancel is scancel, and Slurm's failures are named.
class SlurmExecutor final : public JobExecutor
{
public:
    /// `docker`: the local Docker engine that builds the images `builds` (the pipeline's
    /// `.trainyard: images:`) for a runtime docker or podman; null when there are none.
    /// `dockerEndpoint`: this machine's engine, asked for the digests of the other images (empty:
    /// the default one).
    SlurmExecutor(SlurmSettings settings, std::unique_ptr<JobExecutor> docker = {}, QStringList builds = {},
                  QString dockerEndpoint = {});

    QString name() const override { return QStringLiteral("slurm"); }
    bool runsOnHost() const override { return m_settings.runtime == QLatin1String("none"); }
    bool allocatesGpus() const override { return true; }
    /// A job is submitted with `--dependency=afterok:` on the jobs it needs that still run, and
    /// starts its script once the run has their results too (JobExecution::after).
    bool queuesAhead() const override { return true; }
    QString submittedId(const QString &runId, const QString &job) const override;
    Result<QString> preflight() override;
    /// An image the pipeline builds (`.trainyard: images:`) is built here, by the local Docker
    /// engine: nodes that share it (a one-machine cluster) run it as built; other nodes need it
    /// in a registry they reach. Any other image is pinned to the digest this machine's engine
    /// knows for its repository (it was pulled or pushed here), which the nodes then pull; one
    /// this machine does not know is pulled by its name, and said so.
    Result<void> prepareImage(const QString &image, const ExecutionCallbacks &callbacks,
                              const std::atomic_bool &cancel) override;
    Result<JobOutcome> run(const JobExecution &execution, const ExecutionCallbacks &callbacks,
                           const std::atomic_bool &cancel) override;
    /// Cancels the cluster's jobs of run `runId` (a run that crashed), known by their names.
    int cleanupRun(const QString &runId) override;
    /// Built images go through `publisher` (the team's registry) and the nodes pull them by
    /// digest; without one, the nodes run them by name (a one-machine cluster shares this engine).
    void setImagePublisher(ImagePublisher publisher) override { m_publisher = std::move(publisher); }

    /// The batch script of `execution` whose side files (script, variables, output) are in
    /// `sideDir` and whose workspace on the node is `workDir`.
    QString batchScript(const JobExecution &execution, const QString &sideDir, const QString &workDir) const;
    /// The Slurm job's name for `job` of run `runId`: "trainyard-JOB-RUNID".
    static QString jobName(const QString &runId, const QString &job);
    /// "gpu:N(IDX:…)" as Slurm writes a job's GPUs, from SLURM_JOB_GPUS ("0,1,3" →
    /// "gpu:3(IDX:0-1,3)"); empty for none, or a node without device files ("NoDevFiles").
    static QString gresOfJobGpus(const QString &jobGpus);
    /// A job's GRES list ("gpu:1(IDX:0),gpu:a100:2(IDX:0,2)") split at the commas between entries.
    static QStringList splitGres(const QString &gres);
    /// Whether `name` can be a shell variable's ([A-Za-z_][A-Za-z0-9_]*).
    static bool isShellName(const QString &name);

private:
    /// The reference the nodes pull `image` by: its digest once pinned or published, else itself.
    QString pullReference(const QString &image) const;
    /// Pins `image` (not built here) to the digest this machine's engine knows for its repository.
    void pinPulledImage(const QString &image, const ExecutionCallbacks &callbacks);

    SlurmSettings m_settings;
    std::unique_ptr<JobExecutor> m_docker;
    QStringList m_builds;
    ImagePublisher m_publisher;
    mutable QMutex m_pullMutex;
    QHash<QString, QString> m_pullAs; ///< an image → the reference the nodes pull (by digest)
    mutable QMutex m_submittedMutex;
    QHash<QString, QString> m_submitted; ///< "RUN/JOB" → the Slurm job id of its latest attempt
    QString m_dockerEndpoint;
    QString m_clusterName;
};

} // namespace trainyard::core
