// libFuzzer harness: arbitrary bytes as what an image's package databases and the scanners'
// files hold — a dpkg status, an apk database, Python metadata, an os-release, an OSV advisory, a
// trivy/grype report, a CycloneDX document — and the advisories matched against what was read.
// Version orderings must be antisymmetric and reflexive on any text: a violation aborts, so
// libFuzzer keeps the input. Built only in the separate clang tree (-DTRAINYARD_FUZZ=ON); see
// run_fuzz.sh next to this file (harness "supplychain").
#include "supplychain/osvdatabase.h"
#include "supplychain/packageinventory.h"
#include "supplychain/sbom.h"
#include "supplychain/scannerreport.h"
#include "supplychain/versionorder.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace trainyard::core;

namespace {

void quietMessages(QtMsgType, const QMessageLogContext &, const QString &) {}

int sign(int v)
{
    return v < 0 ? -1 : (v > 0 ? 1 : 0);
}

/// compare(a, a) == 0 and compare(a, b) == -compare(b, a) in every ecosystem's ordering.
void checkOrdering(const QString &a, const QString &b)
{
    for (const Ecosystem e : {Ecosystem::Debian, Ecosystem::Alpine, Ecosystem::PyPI}) {
        if (compareVersions(e, a, a) != 0 || compareVersions(e, b, b) != 0)
            std::abort();
        if (sign(compareVersions(e, a, b)) != -sign(compareVersions(e, b, a)))
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool quiet = (qInstallMessageHandler(quietMessages), true);
    (void)quiet;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    // The same bytes as every file an image's package managers keep.
    PackageInventory inventory;
    for (const char *path : {"var/lib/dpkg/status", "lib/apk/db/installed",
                             "usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA", "etc/os-release"})
        inventory.addFile(QString::fromLatin1(path), bytes);
    Sbom sbom;
    sbom.imageId = QStringLiteral("sha256:fuzz");
    sbom.distribution = inventory.distribution();
    sbom.packages = inventory.packages();
    // What was read survives the CycloneDX document (the same packages back).
    const auto back = Sbom::fromCycloneDx(sbom.toCycloneDx(), QStringLiteral("fuzz.cdx.json"));
    if (!back || back->packages.size() != sbom.packages.size())
        std::abort();

    // The bytes as an advisory, matched against what was read; as a report; as a CycloneDX document.
    OsvDatabase db;
    if (auto advisory = OsvAdvisory::fromJson(bytes, QStringLiteral("fuzz.json")))
        db.add(*advisory);
    (void)db.match(sbom);
    (void)ScannerReport::fromJson(bytes, QStringLiteral("report.json"));
    (void)Sbom::fromCycloneDx(bytes, QStringLiteral("bom.json"));

    // Two versions, split at the first NUL or newline.
    qsizetype cut = bytes.indexOf('\0');
    if (cut < 0)
        cut = bytes.indexOf('\n');
    if (cut >= 0)
        checkOrdering(QString::fromUtf8(bytes.left(cut)), QString::fromUtf8(bytes.mid(cut + 1)));
    for (const InstalledPackage &p : sbom.packages)
        checkOrdering(p.version, p.sourceVersion);
    return 0;
}
