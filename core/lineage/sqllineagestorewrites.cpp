// SqlLineageStore's writes of what a run is: its commit, run and jobs, job edges, images, data
// versions, artifacts, consumptions, variables, and its pipeline number.
#include "sqllineagestore.h"

#include "common/error.h"

#include "lineagesql.h"

#include <QDateTime>

namespace trainyard::core {

using namespace lineagesql;

Result<void> SqlLineageStore::recordCommit(const LineageCommit &c)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query q(
            *db,
            QStringLiteral(
                "INSERT INTO commits (sha, author_name, author_email, message, committed_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (sha) DO UPDATE SET author_name = excluded.author_name, "
                "author_email = excluded.author_email, message = excluded.message, "
                "committed_at = excluded.committed_at "
                // A commit's details are its sha's: filled once (a run's bare row), never rewritten
                // (on a team's server, row-level security refuses that to everyone but the owner).
                "WHERE commits.author_name = '' AND commits.author_email = '' AND commits.message = '' "
                "AND commits.committed_at IS NULL"));
        return q.exec({c.sha, c.authorName, c.authorEmail, c.message, fromTime(c.committed)});
    });
}

Result<void> SqlLineageStore::recordRun(const LineageRun &r)
{
    return runTransaction(r.id, [&]() -> Result<void> {
        auto db = database();
        if (!r.commitSha.isEmpty()) {
            Query commit(*db, QStringLiteral("INSERT INTO commits (sha) VALUES (?) ON CONFLICT DO NOTHING"));
            if (auto ok = commit.exec({r.commitSha}); !ok)
                return ok;
        }
        Query q(
            *db,
            QStringLiteral(
                "INSERT INTO runs (id, pipeline_iid, project_dir, pipeline_file, branch, commit_sha, dirty, diff_hash, "
                "user_name, host, pid, trigger_source, engine, status, started_at, finished_at, duration_ms, "
                "protected_branches, process_start, reason, reproduces, project_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET pipeline_iid = excluded.pipeline_iid, project_dir = "
                "excluded.project_dir, "
                "pipeline_file = excluded.pipeline_file, branch = excluded.branch, commit_sha = excluded.commit_sha, "
                "dirty = excluded.dirty, diff_hash = excluded.diff_hash, user_name = excluded.user_name, "
                "host = excluded.host, pid = excluded.pid, trigger_source = excluded.trigger_source, "
                "engine = excluded.engine, status = excluded.status, started_at = excluded.started_at, "
                "finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, "
                "protected_branches = excluded.protected_branches, process_start = excluded.process_start, "
                "reason = excluded.reason, reproduces = excluded.reproduces, project_path = excluded.project_path"));
        return q.exec({r.id,
                       r.pipelineIid,
                       r.projectDir,
                       r.pipelineFile,
                       r.branch,
                       nullIfEmpty(r.commitSha),
                       fromBool(r.dirty),
                       r.diffHash,
                       r.user,
                       r.host,
                       r.pid,
                       r.trigger,
                       r.engine,
                       r.status,
                       fromTime(r.started),
                       fromTime(r.finished),
                       r.durationMs,
                       fromList(r.protectedBranches),
                       r.processStart,
                       r.reason,
                       r.reproduces,
                       r.projectPath});
    });
}

Result<void> SqlLineageStore::recordJob(const LineageJob &j)
{
    return runTransaction(j.runId, [&]() -> Result<void> {
        Query q(
            *database(),
            QStringLiteral(
                "INSERT INTO jobs (run_id, name, stage, status, exit_code, attempts, started_at, finished_at, engine, "
                "isolation, image, image_id, gpus, cpu_fallback, timed_out, oom_killed, allow_failure, reason, "
                "log_file, tensorboard_dir, reused_from, warnings, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "(SELECT COALESCE(MAX(position), 0) + 1 FROM jobs WHERE run_id = ?)) "
                "ON CONFLICT (run_id, name) DO UPDATE SET stage = excluded.stage, status = excluded.status, "
                "exit_code = excluded.exit_code, attempts = excluded.attempts, started_at = excluded.started_at, "
                "finished_at = excluded.finished_at, engine = excluded.engine, isolation = excluded.isolation, "
                "image = excluded.image, image_id = excluded.image_id, gpus = excluded.gpus, "
                "cpu_fallback = excluded.cpu_fallback, timed_out = excluded.timed_out, "
                "oom_killed = excluded.oom_killed, allow_failure = excluded.allow_failure, reason = excluded.reason, "
                "log_file = excluded.log_file, tensorboard_dir = excluded.tensorboard_dir, "
                "reused_from = excluded.reused_from, warnings = excluded.warnings"));
        return q.exec({j.runId,
                       j.name,
                       j.stage,
                       j.status,
                       j.exitCode,
                       j.attempts,
                       fromTime(j.started),
                       fromTime(j.finished),
                       j.engine,
                       j.isolation,
                       j.image,
                       j.imageId,
                       j.gpus.join(u','),
                       fromBool(j.cpuFallback),
                       fromBool(j.timedOut),
                       fromBool(j.oomKilled),
                       fromBool(j.allowFailure),
                       j.reason,
                       j.logFile,
                       j.tensorboardDir,
                       j.reusedFrom,
                       j.warnings.join(u'\n'),
                       j.runId});
    });
}

Result<void> SqlLineageStore::recordJobEdges(const QString &runId, const QString &job, const QStringList &upstream)
{
    return runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM job_edges WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral(
                           "INSERT INTO job_edges (run_id, job, upstream) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
        for (const QString &u : upstream) {
            if (auto ok = ins.exec({runId, job, u}); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqlLineageStore::recordImage(const LineageImage &image)
{
    return runTransaction(image.runId, [&]() -> Result<void> {
        auto db = database();
        Query q(*db, QStringLiteral(
                         "INSERT INTO images (run_id, reference, image_id, build_context_hash) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (run_id, reference) DO UPDATE SET image_id = excluded.image_id, "
                         "build_context_hash = excluded.build_context_hash"));
        if (auto ok = q.exec({image.runId, image.reference, image.imageId, image.buildContextHash}); !ok)
            return ok;
        Query del(*db, QStringLiteral("DELETE FROM image_digests WHERE run_id = ? AND reference = ?"));
        if (auto ok = del.exec({image.runId, image.reference}); !ok)
            return ok;
        Query ins(*db, QStringLiteral(
                           "INSERT INTO image_digests (run_id, reference, repo_digest, digest) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT DO NOTHING"));
        for (const QString &repoDigest : image.repoDigests) {
            if (auto ok = ins.exec({image.runId, image.reference, repoDigest, repoDigest.section(u'@', -1)}); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqlLineageStore::recordDataVersion(const LineageDataVersion &d)
{
    return runTransaction(d.runId, [&]() -> Result<void> {
        Query q(
            *database(),
            QStringLiteral(
                "INSERT INTO data_versions (run_id, name, path, hash, file_count, total_bytes, dvc_md5, dvc_source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET path = excluded.path, "
                "hash = excluded.hash, file_count = excluded.file_count, total_bytes = excluded.total_bytes, "
                "dvc_md5 = excluded.dvc_md5, dvc_source = excluded.dvc_source"));
        return q.exec({d.runId, d.name, d.path, d.hash, d.fileCount, d.totalBytes, d.dvcMd5, d.dvcSource});
    });
}

Result<void> SqlLineageStore::recordArtifacts(const QString &runId, const QString &job,
                                              const std::vector<LineageArtifact> &artifacts)
{
    return runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM artifacts WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral("INSERT INTO artifacts (run_id, job, path, sha256, size, executable, expires_at) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?)"));
        for (const LineageArtifact &a : artifacts) {
            if (auto ok = ins.exec({runId, job, a.path, a.sha256, a.size, fromBool(a.executable), fromTime(a.expires)});
                !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqlLineageStore::recordConsumption(const QString &runId, const QString &job,
                                                const std::vector<LineageConsumption> &consumed)
{
    return runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM consumptions WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral(
                           "INSERT INTO consumptions (run_id, job, producer_job, path, sha256) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT DO NOTHING"));
        for (const LineageConsumption &c : consumed) {
            if (auto ok = ins.exec({runId, job, c.producerJob, c.path, c.sha256}); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqlLineageStore::recordVariables(const QString &runId, const QString &job,
                                              const std::vector<LineageVariable> &variables)
{
    return runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM variables WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral("INSERT INTO variables (run_id, job, name, value) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT (run_id, job, name) DO UPDATE SET value = excluded.value"));
        for (const LineageVariable &v : variables) {
            if (auto ok = ins.exec({runId, job, v.name, v.value}); !ok)
                return ok;
        }
        return {};
    });
}

Result<qint64> SqlLineageStore::allocatePipelineIid(const QString &runId, const QString &projectDir)
{
    qint64 iid = 0;
    auto ok = runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        // One statement, under the write lock: two processes never get the same number.
        // Past every number handed out and every run recorded with one (imported, or recorded
        // before numbers were handed out here).
        Query take(*db, QStringLiteral("INSERT INTO pipeline_numbers (run_id, project_dir, iid) "
                                       "SELECT ?, ?, COALESCE(MAX(n), 0) + 1 FROM ("
                                       " SELECT iid AS n FROM pipeline_numbers WHERE project_dir = ?"
                                       " UNION ALL SELECT pipeline_iid FROM runs WHERE project_dir = ?"
                                       " AND trigger_source <> 'reproduce') AS taken WHERE true "
                                       "ON CONFLICT (run_id) DO NOTHING"));
        if (auto r = take.exec({runId, projectDir, projectDir, projectDir}); !r)
            return r;
        Query read(*db, QStringLiteral("SELECT iid FROM pipeline_numbers WHERE run_id = ?"));
        if (auto r = read.exec({runId}); !r)
            return r;
        if (!read.next())
            return tl::unexpected(
                Error::error(QStringLiteral("no pipeline number for run %1").arg(runId), SourceLocation{m_path}));
        iid = read.value(0).toLongLong();
        Query run(*db, QStringLiteral("UPDATE runs SET pipeline_iid = ? WHERE id = ?"));
        return run.exec({iid, runId});
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return iid;
}

} // namespace trainyard::core
