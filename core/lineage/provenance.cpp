#include "provenance.h"

#include "dataversioner.h"
#include "lineagestore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace trainyard::core {

namespace {

QString isoTime(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

bool isHex(const QString &s)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]+$"));
    return hex.match(s).hasMatch();
}

template <typename T> QJsonArray arrayOf(const std::vector<T> &items)
{
    QJsonArray out;
    for (const T &item : items)
        out.append(toJson(item));
    return out;
}

template <typename T> Result<void> append(std::vector<T> &into, Result<std::vector<T>> rows)
{
    if (!rows)
        return tl::unexpected(rows.error());
    into.insert(into.end(), std::make_move_iterator(rows->begin()), std::make_move_iterator(rows->end()));
    return {};
}

} // namespace

QJsonObject toJson(const LineageCommit &c)
{
    return QJsonObject{{QStringLiteral("sha"), c.sha},
                       {QStringLiteral("author"), c.authorName},
                       {QStringLiteral("author_email"), c.authorEmail},
                       {QStringLiteral("message"), c.message},
                       {QStringLiteral("committed"), isoTime(c.committed)}};
}

QJsonObject toJson(const LineageConsumption &c)
{
    return QJsonObject{{QStringLiteral("run"), c.runId},
                       {QStringLiteral("job"), c.job},
                       {QStringLiteral("producer_job"), c.producerJob},
                       {QStringLiteral("path"), c.path},
                       {QStringLiteral("sha256"), c.sha256}};
}

QJsonObject toJson(const LineageVariable &v)
{
    return QJsonObject{{QStringLiteral("run"), v.runId},
                       {QStringLiteral("job"), v.job},
                       {QStringLiteral("name"), v.name},
                       {QStringLiteral("value"), v.value}};
}

QJsonObject toJson(const LineageScalar &s)
{
    return QJsonObject{{QStringLiteral("run"), s.runId},
                       {QStringLiteral("job"), s.job},
                       {QStringLiteral("tag"), s.tag},
                       {QStringLiteral("value"), s.value}};
}

QJsonObject toJson(const LineageReproduction &r)
{
    QJsonObject o{{QStringLiteral("original_run"), r.originalRunId},
                  {QStringLiteral("reproduction_run"), r.reproductionRunId},
                  {QStringLiteral("identical"), r.identical},
                  {QStringLiteral("differences"), r.differences},
                  {QStringLiteral("compared"), isoTime(r.compared)}};
    if (r.errored) // only then: the fingerprints of lineages signed before the key existed stay the same
        o.insert(QStringLiteral("errored"), true);
    return o;
}

QJsonObject toJson(const LineageJobRef &j)
{
    return QJsonObject{{QStringLiteral("run"), j.runId}, {QStringLiteral("job"), j.job}};
}

QJsonObject toJson(const LineageRun &r)
{
    return QJsonObject{{QStringLiteral("id"), r.id},
                       {QStringLiteral("pipeline_iid"), r.pipelineIid},
                       {QStringLiteral("project_dir"), r.projectDir},
                       {QStringLiteral("project"), r.projectPath},
                       {QStringLiteral("pipeline_file"), r.pipelineFile},
                       {QStringLiteral("branch"), r.branch},
                       {QStringLiteral("commit"), r.commitSha},
                       {QStringLiteral("dirty"), r.dirty},
                       {QStringLiteral("diff_sha256"), r.diffHash},
                       {QStringLiteral("user"), r.user},
                       {QStringLiteral("host"), r.host},
                       {QStringLiteral("trigger"), r.trigger},
                       {QStringLiteral("engine"), r.engine},
                       {QStringLiteral("status"), r.status},
                       {QStringLiteral("reason"), r.reason},
                       {QStringLiteral("started"), isoTime(r.started)},
                       {QStringLiteral("finished"), isoTime(r.finished)},
                       {QStringLiteral("duration_ms"), r.durationMs},
                       {QStringLiteral("protected_branches"), QJsonArray::fromStringList(r.protectedBranches)}};
}

QJsonObject toJson(const LineageJob &j)
{
    return QJsonObject{{QStringLiteral("run"), j.runId},
                       {QStringLiteral("name"), j.name},
                       {QStringLiteral("stage"), j.stage},
                       {QStringLiteral("status"), j.status},
                       {QStringLiteral("exit_code"), j.exitCode},
                       {QStringLiteral("attempts"), j.attempts},
                       {QStringLiteral("started"), isoTime(j.started)},
                       {QStringLiteral("finished"), isoTime(j.finished)},
                       {QStringLiteral("engine"), j.engine},
                       {QStringLiteral("isolation"), j.isolation},
                       {QStringLiteral("image"), j.image},
                       {QStringLiteral("image_id"), j.imageId},
                       {QStringLiteral("gpus"), QJsonArray::fromStringList(j.gpus)},
                       {QStringLiteral("cpu_fallback"), j.cpuFallback},
                       {QStringLiteral("timed_out"), j.timedOut},
                       {QStringLiteral("oom_killed"), j.oomKilled},
                       {QStringLiteral("allow_failure"), j.allowFailure},
                       {QStringLiteral("reason"), j.reason},
                       {QStringLiteral("log"), j.logFile},
                       {QStringLiteral("tensorboard"), j.tensorboardDir},
                       {QStringLiteral("reused_from"), j.reusedFrom},
                       {QStringLiteral("warnings"), QJsonArray::fromStringList(j.warnings)}};
}

QJsonObject toJson(const LineageArtifact &a)
{
    return QJsonObject{{QStringLiteral("run"), a.runId},
                       {QStringLiteral("job"), a.job},
                       {QStringLiteral("path"), a.path},
                       {QStringLiteral("sha256"), a.sha256},
                       {QStringLiteral("size"), a.size},
                       {QStringLiteral("executable"), a.executable},
                       {QStringLiteral("expires"), isoTime(a.expires)}};
}

QJsonObject toJson(const LineageImage &i)
{
    return QJsonObject{{QStringLiteral("run"), i.runId},
                       {QStringLiteral("reference"), i.reference},
                       {QStringLiteral("image_id"), i.imageId},
                       {QStringLiteral("repo_digests"), QJsonArray::fromStringList(i.repoDigests)},
                       {QStringLiteral("build_context_sha256"), i.buildContextHash}};
}

QJsonObject toJson(const LineageDataVersion &d)
{
    return QJsonObject{{QStringLiteral("run"), d.runId},       {QStringLiteral("name"), d.name},
                       {QStringLiteral("path"), d.path},       {QStringLiteral("sha256"), d.hash},
                       {QStringLiteral("files"), d.fileCount}, {QStringLiteral("bytes"), d.totalBytes},
                       {QStringLiteral("dvc_md5"), d.dvcMd5},  {QStringLiteral("dvc_source"), d.dvcSource}};
}

QJsonObject toJson(const LineageMetric &m)
{
    return QJsonObject{{QStringLiteral("run"), m.runId},
                       {QStringLiteral("job"), m.job},
                       {QStringLiteral("name"), m.name},
                       {QStringLiteral("value"), std::isfinite(m.value) ? QJsonValue(m.value) : QJsonValue()},
                       {QStringLiteral("source"), m.source}};
}

QJsonObject toJson(const LineageGate &g)
{
    return QJsonObject{{QStringLiteral("run"), g.runId},
                       {QStringLiteral("job"), g.job},
                       {QStringLiteral("metric"), g.metric},
                       {QStringLiteral("op"), g.op},
                       {QStringLiteral("threshold"), g.threshold},
                       {QStringLiteral("value"), g.value ? QJsonValue(*g.value) : QJsonValue()},
                       {QStringLiteral("outcome"), g.outcome},
                       {QStringLiteral("source"), g.source}};
}

QJsonObject toJson(const LineageSignOff &s)
{
    QJsonObject json{{QStringLiteral("id"), s.id},
                     {QStringLiteral("artifact_sha256"), s.artifactSha256},
                     {QStringLiteral("run"), s.runId},
                     {QStringLiteral("reviewer"), s.reviewer},
                     {QStringLiteral("decision"), s.decision},
                     {QStringLiteral("comment"), s.comment},
                     {QStringLiteral("signed"), isoTime(s.signedAt)},
                     {QStringLiteral("fingerprint"), s.fingerprint}};
    if (!s.signedInAs.isEmpty()) // the team store's login, stamped by its server
        json.insert(QStringLiteral("signed_in_as"), s.signedInAs);
    return json;
}

const LineageCommit *ArtifactProvenance::commitOf(const LineageRun &run) const
{
    for (const LineageCommit &c : commits) {
        if (c.sha == run.commitSha)
            return &c;
    }
    return nullptr;
}

const LineageImage *ArtifactProvenance::imageOf(const LineageJob &job) const
{
    for (const LineageImage &i : images) {
        if (i.runId == job.runId && i.reference == job.image)
            return &i;
    }
    return nullptr;
}

QJsonObject ArtifactProvenance::toJson() const
{
    QJsonArray commitArray;
    for (const LineageCommit &c : commits)
        commitArray.append(trainyard::core::toJson(c));
    QJsonObject json{{QStringLiteral("artifact"), trainyard::core::toJson(artifact)},
                     {QStringLiteral("runs"), arrayOf(runs)},
                     {QStringLiteral("commits"), commitArray},
                     {QStringLiteral("jobs"), arrayOf(jobs)},
                     {QStringLiteral("inputs"), arrayOf(inputs)},
                     {QStringLiteral("images"), arrayOf(images)},
                     {QStringLiteral("data"), arrayOf(data)},
                     {QStringLiteral("variables"), arrayOf(variables)},
                     {QStringLiteral("scalars"), arrayOf(scalars)},
                     {QStringLiteral("gates"), arrayOf(gates)},
                     {QStringLiteral("reproductions"), arrayOf(reproductions)}};
    // Only when there are any: lineage recorded before metrics were kept keeps its fingerprint,
    // so its sign-offs do not turn stale.
    if (!metrics.empty())
        json.insert(QStringLiteral("metrics"), arrayOf(metrics));
    return json;
}

QString ArtifactProvenance::fingerprint() const
{
    // A reproduction that errored changed nothing a reviewer signed for: it leaves the fingerprint.
    QJsonObject lineage = toJson();
    QJsonArray reproductions;
    for (const LineageReproduction &r : this->reproductions) {
        if (!r.errored)
            reproductions.append(trainyard::core::toJson(r));
    }
    lineage.insert(QStringLiteral("reproductions"), reproductions);
    return DataVersioner::sha256Hex(QJsonDocument(lineage).toJson(QJsonDocument::Compact));
}

QJsonObject RunLineage::toJson() const
{
    QJsonArray edgeArray;
    for (const auto &[job, upstream] : edges)
        edgeArray.append(QJsonObject{{QStringLiteral("job"), job}, {QStringLiteral("upstream"), upstream}});
    QJsonObject runJson = trainyard::core::toJson(run);
    runJson.insert(QStringLiteral("name"), run.annotation.name); // what people said: not in fingerprints
    runJson.insert(QStringLiteral("notes"), run.annotation.notes);
    runJson.insert(QStringLiteral("tags"), QJsonArray::fromStringList(run.annotation.tags));
    if (!run.pushedBy.isEmpty()) // the team store's login, stamped by its server: not in fingerprints either
        runJson.insert(QStringLiteral("pushed_by"), run.pushedBy);
    return QJsonObject{{QStringLiteral("run"), runJson},
                       {QStringLiteral("commit"), commit ? QJsonValue(trainyard::core::toJson(*commit)) : QJsonValue()},
                       {QStringLiteral("jobs"), arrayOf(jobs)},
                       {QStringLiteral("edges"), edgeArray},
                       {QStringLiteral("images"), arrayOf(images)},
                       {QStringLiteral("data"), arrayOf(data)},
                       {QStringLiteral("artifacts"), arrayOf(artifacts)},
                       {QStringLiteral("consumptions"), arrayOf(consumptions)},
                       {QStringLiteral("variables"), arrayOf(variables)},
                       {QStringLiteral("scalars"), arrayOf(scalars)},
                       {QStringLiteral("gates"), arrayOf(gates)},
                       {QStringLiteral("metrics"), arrayOf(metrics)},
                       {QStringLiteral("reproductions"), arrayOf(reproductions)}};
}

QString LineageUses::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Data:
        return QStringLiteral("data");
    case Kind::Image:
        return QStringLiteral("image");
    case Kind::Commit:
        return QStringLiteral("commit");
    case Kind::Artifact:
        return QStringLiteral("artifact");
    case Kind::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QJsonObject LineageUses::toJson() const
{
    return QJsonObject{{QStringLiteral("key"), key},
                       {QStringLiteral("kind"), kindName(kind)},
                       {QStringLiteral("runs"), arrayOf(runs)},
                       {QStringLiteral("jobs"), arrayOf(jobs)},
                       {QStringLiteral("artifacts"), arrayOf(artifacts)}};
}

Provenance::Provenance(const LineageStore &store)
    : m_store(store)
{}

Result<LineageArtifact> Provenance::resolveArtifact(const QString &target, const QString &runId) const
{
    // Without a run: the newest made by a real run. A reproduction makes the same path again, but
    // "export/model.tar" means the model people run and sign, not its check.
    const auto isReproduction = [&](const QString &id) {
        const auto run = m_store.run(id);
        return run && *run && (**run).trigger == QLatin1String("reproduce");
    };
    const auto pick = [&](const std::vector<LineageArtifact> &rows) -> std::optional<LineageArtifact> {
        for (const LineageArtifact &a : rows) {
            if (runId.isEmpty() ? !isReproduction(a.runId) : a.runId == runId)
                return a;
        }
        if (runId.isEmpty() && !rows.empty())
            return rows.front(); // only reproductions made it
        return std::nullopt;
    };
    if (target.size() == 64 && isHex(target)) {
        auto rows = m_store.artifactsBySha(target);
        if (!rows)
            return tl::unexpected(rows.error());
        if (auto a = pick(*rows))
            return *a;
        return tl::unexpected(
            Error::error(QStringLiteral("no artifact with sha256 %1 is recorded%2")
                             .arg(target, runId.isEmpty() ? QString() : QStringLiteral(" in run ") + runId)));
    }
    auto rows = m_store.artifactsByPath(QDir::cleanPath(target));
    if (!rows)
        return tl::unexpected(rows.error());
    if (auto a = pick(*rows))
        return *a;
    // A file on disk (an exported model, a copy): what it holds may have been recorded.
    if (QFileInfo(target).isFile()) {
        auto sha = DataVersioner::hashFile(target);
        if (!sha)
            return tl::unexpected(sha.error());
        auto bySha = m_store.artifactsBySha(*sha);
        if (!bySha)
            return tl::unexpected(bySha.error());
        if (auto a = pick(*bySha))
            return *a;
        return tl::unexpected(
            Error::error(QStringLiteral("%1 (sha256 %2) was not produced by any recorded run").arg(target, *sha),
                         SourceLocation{target}));
    }
    return tl::unexpected(
        Error::error(QStringLiteral("no artifact at path '%1' is recorded%2")
                         .arg(target, runId.isEmpty() ? QString() : QStringLiteral(" in run ") + runId)));
}

Result<ArtifactProvenance> Provenance::ofArtifact(const LineageArtifact &artifact) const
{
    ArtifactProvenance p;
    p.artifact = artifact;
    auto upstream = m_store.upstreamOf(LineageJobRef{artifact.runId, artifact.job});
    if (!upstream)
        return tl::unexpected(upstream.error());

    QStringList runIds;
    for (const LineageJobRef &ref : *upstream) {
        if (!runIds.contains(ref.runId))
            runIds << ref.runId;
    }
    for (const QString &runId : std::as_const(runIds)) {
        auto run = m_store.run(runId);
        if (!run)
            return tl::unexpected(run.error());
        if (!*run)
            return tl::unexpected(Error::error(QStringLiteral("run %1 is not recorded").arg(runId)));
        p.runs.push_back(**run);
        if (!(*run)->commitSha.isEmpty() &&
            std::none_of(p.commits.begin(), p.commits.end(),
                         [&](const LineageCommit &c) { return c.sha == (*run)->commitSha; })) {
            auto commit = m_store.commit((*run)->commitSha);
            if (!commit)
                return tl::unexpected(commit.error());
            if (*commit)
                p.commits.push_back(**commit);
        }
        if (auto ok = append(p.data, m_store.dataVersions(runId)); !ok)
            return tl::unexpected(ok.error());
    }

    QSet<QString> jobKeys;
    QSet<QString> imageKeys;
    for (const LineageJobRef &ref : *upstream) {
        auto job = m_store.job(ref.runId, ref.job);
        if (!job)
            return tl::unexpected(job.error());
        if (!*job)
            continue;
        p.jobs.push_back(**job);
        jobKeys.insert(ref.runId + u'\x1f' + ref.job);
        auto needs = m_store.jobEdges(ref.runId, ref.job);
        if (!needs)
            return tl::unexpected(needs.error());
        p.jobNeeds.insert(ref.runId + u'/' + ref.job, *needs);
        if (auto ok = append(p.inputs, m_store.consumptions(ref.runId, ref.job)); !ok)
            return tl::unexpected(ok.error());
    }
    // Images, variables, scalars and gates of the jobs in the provenance (read per run, kept per job).
    for (const QString &runId : std::as_const(runIds)) {
        auto images = m_store.images(runId);
        if (!images)
            return tl::unexpected(images.error());
        for (const LineageImage &image : *images) {
            const bool used = std::any_of(p.jobs.begin(), p.jobs.end(), [&](const LineageJob &j) {
                return j.runId == runId && j.image == image.reference;
            });
            if (used && !imageKeys.contains(runId + u'\x1f' + image.reference)) {
                imageKeys.insert(runId + u'\x1f' + image.reference);
                p.images.push_back(image);
                if (!image.imageId.isEmpty() && !p.imageScans.contains(image.imageId)) {
                    auto scan = m_store.imageScan(image.imageId);
                    if (!scan)
                        return tl::unexpected(scan.error());
                    if (*scan)
                        p.imageScans.insert(image.imageId, **scan);
                    auto sbom = m_store.imageSbom(image.imageId);
                    if (!sbom)
                        return tl::unexpected(sbom.error());
                    if (*sbom)
                        p.imageSboms.insert(image.imageId, **sbom);
                }
            }
        }
        const auto ofJob = [&](const QString &job) { return job.isEmpty() || jobKeys.contains(runId + u'\x1f' + job); };
        auto variables = m_store.variables(runId);
        auto scalars = m_store.scalars(runId);
        auto gates = m_store.gates(runId);
        auto metrics = m_store.metrics(runId);
        if (!variables || !scalars || !gates || !metrics)
            return tl::unexpected(!variables ? variables.error()
                                  : !scalars ? scalars.error()
                                  : !gates   ? gates.error()
                                             : metrics.error());
        std::copy_if(variables->begin(), variables->end(), std::back_inserter(p.variables),
                     [&](const LineageVariable &v) { return ofJob(v.job); });
        std::copy_if(scalars->begin(), scalars->end(), std::back_inserter(p.scalars),
                     [&](const LineageScalar &s) { return ofJob(s.job); });
        std::copy_if(gates->begin(), gates->end(), std::back_inserter(p.gates),
                     [&](const LineageGate &g) { return ofJob(g.job); });
        std::copy_if(metrics->begin(), metrics->end(), std::back_inserter(p.metrics),
                     [&](const LineageMetric &m) { return ofJob(m.job); });
    }
    if (auto ok = append(p.reproductions, m_store.reproductions(artifact.runId)); !ok)
        return tl::unexpected(ok.error());
    return p;
}

Result<RunLineage> Provenance::ofRun(const QString &runId) const
{
    RunLineage r;
    auto run = m_store.run(runId);
    if (!run)
        return tl::unexpected(run.error());
    if (!*run)
        return tl::unexpected(Error::error(QStringLiteral("no run '%1' is recorded in %2").arg(runId, m_store.path())));
    r.run = **run;
    if (!r.run.commitSha.isEmpty()) {
        auto commit = m_store.commit(r.run.commitSha);
        if (!commit)
            return tl::unexpected(commit.error());
        r.commit = *commit;
    }
    auto jobs = m_store.jobs(runId);
    if (!jobs)
        return tl::unexpected(jobs.error());
    r.jobs = std::move(*jobs);
    for (const LineageJob &j : r.jobs) {
        auto edges = m_store.jobEdges(runId, j.name);
        if (!edges)
            return tl::unexpected(edges.error());
        for (const QString &u : std::as_const(*edges))
            r.edges.emplace_back(j.name, u);
    }
    Result<void> ok;
    if (ok)
        ok = append(r.images, m_store.images(runId));
    if (ok)
        ok = append(r.data, m_store.dataVersions(runId));
    if (ok)
        ok = append(r.artifacts, m_store.artifacts(runId));
    if (ok)
        ok = append(r.consumptions, m_store.consumptions(runId));
    if (ok)
        ok = append(r.variables, m_store.variables(runId));
    if (ok)
        ok = append(r.scalars, m_store.scalars(runId));
    if (ok)
        ok = append(r.gates, m_store.gates(runId));
    if (ok)
        ok = append(r.metrics, m_store.metrics(runId));
    if (ok)
        ok = append(r.reproductions, m_store.reproductions(runId));
    if (!ok)
        return tl::unexpected(ok.error());
    return r;
}

Result<void> Provenance::collectUses(LineageUses &uses, const std::vector<LineageJobRef> &seeds) const
{
    auto jobs = m_store.downstreamOf(seeds);
    if (!jobs)
        return tl::unexpected(jobs.error());
    uses.jobs = std::move(*jobs);
    // Artifacts and runs in batches (IN lists), whatever the number of jobs.
    QStringList runIds;
    QHash<QString, QSet<QString>> jobsByRun;
    for (const LineageJobRef &ref : uses.jobs) {
        if (!jobsByRun.contains(ref.runId))
            runIds << ref.runId;
        jobsByRun[ref.runId].insert(ref.job);
    }
    auto artifacts = m_store.artifactsOfRuns(runIds);
    if (!artifacts)
        return tl::unexpected(artifacts.error());
    std::copy_if(artifacts->begin(), artifacts->end(), std::back_inserter(uses.artifacts),
                 [&](const LineageArtifact &a) { return jobsByRun.value(a.runId).contains(a.job); });
    auto runs = m_store.runsById(runIds);
    if (!runs)
        return tl::unexpected(runs.error());
    uses.runs = std::move(*runs);
    return {};
}

Result<LineageUses> Provenance::uses(const QString &rawKey) const
{
    LineageUses uses;
    const QString key = rawKey.trimmed();
    uses.key = key;
    const QString lower = key.toLower();
    const auto tryKind = [&](LineageUses::Kind kind, Result<std::vector<LineageJobRef>> seeds) -> Result<bool> {
        if (!seeds)
            return tl::unexpected(seeds.error());
        if (seeds->empty())
            return false;
        uses.kind = kind;
        if (auto ok = collectUses(uses, *seeds); !ok)
            return tl::unexpected(ok.error());
        return true;
    };

    Result<bool> found = false;
    if (lower.startsWith(QLatin1String("sha256:")) || lower.contains(QLatin1String("@sha256:"))) {
        found = tryKind(LineageUses::Kind::Image, m_store.jobsUsingImage(key));
        if (found && !*found)
            uses.kind = LineageUses::Kind::Image;
    } else if (isHex(lower) && (lower.size() == 32)) {
        found = tryKind(LineageUses::Kind::Data, m_store.jobsUsingData(lower));
    } else if (lower.endsWith(QLatin1String(".dir")) && isHex(lower.chopped(4))) {
        found = tryKind(LineageUses::Kind::Data, m_store.jobsUsingData(lower));
    } else if (isHex(lower) && lower.size() >= 4 && lower.size() < 64) {
        // A commit prefix, or a short data hash, image ID or artifact sha256, as `git` takes short
        // shas; a prefix that fits more than one thing is refused, naming them.
        if (lower.size() <= 40)
            found = tryKind(LineageUses::Kind::Commit, m_store.jobsAtCommit(lower));
        if (!found)
            return tl::unexpected(found.error());
        if (*found && lower.size() == 40)
            return uses; // a whole commit SHA: exact keys win over what they are a prefix of
        const auto keys = m_store.keysWithPrefix(lower);
        if (!keys)
            return tl::unexpected(keys.error());
        QStringList candidates; // each full key once (a one-file data hash can also be an artifact's sha256)
        QStringList fullKeys;
        for (const auto &[kind, full] : *keys) {
            if (!fullKeys.contains(full)) {
                fullKeys << full;
                candidates << QStringLiteral("%1 %2").arg(kind, full);
            }
        }
        if (*found && !fullKeys.isEmpty())
            candidates.prepend(QStringLiteral("a commit"));
        if (candidates.size() > 1)
            return tl::unexpected(Error::error(QStringLiteral("'%1' is ambiguous: it starts %2; give more digits")
                                                   .arg(key, candidates.join(QStringLiteral(", ")))));
        if (*found)
            return uses;
        if (fullKeys.size() == 1)
            return this->uses(fullKeys.first());
        uses.kind = lower.size() <= 40 ? LineageUses::Kind::Commit : LineageUses::Kind::Data;
    } else if (isHex(lower) && lower.size() == 64) {
        found = tryKind(LineageUses::Kind::Data, m_store.jobsUsingData(lower));
        if (found && !*found)
            found = tryKind(LineageUses::Kind::Image, m_store.jobsUsingImage(QStringLiteral("sha256:") + lower));
        if (found && !*found) {
            // An artifact: what consumed it (its producers' runs are upstream, not uses).
            found = tryKind(LineageUses::Kind::Artifact, m_store.jobsConsuming(lower));
            if (found && !*found)
                uses.kind = LineageUses::Kind::Artifact;
        }
    } else if (isHex(lower) && lower.size() < 4) {
        return tl::unexpected(Error::error(QStringLiteral("'%1' is too short: give at least 4 hex digits").arg(key)));
    } else {
        return tl::unexpected(Error::error(
            QStringLiteral("'%1' is not a data hash, image digest (sha256:…), commit or artifact sha256").arg(key)));
    }
    if (!found)
        return tl::unexpected(found.error());
    if (uses.kind == LineageUses::Kind::Unknown)
        uses.kind = LineageUses::Kind::Data;
    return uses;
}

} // namespace trainyard::core
