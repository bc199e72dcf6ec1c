#include "scannerreport.h"

#include "jsonfile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace trainyard::core {

namespace {

Ecosystem ecosystemOfPackageType(const QString &type)
{
    const QString t = type.toLower();
    if (t == QLatin1String("debian") || t == QLatin1String("ubuntu") || t == QLatin1String("deb"))
        return Ecosystem::Debian;
    if (t == QLatin1String("alpine") || t == QLatin1String("apk"))
        return Ecosystem::Alpine;
    if (t == QLatin1String("python-pkg") || t == QLatin1String("pip") || t == QLatin1String("pipenv") ||
        t == QLatin1String("poetry") || t == QLatin1String("python"))
        return Ecosystem::PyPI;
    return Ecosystem::Unknown;
}

ScannerReport readTrivy(const QJsonObject &o)
{
    ScannerReport report;
    report.scanner = QStringLiteral("trivy");
    report.target = o.value(QLatin1String("ArtifactName")).toString();
    report.imageId = o.value(QLatin1String("Metadata")).toObject().value(QLatin1String("ImageID")).toString();
    for (const QJsonValue &rv : o.value(QLatin1String("Results")).toArray()) {
        const QJsonObject result = rv.toObject();
        const Ecosystem ecosystem = ecosystemOfPackageType(result.value(QLatin1String("Type")).toString());
        for (const QJsonValue &vv : result.value(QLatin1String("Vulnerabilities")).toArray()) {
            const QJsonObject v = vv.toObject();
            Finding f;
            f.id = v.value(QLatin1String("VulnerabilityID")).toString();
            f.summary = v.value(QLatin1String("Title")).toString();
            f.ecosystem = ecosystem;
            f.package = v.value(QLatin1String("PkgName")).toString();
            f.installedVersion = v.value(QLatin1String("InstalledVersion")).toString();
            f.fixedVersion = v.value(QLatin1String("FixedVersion")).toString();
            f.severity = severityFromText(v.value(QLatin1String("Severity")).toString());
            f.source = QStringLiteral("trivy");
            if (!f.id.isEmpty())
                report.findings.append(f);
        }
    }
    return report;
}

ScannerReport readGrype(const QJsonObject &o)
{
    ScannerReport report;
    report.scanner = QStringLiteral("grype");
    const QJsonObject target = o.value(QLatin1String("source")).toObject().value(QLatin1String("target")).toObject();
    report.target = target.value(QLatin1String("userInput")).toString();
    report.imageId = target.value(QLatin1String("imageID")).toString();
    for (const QJsonValue &mv : o.value(QLatin1String("matches")).toArray()) {
        const QJsonObject match = mv.toObject();
        const QJsonObject v = match.value(QLatin1String("vulnerability")).toObject();
        const QJsonObject artifact = match.value(QLatin1String("artifact")).toObject();
        Finding f;
        f.id = v.value(QLatin1String("id")).toString();
        f.summary = v.value(QLatin1String("description")).toString().section(u'\n', 0, 0).left(200);
        f.ecosystem = ecosystemOfPackageType(artifact.value(QLatin1String("type")).toString());
        f.package = artifact.value(QLatin1String("name")).toString();
        f.installedVersion = artifact.value(QLatin1String("version")).toString();
        const QJsonArray fixes = v.value(QLatin1String("fix")).toObject().value(QLatin1String("versions")).toArray();
        if (!fixes.isEmpty())
            f.fixedVersion = fixes.first().toString();
        f.severity = severityFromText(v.value(QLatin1String("severity")).toString());
        for (const QJsonValue &rv : match.value(QLatin1String("relatedVulnerabilities")).toArray()) {
            const QString alias = rv.toObject().value(QLatin1String("id")).toString();
            if (!alias.isEmpty() && alias != f.id)
                f.aliases << alias;
        }
        f.source = QStringLiteral("grype");
        if (!f.id.isEmpty())
            report.findings.append(f);
    }
    return report;
}

} // namespace

Result<ScannerReport> ScannerReport::fromJson(const QByteArray &json, const QString &file)
{
    const auto read = readJsonObject(json, file);
    if (!read)
        return tl::make_unexpected(read.error());
    const QJsonObject &o = *read;
    if (o.contains(QLatin1String("SchemaVersion")) && o.contains(QLatin1String("Results")))
        return readTrivy(o);
    if (o.value(QLatin1String("matches")).isArray())
        return readGrype(o);
    return tl::make_unexpected(Error::error(
        QStringLiteral("neither a trivy report (\"SchemaVersion\", \"Results\") nor a grype one (\"matches\")"),
        {file, 1, 1}));
}

} // namespace trainyard::core
