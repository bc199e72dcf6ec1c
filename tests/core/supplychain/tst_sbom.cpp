#include "supplychain/packageinventory.h"
#include "supplychain/sbom.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace trainyard::core;

class tst_Sbom final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dpkgStatus();
    void dpkgStatusD();
    void apkInstalled();
    void pythonMetadata();
    void osRelease();
    void wantsOnlyPackageDatabases();
    void cycloneDxRoundTrip();
    void sameImageSameBytes();
    void packageUrls();
    void badCycloneDxNamed();
};

namespace {

const QByteArray kDpkgStatus = "Package: libssl3\n"
                               "Status: install ok installed\n"
                               "Priority: optional\n"
                               "Architecture: amd64\n"
                               "Source: openssl\n"
                               "Version: 3.0.11-1~deb12u1\n"
                               "Description: Secure Sockets Layer toolkit\n"
                               " This package is part of the OpenSSL project.\n"
                               " .\n"
                               " Version: 9.9 (a continuation line, not a field)\n"
                               "\n"
                               "Package: libc6\n"
                               "Status: install ok installed\n"
                               "Architecture: amd64\n"
                               "Source: glibc (2.36-9+deb12u3)\n"
                               "Version: 2.36-9+deb12u3+b1\n"
                               "\n"
                               "Package: removed-but-configured\n"
                               "Status: deinstall ok config-files\n"
                               "Version: 1.0-1\n"
                               "\n"
                               "Package: half-there\n"
                               "Status: install ok half-configured\n"
                               "Version: 2.0-1\n"
                               "\n"
                               "Package: tzdata\n"
                               "Status: install ok installed\n"
                               "Architecture: all\n"
                               "Version: 2024a-0+deb12u1\n";

} // namespace

void tst_Sbom::dpkgStatus()
{
    PackageInventory inventory;
    inventory.addFile(QStringLiteral("var/lib/dpkg/status"), kDpkgStatus);
    const QList<InstalledPackage> packages = inventory.packages();
    QCOMPARE(packages.size(), 4); // the removed one is not there; the half-configured one is
    QCOMPARE(packages.at(1).name, QStringLiteral("libc6"));
    QCOMPARE(packages.at(1).version, QStringLiteral("2.36-9+deb12u3+b1"));
    QCOMPARE(packages.at(1).source(), QStringLiteral("glibc"));
    QCOMPARE(packages.at(1).versionOfSource(), QStringLiteral("2.36-9+deb12u3"));
    QCOMPARE(packages.at(2).name, QStringLiteral("libssl3"));
    QCOMPARE(packages.at(2).version, QStringLiteral("3.0.11-1~deb12u1"));
    QCOMPARE(packages.at(2).source(), QStringLiteral("openssl"));
    QCOMPARE(packages.at(2).versionOfSource(), QStringLiteral("3.0.11-1~deb12u1"));
    QCOMPARE(packages.at(2).architecture, QStringLiteral("amd64"));
    QCOMPARE(packages.at(2).location, QStringLiteral("/var/lib/dpkg/status"));
    QCOMPARE(packages.at(0).name, QStringLiteral("half-there"));
    QCOMPARE(packages.at(3).name, QStringLiteral("tzdata"));
    QCOMPARE(packages.at(3).source(), QStringLiteral("tzdata"));
    QCOMPARE(packages.at(3).ecosystem, Ecosystem::Debian);
}

void tst_Sbom::dpkgStatusD()
{
    // Distroless images: one file per package, no Status field.
    PackageInventory inventory;
    QVERIFY(PackageInventory::wants(QStringLiteral("./var/lib/dpkg/status.d/base")));
    QVERIFY(!PackageInventory::wants(QStringLiteral("var/lib/dpkg/status.d/base.md5sums")));
    inventory.addFile(QStringLiteral("./var/lib/dpkg/status.d/base"),
                      "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n");
    QCOMPARE(inventory.packages().size(), 1);
    QCOMPARE(inventory.packages().first().location, QStringLiteral("/var/lib/dpkg/status.d/base"));
}

void tst_Sbom::apkInstalled()
{
    PackageInventory inventory;
    inventory.addFile(QStringLiteral("/lib/apk/db/installed"),
                      "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\no:musl\nT:the musl c library\n\n"
                      "C:Q1def=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\nF:usr/lib\nR:libcrypto.so.3\n\n"
                      "P:no-version\n\n");
    const QList<InstalledPackage> packages = inventory.packages();
    QCOMPARE(packages.size(), 2);
    QCOMPARE(packages.at(0).name, QStringLiteral("libcrypto3"));
    QCOMPARE(packages.at(0).source(), QStringLiteral("openssl"));
    QCOMPARE(packages.at(0).version, QStringLiteral("3.1.4-r5"));
    QCOMPARE(packages.at(0).ecosystem, Ecosystem::Alpine);
    QCOMPARE(packages.at(1).name, QStringLiteral("musl"));
}

void tst_Sbom::pythonMetadata()
{
    PackageInventory inventory;
    const QString distInfo =
        QStringLiteral("usr/local/lib/python3.11/site-packages/Requests-2.31.0.dist-info/METADATA");
    const QString eggInfo = QStringLiteral("usr/lib/python3/dist-packages/six-1.16.0.egg-info");
    QVERIFY(PackageInventory::wants(distInfo));
    QVERIFY(PackageInventory::wants(eggInfo));
    QVERIFY(!PackageInventory::wants(QStringLiteral("usr/lib/python3/dist-packages/six.py")));
    inventory.addFile(distInfo, "Metadata-Version: 2.1\nName: Requests\nVersion: 2.31.0\nSummary: HTTP\n\n"
                                "Name: not-a-header (the description)\n");
    inventory.addFile(eggInfo, "Metadata-Version: 1.1\r\nName: six\r\nVersion: 1.16.0\r\n");
    const QList<InstalledPackage> packages = inventory.packages();
    QCOMPARE(packages.size(), 2);
    QCOMPARE(packages.at(0).name, QStringLiteral("Requests"));
    QCOMPARE(packages.at(0).version, QStringLiteral("2.31.0"));
    QCOMPARE(packages.at(0).location, u'/' + distInfo);
    QCOMPARE(packages.at(1).name, QStringLiteral("six"));
    QCOMPARE(packages.at(1).ecosystem, Ecosystem::PyPI);
}

void tst_Sbom::osRelease()
{
    PackageInventory inventory;
    inventory.addFile(QStringLiteral("etc/os-release"),
                      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
    inventory.addFile(QStringLiteral("usr/lib/os-release"), "ID=other\nVERSION_ID=1\n"); // /etc wins
    QCOMPARE(inventory.distribution().id, QStringLiteral("debian"));
    QCOMPARE(inventory.distribution().versionId, QStringLiteral("12"));
    QCOMPARE(inventory.distribution().prettyName, QStringLiteral("Debian GNU/Linux 12 (bookworm)"));
}

void tst_Sbom::wantsOnlyPackageDatabases()
{
    QVERIFY(PackageInventory::wants(QStringLiteral("var/lib/dpkg/status")));
    QVERIFY(!PackageInventory::wants(QStringLiteral("var/lib/dpkg/status-old")));
    QVERIFY(PackageInventory::wants(QStringLiteral("lib/apk/db/installed")));
    QVERIFY(!PackageInventory::wants(QStringLiteral("usr/bin/python3")));
}

void tst_Sbom::cycloneDxRoundTrip()
{
    PackageInventory inventory;
    inventory.addFile(QStringLiteral("var/lib/dpkg/status"), kDpkgStatus);
    inventory.addFile(QStringLiteral("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    inventory.addFile(QStringLiteral("usr/lib/python3/dist-packages/numpy-1.24.2.dist-info/METADATA"),
                      "Name: numpy\nVersion: 1.24.2\n");
    Sbom sbom;
    sbom.imageId = QStringLiteral("sha256:") + QString(64, u'a');
    sbom.imageName = QStringLiteral("trainer:1");
    sbom.distribution = inventory.distribution();
    sbom.packages = inventory.packages();

    const QByteArray json = sbom.toCycloneDx();
    const QJsonObject bom = QJsonDocument::fromJson(json).object();
    QCOMPARE(bom.value(QLatin1String("bomFormat")).toString(), QStringLiteral("CycloneDX"));
    QCOMPARE(bom.value(QLatin1String("specVersion")).toString(), QStringLiteral("1.5"));
    QVERIFY(bom.value(QLatin1String("serialNumber")).toString().startsWith(QLatin1String("urn:uuid:")));
    const QJsonArray components = bom.value(QLatin1String("components")).toArray();
    QCOMPARE(components.size(), 6); // the OS and five packages
    QCOMPARE(components.at(0).toObject().value(QLatin1String("type")).toString(), QStringLiteral("operating-system"));
    QStringList purls;
    for (const QJsonValue &c : components)
        purls << c.toObject().value(QLatin1String("purl")).toString();
    QVERIFY2(purls.contains(QStringLiteral("pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12")),
             qPrintable(purls.join(u' ')));
    QVERIFY(purls.contains(QStringLiteral("pkg:pypi/numpy@1.24.2")));

    const auto back = Sbom::fromCycloneDx(json, QStringLiteral("sbom.json"));
    QVERIFY2(back, back ? "" : qPrintable(back.error().toString()));
    QCOMPARE(back->imageId, sbom.imageId);
    QCOMPARE(back->imageName, sbom.imageName);
    QCOMPARE(back->distribution.id, QStringLiteral("debian"));
    QCOMPARE(back->distribution.versionId, QStringLiteral("12"));
    QCOMPARE(back->packages, sbom.packages);
}

void tst_Sbom::sameImageSameBytes()
{
    Sbom a;
    a.imageId = QStringLiteral("sha256:") + QString(64, u'b');
    a.packages.append(InstalledPackage{
        Ecosystem::PyPI, QStringLiteral("torch"), QStringLiteral("2.1.0"), {}, {}, {}, QStringLiteral("/x/METADATA")});
    Sbom b = a;
    QCOMPARE(a.toCycloneDx(), b.toCycloneDx());
    b.imageId = QStringLiteral("sha256:") + QString(64, u'c');
    QVERIFY(a.toCycloneDx() != b.toCycloneDx()); // the serial number is the image's
}

void tst_Sbom::packageUrls()
{
    const Distribution debian{QStringLiteral("debian"), QStringLiteral("12"), {}};
    InstalledPackage epoch{
        Ecosystem::Debian, QStringLiteral("vim"), QStringLiteral("2:9.0.1378-2"), {}, {}, QStringLiteral("amd64"), {}};
    QCOMPARE(packageUrl(epoch, debian),
             QStringLiteral("pkg:deb/debian/vim@2%3A9.0.1378-2?arch=amd64&distro=debian-12"));
    InstalledPackage py{
        Ecosystem::PyPI, QStringLiteral("Typing_Extensions"), QStringLiteral("4.8.0+local"), {}, {}, {}, {}};
    QCOMPARE(packageUrl(py, debian), QStringLiteral("pkg:pypi/typing-extensions@4.8.0%2Blocal"));
}

void tst_Sbom::badCycloneDxNamed()
{
    const auto notJson = Sbom::fromCycloneDx("{\"bomFormat\": ", QStringLiteral("/store/ab/cd.json"));
    QVERIFY(!notJson);
    QVERIFY2(notJson.error().message.contains(QLatin1String("/store/ab/cd.json")), qPrintable(notJson.error().message));
    QCOMPARE(notJson.error().location.file, QStringLiteral("/store/ab/cd.json"));
    QCOMPARE(notJson.error().location.line, 1);
    QCOMPARE(notJson.error().location.column, 15);
    const auto other = Sbom::fromCycloneDx("{\"spdxVersion\": \"SPDX-2.3\"}", QStringLiteral("x.json"));
    QVERIFY(!other);
    QVERIFY(other.error().message.contains(QLatin1String("not a CycloneDX")));
}

QTEST_GUILESS_MAIN(tst_Sbom)
#include "tst_sbom.moc"
