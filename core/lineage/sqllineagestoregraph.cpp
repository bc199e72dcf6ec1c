// SqlLineageStore's graph queries: jobs by data, image, commit or artifact, key prefixes, up- and downstream.
#include "sqllineagestore.h"

#include "common/error.h"

#include "lineagesql.h"

#include <QHash>
#include <QMultiHash>
#include <QSet>

#include <deque>
#include <utility>
#include <vector>

namespace trainyard::core {

using namespace lineagesql;

namespace {

LineageJobRef readRef(const Query &q)
{
    return LineageJobRef{q.value(0).toString(), q.value(1).toString()};
}

} // namespace

Result<std::vector<LineageJobRef>> SqlLineageStore::jobsUsingData(const QString &hash) const
{
    return selectAll<LineageJobRef>(
        database(),
        QStringLiteral(
            "SELECT j.run_id, j.name FROM jobs j WHERE j.run_id IN "
            "(SELECT d.run_id FROM data_versions d WHERE d.hash = ? OR d.dvc_md5 = ?) ORDER BY j.run_id, j.name"),
        {hash, hash}, readRef);
}

Result<std::vector<LineageJobRef>> SqlLineageStore::jobsUsingImage(const QString &digest) const
{
    // "name@sha256:…" names the content by its digest part. Each branch is one index lookup (an OR
    // across columns would scan).
    const QString key = digest.contains(u'@') ? digest.section(u'@', -1) : digest;
    return selectAll<LineageJobRef>(
        database(),
        QStringLiteral(
            "SELECT j.run_id, j.name FROM jobs j WHERE j.image_id = ? UNION "
            "SELECT j.run_id, j.name FROM image_digests g JOIN jobs j ON j.run_id = g.run_id AND j.image = g.reference "
            "WHERE g.digest = ? ORDER BY 1, 2"),
        {key, key}, readRef);
}

Result<std::vector<LineageJobRef>> SqlLineageStore::jobsAtCommit(const QString &sha) const
{
    const QString prefix = sha.toLower();
    if (prefix.size() < 4)
        return tl::unexpected(
            Error::error(QStringLiteral("a commit prefix needs at least 4 hex digits: '%1'").arg(sha)));
    return selectAll<LineageJobRef>(
        database(),
        QStringLiteral(
            "SELECT j.run_id, j.name FROM jobs j WHERE j.run_id IN "
            "(SELECT r.id FROM runs r WHERE r.commit_sha >= ? AND r.commit_sha < ?) ORDER BY j.run_id, j.name"),
        {prefix, prefixEnd(prefix)}, readRef);
}

Result<std::vector<LineageJobRef>> SqlLineageStore::jobsConsuming(const QString &sha256) const
{
    return selectAll<LineageJobRef>(
        database(),
        QStringLiteral("SELECT DISTINCT run_id, job FROM consumptions WHERE sha256 = ? ORDER BY run_id, job"),
        {sha256.toLower()}, readRef);
}

Result<std::vector<std::pair<QString, QString>>> SqlLineageStore::keysWithPrefix(const QString &rawPrefix,
                                                                                 int limit) const
{
    const QString prefix = rawPrefix.toLower();
    if (prefix.isEmpty())
        return std::vector<std::pair<QString, QString>>{};
    const QString image = QStringLiteral("sha256:") + prefix;
    // Each branch is a range on an indexed column.
    return selectAll<std::pair<QString, QString>>(
        database(),
        QStringLiteral("SELECT 'data', hash FROM data_versions WHERE hash >= ? AND hash < ? UNION "
                       "SELECT 'data', dvc_md5 FROM data_versions WHERE dvc_md5 >= ? AND dvc_md5 < ? UNION "
                       "SELECT 'image', image_id FROM jobs WHERE image_id >= ? AND image_id < ? UNION "
                       "SELECT 'image', digest FROM image_digests WHERE digest >= ? AND digest < ? UNION "
                       "SELECT 'artifact', sha256 FROM artifacts WHERE sha256 >= ? AND sha256 < ? "
                       "ORDER BY 1, 2 LIMIT ?"),
        {prefix, prefixEnd(prefix), prefix, prefixEnd(prefix), image, prefixEnd(image), image, prefixEnd(image), prefix,
         prefixEnd(prefix), limit},
        [](const Query &q) {
            return std::pair{q.value(0).toString(), q.value(1).toString()};
        });
}

Result<std::vector<LineageJobRef>> SqlLineageStore::downstreamOf(const std::vector<LineageJobRef> &seeds) const
{
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    // Breadth first, a level at a time. The edges of the runs a level reaches are read in batches
    // (IN lists): who consumed what in each run, and which later runs reused one of its jobs.
    struct RunEdges
    {
        QMultiHash<QString, QString> consumers; ///< producer job -> consumer job, in the run
        QMultiHash<QString, QString> reusers;   ///< job -> run that reused it
    };
    QHash<QString, RunEdges> edges;
    const auto loadEdges = [&](const QStringList &runIds) -> Result<void> {
        for (qsizetype from = 0; from < runIds.size(); from += kInListChunk) {
            const QStringList chunk = runIds.mid(from, kInListChunk);
            const QVariantList values(chunk.cbegin(), chunk.cend());
            for (const QString &id : chunk)
                edges.insert(id, RunEdges{});
            Query consumers(*db,
                            QStringLiteral("SELECT run_id, producer_job, job FROM consumptions WHERE run_id IN (%1)")
                                .arg(placeholders(chunk.size())));
            if (auto ok = consumers.execList(values); !ok)
                return ok;
            while (consumers.next())
                edges[consumers.value(0).toString()].consumers.insert(consumers.value(1).toString(),
                                                                      consumers.value(2).toString());
            Query reusers(*db, QStringLiteral("SELECT reused_from, name, run_id FROM jobs WHERE reused_from IN (%1)")
                                   .arg(placeholders(chunk.size())));
            if (auto ok = reusers.execList(values); !ok)
                return ok;
            while (reusers.next())
                edges[reusers.value(0).toString()].reusers.insert(reusers.value(1).toString(),
                                                                  reusers.value(2).toString());
        }
        return {};
    };
    std::vector<LineageJobRef> out;
    QSet<QString> seen;
    std::vector<LineageJobRef> level(seeds.begin(), seeds.end());
    while (!level.empty()) {
        QStringList missing;
        for (const LineageJobRef &ref : level) {
            if (!edges.contains(ref.runId) && !missing.contains(ref.runId))
                missing << ref.runId;
        }
        if (auto ok = loadEdges(missing); !ok)
            return tl::unexpected(ok.error());
        std::vector<LineageJobRef> next;
        for (LineageJobRef &ref : level) {
            const QString key = ref.runId + u'\x1f' + ref.job;
            if (seen.contains(key))
                continue;
            seen.insert(key);
            const RunEdges &e = edges[ref.runId];
            for (auto it = e.consumers.constFind(ref.job); it != e.consumers.cend() && it.key() == ref.job; ++it)
                next.push_back(LineageJobRef{ref.runId, it.value()});
            for (auto it = e.reusers.constFind(ref.job); it != e.reusers.cend() && it.key() == ref.job; ++it)
                next.push_back(LineageJobRef{it.value(), ref.job});
            out.push_back(std::move(ref));
        }
        level = std::move(next);
    }
    return out;
}

Result<std::vector<LineageJobRef>> SqlLineageStore::upstreamOf(const LineageJobRef &job) const
{
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    Query edges(*db, QStringLiteral("SELECT upstream FROM job_edges WHERE run_id = ? AND job = ?"));
    Query reused(*db, QStringLiteral("SELECT reused_from FROM jobs WHERE run_id = ? AND name = ?"));
    std::vector<LineageJobRef> out;
    QSet<QString> seen;
    std::deque<LineageJobRef> queue{job};
    while (!queue.empty()) {
        LineageJobRef ref = std::move(queue.front());
        queue.pop_front();
        const QString key = ref.runId + u'\x1f' + ref.job;
        if (seen.contains(key))
            continue;
        seen.insert(key);
        if (auto ok = edges.exec({ref.runId, ref.job}); !ok)
            return tl::unexpected(ok.error());
        while (edges.next())
            queue.push_back(LineageJobRef{ref.runId, edges.value(0).toString()});
        if (auto ok = reused.exec({ref.runId, ref.job}); !ok)
            return tl::unexpected(ok.error());
        if (reused.next() && !reused.value(0).toString().isEmpty())
            queue.push_back(LineageJobRef{reused.value(0).toString(), ref.job});
        out.push_back(std::move(ref));
    }
    return out;
}

} // namespace trainyard::core
