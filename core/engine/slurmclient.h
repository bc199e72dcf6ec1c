#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// One batch job to submit: what `sbatch` takes, in the words of a pipeline job.
struct SlurmJobRequest
{
    QString name;
    QString script;     ///< the batch script, "#!/bin/bash\n…"
    QString workDir;    ///< where it starts (a folder the node sees)
    QString outputFile; ///< its standard output and error, together (a file the node writes)
    /// Variables the script starts with, beside PATH and HOME of the node.
    QMap<QString, QString> environment;
    QString partition; ///< empty: the cluster's default
    QString account;
    QString qos;
    int gpus = 0;         ///< `--gres=gpu:N`
    int cpus = 0;         ///< `--cpus-per-task`; 0: the cluster's default
    qint64 memoryMiB = 0; ///< `--mem`; 0: the cluster's default
    int timeLimitMin = 0; ///< `--time`; 0: the partition's limit
    QStringList afterOk;  ///< `--dependency=afterok:ID:…`
    bool hold = false;    ///< `--hold`: it waits in the queue until release()
    bool requeue = false; ///< may Slurm requeue it (a node failure, preemption)
};

/// What Slurm says of one job.
struct SlurmJobState
{
    QString id;
    QString name;
    /// PENDING, CONFIGURING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT,
    /// NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE, REQUEUED, SUSPENDED…
    QString state;
    QString reason;    ///< why it waits or ended: "Resources", "Priority", "None"
    QString nodes;     ///< where it runs or ran ("vm", "gpu[01-02]")
    QString gpus;      ///< the GPUs allocated, as Slurm says them ("gpu:1(IDX:0)"); empty: none or not known
    int gpusAsked = 0; ///< the GPUs it asks for (per node)
    QString cluster;   ///< the cluster's name
    QString partition;
    int exitCode = 0; ///< the batch script's exit status
    int signal = 0;   ///< the signal that ended it, 0: none
    int restarts = 0; ///< requeued this many times

    bool isPending() const;
    bool isRunning() const;
    bool isFinished() const;
    /// "waiting for GPUs (Resources)", "waiting for its turn (Priority)": why a pending job
    /// waits, in words; empty when it is not pending.
    QString waitingWhy() const;
    /// Why a finished job failed, in words ("the node failed", "the time limit was reached", "it
    /// ran out of memory", "it was preempted", "exit code 3"); empty for COMPLETED with exit 0.
    QString failure() const;
};

/// A node of the cluster and what it holds.
struct SlurmNode
{
    QString name;
    QString state; ///< idle, mixed, allocated, drained, down… (lower case)
    QString reason;
    int cpus = 0;
    int cpusAllocated = 0;
    qint64 memoryMiB = 0;
    qint64 memoryAllocatedMiB = 0;
    int gpus = 0;
    int gpusUsed = 0;
    QStringList partitions;
};

struct SlurmPartition
{
    QString name;
    QString state; ///< UP, DOWN, DRAIN, INACTIVE
    QString nodes;
    int totalCpus = 0;
    bool isDefault = false;
};

/// The cluster as `trainyard cluster` and the Cluster dock show it.
struct SlurmClusterInfo
{
    QString clusterName;
    QString slurmVersion;
    QString via; ///< "slurmrestd v0.0.38 at URL", or "the Slurm commands (sbatch, squeue…)"
    std::vector<SlurmPartition> partitions;
    std::vector<SlurmNode> nodes;
    std::vector<SlurmJobState> queue; ///< pending and running jobs
};

/// A Slurm cluster, reached through slurmrestd (JWT) or, when none is configured, through the
/// Slurm commands (sbatch, scontrol, scancel, sinfo, squeue) of this machine. Blocking; every
/// call ends within its timeout (a REST daemon that does not answer is an Error, not a hang).
/// One client per thread.
class SlurmClient final
{
public:
    struct Options
    {
        QString restUrl;  ///< http(s)://HOST:PORT of slurmrestd; empty: the commands
        QString token;    ///< the JWT (SLURM_JWT); empty: `scontrol token` is asked
        QString userName; ///< who the token is for; empty: this user
        int timeoutMs = 15000;
    };
    /// `url` (the pipeline's `.trainyard: slurm: url:`) else $SLURMRESTD_URL; $SLURM_JWT.
    static Options fromEnvironment(const QString &url = {});

    explicit SlurmClient(Options options);
    ~SlurmClient();
    SlurmClient(const SlurmClient &) = delete;
    SlurmClient &operator=(const SlurmClient &) = delete;

    bool usesRest() const { return !m_options.restUrl.isEmpty(); }
    /// The REST API version chosen ("v0.0.38"); empty before connect() or on the command path.
    QString apiVersion() const { return m_version; }

    /// REST: reads the daemon's OpenAPI document and picks the newest version both know
    /// (v0.0.38, v0.0.37, v0.0.36); commands: checks that they are installed and that slurmctld
    /// answers. Called by the others when needed.
    Result<void> connect();
    /// Submits `request`; returns the job id.
    Result<QString> submit(const SlurmJobRequest &request);
    Result<SlurmJobState> job(const QString &id);
    Result<void> cancel(const QString &id);
    /// Lets a job submitted with `hold` be scheduled (`scontrol release`).
    Result<void> release(const QString &id);
    Result<SlurmClusterInfo> cluster();

    /// The REST API versions this client speaks, newest first.
    static QStringList supportedVersions();
    /// Picks from an OpenAPI document (its "paths") the newest supported version whose job
    /// submission it offers; empty when none.
    static QString chooseVersion(const QByteArray &openApiJson);
    /// One job of `scontrol show job -o -d` (key=value words).
    static SlurmJobState parseScontrolJob(const QString &line);
    /// One node of `scontrol show node -o -d`.
    static SlurmNode parseScontrolNode(const QString &line);

private:
    struct Http;
    /// `retried`: a call made again with a fresh token (once).
    Result<QByteArray> rest(const QByteArray &method, const QString &path, const QByteArray &body = {},
                            bool retried = false);
    Result<QString> command(const QString &program, const QStringList &args, const QByteArray &input = {});
    Result<QString> submitRest(const SlurmJobRequest &request);
    Result<QString> submitCommand(const SlurmJobRequest &request);
    Result<SlurmClusterInfo> clusterRest();
    Result<SlurmClusterInfo> clusterCommand();

    Options m_options;
    QString m_version;
    bool m_connected = false;
    bool m_tokenFetched = false; ///< the token came from `scontrol token`: a fresh one may be asked
    void *m_curl = nullptr;
};

} // namespace trainyard::core
