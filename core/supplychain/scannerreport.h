#pragma once

// Reports of the vulnerability scanners teams already run, read into Trainyard's findings:
// trivy (`trivy image --format json`, schema version 2) and grype (`grype -o json`). Neither is
// packaged for Debian 12; when one is installed its report is read instead of, or as well as,
// matching OSV advisories here.

#include "vulnerability.h"

#include "common/error.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace trainyard::core {

struct ScannerReport
{
    QString scanner; ///< "trivy" or "grype"
    QString imageId; ///< the image the report is about, when it says ("sha256:…")
    QString target;  ///< what it was asked to scan (the image's name)
    QList<Finding> findings;

    /// Reads a trivy or a grype JSON report (told apart by their shape); errors name `file`, and
    /// the line and column of bad JSON.
    static Result<ScannerReport> fromJson(const QByteArray &json, const QString &file);
};

} // namespace trainyard::core
