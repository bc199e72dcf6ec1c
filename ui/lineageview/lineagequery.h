#pragma once

#include "lineage/runhistory.h"

#include "lineage/provenance.h"
#include "lineage/releasereview.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

#include <vector>

namespace trainyard::ui {

/// Everything the lineage view and the release review show about one artifact.
struct ArtifactReview
{
    core::ArtifactProvenance provenance;
    core::ReleaseChecklist checklist;
    std::vector<core::SignOffStatus> signOffs;
    core::LineageUses uses; ///< what was made from the artifact (forward lineage)
};

/// The lineage database of a project, asked on worker threads: every call returns at once and
/// answers with a signal on the UI thread. Each call opens the store in its worker (SQLite
/// connections belong to one thread), so calls may overlap.
class LineageQuery final : public QObject
{
    Q_OBJECT

public:
    explicit LineageQuery(QObject *parent = nullptr);
    ~LineageQuery() override;

    /// Answers still coming for another project or store are dropped from then on.
    void setProjectDir(const QString &dir)
    {
        m_projectDir = dir;
        ++m_generation;
    }
    QString projectDir() const { return m_projectDir; }
    /// Asks the team's store at `url` (postgresql://…) instead of the project's: the project's runs
    /// from every machine (matched by its git remote); empty: the project's own store again.
    void setTeamStore(const QString &url)
    {
        m_teamUrl = url;
        ++m_generation;
    }
    QString teamStore() const { return m_teamUrl; }

    /// The artifacts of the project's newest listedRuns() runs, newest run first → artifactsListed.
    void listArtifacts();
    /// How many runs listArtifacts() lists: the newest, as the Runs list shows them (a store of a
    /// million artifacts is not a list to scroll; older ones are found by hash or path).
    int listedRuns() const { return m_listedRuns; }
    void setListedRuns(int runs) { m_listedRuns = runs; }
    /// Resolves `target` (a sha256, a path as collected, or a file on disk; the newest recorded,
    /// or the one of `runId`) and computes its provenance, checklist, sign-offs and uses → reviewed.
    void review(const QString &target, const QString &runId = {});
    /// Appends a sign-off bound to the provenance as it is now → signedOff, then a fresh review.
    void signOff(const ArtifactReview &review, const QString &reviewer, const QString &decision,
                 const QString &comment);
    /// Scans image `imageId` of the project (its SBOM made once) on a worker: against `osvDir`, or
    /// the project's `.trainyard: scan: osv:` when empty, and the installed trivy/grype →
    /// imageScanned; needsAdvisories when there is nothing to match it against.
    /// Every answer names the image; answers come even after another project or store was set
    /// (the asker decides whether it still waits). `stop` (optional) stops the scan.
    void scanImage(const QString &imageId, const QString &reference, const QString &osvDir = {},
                   std::shared_ptr<std::atomic_bool> stop = {});
    /// Writes a report (.md, .html) or the in-toto statement (.json) → exported.
    void exportReport(const ArtifactReview &review, const QString &fileName);

Q_SIGNALS:
    /// `olderRuns`: the project has runs older than those listed.
    void artifactsListed(const std::vector<trainyard::core::LineageArtifact> &artifacts,
                         const std::vector<trainyard::core::LineageRun> &runs, bool olderRuns);
    void reviewed(const trainyard::ui::ArtifactReview &review);
    void signedOff(const trainyard::core::LineageSignOff &signOff);
    void exported(const QString &fileName);
    /// scanImage() recorded a scan; `summary` says what it found ("2 finding(s): 1 critical, …").
    void imageScanned(const QString &imageId, const QString &reference, const QString &summary);
    /// scanImage() found no advisories to use: the project sets no `.trainyard: scan: osv:` and
    /// no scanner is installed (the view asks for a folder).
    void needsAdvisories(const QString &imageId, const QString &reference);
    /// scanImage() could not scan `imageId`; `message` says why.
    void scanFailed(const QString &imageId, const QString &message);
    /// Something could not be answered; `message` is meant for the user (names the database,
    /// the artifact or the file).
    void failed(const QString &message);

private:
    QString m_projectDir;
    QString m_teamUrl;
    quint64 m_generation = 0; ///< which project and store the answers being waited for are of
    int m_listedRuns = core::RunHistory::kListed;
};

} // namespace trainyard::ui
