#pragma once

#include "common/error.h"
#include "lineagerecords.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace trainyard::core {

class LineageStore;

/// Everything an artifact was made from: its job and every job upstream of it (the jobs it waited
/// for, transitively, and, for a job a retry reused, that job in the run it came from), with their
/// runs, commits, images, data versions, the artifacts they were staged, variables, scalars,
/// gates, and the reproductions of the artifact's run.
struct ArtifactProvenance
{
    LineageArtifact artifact;               ///< the subject
    std::vector<LineageRun> runs;           ///< the artifact's run first
    std::vector<LineageCommit> commits;     ///< of those runs
    std::vector<LineageJob> jobs;           ///< the producing job first, then upstream ones
    std::vector<LineageConsumption> inputs; ///< artifacts those jobs were staged
    std::vector<LineageImage> images;       ///< images those jobs ran in
    std::vector<LineageDataVersion> data;   ///< data versions of those runs
    std::vector<LineageVariable> variables; ///< run-wide ones, and those of the jobs
    std::vector<LineageScalar> scalars;
    std::vector<LineageGate> gates;
    std::vector<LineageMetric> metrics;             ///< numbers those jobs reported in files
    std::vector<LineageReproduction> reproductions; ///< of the artifact's run
    /// "RUN/JOB" → the jobs of that run it waited for (its needs, or the stages before it), for
    /// drawing; recorded once at the run's start, so not part of toJson() or the fingerprint.
    QHash<QString, QStringList> jobNeeds;
    /// The latest vulnerability scan of each image those jobs ran in, by image ID (images never
    /// scanned have none). About the image, not the lineage: not part of toJson() or the
    /// fingerprint, so a newer scan changes the review's verdict without making sign-offs stale.
    QHash<QString, LineageImageScan> imageScans;
    /// The bill of materials of each image those jobs ran in, by image ID, when one was made (not
    /// in toJson() or the fingerprint either).
    QHash<QString, LineageImageSbom> imageSboms;

    const LineageRun &run() const { return runs.front(); }
    const LineageCommit *commitOf(const LineageRun &run) const;
    const LineageImage *imageOf(const LineageJob &job) const;
    /// SHA-256 of toJson(): it changes whenever anything recorded about the artifact's lineage
    /// changes, which makes earlier sign-offs stale.
    QString fingerprint() const;
    QJsonObject toJson() const;
};

/// One run's whole record (`trainyard lineage RUN_ID`).
struct RunLineage
{
    LineageRun run;
    std::optional<LineageCommit> commit;
    std::vector<LineageJob> jobs;
    std::vector<std::pair<QString, QString>> edges; ///< (job, upstream)
    std::vector<LineageImage> images;
    std::vector<LineageDataVersion> data;
    std::vector<LineageArtifact> artifacts;
    std::vector<LineageConsumption> consumptions;
    std::vector<LineageVariable> variables;
    std::vector<LineageScalar> scalars;
    std::vector<LineageGate> gates;
    std::vector<LineageMetric> metrics;
    std::vector<LineageReproduction> reproductions;

    QJsonObject toJson() const;
};

/// What was made from a data version, an image, a commit or an artifact: the jobs that used it,
/// every job downstream of those (staged their artifacts, or reused them in a retry), their runs
/// and artifacts. "This dataset was bad: which models are affected?"
struct LineageUses
{
    enum class Kind { Data, Image, Commit, Artifact, Unknown };
    QString key;
    Kind kind = Kind::Unknown;
    std::vector<LineageRun> runs; ///< newest first
    std::vector<LineageJobRef> jobs;
    std::vector<LineageArtifact> artifacts;

    static QString kindName(Kind kind);
    QJsonObject toJson() const;
};

/// Queries over a LineageStore: upstream provenance and reverse lineage.
class Provenance final
{
public:
    explicit Provenance(const LineageStore &store);

    /// The artifact `target` names: a sha256 (64 hex digits), a path as jobs collected it
    /// ("models/model.txt"), or a file on disk, which is hashed. The newest one recorded, or the
    /// one of `runId` when given. An Error says what was looked for and not found.
    Result<LineageArtifact> resolveArtifact(const QString &target, const QString &runId = {}) const;
    Result<ArtifactProvenance> ofArtifact(const LineageArtifact &artifact) const;
    Result<RunLineage> ofRun(const QString &runId) const;
    /// Reverse lineage of `key`: a data hash (or DVC md5), an image ID or digest (`sha256:…`,
    /// `name@sha256:…`), a commit (40 hex digits, or a prefix of 4 to 39), or an artifact sha256.
    /// A 64-hex key is tried as a data hash, then an image ID, then an artifact.
    Result<LineageUses> uses(const QString &key) const;

private:
    Result<void> collectUses(LineageUses &uses, const std::vector<LineageJobRef> &seeds) const;

    const LineageStore &m_store;
};

/// JSON helpers shared by the exports.
QJsonObject toJson(const LineageRun &r);
QJsonObject toJson(const LineageJob &j);
QJsonObject toJson(const LineageArtifact &a);
QJsonObject toJson(const LineageImage &i);
QJsonObject toJson(const LineageDataVersion &d);
QJsonObject toJson(const LineageGate &g);
QJsonObject toJson(const LineageSignOff &s);
QJsonObject toJson(const LineageCommit &c);
QJsonObject toJson(const LineageConsumption &c);
QJsonObject toJson(const LineageVariable &v);
QJsonObject toJson(const LineageScalar &s);
QJsonObject toJson(const LineageMetric &m);
QJsonObject toJson(const LineageReproduction &r);
QJsonObject toJson(const LineageJobRef &j);

} // namespace trainyard::core
