#pragma once

// What is inside the images runs use, and which known vulnerabilities it carries, kept in the
// lineage: the bill of materials is made once per image ID (ImageSbomReader) and kept in the
// project's artifact store by its SHA-256; a scan matches it against OSV advisories (and reads
// trivy's or grype's reports of the same image) and replaces the image's earlier findings.

#include "lineagestore.h"

#include "supplychain/sbom.h"
#include "supplychain/vulnerability.h"

#include "common/error.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace trainyard::core {

class DockerClient;
class OsvDatabase;

class ImageSecurity
{
public:
    /// What a long step is doing, in words ("reading the file system of IMAGE: 120 MB").
    using Progress = std::function<void(const QString &message)>;

    /// `artifactRoot`: the project's artifact store (`<project>/.trainyard/artifacts`).
    ImageSecurity(LineageStore &store, const QString &artifactRoot);

    struct SbomResult
    {
        Sbom sbom;
        QString sha256;          ///< of the CycloneDX document in the artifact store
        bool made = false;       ///< read from the image now (false: this image ID's stored one)
        QStringList repoDigests; ///< the image's "repo@sha256:…" names, as the engine said them
    };
    /// The SBOM of `image` (a reference or an ID, present on `docker`'s engine): the one stored for
    /// its image ID, else read from the image, stored and recorded.
    Result<SbomResult> sbom(DockerClient &docker, const QString &image, const Progress &progress = {},
                            const std::atomic_bool *cancel = nullptr);
    /// The CycloneDX document of a stored SBOM (by image ID); an Error when none was made.
    Result<QByteArray> sbomDocument(const QString &imageId) const;

    struct ScanRequest
    {
        QString osvDir;          ///< a folder of OSV advisories; empty: none
        QStringList reportFiles; ///< trivy or grype JSON reports of the same image
        /// Scanners to run on the image here ("trivy", "grype"; InstalledScanners::available()).
        QStringList scanners;
        /// The advisories of osvDir already read (several images scanned at once); null: read them.
        const OsvDatabase *advisories = nullptr;
    };
    struct ScanResult
    {
        LineageImageScan scan;
        /// Advisories that could not be read (by file), and scanners that failed: the scan is
        /// recorded from the other sources, and its sources say which failed.
        QList<Error> warnings;
        int advisories = 0; ///< read from osvDir
    };
    /// Scans `image`: its SBOM against the OSV advisories, and the reports (each must be about
    /// this image, when it says which: its ID or one of its repository digests), all findings
    /// recorded as the image's latest scan; the scanners named are run on it and read as reports.
    /// At least one of osvDir, reportFiles and scanners is needed.
    /// `progress` is called on this thread and on the thread reading the image's archive.
    Result<ScanResult> scan(DockerClient &docker, const QString &image, const ScanRequest &request,
                            const Progress &progress = {}, const std::atomic_bool *cancel = nullptr);

    /// The findings that block a release under `.trainyard: scan: fail_on:`: those at or above
    /// `failOn` (critical, high, medium, low; empty: none).
    static QList<Finding> blocking(const QList<Finding> &findings, const QString &failOn);

private:
    LineageStore &m_store;
    QString m_artifactRoot;
};

} // namespace trainyard::core
