#pragma once

#include "common/error.h"
#include "provenance.h"

#include <QJsonArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

class LineageStore;

/// One line of the release checklist.
struct ChecklistItem
{
    enum class State {
        Passed,  ///< holds for everything in the artifact's lineage
        Failed,  ///< does not hold: `details` say where
        Unknown, ///< cannot be told yet (e.g. no reproduction tried): does not block a release
    };
    QString id;    ///< stable key: clean-commit, pinned-images, versioned-data, gates-passed,
                   ///< no-allowed-failures, reproducible, images-scanned
    QString title; ///< what is checked, in words
    State state = State::Unknown;
    QStringList details; ///< one line per thing checked, saying why it passed or failed

    static QString stateName(State state); ///< "passed", "failed", "unknown"
};

/// The project's rules a review applies beyond the lineage itself.
struct ReleasePolicy
{
    /// `.trainyard: scan: fail_on:` — findings at or above it (critical, high, medium, low) in an
    /// image the artifact's jobs ran in fail "images scanned"; empty: findings never fail it.
    QString scanFailOn;
    /// Why the project's `.trainyard: scan:` could not be read (FILE:LINE:COL: …); a gate that
    /// cannot be read fails "images scanned" rather than silently not applying.
    QStringList problems;
    /// The project's pipeline settings' policy, read from `projectDir`'s pipeline file (none: the
    /// default policy).
    static ReleasePolicy ofProject(const QString &projectDir);
};

/// What a lead checks before releasing an artifact, computed from its lineage.
struct ReleaseChecklist
{
    std::vector<ChecklistItem> items;
    /// No item failed (unknown ones do not block).
    bool passed() const;
    const ChecklistItem *item(const QString &id) const;
    QJsonArray toJson() const;
};

/// A sign-off, and whether the lineage changed since it was given.
struct SignOffStatus
{
    LineageSignOff signOff;
    bool stale = false; ///< the artifact's provenance fingerprint (in the signed run) differs from the one signed
    /// Signed for the same bytes made by another run (signOff.runId), not the one reviewed now;
    /// `stale` then judges that run's lineage.
    bool otherRun = false;
};

/// Release review of an artifact: the checklist, and append-only sign-offs.
class ReleaseReview final
{
public:
    explicit ReleaseReview(LineageStore &store);

    /// The checklist: every run made from a clean commit on a protected branch; every image pinned
    /// by digest (or built here from a recorded build context, under a tag that is not `latest`);
    /// every data input versioned; every gate passed; no job upstream that failed but was allowed
    /// to; a reproduction with identical hashes (unknown when none was tried); and every image
    /// scanned for vulnerabilities (unknown when one was not; failed when findings reach the
    /// policy's scan fail_on).
    static ReleaseChecklist checklist(const ArtifactProvenance &provenance, const ReleasePolicy &policy = {});

    /// Sign-offs of the artifact's bytes, oldest first. Each is judged against the lineage of the
    /// run it was given for: stale when that changed after it (a sign-off for another run that
    /// made the same bytes is kept, marked otherRun, and not made stale by the new run).
    Result<std::vector<SignOffStatus>> signOffs(const ArtifactProvenance &provenance) const;
    /// Appends a sign-off ("approve" or "reject") bound to the provenance as it is now.
    Result<LineageSignOff> signOff(const ArtifactProvenance &provenance, const QString &reviewer,
                                   const QString &decision, const QString &comment);

private:
    LineageStore &m_store;
};

} // namespace trainyard::core
