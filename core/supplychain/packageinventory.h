#pragma once

// What is installed in an image's file system, read from the databases its package managers keep:
// dpkg's status (Debian, Ubuntu; one file, or status.d/ as distroless images have it), apk's
// installed database (Alpine), and Python's distribution metadata (*.dist-info/METADATA,
// *.egg-info/PKG-INFO). Fed file by file (SbomBuilder streams the image's archive through it).

#include "versionorder.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace trainyard::core {

/// One installed package.
struct InstalledPackage
{
    Ecosystem ecosystem = Ecosystem::Unknown;
    QString name;
    QString version;
    /// The source package it was built from (dpkg's Source:, apk's origin); OSV's Debian and
    /// Alpine advisories name source packages. Empty: the same as `name`.
    QString sourceName;
    QString sourceVersion; ///< when dpkg says "Source: name (version)"; empty: `version`
    QString architecture;
    QString location; ///< the file in the image that lists it, e.g. "/var/lib/dpkg/status"

    QString source() const { return sourceName.isEmpty() ? name : sourceName; }
    QString versionOfSource() const { return sourceVersion.isEmpty() ? version : sourceVersion; }
    bool operator==(const InstalledPackage &) const = default;
};

/// The distribution an image says it is, from /etc/os-release (or /usr/lib/os-release).
struct Distribution
{
    QString id;        ///< "debian", "ubuntu", "alpine"; empty when the image has no os-release
    QString versionId; ///< "12", "22.04", "3.18.4"
    QString prettyName;
};

class PackageInventory
{
public:
    /// Whether the file at `path` (in the image, with or without a leading '/') is one this reads:
    /// the archive's reader keeps only these.
    static bool wants(const QString &path);
    /// Reads one file the image has (wants(path) is true). Malformed entries are skipped, never
    /// an error: an image is what it is.
    void addFile(const QString &path, const QByteArray &content);

    /// The packages found, sorted by ecosystem, name, version, location.
    QList<InstalledPackage> packages() const;
    Distribution distribution() const { return m_distribution; }

private:
    void readDpkgStatus(const QString &location, const QByteArray &content);
    void readApkInstalled(const QString &location, const QByteArray &content);
    void readPythonMetadata(const QString &location, const QByteArray &content);
    void readOsRelease(const QString &location, const QByteArray &content);

    QList<InstalledPackage> m_packages;
    Distribution m_distribution;
    bool m_distributionFromEtc = false;
};

} // namespace trainyard::core
