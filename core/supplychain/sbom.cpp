#include "sbom.h"

#include "jsonfile.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>
#include <QUrlQuery>

namespace trainyard::core {

namespace {

const QLatin1String kLocationProperty("trainyard:package:location");
const QLatin1String kSourceProperty("trainyard:package:source");
const QLatin1String kSourceVersionProperty("trainyard:package:source-version");
const QLatin1String kImageIdProperty("trainyard:image:id");
const QLatin1String kDistroProperty("trainyard:image:distro");

QString purlEncode(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text, "~._-"));
}

/// A name-based UUID (RFC 4122 version 5 layout, SHA-1 of the image ID) for the serial number.
QString serialNumber(const QString &imageId)
{
    QByteArray h =
        QCryptographicHash::hash(QByteArray("trainyard-sbom:" + imageId.toUtf8()), QCryptographicHash::Sha1).left(16);
    h[6] = char((h[6] & 0x0f) | 0x50);
    h[8] = char((h[8] & 0x3f) | 0x80);
    const QByteArray hex = h.toHex();
    return QStringLiteral("urn:uuid:%1-%2-%3-%4-%5")
        .arg(QLatin1String(hex.mid(0, 8)), QLatin1String(hex.mid(8, 4)), QLatin1String(hex.mid(12, 4)),
             QLatin1String(hex.mid(16, 4)), QLatin1String(hex.mid(20, 12)));
}

QJsonObject property(const QString &name, const QString &value)
{
    return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}};
}

} // namespace

QString normalisedPythonName(const QString &name)
{
    static const QRegularExpression runs(QStringLiteral("[-_.]+"));
    return name.toLower().replace(runs, QStringLiteral("-"));
}

QString packageUrl(const InstalledPackage &package, const Distribution &distribution)
{
    QString type, namespace_, name = package.name;
    switch (package.ecosystem) {
    case Ecosystem::Debian:
        type = QStringLiteral("deb");
        namespace_ = distribution.id.isEmpty() ? QStringLiteral("debian") : distribution.id;
        break;
    case Ecosystem::Alpine:
        type = QStringLiteral("apk");
        namespace_ = QStringLiteral("alpine");
        break;
    case Ecosystem::PyPI:
        type = QStringLiteral("pypi");
        name = normalisedPythonName(name);
        break;
    case Ecosystem::Unknown:
        type = QStringLiteral("generic");
        break;
    }
    QString purl = QStringLiteral("pkg:") + type + u'/';
    if (!namespace_.isEmpty())
        purl += purlEncode(namespace_) + u'/';
    purl += purlEncode(name) + u'@' + purlEncode(package.version);
    QStringList qualifiers;
    if (!package.architecture.isEmpty())
        qualifiers << QStringLiteral("arch=") + purlEncode(package.architecture);
    if (package.ecosystem != Ecosystem::PyPI && !distribution.id.isEmpty())
        qualifiers << QStringLiteral("distro=") + purlEncode(distribution.id + u'-' + distribution.versionId);
    if (!qualifiers.isEmpty())
        purl += u'?' + qualifiers.join(u'&');
    return purl;
}

QByteArray Sbom::toCycloneDx() const
{
    QJsonArray components;
    if (!distribution.id.isEmpty()) {
        components.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("operating-system")},
                                      {QStringLiteral("bom-ref"), QString(QStringLiteral("os:") + distribution.id)},
                                      {QStringLiteral("name"), distribution.id},
                                      {QStringLiteral("version"), distribution.versionId},
                                      {QStringLiteral("description"), distribution.prettyName}});
    }
    QSet<QString> refs;
    for (const InstalledPackage &p : packages) {
        const QString purl = packageUrl(p, distribution);
        QString ref = purl;
        for (int n = 2; refs.contains(ref); ++n) // the same package listed in two places
            ref = purl + QStringLiteral("#%1").arg(n);
        refs.insert(ref);
        QJsonArray properties{property(kLocationProperty, p.location)};
        if (!p.sourceName.isEmpty())
            properties.append(property(kSourceProperty, p.sourceName));
        if (!p.sourceVersion.isEmpty())
            properties.append(property(kSourceVersionProperty, p.sourceVersion));
        components.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("library")},
                                      {QStringLiteral("bom-ref"), ref},
                                      {QStringLiteral("name"), p.name},
                                      {QStringLiteral("version"), p.version},
                                      {QStringLiteral("purl"), purl},
                                      {QStringLiteral("properties"), properties}});
    }
    const QString version = QCoreApplication::applicationVersion();
    QJsonObject tool{{QStringLiteral("type"), QStringLiteral("application")},
                     {QStringLiteral("name"), QStringLiteral("trainyard")}};
    if (!version.isEmpty())
        tool.insert(QStringLiteral("version"), version);
    QJsonArray imageProperties{property(kImageIdProperty, imageId)};
    if (!distribution.id.isEmpty())
        imageProperties.append(property(kDistroProperty, distribution.id + u'-' + distribution.versionId));
    const QJsonObject metadata{
        {QStringLiteral("tools"), QJsonObject{{QStringLiteral("components"), QJsonArray{tool}}}},
        {QStringLiteral("component"), QJsonObject{{QStringLiteral("type"), QStringLiteral("container")},
                                                  {QStringLiteral("bom-ref"), imageId},
                                                  {QStringLiteral("name"), imageName},
                                                  {QStringLiteral("version"), imageId},
                                                  {QStringLiteral("properties"), imageProperties}}}};
    const QJsonObject bom{{QStringLiteral("bomFormat"), QStringLiteral("CycloneDX")},
                          {QStringLiteral("specVersion"), QStringLiteral("1.5")},
                          {QStringLiteral("serialNumber"), serialNumber(imageId)},
                          {QStringLiteral("version"), 1},
                          {QStringLiteral("metadata"), metadata},
                          {QStringLiteral("components"), components}};
    return QJsonDocument(bom).toJson(QJsonDocument::Indented);
}

Result<Sbom> Sbom::fromCycloneDx(const QByteArray &json, const QString &what)
{
    const auto read = readJsonObject(json, what);
    if (!read)
        return tl::make_unexpected(
            Error::error(QStringLiteral("%1 is %2").arg(what, read.error().message), read.error().location));
    const QJsonObject &bom = *read;
    if (bom.value(QLatin1String("bomFormat")).toString() != QLatin1String("CycloneDX"))
        return tl::make_unexpected(Error::error(QStringLiteral("%1 is not a CycloneDX document").arg(what)));
    Sbom sbom;
    const QJsonObject subject =
        bom.value(QLatin1String("metadata")).toObject().value(QLatin1String("component")).toObject();
    sbom.imageName = subject.value(QLatin1String("name")).toString();
    for (const QJsonValue &v : subject.value(QLatin1String("properties")).toArray()) {
        const QJsonObject p = v.toObject();
        if (p.value(QLatin1String("name")).toString() == kImageIdProperty)
            sbom.imageId = p.value(QLatin1String("value")).toString();
    }
    for (const QJsonValue &v : bom.value(QLatin1String("components")).toArray()) {
        const QJsonObject c = v.toObject();
        if (c.value(QLatin1String("type")).toString() == QLatin1String("operating-system")) {
            sbom.distribution.id = c.value(QLatin1String("name")).toString().toLower();
            sbom.distribution.versionId = c.value(QLatin1String("version")).toString();
            sbom.distribution.prettyName = c.value(QLatin1String("description")).toString();
            continue;
        }
        const QString purl = c.value(QLatin1String("purl")).toString();
        InstalledPackage p;
        if (purl.startsWith(QLatin1String("pkg:deb/")))
            p.ecosystem = Ecosystem::Debian;
        else if (purl.startsWith(QLatin1String("pkg:apk/")))
            p.ecosystem = Ecosystem::Alpine;
        else if (purl.startsWith(QLatin1String("pkg:pypi/")))
            p.ecosystem = Ecosystem::PyPI;
        else
            continue; // a component of an ecosystem Trainyard does not match
        p.name = c.value(QLatin1String("name")).toString();
        p.version = c.value(QLatin1String("version")).toString();
        const QUrlQuery qualifiers(purl.section(u'?', 1));
        p.architecture = QUrl::fromPercentEncoding(qualifiers.queryItemValue(QStringLiteral("arch")).toUtf8());
        for (const QJsonValue &pv : c.value(QLatin1String("properties")).toArray()) {
            const QJsonObject prop = pv.toObject();
            const QString name = prop.value(QLatin1String("name")).toString();
            const QString value = prop.value(QLatin1String("value")).toString();
            if (name == kLocationProperty)
                p.location = value;
            else if (name == kSourceProperty)
                p.sourceName = value;
            else if (name == kSourceVersionProperty)
                p.sourceVersion = value;
        }
        if (!p.name.isEmpty() && !p.version.isEmpty())
            sbom.packages.append(p);
    }
    return sbom;
}

} // namespace trainyard::core
