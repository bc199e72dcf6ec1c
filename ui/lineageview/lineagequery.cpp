#include "lineagequery.h"

#include "async/onworker.h"
#include "engine/dockerclient.h"
#include "lineage/imagesecurity.h"
#include "lineage/lineagestore.h"
#include "lineage/provenanceexport.h"
#include "pipeline/gitlabcireader.h"
#include "supplychain/installedscanners.h"
#include "vcs/gitinfo.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>

namespace trainyard::ui {

namespace {

/// Opens the project's store (or the team's, at `teamUrl`) in the calling (worker) thread; a
/// project that never recorded a run has no database, which is said as such rather than creating
/// an empty one.
core::Result<std::unique_ptr<core::LineageStore>> openStore(const QString &projectDir, const QString &teamUrl)
{
    if (!teamUrl.isEmpty())
        return core::LineageStore::open(teamUrl);
    const QString path = core::LineageStore::defaultPath(projectDir);
    if (!QFileInfo::exists(path))
        return tl::unexpected(core::Error::error(
            QObject::tr("No lineage is recorded for this project yet: run its pipeline first (%1 does not exist).")
                .arg(path),
            core::SourceLocation{path}));
    core::LineageStore::Options options;
    options.recoverInterrupted = false; // a viewer does not change what runs are marked
    return core::LineageStore::open(path, options);
}

core::Result<ArtifactReview> computeReview(core::LineageStore &store, const QString &projectDir, const QString &target,
                                           const QString &runId)
{
    const core::Provenance provenance(store);
    auto artifact = provenance.resolveArtifact(target, runId);
    if (!artifact)
        return tl::unexpected(artifact.error());
    auto prov = provenance.ofArtifact(*artifact);
    if (!prov)
        return tl::unexpected(prov.error());
    ArtifactReview review;
    review.provenance = std::move(*prov);
    review.checklist = core::ReleaseReview::checklist(review.provenance, core::ReleasePolicy::ofProject(projectDir));
    auto signOffs = core::ReleaseReview(store).signOffs(review.provenance);
    if (!signOffs)
        return tl::unexpected(signOffs.error());
    review.signOffs = std::move(*signOffs);
    auto uses = provenance.uses(review.provenance.artifact.sha256);
    if (uses)
        review.uses = std::move(*uses);
    return review;
}

} // namespace

LineageQuery::LineageQuery(QObject *parent)
    : QObject(parent)
{}

LineageQuery::~LineageQuery() = default;

void LineageQuery::listArtifacts()
{
    struct Listing
    {
        std::vector<core::LineageArtifact> artifacts;
        std::vector<core::LineageRun> runs;
        bool olderRuns = false;
        QString error;
    };
    onWorker(
        this,
        [dir = m_projectDir, team = m_teamUrl, listed = m_listedRuns] {
            Listing out;
            auto store = openStore(dir, team);
            if (!store) {
                out.error = store.error().message;
                return out;
            }
            core::LineageRunFilter filter;
            if (!team.isEmpty()) {
                // On the team's store, this project's runs from every machine: known by its git remote.
                const auto git = core::GitInfo::read(dir);
                filter.project = git ? git->projectPath : QString();
                if (filter.project.isEmpty()) {
                    out.error = QObject::tr("This project has no git remote \"origin\" to know it by on other "
                                            "machines (git remote add origin URL): the team's runs of it cannot be "
                                            "told from others'.");
                    return out;
                }
            }
            filter.limit = listed + 1;          // one more says there are older ones
            auto runs = (*store)->runs(filter); // newest first, as the limit takes them
            if (!runs) {
                out.error = runs.error().toString();
                return out;
            }
            if (runs->size() > size_t(listed)) {
                out.olderRuns = true;
                runs->resize(size_t(listed));
            }
            QStringList ids;
            for (const core::LineageRun &r : *runs)
                ids << r.id;
            auto artifacts = (*store)->artifactsOfRuns(ids);
            if (!artifacts) {
                out.error = artifacts.error().toString();
                return out;
            }
            const QHash<QString, int> order = [&] {
                QHash<QString, int> o;
                for (int i = 0; i < ids.size(); ++i)
                    o.insert(ids[i], i);
                return o;
            }();
            std::stable_sort(artifacts->begin(), artifacts->end(),
                             [&](const auto &a, const auto &b) { return order.value(a.runId) < order.value(b.runId); });
            out.artifacts = std::move(*artifacts);
            out.runs = std::move(*runs);
            return out;
        },
        [this, asked = m_generation](Listing listing) {
            if (asked != m_generation)
                return; // of another project or store
            if (!listing.error.isEmpty())
                Q_EMIT failed(listing.error);
            Q_EMIT artifactsListed(listing.artifacts, listing.runs, listing.olderRuns);
        });
}

void LineageQuery::review(const QString &target, const QString &runId)
{
    onWorker(
        this,
        [dir = m_projectDir, team = m_teamUrl, target, runId]() -> core::Result<ArtifactReview> {
            auto store = openStore(dir, team);
            if (!store)
                return tl::unexpected(store.error());
            return computeReview(**store, dir, target, runId);
        },
        [this, asked = m_generation](core::Result<ArtifactReview> review) {
            if (asked != m_generation)
                return;
            if (review)
                Q_EMIT reviewed(*review);
            else
                Q_EMIT failed(review.error().message);
        });
}

void LineageQuery::scanImage(const QString &imageId, const QString &reference, const QString &osvDir,
                             std::shared_ptr<std::atomic_bool> stop)
{
    struct Outcome
    {
        QString summary;
        QString error;
        bool needsAdvisories = false;
    };
    onWorker(
        this,
        [dir = m_projectDir, imageId, reference, osvDir, stop]() -> Outcome {
            core::ImageSecurity::ScanRequest request;
            request.osvDir = osvDir;
            if (request.osvDir.isEmpty()) {
                core::GitlabCiReader::Options options;
                options.projectDir = dir;
                request.osvDir = core::GitlabCiReader::read(options).trainyard.scan.osvFolder(dir);
            }
            request.scanners = core::InstalledScanners::available();
            if (request.osvDir.isEmpty() && request.scanners.isEmpty())
                return {{}, {}, true};
            auto store = core::LineageStore::open(core::LineageStore::defaultPath(dir));
            if (!store)
                return {{}, store.error().message, false};
            core::DockerClient docker;
            core::ImageSecurity security(**store, QDir(dir).absoluteFilePath(QStringLiteral(".trainyard/artifacts")));
            auto scanned = security.scan(docker, imageId, request, {}, stop ? stop.get() : nullptr);
            if (!scanned)
                return {{}, scanned.error().toString(), false};
            return {QObject::tr("%1 finding(s): %2")
                        .arg(scanned->scan.findings.size())
                        .arg(core::SeverityCounts::of(scanned->scan.findings).toString()),
                    {},
                    false};
        },
        [this, imageId, reference](Outcome outcome) {
            if (outcome.needsAdvisories)
                Q_EMIT needsAdvisories(imageId, reference);
            else if (!outcome.error.isEmpty())
                Q_EMIT scanFailed(imageId, outcome.error);
            else
                Q_EMIT imageScanned(imageId, reference, outcome.summary);
        });
}

void LineageQuery::signOff(const ArtifactReview &review, const QString &reviewer, const QString &decision,
                           const QString &comment)
{
    struct Outcome
    {
        core::Result<core::LineageSignOff> signOff;
        core::Result<ArtifactReview> fresh;
    };
    onWorker(
        this,
        [dir = m_projectDir, team = m_teamUrl, provenance = review.provenance, reviewer, decision,
         comment]() -> Outcome {
            auto store = openStore(dir, team);
            if (!store)
                return {tl::unexpected(store.error()), tl::unexpected(store.error())};
            if ((*store)->isReadOnly()) {
                const auto e = core::Error::error(
                    QObject::tr("The lineage database is read-only: %1").arg((*store)->readOnlyReason()),
                    core::SourceLocation{(*store)->path()});
                return {tl::unexpected(e), tl::unexpected(e)};
            }
            auto signedOff = core::ReleaseReview(**store).signOff(provenance, reviewer, decision, comment);
            auto fresh = computeReview(**store, dir, provenance.artifact.sha256, provenance.artifact.runId);
            return {std::move(signedOff), std::move(fresh)};
        },
        [this](Outcome outcome) {
            if (!outcome.signOff) {
                Q_EMIT failed(outcome.signOff.error().message);
                return;
            }
            Q_EMIT signedOff(*outcome.signOff);
            if (outcome.fresh)
                Q_EMIT reviewed(*outcome.fresh);
        });
}

void LineageQuery::exportReport(const ArtifactReview &review, const QString &fileName)
{
    onWorker(
        this,
        [review, fileName]() -> core::Result<void> {
            auto bytes = core::ProvenanceExport::render(fileName, review.provenance, review.checklist, review.signOffs);
            if (!bytes)
                return tl::unexpected(bytes.error());
            QSaveFile file(fileName);
            if (!file.open(QIODevice::WriteOnly) || file.write(*bytes) != bytes->size() || !file.commit())
                return tl::unexpected(
                    core::Error::error(QObject::tr("Cannot write %1: %2").arg(fileName, file.errorString()),
                                       core::SourceLocation{fileName}));
            return {};
        },
        [this, fileName](core::Result<void> done) {
            if (done)
                Q_EMIT exported(fileName);
            else
                Q_EMIT failed(done.error().message);
        });
}

} // namespace trainyard::ui
