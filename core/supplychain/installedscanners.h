#pragma once

// The vulnerability scanners teams already use, run on an image when they are installed on this
// machine: trivy (`trivy image --format json`) and grype (`grype docker:IMAGE -o json`), their
// JSON reports read as ScannerReport. Neither is packaged for Debian 12; each keeps its own
// vulnerability database (which it may want to download: that is the tool's affair).

#include "scannerreport.h"

#include "common/error.h"

#include <QString>
#include <QStringList>

#include <atomic>

namespace trainyard::core {

class InstalledScanners
{
public:
    /// "trivy", "grype": those found on PATH, in that order.
    static QStringList available();
    /// Runs `tool` (trivy or grype) on `image` of the Docker engine at `dockerEndpoint` (empty:
    /// the default; given to the tool as DOCKER_HOST) and reads its report: vulnerabilities only,
    /// from the engine's copy (never the registry's). An Error naming the tool when it is missing,
    /// fails (with the last lines it printed), runs past `timeoutSeconds` or is cancelled.
    static Result<ScannerReport> run(const QString &tool, const QString &image, const QString &dockerEndpoint = {},
                                     int timeoutSeconds = 1800, const std::atomic_bool *cancel = nullptr);
};

} // namespace trainyard::core
