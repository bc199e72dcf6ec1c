// SqlLineageStore's reads of recorded runs: runs, jobs, images, data, artifacts, gates, sign-offs
// (graph queries are in sqllineagestoregraph.cpp, the stat cache in sqllineagestorehashcache.cpp).
#include "sqllineagestore.h"

#include "lineagesql.h"

#include <algorithm>
#include <cmath>

namespace trainyard::core {

using namespace lineagesql;

namespace {

/// The columns readRun() reads. A store opened read-only is not migrated: columns its schema
/// version does not have yet read as empty.
QString runColumns(int schemaVersion, bool onServer)
{
    const QString tags =
        onServer ? QStringLiteral("string_agg(t.tag, chr(10))") : QStringLiteral("group_concat(t.tag, char(10))");
    return QStringLiteral(
               "r.id, r.pipeline_iid, r.project_dir, r.pipeline_file, r.branch, r.commit_sha, r.dirty, "
               "r.diff_hash, r.user_name, r.host, r.pid, r.trigger_source, r.engine, r.status, r.started_at, "
               "r.finished_at, r.duration_ms, r.protected_branches, %1, %2, %3, %4, %5")
        .arg(schemaVersion >= 4 ? QStringLiteral("r.process_start, r.reason") : QStringLiteral("'', ''"),
             schemaVersion >= 5 ? QStringLiteral("r.reproduces") : QStringLiteral("''"),
             schemaVersion >= 7
                 ? QStringLiteral("r.title, r.notes, (SELECT %1 FROM run_tags t WHERE t.run_id = r.id)").arg(tags)
                 : QStringLiteral("'', '', ''"),
             schemaVersion >= 10 ? QStringLiteral("r.project_path") : QStringLiteral("''"),
             schemaVersion >= 11 ? QStringLiteral("r.pushed_by") : QStringLiteral("''"));
}

LineageRun readRun(const Query &q)
{
    LineageRun r;
    r.id = q.value(0).toString();
    r.pipelineIid = q.value(1).toLongLong();
    r.projectDir = q.value(2).toString();
    r.pipelineFile = q.value(3).toString();
    r.branch = q.value(4).toString();
    r.commitSha = q.value(5).toString();
    r.dirty = q.value(6).toInt() != 0;
    r.diffHash = q.value(7).toString();
    r.user = q.value(8).toString();
    r.host = q.value(9).toString();
    r.pid = q.value(10).toLongLong();
    r.trigger = q.value(11).toString();
    r.engine = q.value(12).toString();
    r.status = q.value(13).toString();
    r.started = toTime(q.value(14));
    r.finished = toTime(q.value(15));
    r.durationMs = q.value(16).toLongLong();
    r.protectedBranches = toList(q.value(17));
    r.processStart = q.value(18).toString();
    r.reason = q.value(19).toString();
    r.reproduces = q.value(20).toString();
    r.annotation.name = q.value(21).toString();
    r.annotation.notes = q.value(22).toString();
    r.annotation.tags = q.value(23).toString().split(u'\n', Qt::SkipEmptyParts);
    r.annotation.tags.sort();
    r.projectPath = q.value(24).toString();
    r.pushedBy = q.value(25).toString();
    return r;
}

const QString kJobColumns = QStringLiteral(
    "run_id, name, stage, status, exit_code, attempts, started_at, finished_at, engine, isolation, image, image_id, "
    "gpus, "
    "cpu_fallback, timed_out, oom_killed, allow_failure, reason, log_file, tensorboard_dir, reused_from, warnings");

LineageJob readJob(const Query &q)
{
    LineageJob j;
    j.runId = q.value(0).toString();
    j.name = q.value(1).toString();
    j.stage = q.value(2).toString();
    j.status = q.value(3).toString();
    j.exitCode = q.value(4).toInt();
    j.attempts = q.value(5).toInt();
    j.started = toTime(q.value(6));
    j.finished = toTime(q.value(7));
    j.engine = q.value(8).toString();
    j.isolation = q.value(9).toString();
    j.image = q.value(10).toString();
    j.imageId = q.value(11).toString();
    j.gpus = q.value(12).toString().split(u',', Qt::SkipEmptyParts);
    j.cpuFallback = q.value(13).toInt() != 0;
    j.timedOut = q.value(14).toInt() != 0;
    j.oomKilled = q.value(15).toInt() != 0;
    j.allowFailure = q.value(16).toInt() != 0;
    j.reason = q.value(17).toString();
    j.logFile = q.value(18).toString();
    j.tensorboardDir = q.value(19).toString();
    j.reusedFrom = q.value(20).toString();
    j.warnings = q.value(21).toString().split(u'\n', Qt::SkipEmptyParts);
    return j;
}

const QString kArtifactColumns =
    QStringLiteral("a.run_id, a.job, a.path, a.sha256, a.size, a.executable, a.expires_at");

LineageArtifact readArtifact(const Query &q)
{
    LineageArtifact a;
    a.runId = q.value(0).toString();
    a.job = q.value(1).toString();
    a.path = q.value(2).toString();
    a.sha256 = q.value(3).toString();
    a.size = q.value(4).toLongLong();
    a.executable = q.value(5).toInt() != 0;
    a.expires = toTime(q.value(6));
    return a;
}

template <typename T> Result<std::optional<T>> first(Result<std::vector<T>> rows)
{
    if (!rows)
        return tl::unexpected(rows.error());
    if (rows->empty())
        return std::optional<T>();
    return std::optional<T>(std::move(rows->front()));
}

} // namespace

Result<std::vector<LineageRun>> SqlLineageStore::runs(const LineageRunFilter &f) const
{
    QString sql = QStringLiteral("SELECT %1 FROM runs r WHERE 1 = 1").arg(runColumns(m_schemaVersion, onServer()));
    QVariantList values;
    if (!f.branch.isEmpty()) {
        sql += QStringLiteral(" AND r.branch = ?");
        values << f.branch;
    }
    if (!f.status.isEmpty()) {
        sql += QStringLiteral(" AND r.status = ?");
        values << f.status;
    }
    if (!f.commit.isEmpty()) {
        sql += QStringLiteral(" AND r.commit_sha >= ? AND r.commit_sha < ?");
        values << f.commit.toLower() << prefixEnd(f.commit.toLower());
    }
    if (!f.image.isEmpty()) {
        sql += QStringLiteral(
            " AND (EXISTS (SELECT 1 FROM jobs j WHERE j.run_id = r.id AND (j.image = ? OR j.image_id = ?))"
            " OR EXISTS (SELECT 1 FROM image_digests g WHERE g.run_id = r.id AND (g.digest = ? OR g.repo_digest = "
            "?)))");
        values << f.image << f.image << f.image << f.image;
    }
    if (!f.dataHash.isEmpty()) {
        sql += QStringLiteral(
            " AND EXISTS (SELECT 1 FROM data_versions d WHERE d.run_id = r.id AND (d.hash = ? OR d.dvc_md5 = ?))");
        values << f.dataHash << f.dataHash;
    }
    if (!f.tag.isEmpty()) {
        if (m_schemaVersion < 7)
            return std::vector<LineageRun>{}; // no run is tagged yet
        sql += QStringLiteral(" AND EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?)");
        values << f.tag.trimmed();
    }
    if (!f.project.isEmpty()) {
        if (m_schemaVersion < 10)
            return std::vector<LineageRun>{}; // no run names its project yet
        sql += QStringLiteral(" AND r.project_path = ?");
        values << f.project;
    }
    sql += QStringLiteral(" ORDER BY r.started_at DESC, r.id DESC");
    if (f.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(f.limit);
    return selectAll<LineageRun>(database(), sql, values, readRun);
}

Result<std::optional<LineageRun>> SqlLineageStore::run(const QString &runId) const
{
    return first(selectAll<LineageRun>(
        database(), QStringLiteral("SELECT %1 FROM runs r WHERE r.id = ?").arg(runColumns(m_schemaVersion, onServer())),
        {runId}, readRun));
}

Result<std::optional<LineageCommit>> SqlLineageStore::commit(const QString &sha) const
{
    return first(selectAll<LineageCommit>(
        database(),
        QStringLiteral("SELECT sha, author_name, author_email, message, committed_at FROM commits WHERE sha = ?"),
        {sha}, [](const Query &q) {
            return LineageCommit{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                 q.value(3).toString(), toTime(q.value(4))};
        }));
}

Result<std::vector<LineageJob>> SqlLineageStore::jobs(const QString &runId) const
{
    // In pipeline order: a run writes its planned jobs in the plan's order (stages, then needs)
    // before any starts, and an update keeps a row's place, so skipped jobs stay where they belong.
    return selectAll<LineageJob>(
        database(),
        QStringLiteral("SELECT %1 FROM jobs WHERE run_id = ? ORDER BY %2")
            .arg(kJobColumns, m_schemaVersion >= 8 ? QStringLiteral("position") : QStringLiteral("rowid")),
        {runId}, readJob);
}

Result<std::optional<LineageJob>> SqlLineageStore::job(const QString &runId, const QString &name) const
{
    return first(selectAll<LineageJob>(
        database(), QStringLiteral("SELECT %1 FROM jobs WHERE run_id = ? AND name = ?").arg(kJobColumns), {runId, name},
        readJob));
}

Result<QStringList> SqlLineageStore::jobEdges(const QString &runId, const QString &job) const
{
    auto rows = selectAll<QString>(
        database(), QStringLiteral("SELECT upstream FROM job_edges WHERE run_id = ? AND job = ? ORDER BY upstream"),
        {runId, job}, [](const Query &q) { return q.value(0).toString(); });
    if (!rows)
        return tl::unexpected(rows.error());
    return QStringList(rows->begin(), rows->end());
}

Result<std::vector<LineageImage>> SqlLineageStore::images(const QString &runId) const
{
    auto images = selectAll<LineageImage>(
        database(),
        QStringLiteral(
            "SELECT run_id, reference, image_id, build_context_hash FROM images WHERE run_id = ? ORDER BY reference"),
        {runId}, [](const Query &q) {
            LineageImage i;
            i.runId = q.value(0).toString();
            i.reference = q.value(1).toString();
            i.imageId = q.value(2).toString();
            i.buildContextHash = q.value(3).toString();
            return i;
        });
    if (!images)
        return images;
    auto digests = selectAll<std::pair<QString, QString>>(
        database(),
        QStringLiteral("SELECT reference, repo_digest FROM image_digests WHERE run_id = ? ORDER BY repo_digest"),
        {runId}, [](const Query &q) { return std::make_pair(q.value(0).toString(), q.value(1).toString()); });
    if (!digests)
        return tl::unexpected(digests.error());
    for (LineageImage &i : *images) {
        for (const auto &[reference, digest] : *digests) {
            if (reference == i.reference)
                i.repoDigests << digest;
        }
    }
    return images;
}

Result<std::vector<LineageDataVersion>> SqlLineageStore::dataVersions(const QString &runId) const
{
    return selectAll<LineageDataVersion>(
        database(),
        QStringLiteral(
            "SELECT run_id, name, path, hash, file_count, total_bytes, dvc_md5, dvc_source FROM data_versions "
            "WHERE run_id = ? ORDER BY name"),
        {runId}, [](const Query &q) {
            return LineageDataVersion{q.value(0).toString(), q.value(1).toString(),   q.value(2).toString(),
                                      q.value(3).toString(), q.value(4).toLongLong(), q.value(5).toLongLong(),
                                      q.value(6).toString(), q.value(7).toString()};
        });
}

Result<std::vector<LineageArtifact>> SqlLineageStore::artifacts(const QString &runId, const QString &job) const
{
    if (job.isEmpty())
        return selectAll<LineageArtifact>(
            database(),
            QStringLiteral("SELECT %1 FROM artifacts a WHERE a.run_id = ? ORDER BY a.job, a.path")
                .arg(kArtifactColumns),
            {runId}, readArtifact);
    return selectAll<LineageArtifact>(
        database(),
        QStringLiteral("SELECT %1 FROM artifacts a WHERE a.run_id = ? AND a.job = ? ORDER BY a.path")
            .arg(kArtifactColumns),
        {runId, job}, readArtifact);
}

Result<std::vector<LineageArtifact>> SqlLineageStore::artifactsBySha(const QString &sha256) const
{
    // Run ids start with their UTC start time, so they sort like it.
    return selectAll<LineageArtifact>(
        database(),
        QStringLiteral("SELECT %1 FROM artifacts a WHERE a.sha256 = ? ORDER BY a.run_id DESC, a.job, a.path")
            .arg(kArtifactColumns),
        {sha256.toLower()}, readArtifact);
}

Result<std::vector<LineageArtifact>> SqlLineageStore::artifactsByPath(const QString &path) const
{
    return selectAll<LineageArtifact>(
        database(),
        QStringLiteral("SELECT %1 FROM artifacts a WHERE a.path = ? ORDER BY a.run_id DESC, a.job")
            .arg(kArtifactColumns),
        {path}, readArtifact);
}

Result<std::vector<LineageConsumption>> SqlLineageStore::consumptions(const QString &runId, const QString &job) const
{
    const auto map = [](const Query &q) {
        return LineageConsumption{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                  q.value(3).toString(), q.value(4).toString()};
    };
    if (job.isEmpty())
        return selectAll<LineageConsumption>(
            database(),
            QStringLiteral("SELECT run_id, job, producer_job, path, sha256 FROM consumptions WHERE run_id = ? "
                           "ORDER BY job, producer_job, path"),
            {runId}, map);
    return selectAll<LineageConsumption>(
        database(),
        QStringLiteral("SELECT run_id, job, producer_job, path, sha256 FROM consumptions WHERE run_id = ? AND job = ? "
                       "ORDER BY producer_job, path"),
        {runId, job}, map);
}

Result<std::vector<LineageVariable>> SqlLineageStore::variables(const QString &runId) const
{
    return selectAll<LineageVariable>(
        database(),
        QStringLiteral("SELECT run_id, job, name, value FROM variables WHERE run_id = ? ORDER BY job, name"), {runId},
        [](const Query &q) {
            return LineageVariable{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                   q.value(3).toString()};
        });
}

Result<std::vector<LineageScalar>> SqlLineageStore::scalars(const QString &runId) const
{
    return selectAll<LineageScalar>(
        database(), QStringLiteral("SELECT run_id, job, tag, value FROM scalars WHERE run_id = ? ORDER BY job, tag"),
        {runId}, [](const Query &q) {
            return LineageScalar{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                 q.value(3).toDouble()};
        });
}

Result<std::vector<LineageMetric>> SqlLineageStore::metrics(const QString &runId) const
{
    if (m_schemaVersion < 6) // read-only and older: none kept yet
        return std::vector<LineageMetric>{};
    return selectAll<LineageMetric>(
        database(),
        QStringLiteral("SELECT run_id, job, name, value, source FROM job_metrics WHERE run_id = ? ORDER BY job, name"),
        {runId}, [](const Query &q) {
            const QVariant value = q.value(3);
            return LineageMetric{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                 value.isNull() ? std::nan("") : value.toDouble(), q.value(4).toString()};
        });
}

Result<std::vector<LineageGate>> SqlLineageStore::gates(const QString &runId) const
{
    return selectAll<LineageGate>(
        database(),
        QStringLiteral("SELECT run_id, job, metric, op, threshold, value, outcome, source FROM gates WHERE run_id = ? "
                       "ORDER BY job, metric, op"),
        {runId}, [](const Query &q) {
            LineageGate g;
            g.runId = q.value(0).toString();
            g.job = q.value(1).toString();
            g.metric = q.value(2).toString();
            g.op = q.value(3).toString();
            g.threshold = q.value(4).toDouble();
            if (!q.value(5).isNull())
                g.value = q.value(5).toDouble();
            g.outcome = q.value(6).toString();
            g.source = q.value(7).toString();
            return g;
        });
}

Result<std::vector<LineageReproduction>> SqlLineageStore::reproductions(const QString &runId) const
{
    return selectAll<LineageReproduction>(
        database(),
        QStringLiteral("SELECT original_run_id, reproduction_run_id, identical, differences, compared_at, errored "
                       "FROM reproductions WHERE original_run_id = ? ORDER BY compared_at"),
        {runId}, [](const Query &q) {
            return LineageReproduction{q.value(0).toString(), q.value(1).toString(), q.value(2).toInt() != 0,
                                       q.value(3).toString(), toTime(q.value(4)),    q.value(5).toInt() != 0};
        });
}

Result<std::vector<LineageSignOff>> SqlLineageStore::signOffs(const QString &artifactSha256) const
{
    return selectAll<LineageSignOff>(
        database(),
        QStringLiteral("SELECT id, artifact_sha256, run_id, reviewer, decision, comment, signed_at, fingerprint, %1 "
                       "FROM signoffs WHERE artifact_sha256 = ? ORDER BY id")
            .arg(m_schemaVersion >= 11 ? QStringLiteral("signed_in_as") : QStringLiteral("''")),
        {artifactSha256.toLower()}, [](const Query &q) {
            LineageSignOff s{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                             q.value(3).toString(),   q.value(4).toString(), q.value(5).toString(),
                             toTime(q.value(6)),      q.value(7).toString()};
            s.signedInAs = q.value(8).toString();
            return s;
        });
}

Result<std::vector<LineageRun>> SqlLineageStore::runsById(const QStringList &ids) const
{
    std::vector<LineageRun> out;
    for (qsizetype from = 0; from < ids.size(); from += kInListChunk) {
        const QStringList chunk = ids.mid(from, kInListChunk);
        auto rows = selectAll<LineageRun>(database(),
                                          QStringLiteral("SELECT %1 FROM runs r WHERE r.id IN (%2)")
                                              .arg(runColumns(m_schemaVersion, onServer()), placeholders(chunk.size())),
                                          QVariantList(chunk.cbegin(), chunk.cend()), readRun);
        if (!rows)
            return rows;
        out.insert(out.end(), std::make_move_iterator(rows->begin()), std::make_move_iterator(rows->end()));
    }
    std::sort(out.begin(), out.end(), [](const LineageRun &a, const LineageRun &b) {
        return a.started != b.started ? a.started > b.started : a.id > b.id;
    });
    return out;
}

Result<std::vector<LineageArtifact>> SqlLineageStore::artifactsOfRuns(const QStringList &runIds) const
{
    std::vector<LineageArtifact> out;
    for (qsizetype from = 0; from < runIds.size(); from += kInListChunk) {
        const QStringList chunk = runIds.mid(from, kInListChunk);
        auto rows = selectAll<LineageArtifact>(
            database(),
            QStringLiteral("SELECT %1 FROM artifacts a WHERE a.run_id IN (%2) ORDER BY a.run_id, a.job, a.path")
                .arg(kArtifactColumns, placeholders(chunk.size())),
            QVariantList(chunk.cbegin(), chunk.cend()), readArtifact);
        if (!rows)
            return rows;
        out.insert(out.end(), std::make_move_iterator(rows->begin()), std::make_move_iterator(rows->end()));
    }
    return out;
}

} // namespace trainyard::core
