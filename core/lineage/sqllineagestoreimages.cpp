// SqlLineageStore's records of what is inside images: bills of materials and vulnerability scans,
// per image ID.
#include "sqllineagestore.h"

#include "lineagesql.h"

#include <algorithm>

namespace trainyard::core {

using namespace lineagesql;

namespace {

Error needsSchema12(const QString &path)
{
    return Error::error(QStringLiteral("The lineage store %1 predates image scans (schema 12): open it with this "
                                       "Trainyard writable once to update it")
                            .arg(path));
}

} // namespace

Result<void> SqlLineageStore::recordImageSbom(const LineageImageSbom &sbom)
{
    if (m_schemaVersion < 12)
        return tl::unexpected(needsSchema12(path()));
    return transaction([&]() -> Result<void> {
        Query q(
            *database(),
            QStringLiteral("INSERT INTO image_sboms (image_id, sbom_sha256, distribution, package_count, created_at) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (image_id) DO UPDATE SET "
                           "sbom_sha256 = excluded.sbom_sha256, distribution = excluded.distribution, "
                           "package_count = excluded.package_count, created_at = excluded.created_at"));
        if (auto ok = q.exec({sbom.imageId, sbom.sbomSha256.toLower(), sbom.distribution, sbom.packageCount,
                              fromTime(sbom.createdAt.isValid() ? sbom.createdAt : QDateTime::currentDateTimeUtc())});
            !ok)
            return ok;
        return queueRunsOfImage(sbom.imageId);
    });
}

Result<void> SqlLineageStore::recordImageScan(const LineageImageScan &scan)
{
    auto written = writeImageScan(scan, false);
    return written ? Result<void>{} : tl::unexpected(written.error());
}

Result<bool> SqlLineageStore::recordImageScanIfNewer(const LineageImageScan &scan)
{
    return writeImageScan(scan, true);
}

Result<bool> SqlLineageStore::writeImageScan(const LineageImageScan &scan, bool onlyIfNewer)
{
    if (m_schemaVersion < 12)
        return tl::unexpected(needsSchema12(path()));
    bool written = false;
    auto ok = transaction([&]() -> Result<void> {
        auto db = database();
        // The scan's row first: it locks the image's row, so two writers take turns, and (when
        // asked) a newer scan already there keeps its place: nothing returned, nothing written.
        Query q(*db, QStringLiteral("INSERT INTO image_scans (image_id, scanned_at, sources) VALUES (?, ?, ?) "
                                    "ON CONFLICT (image_id) DO UPDATE SET scanned_at = excluded.scanned_at, "
                                    "sources = excluded.sources%1 RETURNING image_id")
                         .arg(onlyIfNewer ? QStringLiteral(" WHERE image_scans.scanned_at <= excluded.scanned_at")
                                          : QString()));
        if (auto done = q.exec({scan.imageId,
                                fromTime(scan.scannedAt.isValid() ? scan.scannedAt : QDateTime::currentDateTimeUtc()),
                                scan.sources.join(u'\n')});
            !done)
            return done;
        written = q.next();
        if (!written)
            return {};
        Query del(*db, QStringLiteral("DELETE FROM image_findings WHERE image_id = ?"));
        if (auto done = del.exec({scan.imageId}); !done)
            return done;
        // One row per vulnerability, package and source: a report listing a pair twice keeps one.
        Query ins(*db, QStringLiteral("INSERT INTO image_findings (image_id, vulnerability_id, package, ecosystem, "
                                      "installed_version, fixed_version, severity, source, summary) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
        for (const Finding &f : scan.findings) {
            if (auto done = ins.exec({scan.imageId, f.id, f.package, ecosystemName(f.ecosystem), f.installedVersion,
                                      f.fixedVersion, severityName(f.severity), f.source, f.summary});
                !done)
                return done;
        }
        return queueRunsOfImage(scan.imageId);
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return written;
}

Result<void> SqlLineageStore::queueRunsOfImage(const QString &imageId)
{
    // The runs that used the image go to the team's store again, taking the image's SBOM and
    // scan with them (LineageSync): a scan made after a run was pushed reaches the team too.
    if (onServer() || m_schemaVersion < 9)
        return {};
    Query queue(*database(), QStringLiteral("INSERT INTO team_outbox (run_id, revision) "
                                            "SELECT DISTINCT run_id, 1 FROM images WHERE image_id = ? "
                                            "ON CONFLICT (run_id) DO UPDATE SET revision = team_outbox.revision + 1"));
    return queue.exec({imageId});
}

Result<std::optional<LineageImageSbom>> SqlLineageStore::imageSbom(const QString &imageId) const
{
    if (m_schemaVersion < 12)
        return std::optional<LineageImageSbom>{};
    auto rows = selectAll<LineageImageSbom>(
        database(),
        QStringLiteral("SELECT image_id, sbom_sha256, distribution, package_count, created_at FROM image_sboms "
                       "WHERE image_id = ?"),
        {imageId}, [](const Query &q) {
            return LineageImageSbom{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                    q.value(3).toInt(), toTime(q.value(4))};
        });
    if (!rows)
        return tl::unexpected(rows.error());
    if (rows->empty())
        return std::optional<LineageImageSbom>{};
    return std::optional<LineageImageSbom>{rows->front()};
}

Result<std::optional<LineageImageScan>> SqlLineageStore::imageScan(const QString &imageId) const
{
    if (m_schemaVersion < 12)
        return std::optional<LineageImageScan>{};
    auto scans = selectAll<LineageImageScan>(
        database(), QStringLiteral("SELECT image_id, scanned_at, sources FROM image_scans WHERE image_id = ?"),
        {imageId}, [](const Query &q) {
            LineageImageScan s;
            s.imageId = q.value(0).toString();
            s.scannedAt = toTime(q.value(1));
            s.sources = q.value(2).toString().split(u'\n', Qt::SkipEmptyParts);
            return s;
        });
    if (!scans)
        return tl::unexpected(scans.error());
    if (scans->empty())
        return std::optional<LineageImageScan>{};
    LineageImageScan scan = scans->front();
    auto findings = selectAll<Finding>(
        database(),
        QStringLiteral("SELECT vulnerability_id, package, ecosystem, installed_version, fixed_version, severity, "
                       "source, summary FROM image_findings WHERE image_id = ? ORDER BY vulnerability_id, package"),
        {imageId}, [](const Query &q) {
            Finding f;
            f.id = q.value(0).toString();
            f.package = q.value(1).toString();
            f.ecosystem = ecosystemOf(q.value(2).toString());
            f.installedVersion = q.value(3).toString();
            f.fixedVersion = q.value(4).toString();
            f.severity = severityFromText(q.value(5).toString());
            f.source = q.value(6).toString();
            f.summary = q.value(7).toString();
            return f;
        });
    if (!findings)
        return tl::unexpected(findings.error());
    scan.findings = QList<Finding>(findings->begin(), findings->end());
    std::stable_sort(scan.findings.begin(), scan.findings.end(),
                     [](const Finding &a, const Finding &b) { return a.severity > b.severity; });
    return std::optional<LineageImageScan>{scan};
}

} // namespace trainyard::core
