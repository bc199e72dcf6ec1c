#include "imagesecurity.h"

#include "engine/artifactstore.h"
#include "engine/dockerclient.h"

#include "supplychain/imagesbomreader.h"
#include "supplychain/installedscanners.h"
#include "supplychain/osvdatabase.h"
#include "supplychain/scannerreport.h"

#include <QDateTime>
#include <QFile>
#include <QLocale>

#include <optional>

namespace trainyard::core {

namespace {

QString megabytes(qint64 bytes)
{
    return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 0);
}

} // namespace

ImageSecurity::ImageSecurity(LineageStore &store, const QString &artifactRoot)
    : m_store(store)
    , m_artifactRoot(artifactRoot)
{}

Result<ImageSecurity::SbomResult> ImageSecurity::sbom(DockerClient &docker, const QString &image,
                                                      const Progress &progress, const std::atomic_bool *cancel)
{
    auto info = docker.inspectImage(image);
    if (!info)
        return tl::make_unexpected(info.error());
    if (!info->exists)
        return tl::make_unexpected(Error::error(
            QStringLiteral("Image %1 is not on this machine's Docker engine: pull or build it first").arg(image)));
    ArtifactStore artifacts(m_artifactRoot);
    auto stored = m_store.imageSbom(info->id);
    if (!stored)
        return tl::make_unexpected(stored.error());
    if (*stored) {
        auto document = artifacts.readBytes((*stored)->sbomSha256, QStringLiteral("The SBOM of image %1").arg(image));
        if (document) {
            auto sbom =
                Sbom::fromCycloneDx(*document, ArtifactStore::objectPath(m_artifactRoot, (*stored)->sbomSha256));
            if (sbom)
                return SbomResult{*sbom, (*stored)->sbomSha256, false, info->repoDigests};
        }
        // A stored document gone or damaged is made again from the image.
    }
    if (progress)
        progress(QStringLiteral("Reading the file system of %1").arg(image));
    ImageSbomReader reader(docker);
    auto sbom = reader.read(
        image,
        [&](qint64 bytes) {
            if (progress)
                progress(QStringLiteral("Reading the file system of %1: %2").arg(image, megabytes(bytes)));
        },
        cancel);
    if (!sbom)
        return tl::make_unexpected(sbom.error());
    sbom->imageName = image;
    auto sha = artifacts.storeBytes(sbom->toCycloneDx());
    if (!sha)
        return tl::make_unexpected(sha.error());
    LineageImageSbom row;
    row.imageId = sbom->imageId;
    row.sbomSha256 = *sha;
    if (!sbom->distribution.id.isEmpty())
        row.distribution = sbom->distribution.id + u'-' + sbom->distribution.versionId;
    row.packageCount = int(sbom->packages.size());
    if (auto ok = m_store.recordImageSbom(row); !ok)
        return tl::make_unexpected(ok.error());
    return SbomResult{*sbom, *sha, true, info->repoDigests};
}

Result<QByteArray> ImageSecurity::sbomDocument(const QString &imageId) const
{
    auto stored = m_store.imageSbom(imageId);
    if (!stored)
        return tl::make_unexpected(stored.error());
    if (!*stored)
        return tl::make_unexpected(Error::error(
            QStringLiteral("No SBOM was made for image %1: `trainyard sbom IMAGE` makes one").arg(imageId)));
    return ArtifactStore(m_artifactRoot)
        .readBytes((*stored)->sbomSha256, QStringLiteral("The SBOM of image %1").arg(imageId));
}

Result<ImageSecurity::ScanResult> ImageSecurity::scan(DockerClient &docker, const QString &image,
                                                      const ScanRequest &request, const Progress &progress,
                                                      const std::atomic_bool *cancel)
{
    if (request.osvDir.isEmpty() && request.reportFiles.isEmpty() && request.scanners.isEmpty())
        return tl::make_unexpected(Error::error(
            QStringLiteral("Nothing to scan %1 against: name a folder of OSV advisories (--osv DIR, or .trainyard: "
                           "scan: osv:) or a trivy/grype report (--report FILE)")
                .arg(image)));
    ScanResult result;
    // Reports first: a wrong file is said before the image is read.
    QList<ScannerReport> reports;
    for (const QString &file : request.reportFiles) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return tl::make_unexpected(
                Error::error(QStringLiteral("cannot read the report: %1").arg(f.errorString()), {file, 0, 0}));
        auto report = ScannerReport::fromJson(f.readAll(), file);
        if (!report)
            return tl::make_unexpected(report.error());
        reports.append(*report);
    }
    auto sbom = this->sbom(docker, image, progress, cancel);
    if (!sbom)
        return tl::make_unexpected(sbom.error());
    QStringList reportSources = request.reportFiles;
    QStringList failedScanners;
    for (const QString &tool : request.scanners) {
        if (progress)
            progress(QStringLiteral("Scanning %1 with %2").arg(image, tool));
        auto report = InstalledScanners::run(tool, image, docker.endpoint(), 1800, cancel);
        if (cancel && cancel->load())
            return tl::make_unexpected(Error::error(QStringLiteral("The scan of %1 was cancelled").arg(image)));
        if (!report) { // a scanner without its database (offline): the other sources still count
            result.warnings.append(Error::warning(report.error().message));
            failedScanners << tool;
            continue;
        }
        reports.append(*report);
        reportSources << QStringLiteral("%1 run here on %2").arg(tool, image);
    }
    LineageImageScan &scan = result.scan;
    scan.imageId = sbom->sbom.imageId;
    scan.scannedAt = QDateTime::currentDateTimeUtc();
    // What a report may call this image: its ID, or a digest a registry gave it (an engine with
    // containerd's image store names images by their manifest's digest).
    QStringList names{scan.imageId};
    for (const QString &repoDigest : std::as_const(sbom->repoDigests))
        names << repoDigest.section(u'@', -1);
    for (qsizetype i = 0; i < reports.size(); ++i) {
        const ScannerReport &report = reports.at(i);
        if (!report.imageId.isEmpty() && !names.contains(report.imageId))
            return tl::make_unexpected(Error::error(
                QStringLiteral("the %1 report is about image %2, not %3 (%4): scan this image with %1 again")
                    .arg(report.scanner, report.imageId, image, scan.imageId),
                {reportSources.at(i), 0, 0}));
        scan.findings += report.findings;
        scan.sources << QStringLiteral("%1: %2").arg(report.scanner, reportSources.at(i));
    }
    if (!request.osvDir.isEmpty()) {
        std::optional<OsvDatabase> loaded;
        const OsvDatabase *db = request.advisories;
        if (!db) {
            if (progress)
                progress(QStringLiteral("Reading the OSV advisories in %1").arg(request.osvDir));
            auto read = OsvDatabase::load(
                request.osvDir, &result.warnings,
                [&](int done, int total) {
                    if (progress)
                        progress(QStringLiteral("Reading the OSV advisories in %1: %2 of %3")
                                     .arg(request.osvDir)
                                     .arg(done)
                                     .arg(total));
                },
                cancel);
            if (!read)
                return tl::make_unexpected(read.error());
            loaded = std::move(*read);
            db = &*loaded;
        }
        result.advisories = db->size();
        scan.findings += db->match(sbom->sbom);
        scan.sources << QStringLiteral("osv: %1 (%2 %3)")
                            .arg(request.osvDir, QLocale(QLocale::English).toString(db->size()),
                                 db->size() == 1 ? QStringLiteral("advisory") : QStringLiteral("advisories"));
    }
    for (const QString &tool : std::as_const(failedScanners))
        scan.sources << QStringLiteral("%1: failed (not counted)").arg(tool);
    if (scan.sources.size() == failedScanners.size()) // nothing was matched: no verdict to record
        return tl::make_unexpected(
            Error::error(QStringLiteral("%1 could not be scanned: %2").arg(image, result.warnings.last().message)));
    if (auto ok = m_store.recordImageScan(scan); !ok)
        return tl::make_unexpected(ok.error());
    // Read back: one row per vulnerability, package and source, worst first.
    auto stored = m_store.imageScan(scan.imageId);
    if (stored && *stored)
        scan = **stored;
    return result;
}

QList<Finding> ImageSecurity::blocking(const QList<Finding> &findings, const QString &failOn)
{
    QList<Finding> out;
    const Severity threshold = severityFromText(failOn);
    if (threshold == Severity::Unknown)
        return out;
    for (const Finding &f : findings) {
        if (f.severity >= threshold)
            out.append(f);
    }
    return out;
}

} // namespace trainyard::core
