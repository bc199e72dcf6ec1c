#include "command.h"
#include "imagesecuritycli.h"

#include "engine/dockerclient.h"
#include "lineage/imagesecurity.h"
#include "pipeline/gitlabcireader.h"
#include "supplychain/installedscanners.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

// Findings at or above fail_on: a release review of a model trained in this image is not ready.
constexpr int ExitFindingsBlock = 3;

QJsonObject toJson(const Finding &f)
{
    return QJsonObject{{QStringLiteral("id"), f.id},
                       {QStringLiteral("package"), f.package},
                       {QStringLiteral("ecosystem"), ecosystemName(f.ecosystem)},
                       {QStringLiteral("installed"), f.installedVersion},
                       {QStringLiteral("fixed"), f.fixedVersion},
                       {QStringLiteral("severity"), severityName(f.severity)},
                       {QStringLiteral("source"), f.source},
                       {QStringLiteral("summary"), f.summary}};
}

void printTable(const QList<Finding> &findings, QTextStream &out)
{
    int idWidth = 2, packageWidth = 7, installedWidth = 9, fixedWidth = 5;
    for (const Finding &f : findings) {
        idWidth = std::max(idWidth, int(f.id.size()));
        packageWidth = std::max(packageWidth, int(f.package.size()));
        installedWidth = std::max(installedWidth, int(f.installedVersion.size()));
        fixedWidth = std::max(fixedWidth, int(f.fixedVersion.size()));
    }
    const auto row = [&](const QString &a, const QString &b, const QString &c, const QString &d, const QString &e,
                         const QString &g) {
        out << QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                   .arg(a, -8)
                   .arg(b, -idWidth)
                   .arg(c, -packageWidth)
                   .arg(d, -installedWidth)
                   .arg(e, -fixedWidth)
                   .arg(g);
    };
    row(QStringLiteral("SEVERITY"), QStringLiteral("ID"), QStringLiteral("PACKAGE"), QStringLiteral("INSTALLED"),
        QStringLiteral("FIXED"), QStringLiteral("SOURCE"));
    for (const Finding &f : findings)
        row(severityName(f.severity), f.id, f.package, f.installedVersion,
            f.fixedVersion.isEmpty() ? QStringLiteral("-") : f.fixedVersion, f.source);
}

} // namespace

Command scanCommand()
{
    Command c;
    c.name = QStringLiteral("scan");
    c.brief = QStringLiteral("Find known vulnerabilities in an image, offline.");
    c.summary = QStringLiteral(
        "Find known vulnerabilities in an image: its bill of materials (see `trainyard sbom`) matched against\n"
        "OSV advisories kept as files (osv.dev's exports, unpacked: --osv DIR, or .trainyard: scan: osv:),\n"
        "with Debian's, Alpine's and Python's own version ordering, and/or the JSON report of trivy or grype\n"
        "for the same image (--report); trivy and grype are run on the image when installed (--no-scanners:\n"
        "not). The findings are recorded in the lineage as the image's latest scan;\n"
        "the release review of a model trained in the image shows them, and .trainyard: scan: fail_on:\n"
        "makes it not ready. Exits 3 when findings reach fail_on.");
    c.arguments = QStringLiteral("IMAGE");
    c.addOptions = [](QCommandLineParser &p) {
        addProjectOption(p);
        p.addOption(QCommandLineOption(QStringLiteral("osv"),
                                       QStringLiteral("A folder of OSV advisories (default: .trainyard: scan: osv:)."),
                                       QStringLiteral("DIR")));
        p.addOption(QCommandLineOption(QStringLiteral("report"),
                                       QStringLiteral("A trivy or grype JSON report of the image (repeatable)."),
                                       QStringLiteral("FILE")));
        p.addOption(QCommandLineOption(
            QStringLiteral("fail-on"),
            QStringLiteral(
                "critical, high, medium or low: exit 3 at or above it (default: .trainyard: scan: fail_on:)."),
            QStringLiteral("LEVEL")));
        p.addOption(QCommandLineOption(
            QStringLiteral("no-scanners"),
            QStringLiteral("Do not run trivy or grype on the image, even when installed (they are by default).")));
        p.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print the findings as JSON.")));
        p.addPositionalArgument(QStringLiteral("IMAGE"), QStringLiteral("An image on this machine: a name or an ID."));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) -> int {
        if (p.positionalArguments().size() != 1) {
            err << "trainyard scan: give one IMAGE\nTry 'trainyard scan --help'.\n";
            return ExitUsage;
        }
        const QString image = p.positionalArguments().first();
        const QString project = p.value(QStringLiteral("C"));
        // The project's settings, when it has a pipeline file (an image can be scanned without one).
        GitlabCiReader::Options options;
        options.projectDir = project;
        const ScanSettings settings = GitlabCiReader::read(options).trainyard.scan;
        QString failOn =
            p.isSet(QStringLiteral("fail-on")) ? p.value(QStringLiteral("fail-on")).toLower() : settings.failOn;
        if (!failOn.isEmpty() && severityFromText(failOn) == Severity::Unknown) {
            err << "trainyard scan: --fail-on " << failOn << " is not one of critical, high, medium, low\n";
            return ExitUsage;
        }
        ImageSecurity::ScanRequest request;
        request.osvDir = p.isSet(QStringLiteral("osv")) ? p.value(QStringLiteral("osv")) : settings.osvFolder(project);
        request.reportFiles = p.values(QStringLiteral("report"));
        if (!p.isSet(QStringLiteral("no-scanners")))
            request.scanners = InstalledScanners::available();
        if (request.osvDir.isEmpty() && request.reportFiles.isEmpty() && request.scanners.isEmpty()) {
            err << "trainyard scan: nothing to scan " << image
                << " against: name a folder of OSV advisories (--osv DIR, or .trainyard: scan: osv: in the "
                   "pipeline file) or a trivy/grype report (--report FILE), or install trivy or grype\n";
            return ExitUsage;
        }
        auto store = openLineageForImages(p, err, QStringLiteral("scan"));
        if (!store)
            return ExitFailed;
        DockerClient docker;
        ImageSecurity security(*store, artifactRootOf(p));
        const CancelOnInterrupt interrupt;
        auto scanned = security.scan(docker, image, request, terminalProgress(err), interrupt.flag());
        endProgress(err);
        if (!scanned) {
            err << "trainyard scan: " << scanned.error().toString() << "\n";
            return ExitFailed;
        }
        const int shown = 5;
        for (qsizetype i = 0; i < scanned->warnings.size() && i < shown; ++i)
            err << scanned->warnings.at(i).toString() << "\n";
        if (scanned->warnings.size() > shown)
            err << "warning: " << scanned->warnings.size() - shown << " more file(s) of " << request.osvDir
                << " were not advisories\n";
        const LineageImageScan &scan = scanned->scan;
        const QList<Finding> blocking = ImageSecurity::blocking(scan.findings, failOn);
        if (p.isSet(QStringLiteral("json"))) {
            QJsonArray findings;
            for (const Finding &f : scan.findings)
                findings.append(toJson(f));
            const SeverityCounts n = SeverityCounts::of(scan.findings);
            const QJsonObject root{{QStringLiteral("image"), image},
                                   {QStringLiteral("image_id"), scan.imageId},
                                   {QStringLiteral("scanned_at"), scan.scannedAt.toString(Qt::ISODate)},
                                   {QStringLiteral("sources"), QJsonArray::fromStringList(scan.sources)},
                                   {QStringLiteral("counts"), QJsonObject{{QStringLiteral("critical"), n.critical},
                                                                          {QStringLiteral("high"), n.high},
                                                                          {QStringLiteral("medium"), n.medium},
                                                                          {QStringLiteral("low"), n.low},
                                                                          {QStringLiteral("unknown"), n.unknown}}},
                                   {QStringLiteral("fail_on"), failOn},
                                   {QStringLiteral("blocking"), int(blocking.size())},
                                   {QStringLiteral("findings"), findings}};
            out << QJsonDocument(root).toJson(QJsonDocument::Indented);
        } else {
            out << "Image " << image << " (" << scan.imageId << "): " << scan.findings.size()
                << " finding(s): " << SeverityCounts::of(scan.findings).toString() << "\n";
            for (const QString &source : scan.sources)
                out << "  matched against " << source << "\n";
            if (!scan.findings.isEmpty()) {
                out << "\n";
                printTable(scan.findings, out);
            }
            if (!failOn.isEmpty())
                out << "\nfail_on " << failOn << ": "
                    << (blocking.isEmpty() ? QStringLiteral("nothing at or above it")
                                           : QStringLiteral("%1 finding(s) at or above it: a release review of a "
                                                            "model trained in this image is not ready")
                                                 .arg(blocking.size()))
                    << "\n";
        }
        return blocking.isEmpty() ? int(ExitOk) : ExitFindingsBlock;
    };
    return c;
}

} // namespace trainyard::app
