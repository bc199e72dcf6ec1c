#pragma once

// An image's software bill of materials, as CycloneDX 1.5 JSON (the format scanners and
// registries read), and read back from it.

#include "packageinventory.h"

#include "common/error.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace trainyard::core {

struct Sbom
{
    QString imageId;   ///< "sha256:…", the image's config digest: one SBOM per image ID
    QString imageName; ///< the reference it was made for, e.g. "python:3.11-slim"
    Distribution distribution;
    QList<InstalledPackage> packages;
    qint64 bytesRead = 0; ///< the size of the file system read (for progress and the note)

    /// CycloneDX 1.5 JSON. Nothing in it depends on when or where it was made (no timestamp; the
    /// serial number comes from the image ID), so the same image gives the same bytes: the store
    /// keeps it by its SHA-256.
    QByteArray toCycloneDx() const;
    /// Reads what toCycloneDx() wrote (and CycloneDX 1.4–1.5 from other tools: components with a
    /// purl of type deb, apk or pypi). `what` names the file in errors.
    static Result<Sbom> fromCycloneDx(const QByteArray &json, const QString &what);
};

/// The package URL of an installed package (purl-spec): pkg:deb/debian/NAME@VERSION?arch=…&distro=…,
/// pkg:apk/alpine/…, pkg:pypi/NAME@VERSION (the name normalised as PEP 503 says).
QString packageUrl(const InstalledPackage &package, const Distribution &distribution);

/// A Python project name as PEP 503 compares them: lower case, runs of "-", "_", "." as one "-".
QString normalisedPythonName(const QString &name);

} // namespace trainyard::core
