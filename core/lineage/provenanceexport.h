#pragma once

#include "provenance.h"
#include "releasereview.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace trainyard::core {

/// Reports of an artifact's provenance and release review, for people and for tools.
class ProvenanceExport final
{
public:
    static constexpr const char *kStatementType = "https://in-toto.io/Statement/v1";
    static constexpr const char *kPredicateType = "https://slsa.dev/provenance/v1";
    static constexpr const char *kBuildType = "https://trainyard.invalid/buildtypes/pipeline-run/v1";
    static constexpr const char *kBuilderId = "trainyard";

    /// A Markdown report: the artifact, the checklist, the provenance, the sign-offs.
    static QString markdown(const ArtifactProvenance &p, const ReleaseChecklist &checklist,
                            const std::vector<SignOffStatus> &signOffs);
    /// The same report as a standalone HTML page.
    static QString html(const ArtifactProvenance &p, const ReleaseChecklist &checklist,
                        const std::vector<SignOffStatus> &signOffs);
    /// An in-toto Statement v1 whose predicate is SLSA provenance v1: `subject` is the artifact
    /// (name = its path, digest.sha256); `buildDefinition.resolvedDependencies` are the git commit
    /// (digest.gitCommit), the images (digest.sha256 of the image ID) and the data versions
    /// (digest.sha256, and DVC's md5) and the artifacts the jobs were staged; `runDetails` has
    /// builder.id "trainyard" and the run's id, start and end (RFC 3339, UTC).
    static QJsonObject inTotoStatement(const ArtifactProvenance &p);
    /// Picks the format from the file name: .md, .html/.htm, .json (the in-toto statement).
    static Result<QByteArray> render(const QString &fileName, const ArtifactProvenance &p,
                                     const ReleaseChecklist &checklist, const std::vector<SignOffStatus> &signOffs);
};

} // namespace trainyard::core
