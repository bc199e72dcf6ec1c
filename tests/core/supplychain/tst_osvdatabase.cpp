#include "supplychain/osvdatabase.h"
#include "supplychain/scannerreport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;

class tst_OsvDatabase final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cvssScores();
    void matchesAndMisses_data();
    void matchesAndMisses();
    void releasesAndSources();
    void rangesAndLimits_data();
    void rangesAndLimits();
    void withdrawnNeverMatches();
    void aliasesAreOneFindingWithTheirSeverity();
    void ubuntuReleasesAndPriorities();
    void severityFromTheAdvisory();
    void loadsAFolderAndNamesBadFiles();
    void trivyReport();
    void grypeReport();
    void badReportNamed();
};

namespace {

/// A hand-written advisory: one package, one ECOSYSTEM range from `events` ("introduced:0",
/// "fixed:1.2-3", "last_affected:2.0"), and explicit `versions`.
QByteArray advisory(const QString &id, const QString &ecosystem, const QString &name, const QStringList &events,
                    const QStringList &versions = {}, const QString &extra = {})
{
    QStringList eventJson;
    for (const QString &e : events)
        eventJson << QStringLiteral("{\"%1\": \"%2\"}").arg(e.section(u':', 0, 0), e.section(u':', 1));
    QStringList versionJson;
    for (const QString &v : versions)
        versionJson << u'"' + v + u'"';
    return QStringLiteral("{\"schema_version\": \"1.6.0\", \"id\": \"%1\", \"summary\": \"a flaw in %3\"%5,\n"
                          " \"affected\": [{\"package\": {\"ecosystem\": \"%2\", \"name\": \"%3\"},\n"
                          "   \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [%4]}], \"versions\": [%6]}]}\n")
        .arg(id, ecosystem, name, eventJson.join(QStringLiteral(", ")), extra, versionJson.join(QStringLiteral(", ")))
        .toUtf8();
}

Sbom imageWith(Ecosystem ecosystem, const QString &name, const QString &version,
               const Distribution &distribution = {QStringLiteral("debian"), QStringLiteral("12"), {}})
{
    Sbom sbom;
    sbom.imageId = QStringLiteral("sha256:") + QString(64, u'1');
    sbom.distribution = distribution;
    InstalledPackage p;
    p.ecosystem = ecosystem;
    p.name = name;
    p.version = version;
    sbom.packages.append(p);
    return sbom;
}

} // namespace

void tst_OsvDatabase::cvssScores()
{
    // Scores as the CVSS v3.1 calculator of FIRST gives them.
    QCOMPARE(cvss3BaseScore(QStringLiteral("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")), 9.8);
    QCOMPARE(cvss3BaseScore(QStringLiteral("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N")), 5.3);
    QCOMPARE(cvss3BaseScore(QStringLiteral("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")), 10.0);
    QCOMPARE(cvss3BaseScore(QStringLiteral("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N")), 5.5);
    QCOMPARE(cvss3BaseScore(QStringLiteral("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N")), 0.0);
    QCOMPARE(cvss3BaseScore(QStringLiteral("AV:N/AC:L/Au:N/C:P/I:N/A:N")), -1.0); // v2: not read
    QCOMPARE(cvss3BaseScore(QStringLiteral("CVSS:3.1/AV:N/AC:L")), -1.0);
    QCOMPARE(severityFromScore(9.8), Severity::Critical);
    QCOMPARE(severityFromScore(7.0), Severity::High);
    QCOMPARE(severityFromScore(5.3), Severity::Medium);
    QCOMPARE(severityFromScore(0.1), Severity::Low);
    QCOMPARE(severityFromText(QStringLiteral("MODERATE")), Severity::Medium);
}

void tst_OsvDatabase::matchesAndMisses_data()
{
    QTest::addColumn<int>("ecosystem");
    QTest::addColumn<QString>("installed");
    QTest::addColumn<QStringList>("events");
    QTest::addColumn<QStringList>("versions");
    QTest::addColumn<bool>("affected");
    QTest::addColumn<QString>("fixed");
    // events and versions: space-separated; fixed: the fix reported, "" none.
    const auto row = [](const char *name, Ecosystem ecosystem, const char *installed, const char *events,
                        const char *versions, bool affected, const char *fixed) {
        QTest::newRow(name) << int(ecosystem) << QString::fromUtf8(installed)
                            << QString::fromUtf8(events).split(u' ', Qt::SkipEmptyParts)
                            << QString::fromUtf8(versions).split(u' ', Qt::SkipEmptyParts) << affected
                            << QString::fromUtf8(fixed);
    };
    const Ecosystem deb = Ecosystem::Debian, apk = Ecosystem::Alpine, py = Ecosystem::PyPI;
    row("below the fix", deb, "3.0.11-1~deb12u1", "introduced:0 fixed:3.0.11-1~deb12u2", "", true, "3.0.11-1~deb12u2");
    row("the fixed version itself", deb, "3.0.11-1~deb12u2", "introduced:0 fixed:3.0.11-1~deb12u2", "", false, "");
    row("above the fix", deb, "3.0.13-1~deb12u1", "introduced:0 fixed:3.0.11-1~deb12u2", "", false, "");
    row("~ sorts before: 1.0~rc1 < 1.0", deb, "1.0~rc1", "introduced:0 fixed:1.0", "", true, "1.0");
    row("an epoch makes it newer", deb, "1:0.9-1", "introduced:0 fixed:2.0-1", "", false, "");
    row("below the epoch of the fix", deb, "2.0-1", "introduced:0 fixed:1:1.0-1", "", true, "1:1.0-1");
    row("before it was introduced", deb, "1.0-1", "introduced:1.5-1 fixed:2.0-1", "", false, "");
    row("last_affected, on it", deb, "2.0-1", "introduced:1.0-1 last_affected:2.0-1", "", true, "");
    row("last_affected, after it", deb, "2.0-2", "introduced:1.0-1 last_affected:2.0-1", "", false, "");
    row("two ranges, the second", deb, "2.5-1", "introduced:0 fixed:1.0-1 introduced:2.0-1 fixed:3.0-1", "", true,
        "3.0-1");
    row("two ranges, between them", deb, "1.5-1", "introduced:0 fixed:1.0-1 introduced:2.0-1 fixed:3.0-1", "", false,
        "");
    row("listed version only", deb, "0.5-1", "", "0.5-1", true, "");
    row("alpine revision", apk, "1.1.1c-r0", "introduced:0 fixed:1.1.1d-r0", "", true, "1.1.1d-r0");
    row("alpine fixed revision", apk, "1.1.1d-r0", "introduced:0 fixed:1.1.1d-r0", "", false, "");
    row("pypi pre-release below", py, "2.0rc1", "introduced:0 fixed:2.0", "", true, "2.0");
    row("pypi post release above", py, "2.0.post1", "introduced:0 fixed:2.0", "", false, "");
    row("pypi 2.10 after 2.9", py, "2.10.0", "introduced:2.0 fixed:2.9.1", "", false, "");
}

void tst_OsvDatabase::matchesAndMisses()
{
    QFETCH(int, ecosystem);
    QFETCH(QString, installed);
    QFETCH(QStringList, events);
    QFETCH(QStringList, versions);
    QFETCH(bool, affected);
    QFETCH(QString, fixed);
    const auto eco = Ecosystem(ecosystem);
    const QString osvEcosystem = eco == Ecosystem::Debian   ? QStringLiteral("Debian:12")
                                 : eco == Ecosystem::Alpine ? QStringLiteral("Alpine:v3.18")
                                                            : QStringLiteral("PyPI");
    const Distribution distribution = eco == Ecosystem::Alpine
                                          ? Distribution{QStringLiteral("alpine"), QStringLiteral("3.18.4"), {}}
                                          : Distribution{QStringLiteral("debian"), QStringLiteral("12"), {}};
    OsvDatabase db;
    auto a =
        OsvAdvisory::fromJson(advisory(QStringLiteral("TEST-1"), osvEcosystem, QStringLiteral("pkg"), events, versions),
                              QStringLiteral("TEST-1.json"));
    QVERIFY2(a, a ? "" : qPrintable(a.error().toString()));
    db.add(*a);
    const QList<Finding> findings = db.match(imageWith(eco, QStringLiteral("pkg"), installed, distribution));
    QCOMPARE(findings.size(), affected ? 1 : 0);
    if (affected) {
        QCOMPARE(findings.first().id, QStringLiteral("TEST-1"));
        QCOMPARE(findings.first().installedVersion, installed);
        QCOMPARE(findings.first().fixedVersion, fixed);
        QCOMPARE(findings.first().source, QStringLiteral("osv"));
    }
}

void tst_OsvDatabase::releasesAndSources()
{
    OsvDatabase db;
    // Debian's advisories name the source package (openssl), the image lists libssl3.
    db.add(
        *OsvAdvisory::fromJson(advisory(QStringLiteral("DSA-1"), QStringLiteral("Debian:12"), QStringLiteral("openssl"),
                                        {QStringLiteral("introduced:0"), QStringLiteral("fixed:3.0.11-1~deb12u2")}),
                               QStringLiteral("a.json")));
    // The same flaw for Debian 11 must not match a Debian 12 image; Ubuntu's not a Debian one.
    db.add(
        *OsvAdvisory::fromJson(advisory(QStringLiteral("DLA-2"), QStringLiteral("Debian:11"), QStringLiteral("openssl"),
                                        {QStringLiteral("introduced:0"), QStringLiteral("fixed:9.9")}),
                               QStringLiteral("b.json")));
    db.add(*OsvAdvisory::fromJson(advisory(QStringLiteral("USN-3"), QStringLiteral("Ubuntu:22.04:LTS"),
                                           QStringLiteral("openssl"),
                                           {QStringLiteral("introduced:0"), QStringLiteral("fixed:9.9")}),
                                  QStringLiteral("c.json")));
    // PyPI names are compared normalised.
    db.add(*OsvAdvisory::fromJson(advisory(QStringLiteral("GHSA-4"), QStringLiteral("PyPI"), QStringLiteral("Pillow"),
                                           {QStringLiteral("introduced:0"), QStringLiteral("fixed:10.0.1")}),
                                  QStringLiteral("d.json")));
    QCOMPARE(db.size(), 4);

    Sbom sbom = imageWith(Ecosystem::Debian, QStringLiteral("libssl3"), QStringLiteral("3.0.11-1~deb12u1"));
    sbom.packages.first().sourceName = QStringLiteral("openssl");
    sbom.packages.append(
        InstalledPackage{Ecosystem::PyPI,
                         QStringLiteral("pillow"),
                         QStringLiteral("9.5.0"),
                         {},
                         {},
                         {},
                         QStringLiteral("/usr/lib/python3/dist-packages/Pillow-9.5.0.dist-info/METADATA")});
    QList<Finding> findings = db.match(sbom);
    QStringList ids;
    for (const Finding &f : findings)
        ids << f.id + u':' + f.package;
    ids.sort();
    QCOMPARE(ids, (QStringList{QStringLiteral("DSA-1:libssl3"), QStringLiteral("GHSA-4:pillow")}));

    // An image that does not say its release gets the advisories of every release.
    sbom.distribution = {};
    findings = db.match(sbom);
    QCOMPARE(findings.size(), 4);
}

void tst_OsvDatabase::rangesAndLimits_data()
{
    QTest::addColumn<QString>("installed");
    QTest::addColumn<bool>("affected");
    QTest::addColumn<QString>("fixed");
    // Two ranges: [0, 1.0) and [2.0, 3.0), the second bounded by limit 2.5; a third [4.0, *) with
    // limit "*" (no limit).
    QTest::newRow("first range") << "0.5" << true << "1.0";
    QTest::newRow("between the ranges") << "1.5" << false << "";
    QTest::newRow("second range, below its limit") << "2.2" << true << "3.0";
    QTest::newRow("second range, at its limit") << "2.5" << false << "";
    QTest::newRow("third range, limit *") << "4.2" << true << "";
}

void tst_OsvDatabase::rangesAndLimits()
{
    QFETCH(QString, installed);
    QFETCH(bool, affected);
    QFETCH(QString, fixed);
    const QByteArray json =
        "{\"id\": \"PYSEC-1\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"p\"},"
        " \"ranges\": ["
        "{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.0\"}]},"
        "{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"2.0\"}, {\"fixed\": \"3.0\"},"
        " {\"limit\": \"2.5\"}]},"
        "{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"4.0\"}, {\"limit\": \"*\"}]},"
        "{\"type\": \"GIT\", \"repo\": \"https://example.org/p\", \"events\": [{\"introduced\": \"0\"}]}"
        "]}]}";
    const auto a = OsvAdvisory::fromJson(json, QStringLiteral("PYSEC-1.json"));
    QVERIFY2(a, a ? "" : qPrintable(a.error().toString()));
    QString fix;
    QCOMPARE(OsvDatabase::affects(a->affected.first(), Ecosystem::PyPI, installed, &fix), affected);
    if (affected)
        QCOMPARE(fix, fixed);
}

void tst_OsvDatabase::withdrawnNeverMatches()
{
    OsvDatabase db;
    auto a = OsvAdvisory::fromJson(advisory(QStringLiteral("GHSA-gone"), QStringLiteral("PyPI"), QStringLiteral("p"),
                                            {QStringLiteral("introduced:0")}, {},
                                            QStringLiteral(", \"withdrawn\": \"2024-01-01T00:00:00Z\"")),
                                   QStringLiteral("w.json"));
    QVERIFY(a && a->withdrawn);
    db.add(*a);
    QCOMPARE(db.size(), 0);
    QVERIFY(db.match(imageWith(Ecosystem::PyPI, QStringLiteral("p"), QStringLiteral("1.0"))).isEmpty());
}

void tst_OsvDatabase::aliasesAreOneFindingWithTheirSeverity()
{
    // Debian's DSA names no severity; the DEBIAN-CVE record of the same CVE has a CVSS vector.
    OsvDatabase db;
    const QStringList events{QStringLiteral("introduced:0"), QStringLiteral("fixed:3.0.11-1~deb12u2")};
    db.add(*OsvAdvisory::fromJson(advisory(QStringLiteral("DSA-5532-1"), QStringLiteral("Debian:12"),
                                           QStringLiteral("openssl"), events, {},
                                           QStringLiteral(", \"aliases\": [\"CVE-2023-5363\"]")),
                                  QStringLiteral("1.json")));
    db.add(*OsvAdvisory::fromJson(
        advisory(QStringLiteral("DEBIAN-CVE-2023-5363"), QStringLiteral("Debian:12"), QStringLiteral("openssl"), events,
                 {},
                 QStringLiteral(", \"aliases\": [\"CVE-2023-5363\"], \"severity\": [{\"type\": \"CVSS_V3\", "
                                "\"score\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N\"}]")),
        QStringLiteral("2.json")));
    // An advisory of unknown severity with no alias known stays unknown.
    db.add(*OsvAdvisory::fromJson(
        advisory(QStringLiteral("DSA-9999-1"), QStringLiteral("Debian:12"), QStringLiteral("openssl"), events),
        QStringLiteral("3.json")));
    Sbom sbom = imageWith(Ecosystem::Debian, QStringLiteral("libssl3"), QStringLiteral("3.0.11-1~deb12u1"));
    sbom.packages.first().sourceName = QStringLiteral("openssl");
    const QList<Finding> findings = db.match(sbom);
    QCOMPARE(findings.size(), 2);
    QCOMPARE(findings.at(0).id, QStringLiteral("DSA-5532-1"));
    QVERIFY2(findings.at(0).aliases.contains(QStringLiteral("DEBIAN-CVE-2023-5363")) &&
                 findings.at(0).aliases.contains(QStringLiteral("CVE-2023-5363")),
             qPrintable(findings.at(0).aliases.join(u' ')));
    QCOMPARE(findings.at(0).severity, Severity::Critical); // 9.1, from the CVE record's vector
    QCOMPARE(findings.at(1).id, QStringLiteral("DSA-9999-1"));
    QCOMPARE(findings.at(1).severity, Severity::Unknown);
}

void tst_OsvDatabase::ubuntuReleasesAndPriorities()
{
    OsvDatabase db;
    db.add(*OsvAdvisory::fromJson(
        advisory(QStringLiteral("UBUNTU-CVE-2024-1"), QStringLiteral("Ubuntu:22.04:LTS"), QStringLiteral("openssl"),
                 {QStringLiteral("introduced:0"), QStringLiteral("fixed:3.0.2-0ubuntu1.15")}, {},
                 QStringLiteral(", \"severity\": [{\"type\": \"Ubuntu\", \"score\": \"high\"}]")),
        QStringLiteral("u.json")));
    Sbom jammy = imageWith(Ecosystem::Debian, QStringLiteral("libssl3"), QStringLiteral("3.0.2-0ubuntu1.10"),
                           {QStringLiteral("ubuntu"), QStringLiteral("22.04"), {}});
    jammy.packages.first().sourceName = QStringLiteral("openssl");
    const QList<Finding> findings = db.match(jammy);
    QCOMPARE(findings.size(), 1);
    QCOMPARE(findings.first().severity, Severity::High);
    Sbom focal = jammy;
    focal.distribution.versionId = QStringLiteral("20.04");
    QVERIFY(db.match(focal).isEmpty());
    Sbom debian = jammy;
    debian.distribution = {QStringLiteral("debian"), QStringLiteral("12"), {}};
    QVERIFY(db.match(debian).isEmpty());
}

void tst_OsvDatabase::severityFromTheAdvisory()
{
    OsvDatabase db;
    const QStringList events{QStringLiteral("introduced:0"), QStringLiteral("fixed:2.0")};
    db.add(*OsvAdvisory::fromJson(advisory(QStringLiteral("GHSA-text"), QStringLiteral("PyPI"), QStringLiteral("a"),
                                           events, {},
                                           QStringLiteral(", \"database_specific\": {\"severity\": \"HIGH\"}")),
                                  QStringLiteral("1.json")));
    db.add(*OsvAdvisory::fromJson(advisory(QStringLiteral("CVE-vector"), QStringLiteral("PyPI"), QStringLiteral("b"),
                                           events, {},
                                           QStringLiteral(", \"severity\": [{\"type\": \"CVSS_V3\", \"score\": "
                                                          "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]")),
                                  QStringLiteral("2.json")));
    db.add(*OsvAdvisory::fromJson(advisory(QStringLiteral("NONE"), QStringLiteral("PyPI"), QStringLiteral("c"), events),
                                  QStringLiteral("3.json")));
    Sbom sbom = imageWith(Ecosystem::PyPI, QStringLiteral("a"), QStringLiteral("1.0"));
    sbom.packages.append(InstalledPackage{Ecosystem::PyPI, QStringLiteral("b"), QStringLiteral("1.0"), {}, {}, {}, {}});
    sbom.packages.append(InstalledPackage{Ecosystem::PyPI, QStringLiteral("c"), QStringLiteral("1.0"), {}, {}, {}, {}});
    const QList<Finding> findings = db.match(sbom);
    QCOMPARE(findings.size(), 3);
    QCOMPARE(findings.at(0).severity, Severity::High);
    QCOMPARE(findings.at(1).severity, Severity::Critical);
    QCOMPARE(findings.at(2).severity, Severity::Unknown);
    QCOMPARE(SeverityCounts::of(findings).toString(), QStringLiteral("1 critical, 1 high, 1 of unknown severity"));
}

void tst_OsvDatabase::loadsAFolderAndNamesBadFiles()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("Debian")));
    const auto write = [&](const QString &name, const QByteArray &content) {
        QFile f(dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
    };
    QVERIFY(write(QStringLiteral("Debian/DSA-1.json"),
                  advisory(QStringLiteral("DSA-1"), QStringLiteral("Debian:12"), QStringLiteral("openssl"),
                           {QStringLiteral("introduced:0"), QStringLiteral("fixed:3.0.11-1~deb12u2")})));
    QVERIFY(write(QStringLiteral("broken.json"), "{\n  \"id\": \"X\",\n  \"affected\": [\n"));
    QVERIFY(write(QStringLiteral("other.json"), "{\"title\": \"not an advisory\"}"));
    QList<Error> warnings;
    const auto db = OsvDatabase::load(dir.path(), &warnings);
    QVERIFY2(db, db ? "" : qPrintable(db.error().toString()));
    QCOMPARE(db->size(), 1);
    QCOMPARE(warnings.size(), 2);
    QCOMPARE(warnings.at(0).location.file, dir.filePath(QStringLiteral("broken.json")));
    QCOMPARE(warnings.at(0).location.line, 4); // the end of the file, where the JSON stops
    QVERIFY(warnings.at(1).message.contains(QLatin1String("not an OSV advisory")));

    const auto missing = OsvDatabase::load(dir.filePath(QStringLiteral("nowhere")));
    QVERIFY(!missing);
    QVERIFY(missing.error().message.contains(dir.filePath(QStringLiteral("nowhere"))));
    QTemporaryDir empty;
    const auto none = OsvDatabase::load(empty.path());
    QVERIFY(!none);
    QVERIFY(none.error().message.contains(QLatin1String("no advisories")));
}

void tst_OsvDatabase::trivyReport()
{
    QFile f(QStringLiteral(TRAINYARD_TEST_DATA "/scanners/trivy-alpine-310.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto report = ScannerReport::fromJson(f.readAll(), f.fileName());
    QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
    QCOMPARE(report->scanner, QStringLiteral("trivy"));
    QCOMPARE(report->imageId,
             QStringLiteral("sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4"));
    QCOMPARE(report->findings.size(), 4);
    const Finding &first = report->findings.first();
    QCOMPARE(first.id, QStringLiteral("CVE-2019-1549"));
    QCOMPARE(first.package, QStringLiteral("libcrypto1.1"));
    QCOMPARE(first.installedVersion, QStringLiteral("1.1.1c-r0"));
    QCOMPARE(first.fixedVersion, QStringLiteral("1.1.1d-r0"));
    QCOMPARE(first.severity, Severity::Medium);
    QCOMPARE(first.ecosystem, Ecosystem::Alpine);
    QCOMPARE(SeverityCounts::of(report->findings).toString(), QStringLiteral("4 medium"));
}

void tst_OsvDatabase::grypeReport()
{
    QFile f(QStringLiteral(TRAINYARD_TEST_DATA "/scanners/grype-snapshot.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto report = ScannerReport::fromJson(f.readAll(), f.fileName());
    QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
    QCOMPARE(report->scanner, QStringLiteral("grype"));
    QCOMPARE(report->findings.size(), 2);
    QCOMPARE(report->findings.at(0).id, QStringLiteral("CVE-1999-0001"));
    QCOMPARE(report->findings.at(0).fixedVersion, QStringLiteral("1.2.1"));
    QCOMPARE(report->findings.at(0).severity, Severity::Low);
    QCOMPARE(report->findings.at(1).id, QStringLiteral("CVE-1999-0002"));
    QCOMPARE(report->findings.at(1).package, QStringLiteral("package-2"));
    QCOMPARE(report->findings.at(1).ecosystem, Ecosystem::Debian);
    QVERIFY(report->findings.at(1).fixedVersion.isEmpty());
    QCOMPARE(report->findings.at(1).severity, Severity::Critical);
}

void tst_OsvDatabase::badReportNamed()
{
    const auto bad = ScannerReport::fromJson("{\n\"matches\": [\n  {]\n}", QStringLiteral("/tmp/grype.json"));
    QVERIFY(!bad);
    QCOMPARE(bad.error().location.file, QStringLiteral("/tmp/grype.json"));
    QCOMPARE(bad.error().location.line, 3);
    const auto other = ScannerReport::fromJson("{\"bomFormat\": \"CycloneDX\"}", QStringLiteral("x.json"));
    QVERIFY(!other);
    QVERIFY(other.error().message.contains(QLatin1String("neither a trivy report")));
}

QTEST_GUILESS_MAIN(tst_OsvDatabase)
#include "tst_osvdatabase.moc"
