#include "command.h"
#include "imagesecuritycli.h"

#include "engine/dockerclient.h"
#include "lineage/imagesecurity.h"

#include <QLocale>

namespace trainyard::app {

using namespace trainyard::core;

Command sbomCommand()
{
    Command c;
    c.name = QStringLiteral("sbom");
    c.brief = QStringLiteral("Print what is installed in an image (its bill of materials).");
    c.summary = QStringLiteral(
        "Print what is installed in an image: its Debian/Ubuntu (dpkg), Alpine (apk) and Python packages,\n"
        "read from the image's file system through the Docker engine (nothing runs inside it). Made once\n"
        "per image ID and kept in the project (.trainyard/artifacts, by its SHA-256), referenced from the\n"
        "lineage. --json prints it as CycloneDX 1.5.");
    c.arguments = QStringLiteral("IMAGE");
    c.addOptions = [](QCommandLineParser &p) {
        addProjectOption(p);
        p.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print the CycloneDX 1.5 document.")));
        p.addPositionalArgument(QStringLiteral("IMAGE"), QStringLiteral("An image on this machine: a name or an ID."));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) -> int {
        if (p.positionalArguments().size() != 1) {
            err << "trainyard sbom: give one IMAGE\nTry 'trainyard sbom --help'.\n";
            return ExitUsage;
        }
        const QString image = p.positionalArguments().first();
        auto store = openLineageForImages(p, err, QStringLiteral("sbom"));
        if (!store)
            return ExitFailed;
        DockerClient docker;
        ImageSecurity security(*store, artifactRootOf(p));
        const CancelOnInterrupt interrupt;
        auto made = security.sbom(docker, image, terminalProgress(err), interrupt.flag());
        endProgress(err);
        if (!made) {
            err << "trainyard sbom: " << made.error().toString() << "\n";
            return ExitFailed;
        }
        if (p.isSet(QStringLiteral("json"))) {
            auto document = security.sbomDocument(made->sbom.imageId);
            if (!document) {
                err << "trainyard sbom: " << document.error().toString() << "\n";
                return ExitFailed;
            }
            out << QString::fromUtf8(*document);
            return ExitOk;
        }
        const Sbom &sbom = made->sbom;
        const QString distribution =
            sbom.distribution.prettyName.isEmpty()
                ? (sbom.distribution.id.isEmpty() ? QStringLiteral("no os-release")
                                                  : sbom.distribution.id + u' ' + sbom.distribution.versionId)
                : sbom.distribution.prettyName;
        out << "Image " << image << " (" << sbom.imageId << "), " << distribution << ": "
            << QLocale(QLocale::English).toString(sbom.packages.size()) << " package(s)"
            << (made->made ? QStringLiteral(", read now") : QStringLiteral(", as read before")) << "\n"
            << "SBOM: CycloneDX 1.5, sha256 " << made->sha256 << "\n\n";
        int nameWidth = 4, versionWidth = 7;
        for (const InstalledPackage &pkg : sbom.packages) {
            nameWidth = std::max(nameWidth, int(pkg.name.size()));
            versionWidth = std::max(versionWidth, int(pkg.version.size()));
        }
        out << QStringLiteral("%1  %2  %3  %4\n")
                   .arg(QStringLiteral("TYPE"), -7)
                   .arg(QStringLiteral("NAME"), -nameWidth)
                   .arg(QStringLiteral("VERSION"), -versionWidth)
                   .arg(QStringLiteral("FOUND IN"));
        for (const InstalledPackage &pkg : sbom.packages)
            out << QStringLiteral("%1  %2  %3  %4\n")
                       .arg(ecosystemName(pkg.ecosystem), -7)
                       .arg(pkg.name, -nameWidth)
                       .arg(pkg.version, -versionWidth)
                       .arg(pkg.location);
        return ExitOk;
    };
    return c;
}

} // namespace trainyard::app
