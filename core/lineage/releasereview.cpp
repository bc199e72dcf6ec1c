#include "releasereview.h"

#include "imagesecurity.h"
#include "pipeline/gitlabcireader.h"

#include "lineagestore.h"
#include "provenance.h"

#include <QHash>

#include <QJsonObject>
#include <algorithm>

namespace trainyard::core {

namespace {

using State = ChecklistItem::State;

QString shortSha(const QString &sha)
{
    return sha.left(12);
}

/// A job that did run (here, or in the run a retry reused it from).
bool ran(const LineageJob &j)
{
    return j.started.isValid() || !j.reusedFrom.isEmpty();
}

ChecklistItem cleanCommit(const ArtifactProvenance &p)
{
    ChecklistItem item{
        QStringLiteral("clean-commit"), QStringLiteral("Clean commit on a protected branch"), State::Passed, {}};
    for (const LineageRun &run : p.runs) {
        const QStringList protectedBranches =
            run.protectedBranches.isEmpty() ? QStringList{QStringLiteral("main")} : run.protectedBranches;
        QStringList problems;
        if (run.commitSha.isEmpty())
            problems << QStringLiteral("not made from a git commit");
        if (run.dirty)
            problems << QStringLiteral("had uncommitted changes (diff sha256 %1)").arg(shortSha(run.diffHash));
        if (!protectedBranches.contains(run.branch))
            problems << QStringLiteral("branch '%1' is not protected (protected: %2)")
                            .arg(run.branch, protectedBranches.join(QStringLiteral(", ")));
        if (problems.isEmpty()) {
            item.details
                << QStringLiteral("run %1: commit %2 on %3, clean").arg(run.id, shortSha(run.commitSha), run.branch);
        } else {
            item.state = State::Failed;
            item.details << QStringLiteral("run %1: %2").arg(run.id, problems.join(QStringLiteral("; ")));
        }
    }
    return item;
}

ChecklistItem pinnedImages(const ArtifactProvenance &p)
{
    ChecklistItem item{
        QStringLiteral("pinned-images"), QStringLiteral("Every image pinned by digest"), State::Passed, {}};
    QStringList seen;
    for (const LineageJob &job : p.jobs) {
        if (!ran(job))
            continue;
        if (job.image.isEmpty()) {
            item.state = State::Failed;
            item.details << QStringLiteral("job %1 ran in the host shell (engine %2), not in an image")
                                .arg(job.name, job.engine.isEmpty() ? QStringLiteral("?") : job.engine);
            continue;
        }
        const QString key = job.runId + u'/' + job.image;
        if (seen.contains(key))
            continue;
        seen << key;
        const LineageImage *image = p.imageOf(job);
        const QString resolved = image && !image->imageId.isEmpty() ? image->imageId : job.imageId;
        const QString lastPart = job.image.section(u'/', -1);
        const bool hasTag = lastPart.contains(u':');
        const QString tag = hasTag ? lastPart.section(u':', -1) : QString();
        if (job.image.contains(QLatin1String("@sha256:"))) {
            item.details << QStringLiteral("%1: pinned by digest").arg(job.image);
        } else if (image && !image->buildContextHash.isEmpty() && hasTag && tag != QLatin1String("latest")) {
            item.details << QStringLiteral("%1: built here from context sha256 %2, image %3")
                                .arg(job.image, shortSha(image->buildContextHash), resolved);
        } else {
            item.state = State::Failed;
            item.details << QStringLiteral("%1: referenced by %2, not by digest (resolved to %3; pin it as %4)")
                                .arg(job.image,
                                     !hasTag || tag == QLatin1String("latest") ? QStringLiteral("'latest'")
                                                                               : QStringLiteral("tag '%1'").arg(tag),
                                     resolved.isEmpty() ? QStringLiteral("?") : resolved,
                                     image && !image->repoDigests.isEmpty() ? image->repoDigests.first()
                                                                            : QStringLiteral("NAME@sha256:…"));
        }
    }
    if (item.details.isEmpty())
        item.details << QStringLiteral("no job ran in an image");
    return item;
}

ChecklistItem versionedData(const ArtifactProvenance &p)
{
    ChecklistItem item{
        QStringLiteral("versioned-data"), QStringLiteral("Every data input versioned"), State::Passed, {}};
    for (const LineageDataVersion &d : p.data) {
        if (d.hash.isEmpty()) {
            item.state = State::Failed;
            item.details
                << QStringLiteral("run %1: data input '%2' (%3) has no recorded version").arg(d.runId, d.name, d.path);
        } else {
            QString line =
                QStringLiteral("run %1: data input '%2' (%3) sha256 %4").arg(d.runId, d.name, d.path, shortSha(d.hash));
            if (!d.dvcMd5.isEmpty())
                line += QStringLiteral(", DVC md5 %1 (%2)").arg(d.dvcMd5, d.dvcSource);
            item.details << line;
        }
    }
    if (p.data.empty())
        item.details << QStringLiteral("no data inputs declared");
    return item;
}

ChecklistItem gatesPassed(const ArtifactProvenance &p)
{
    ChecklistItem item{QStringLiteral("gates-passed"), QStringLiteral("Every metric gate passed"), State::Passed, {}};
    for (const LineageGate &g : p.gates) {
        const QString gate = QStringLiteral("%1 %2 %3 on job %4").arg(g.metric, g.op).arg(g.threshold).arg(g.job);
        if (g.outcome == QLatin1String("passed")) {
            item.details << QStringLiteral("%1: passed (%2, from %3)").arg(gate).arg(g.value.value_or(0)).arg(g.source);
        } else {
            item.state = State::Failed;
            item.details
                << (g.value ? QStringLiteral("%1: %2 (%3, from %4)").arg(gate, g.outcome).arg(*g.value).arg(g.source)
                            : QStringLiteral("%1: %2").arg(gate, g.outcome));
        }
    }
    if (p.gates.empty())
        item.details << QStringLiteral("no gates declared upstream of this artifact");
    return item;
}

ChecklistItem noAllowedFailures(const ArtifactProvenance &p)
{
    ChecklistItem item{
        QStringLiteral("no-allowed-failures"), QStringLiteral("No failed-but-allowed job upstream"), State::Passed, {}};
    for (const LineageJob &job : p.jobs) {
        if (job.status == QLatin1String("failed (allowed)")) {
            item.state = State::Failed;
            item.details
                << QStringLiteral("job %1 (run %2) failed but was allowed to: %3").arg(job.name, job.runId, job.reason);
        }
    }
    if (item.details.isEmpty())
        item.details << (p.jobs.size() <= 1
                             ? QStringLiteral("the producing job did not fail")
                             : QStringLiteral("the producing job and %1 job(s) upstream of it, none failed")
                                   .arg(p.jobs.size() - 1));
    return item;
}

ChecklistItem reproducible(const ArtifactProvenance &p)
{
    ChecklistItem item{
        QStringLiteral("reproducible"), QStringLiteral("Reproduced with identical hashes"), State::Unknown, {}};
    for (const LineageReproduction &r : p.reproductions) {
        if (r.errored) { // no verdict either way ("errored: … could not run its jobs …")
            item.details << r.differences.trimmed();
        } else if (r.identical) {
            item.state = State::Passed;
            item.details << QStringLiteral("run %1 reproduced it identically").arg(r.reproductionRunId);
        } else {
            if (item.state != State::Passed)
                item.state = State::Failed;
            item.details << QStringLiteral("run %1 differed: %2").arg(r.reproductionRunId, r.differences);
        }
    }
    if (std::all_of(p.reproductions.cbegin(), p.reproductions.cend(),
                    [](const LineageReproduction &r) { return r.errored; }))
        item.details << QStringLiteral("not yet tried (trainyard reproduce %1)").arg(p.artifact.runId);
    return item;
}

ChecklistItem imagesScanned(const ArtifactProvenance &p, const ReleasePolicy &policy)
{
    ChecklistItem item{QStringLiteral("images-scanned"),
                       QStringLiteral("Images scanned for known vulnerabilities"),
                       State::Passed,
                       {}};
    QStringList seen;
    bool unscanned = false;
    for (const LineageImage &image : p.images) {
        if (image.imageId.isEmpty() || seen.contains(image.imageId))
            continue;
        seen << image.imageId;
        const auto scan = p.imageScans.constFind(image.imageId);
        if (scan == p.imageScans.constEnd()) {
            unscanned = true;
            item.details << QStringLiteral("%1 (%2): not scanned (trainyard scan --osv DIR %1, or .trainyard: scan: "
                                           "osv: and on_run: true)")
                                .arg(image.reference, image.imageId);
            continue;
        }
        const QList<Finding> blocking = ImageSecurity::blocking(scan->findings, policy.scanFailOn);
        QString line =
            QStringLiteral("%1: %2 finding(s): %3 (scanned %4)")
                .arg(image.reference)
                .arg(scan->findings.size())
                .arg(SeverityCounts::of(scan->findings).toString(), scan->scannedAt.toUTC().toString(Qt::ISODate));
        if (!blocking.isEmpty()) {
            item.state = State::Failed;
            QStringList ids;
            for (const Finding &f : blocking)
                ids << QStringLiteral("%1 in %2 %3").arg(f.id, f.package, f.installedVersion);
            ids.removeDuplicates();
            line +=
                QStringLiteral("; at or above fail_on %1: %2").arg(policy.scanFailOn, ids.join(QStringLiteral(", ")));
        }
        item.details << line;
    }
    for (const QString &problem : policy.problems) {
        item.state = State::Failed;
        item.details << QStringLiteral("the project's scan policy cannot be read: %1").arg(problem);
    }
    if (seen.isEmpty()) {
        item.details << QStringLiteral("no job ran in an image");
    } else if (unscanned && !policy.scanFailOn.isEmpty()) { // a gate cannot judge an image nobody scanned
        item.state = State::Failed;
        item.details << QStringLiteral("fail_on %1 is set: every image must be scanned").arg(policy.scanFailOn);
    } else if (unscanned && item.state != State::Failed) {
        item.state = State::Unknown;
    }
    return item;
}

} // namespace

ReleasePolicy ReleasePolicy::ofProject(const QString &projectDir)
{
    GitlabCiReader::Options options;
    options.projectDir = projectDir;
    ReleasePolicy policy;
    const Pipeline pipeline = GitlabCiReader::read(options);
    policy.scanFailOn = pipeline.trainyard.scan.failOn;
    for (const Error &e : pipeline.problems) {
        if (e.isError() && e.message.startsWith(QLatin1String(".trainyard scan")))
            policy.problems << e.toString();
    }
    return policy;
}

QString ChecklistItem::stateName(State state)
{
    switch (state) {
    case State::Passed:
        return QStringLiteral("passed");
    case State::Failed:
        return QStringLiteral("failed");
    case State::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

bool ReleaseChecklist::passed() const
{
    return std::none_of(items.begin(), items.end(), [](const ChecklistItem &i) { return i.state == State::Failed; });
}

const ChecklistItem *ReleaseChecklist::item(const QString &id) const
{
    for (const ChecklistItem &i : items) {
        if (i.id == id)
            return &i;
    }
    return nullptr;
}

QJsonArray ReleaseChecklist::toJson() const
{
    QJsonArray out;
    for (const ChecklistItem &i : items) {
        out.append(QJsonObject{{QStringLiteral("id"), i.id},
                               {QStringLiteral("title"), i.title},
                               {QStringLiteral("state"), ChecklistItem::stateName(i.state)},
                               {QStringLiteral("details"), QJsonArray::fromStringList(i.details)}});
    }
    return out;
}

ReleaseReview::ReleaseReview(LineageStore &store)
    : m_store(store)
{}

ReleaseChecklist ReleaseReview::checklist(const ArtifactProvenance &p, const ReleasePolicy &policy)
{
    return ReleaseChecklist{{cleanCommit(p), pinnedImages(p), versionedData(p), gatesPassed(p), noAllowedFailures(p),
                             reproducible(p), imagesScanned(p, policy)}};
}

Result<std::vector<SignOffStatus>> ReleaseReview::signOffs(const ArtifactProvenance &p) const
{
    auto rows = m_store.signOffs(p.artifact.sha256);
    if (!rows)
        return tl::unexpected(rows.error());
    // The fingerprint of the artifact's lineage in each run that was signed for.
    QHash<QString, QString> fingerprints{{p.artifact.runId, p.fingerprint()}};
    const Provenance provenance(m_store);
    const auto fingerprintIn = [&](const QString &runId) -> QString {
        if (auto it = fingerprints.constFind(runId); it != fingerprints.constEnd())
            return *it;
        QString fingerprint; // empty (so stale) when the run no longer has the artifact
        if (auto artifact = provenance.resolveArtifact(p.artifact.sha256, runId)) {
            if (auto lineage = provenance.ofArtifact(*artifact))
                fingerprint = lineage->fingerprint();
        }
        fingerprints.insert(runId, fingerprint);
        return fingerprint;
    };
    std::vector<SignOffStatus> out;
    for (const LineageSignOff &s : *rows) {
        const bool otherRun = !s.runId.isEmpty() && s.runId != p.artifact.runId;
        const QString current = otherRun ? fingerprintIn(s.runId) : fingerprints.value(p.artifact.runId);
        out.push_back(SignOffStatus{s, s.fingerprint != current, otherRun});
    }
    return out;
}

Result<LineageSignOff> ReleaseReview::signOff(const ArtifactProvenance &p, const QString &reviewer,
                                              const QString &decision, const QString &comment)
{
    LineageSignOff s;
    s.artifactSha256 = p.artifact.sha256;
    s.runId = p.artifact.runId;
    s.reviewer = reviewer.trimmed();
    s.decision = decision;
    s.comment = comment;
    s.signedAt = QDateTime::currentDateTimeUtc();
    s.fingerprint = p.fingerprint();
    auto id = m_store.addSignOff(s);
    if (!id)
        return tl::unexpected(id.error());
    s.id = *id;
    return s;
}

} // namespace trainyard::core
