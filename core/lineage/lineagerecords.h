#pragma once

// The rows of the lineage database as plain values: what LineageStore writes and reads back.
// Times are UTC; text columns never hold secret values (the recorder filters them out).

#include "supplychain/vulnerability.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace trainyard::core {

/// One pipeline run: who started it, when, on what, and how it ended.
/// What people say about a run: a name, notes and tags. Not part of its lineage: changing them
/// leaves sign-offs current.
struct LineageRunAnnotation
{
    QString name;     ///< one line; empty: the run is known by its number
    QString notes;    ///< free text
    QStringList tags; ///< sorted, each once, one line each
    bool isEmpty() const { return name.isEmpty() && notes.isEmpty() && tags.isEmpty(); }
    bool operator==(const LineageRunAnnotation &) const = default;
};

struct LineageRun
{
    QString id;             ///< the run id of RunRecord (`yyyyMMdd-HHmmss-xxxx`)
    qint64 pipelineIid = 0; ///< CI_PIPELINE_ID within the project
    QString projectDir;
    QString projectPath;  ///< "namespace/name" of the git remote "origin" (GitState::projectPath); may be empty
    QString pipelineFile; ///< e.g. ".gitlab-ci.yml"
    QString branch;
    QString commitSha;  ///< empty outside a git repository
    bool dirty = false; ///< uncommitted changes were part of the run
    QString diffHash;   ///< GitInfo::diffHash of those changes; empty when clean
    QString user;
    QString host; ///< machine the run ran on (with pid: tells an interrupted run)
    qint64 pid = 0;
    QString processStart; ///< ProcessIdentity of that process: a reused pid is not the run's
    QString trigger;      ///< "cli", "gui", "reproduce"…
    QString reproduces;   ///< a reproduction: the id of the run it reproduces
    QString engine;       ///< "docker" or "shell"
    QString status; ///< runStatusToString(): running, success, failed, cancelled, blocked, interrupted, not started
    QString reason; ///< why the run did not start (engine unreachable, image not pulled…)
    QDateTime started;
    QDateTime finished;
    qint64 durationMs = -1;          ///< -1 while running
    QStringList protectedBranches;   ///< `.trainyard: protected_branches` when the run started
    LineageRunAnnotation annotation; ///< read with the run; written by LineageStore::annotateRun only
    QString pushedBy;                ///< a team store's login that pushed the run (stamped by the server; read only)
};

/// The commit a run was made from (libgit2).
struct LineageCommit
{
    QString sha;
    QString authorName;
    QString authorEmail;
    QString message;
    QDateTime committed;
};

/// One job of a run.
struct LineageJob
{
    QString runId;
    QString name;
    QString stage;
    QString status; ///< jobStatusToString()
    int exitCode = -1;
    int attempts = 0;
    QDateTime started;
    QDateTime finished;
    QString engine;
    QString isolation;
    QString image;    ///< reference as written in the pipeline
    QString imageId;  ///< resolved image ID (`sha256:…`)
    QStringList gpus; ///< GPU indices assigned
    bool cpuFallback = false;
    bool timedOut = false;
    bool oomKilled = false;
    bool allowFailure = false;
    QString reason;
    QString logFile;        ///< relative to the project
    QString tensorboardDir; ///< `.trainyard: jobs: NAME: tensorboard`, relative to the project
    QString reusedFrom;     ///< a retry took this job's result from that run (empty: it ran here)
    QStringList warnings;   ///< e.g. artifact paths that matched nothing
};

/// An image a run used, by the reference jobs wrote.
struct LineageImage
{
    QString runId;
    QString reference;        ///< as written, e.g. `trainyard-demo/trainer:1` or `alpine@sha256:…`
    QString imageId;          ///< `sha256:…` as the engine resolved it
    QStringList repoDigests;  ///< `name@sha256:…` from the engine's RepoDigests
    QString buildContextHash; ///< DataVersioner hash of the build context, for images built locally
};

/// The bill of materials of an image, made once per image ID (ImageSecurity); the CycloneDX
/// document is in the project's artifact store under its SHA-256.
struct LineageImageSbom
{
    QString imageId;      ///< `sha256:…`
    QString sbomSha256;   ///< the CycloneDX document's SHA-256 (lowercase hex)
    QString distribution; ///< "debian-12", "alpine-3.18.4"; empty when the image does not say
    int packageCount = 0;
    QDateTime createdAt;
};

/// The latest vulnerability scan of an image: what it was matched against and what it found.
struct LineageImageScan
{
    QString imageId;
    QDateTime scannedAt;
    QStringList sources; ///< e.g. "osv: /srv/osv (12,345 advisories)", "trivy: report.json"
    QList<Finding> findings;
};

/// The version of one declared `.trainyard: data:` input in a run.
struct LineageDataVersion
{
    QString runId;
    QString name;
    QString path; ///< as declared
    QString hash; ///< DataVersioner hash; empty when it could not be hashed
    qint64 fileCount = 0;
    qint64 totalBytes = 0;
    QString dvcMd5;    ///< the md5 DVC recorded for it (`.dvc` / `dvc.lock`), if any
    QString dvcSource; ///< where that md5 was read, e.g. "data.dvc" or "dvc.lock:prepare"
};

/// One file a job produced (as collected into the artifact store).
struct LineageArtifact
{
    QString runId;
    QString job;
    QString path; ///< relative to the job's workspace
    QString sha256;
    qint64 size = 0;
    bool executable = false;
    QDateTime expires; ///< from `artifacts: expire_in`; invalid when it does not expire
};

/// A job received (was staged) an artifact of an earlier job of its run.
struct LineageConsumption
{
    QString runId;
    QString job; ///< the consumer
    QString producerJob;
    QString path;
    QString sha256;
};

/// A variable as the job saw it, secrets left out. `job` is empty for pipeline-wide variables.
struct LineageVariable
{
    QString runId;
    QString job;
    QString name;
    QString value;
};

/// The final value of a TensorBoard scalar a job wrote.
struct LineageScalar
{
    QString runId;
    QString job;
    QString tag;
    double value = 0;
};

/// A number a job reported in a file rather than as a TensorBoard scalar: a line of its GitLab
/// metrics report, a numeric variable of its dotenv report, a top-level number of its metrics.json.
struct LineageMetric
{
    QString runId;
    QString job;
    QString name;
    double value = 0; ///< NaN and infinities as written
    QString source;   ///< the file as the job collected it ("metrics.json")
};

/// A metric gate of a job (`.trainyard: jobs: NAME: gates:`) and how it came out.
struct LineageGate
{
    QString runId;
    QString job;
    QString metric;
    QString op; ///< >=, >, <=, <, ==
    double threshold = 0;
    std::optional<double> value; ///< the measured value, once known
    QString outcome;             ///< "pending", "passed", "failed", "not measured"
    QString source;              ///< where the value came from, e.g. "scalars" or "metrics.json"
};

/// A run waiting in a project's store to be pushed to the team's store.
struct LineageOutboxEntry
{
    QString runId;
    qint64 revision = 0; ///< counts the writes of the run's records since it was last pushed
};

/// A reproduction of a run and whether its artifacts came out identical.
struct LineageReproduction
{
    QString originalRunId;
    QString reproductionRunId;
    bool identical = false;
    QString differences; ///< a table of what differs, in words; empty when identical
    QDateTime compared;
    bool errored = false; ///< it could not start (differences says why): no verdict either way
};

/// A reviewer's decision on an artifact. Append-only: never changed once written.
struct LineageSignOff
{
    qint64 id = 0;
    QString artifactSha256;
    QString runId; ///< the run that produced the artifact reviewed
    QString reviewer;
    QString decision; ///< "approve" or "reject"
    QString comment;
    QDateTime signedAt;
    QString fingerprint;  ///< Provenance fingerprint when signed: a later change makes it stale
    QString signedInAs{}; ///< a team store's login that gave it (stamped by the server; read only)
};

/// A job of a run, by name.
struct LineageJobRef
{
    QString runId;
    QString job;
    bool operator==(const LineageJobRef &) const = default;
};

/// Filters for LineageStore::runs(); empty fields do not filter.
struct LineageRunFilter
{
    QString branch;
    QString status;
    QString commit;   ///< a sha or a prefix of one
    QString image;    ///< a reference, image ID or repo digest
    QString dataHash; ///< a data version hash or DVC md5
    QString tag;      ///< runs people tagged so
    QString project;  ///< runs of this project (LineageRun::projectPath), from any machine
    int limit = 0;    ///< 0 = all
};

} // namespace trainyard::core
