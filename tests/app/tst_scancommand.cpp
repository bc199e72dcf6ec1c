// `trainyard sbom` and `trainyard scan` as users run them, and what the release review makes of
// the findings: a model trained (by the Docker engine) in an image whose dpkg status lists OpenSSL
// below an advisory's fixed version; the scan reports it, the review shows it, the project's gate
// blocks the release, and a newer scan of the same image updates the verdict.
#include "support/cli.h"
#include "support/files.h"
#include "support/scannedimage.h"

#include "engine/dockerclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;
using namespace trainyard::test;

class tst_ScanCommand final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sbomOncePerImage();
    void scanReportsTheAdvisoryBelowItsFix();
    void reviewShowsFindingsAndTheGateBlocks();
    void reportsOfTheImageAreRead();
    void provenanceNamesTheSbom();
    void onRunScansTheImagesARunUsed();
    void installedScannersAreRun();
    void clearErrors();

private:
    QJsonObject checklistItem(const QString &id);

    QTemporaryDir m_tmp;
    QString m_project;
    QString m_osv;
    QString m_imageId;
};

void tst_ScanCommand::initTestCase()
{
    DockerClient docker;
    if (const auto info = docker.ping(); !info)
        QFAIL(qPrintable(
            QStringLiteral("These tests need a Docker engine (bash .ci/start-docker): %1").arg(info.error().message)));
    const QString error = buildScannedImage(docker, m_tmp.filePath(QStringLiteral("context")));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_imageId = docker.inspectImage(kScannedImage)->id;
    m_osv = m_tmp.filePath(QStringLiteral("osv"));
    QVERIFY(writeScannedImageAdvisories(m_osv));

    // A project whose model is trained in the image, by the Docker engine.
    m_project = m_tmp.filePath(QStringLiteral("project"));
    QVERIFY(writeScannedProject(m_project, "  scan:\n    fail_on: high\n"));
    const CliResult run = runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), m_project});
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
}

QJsonObject tst_ScanCommand::checklistItem(const QString &id)
{
    const CliResult review = runTrainyard({QStringLiteral("review"), QStringLiteral("-C"), m_project,
                                           QStringLiteral("model.txt"), QStringLiteral("--json")});
    const QJsonObject root = QJsonDocument::fromJson(review.out.toUtf8()).object();
    for (const QJsonValue &item : root.value(QLatin1String("checklist")).toArray()) {
        if (item.toObject().value(QLatin1String("id")).toString() == id)
            return item.toObject();
    }
    qWarning("no checklist item %s in: %s %s", qPrintable(id), qPrintable(review.out), qPrintable(review.err));
    return {};
}

void tst_ScanCommand::sbomOncePerImage()
{
    const CliResult first = runTrainyard({QStringLiteral("sbom"), QStringLiteral("-C"), m_project, kScannedImage});
    QVERIFY2(first.exitCode == 0, qPrintable(first.out + first.err));
    QVERIFY2(first.out.contains(QLatin1String("Debian GNU/Linux 12 (bookworm): 4 package(s)")), qPrintable(first.out));
    QVERIFY2(first.out.contains(QLatin1String("libssl3  3.0.11-1~deb12u1  /var/lib/dpkg/status")),
             qPrintable(first.out));
    // The second time it is the stored one (read once per image ID), by the same SHA-256.
    const CliResult json =
        runTrainyard({QStringLiteral("sbom"), QStringLiteral("-C"), m_project, m_imageId, QStringLiteral("--json")});
    QCOMPARE(json.exitCode, 0);
    const QJsonObject bom = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(bom.value(QLatin1String("specVersion")).toString(), QStringLiteral("1.5"));
    QCOMPARE(bom.value(QLatin1String("components")).toArray().size(), 5); // the OS and 4 packages
    const CliResult again = runTrainyard({QStringLiteral("sbom"), QStringLiteral("-C"), m_project, kScannedImage});
    QVERIFY2(again.out.contains(QLatin1String("as read before")), qPrintable(again.out));
    const QString sha = first.out.section(QLatin1String("sha256 "), 1).section(u'\n', 0, 0);
    QVERIFY(!sha.isEmpty());
    QVERIFY2(again.out.contains(sha), qPrintable(again.out));
    QVERIFY(
        QFile::exists(m_project + QStringLiteral("/.trainyard/artifacts/sha256/") + sha.left(2) + u'/' + sha.mid(2)));
}

void tst_ScanCommand::scanReportsTheAdvisoryBelowItsFix()
{
    // Before any scan, the review says the image was not scanned and how to scan it; the project's
    // gate (fail_on: high) cannot pass an image nobody scanned.
    QJsonObject item = checklistItem(QStringLiteral("images-scanned"));
    QCOMPARE(item.value(QLatin1String("state")).toString(), QStringLiteral("failed"));
    QVERIFY2(item.value(QLatin1String("details"))
                 .toArray()
                 .first()
                 .toString()
                 .contains(QLatin1String("not scanned (trainyard scan --osv DIR")),
             QJsonDocument(item).toJson().constData());

    const CliResult scan = runTrainyard(
        {QStringLiteral("scan"), QStringLiteral("-C"), m_project, QStringLiteral("--osv"), m_osv, kScannedImage});
    QCOMPARE(scan.exitCode, 3); // findings at or above fail_on: high
    QVERIFY2(scan.out.contains(QLatin1String("2 finding(s): 1 critical, 1 high")), qPrintable(scan.out));
    QVERIFY2(scan.out.contains(QLatin1String("critical  DSA-9001-1")) &&
                 scan.out.contains(QLatin1String("libssl3  3.0.11-1~deb12u1  3.0.11-1~deb12u2  osv")),
             qPrintable(scan.out));
    QVERIFY2(scan.out.contains(QLatin1String("GHSA-test-pill-0001")), qPrintable(scan.out));
    // Fixed at exactly the installed version, another release, fixed long ago: not reported.
    QVERIFY2(!scan.out.contains(QLatin1String("DSA-9002-1")), qPrintable(scan.out));
    QVERIFY2(!scan.out.contains(QLatin1String("DLA-9003-1")), qPrintable(scan.out));
    QVERIFY2(!scan.out.contains(QLatin1String("DSA-9004-1")), qPrintable(scan.out));
    QVERIFY2(scan.out.contains(QLatin1String("osv: ") + m_osv + QLatin1String(" (5 advisories)")),
             qPrintable(scan.out));

    const CliResult json = runTrainyard({QStringLiteral("scan"), QStringLiteral("-C"), m_project,
                                         QStringLiteral("--osv"), m_osv, kScannedImage, QStringLiteral("--json"),
                                         QStringLiteral("--fail-on"), QStringLiteral("critical")});
    QCOMPARE(json.exitCode, 3);
    const QJsonObject root = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(root.value(QLatin1String("image_id")).toString(), m_imageId);
    QCOMPARE(root.value(QLatin1String("blocking")).toInt(), 1);
    QCOMPARE(root.value(QLatin1String("counts")).toObject().value(QLatin1String("high")).toInt(), 1);
}

void tst_ScanCommand::reviewShowsFindingsAndTheGateBlocks()
{
    QJsonObject item = checklistItem(QStringLiteral("images-scanned"));
    QCOMPARE(item.value(QLatin1String("state")).toString(), QStringLiteral("failed"));
    const QString details = item.value(QLatin1String("details")).toArray().first().toString();
    QVERIFY2(details.contains(QLatin1String("2 finding(s): 1 critical, 1 high")) &&
                 details.contains(QLatin1String("at or above fail_on high: DSA-9001-1 in libssl3 3.0.11-1~deb12u1")),
             qPrintable(details));
    const CliResult review =
        runTrainyard({QStringLiteral("review"), QStringLiteral("-C"), m_project, QStringLiteral("model.txt")});
    QCOMPARE(review.exitCode, 3); // not ready
    QVERIFY2(review.out.contains(QLatin1String("Images scanned for known vulnerabilities")), qPrintable(review.out));

    // A newer scan of the same image, against advisories it is not affected by, updates the verdict.
    const QString newer = m_tmp.filePath(QStringLiteral("osv-newer"));
    QVERIFY(writeFile(newer + QStringLiteral("/DSA-9002-1.json"),
                      osvAdvisory(QStringLiteral("DSA-9002-1"), QStringLiteral("Debian:12"), QStringLiteral("openssl"),
                                  QStringLiteral("0"), QStringLiteral("3.0.11-1~deb12u1"), QStringLiteral("high"))));
    const CliResult scan = runTrainyard(
        {QStringLiteral("scan"), QStringLiteral("-C"), m_project, QStringLiteral("--osv"), newer, kScannedImage});
    QCOMPARE(scan.exitCode, 0);
    QVERIFY2(scan.out.contains(QLatin1String("0 finding(s): none")), qPrintable(scan.out));
    item = checklistItem(QStringLiteral("images-scanned"));
    QCOMPARE(item.value(QLatin1String("state")).toString(), QStringLiteral("passed"));
    QVERIFY2(
        item.value(QLatin1String("details")).toArray().first().toString().contains(QLatin1String("0 finding(s): none")),
        QJsonDocument(item).toJson().constData());
}

void tst_ScanCommand::reportsOfTheImageAreRead()
{
    // A trivy report of this image (the format of tests/data/scanners, with this image's ID).
    const QString report = m_tmp.filePath(QStringLiteral("trivy.json"));
    QVERIFY(writeFile(report, QStringLiteral("{\"SchemaVersion\": 2, \"ArtifactName\": \"%1\", \"Metadata\": "
                                             "{\"ImageID\": \"%2\"}, \"Results\": [{\"Target\": \"%1 (debian 12)\", "
                                             "\"Class\": \"os-pkgs\", \"Type\": \"debian\", \"Vulnerabilities\": "
                                             "[{\"VulnerabilityID\": \"CVE-2024-0001\", \"PkgName\": \"libssl3\", "
                                             "\"InstalledVersion\": \"3.0.11-1~deb12u1\", \"FixedVersion\": "
                                             "\"3.0.11-1~deb12u2\", \"Severity\": \"MEDIUM\"}]}]}\n")
                                  .arg(kScannedImage, m_imageId)
                                  .toUtf8()));
    const CliResult scan = runTrainyard(
        {QStringLiteral("scan"), QStringLiteral("-C"), m_project, QStringLiteral("--report"), report, kScannedImage});
    QCOMPARE(scan.exitCode, 0); // medium is below fail_on: high
    QVERIFY2(scan.out.contains(QLatin1String("medium    CVE-2024-0001")) && scan.out.contains(QLatin1String("trivy")),
             qPrintable(scan.out));
    // The recorded report of another image is refused, naming the file and both images.
    const QString other = QStringLiteral(TRAINYARD_TEST_DATA "/scanners/trivy-alpine-310.json");
    const CliResult wrong = runTrainyard(
        {QStringLiteral("scan"), QStringLiteral("-C"), m_project, QStringLiteral("--report"), other, kScannedImage});
    QCOMPARE(wrong.exitCode, 1);
    QVERIFY2(wrong.err.contains(other) && wrong.err.contains(QLatin1String("is about image sha256:9617696764")) &&
                 wrong.err.contains(m_imageId),
             qPrintable(wrong.err));
}

void tst_ScanCommand::provenanceNamesTheSbom()
{
    // The SLSA provenance of the model references its image's SBOM by digest.
    const CliResult sbom = runTrainyard({QStringLiteral("sbom"), QStringLiteral("-C"), m_project, kScannedImage});
    const QString sha = sbom.out.section(QLatin1String("sha256 "), 1).section(u'\n', 0, 0);
    QVERIFY2(sha.size() == 64, qPrintable(sbom.out));
    const QString file = m_tmp.filePath(QStringLiteral("provenance.json"));
    const CliResult review = runTrainyard({QStringLiteral("review"), QStringLiteral("-C"), m_project,
                                           QStringLiteral("model.txt"), QStringLiteral("--export"), file});
    QVERIFY2(review.exitCode == 0 || review.exitCode == 3, qPrintable(review.out + review.err));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject statement = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonArray dependencies = statement.value(QLatin1String("predicate"))
                                        .toObject()
                                        .value(QLatin1String("buildDefinition"))
                                        .toObject()
                                        .value(QLatin1String("resolvedDependencies"))
                                        .toArray();
    bool found = false;
    for (const QJsonValue &d : dependencies) {
        const QJsonObject dep = d.toObject();
        if (dep.value(QLatin1String("name")).toString() != kScannedImage)
            continue;
        found = true;
        const QJsonObject bom =
            dep.value(QLatin1String("annotations")).toObject().value(QLatin1String("sbom")).toObject();
        QCOMPARE(bom.value(QLatin1String("mediaType")).toString(), QStringLiteral("application/vnd.cyclonedx+json"));
        QCOMPARE(bom.value(QLatin1String("digest")).toObject().value(QLatin1String("sha256")).toString(), sha);
    }
    QVERIFY2(found, QJsonDocument(dependencies).toJson().constData());
}

void tst_ScanCommand::onRunScansTheImagesARunUsed()
{
    // .trainyard: scan: on_run: the run's images are scanned once it ends, against the project's
    // advisories, and the review needs no scan by hand.
    const QString project = m_tmp.filePath(QStringLiteral("on-run"));
    QVERIFY(writeScannedImageAdvisories(project + QStringLiteral("/security/osv")));
    QVERIFY(writeScannedProject(project, "  scan: {osv: security/osv, on_run: true, fail_on: critical}\n"));
    const CliResult run = runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), project});
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    const QString said = run.out + run.err;
    QVERIFY2(said.contains(QStringLiteral("Scanned image %1: 2 finding(s): 1 critical, 1 high").arg(kScannedImage)),
             qPrintable(run.out + run.err));
    const CliResult review = runTrainyard({QStringLiteral("review"), QStringLiteral("-C"), project,
                                           QStringLiteral("model.txt"), QStringLiteral("--json")});
    QCOMPARE(review.exitCode, 3);
    for (const QJsonValue &item :
         QJsonDocument::fromJson(review.out.toUtf8()).object().value(QLatin1String("checklist")).toArray()) {
        if (item.toObject().value(QLatin1String("id")).toString() != QLatin1String("images-scanned"))
            continue;
        QCOMPARE(item.toObject().value(QLatin1String("state")).toString(), QStringLiteral("failed"));
        const QString details = item.toObject().value(QLatin1String("details")).toArray().first().toString();
        QVERIFY2(details.contains(QLatin1String("at or above fail_on critical: DSA-9001-1")), qPrintable(details));
        return;
    }
    QFAIL(qPrintable(review.out + review.err));
}

void tst_ScanCommand::installedScannersAreRun()
{
    // Stand-ins for trivy and grype (neither is packaged for Debian 12): each writes a report of
    // this image where it is told to, in its tool's format, and records how it was called.
    const QString bin = m_tmp.filePath(QStringLiteral("scanners-bin"));
    const QString calls = m_tmp.filePath(QStringLiteral("scanner-calls.txt"));
    const QByteArray trivyReport =
        QStringLiteral("{\"SchemaVersion\": 2, \"ArtifactName\": \"%1\", \"Metadata\": {\"ImageID\": \"%2\"}, "
                       "\"Results\": [{\"Target\": \"x\", \"Class\": \"os-pkgs\", \"Type\": \"debian\", "
                       "\"Vulnerabilities\": [{\"VulnerabilityID\": \"CVE-2024-1111\", \"PkgName\": \"tzdata\", "
                       "\"InstalledVersion\": \"2024a-0+deb12u1\", \"Severity\": \"LOW\"}]}]}")
            .arg(kScannedImage, m_imageId)
            .toUtf8();
    const QByteArray grypeReport =
        QStringLiteral("{\"matches\": [{\"vulnerability\": {\"id\": \"GHSA-xxxx-2222\", \"severity\": \"Critical\", "
                       "\"fix\": {\"versions\": [\"10.0.1\"], \"state\": \"fixed\"}}, \"artifact\": {\"name\": "
                       "\"Pillow\", \"version\": \"9.5.0\", \"type\": \"python\"}}], \"source\": {\"type\": "
                       "\"image\", \"target\": {\"userInput\": \"%1\", \"imageID\": \"%2\"}}}")
            .arg(kScannedImage, m_imageId)
            .toUtf8();
    QVERIFY(writeFile(bin + QStringLiteral("/trivy.json"), trivyReport));
    QVERIFY(writeFile(bin + QStringLiteral("/grype.json"), grypeReport));
    // Both take the report's path after --output / --file.
    const auto standIn = [&](const char *tool, const char *fileOption) {
        return QStringLiteral("#!/bin/sh\necho \"%1 $*\" >> '%2'\nout=\nprev=\nfor a in \"$@\"; do\n"
                              "  [ \"$prev\" = %3 ] && out=$a\n  prev=$a\ndone\n"
                              "[ -n \"$FAIL_SCANNER\" ] && { echo 'FATAL: the vulnerability DB is missing'; exit 1; }\n"
                              "cp '%4/%1.json' \"$out\"\n")
            .arg(QLatin1String(tool), calls, QLatin1String(fileOption), bin)
            .toUtf8();
    };
    QVERIFY(writeFile(bin + QStringLiteral("/trivy"), standIn("trivy", "--output"), true));
    QVERIFY(writeFile(bin + QStringLiteral("/grype"), standIn("grype", "--file"), true));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PATH"), bin + u':' + env.value(QStringLiteral("PATH")));

    const CliResult scan = runTrainyard({QStringLiteral("scan"), QStringLiteral("-C"), m_project, kScannedImage}, env);
    QCOMPARE(scan.exitCode, 3); // grype's critical is over fail_on: high
    QVERIFY2(scan.out.contains(QLatin1String("low       CVE-2024-1111")) &&
                 scan.out.contains(QLatin1String("critical  GHSA-xxxx-2222")),
             qPrintable(scan.out));
    QVERIFY2(scan.out.contains(QStringLiteral("trivy: trivy run here on %1").arg(kScannedImage)) &&
                 scan.out.contains(QStringLiteral("grype: grype run here on %1").arg(kScannedImage)),
             qPrintable(scan.out));
    QFile called(calls);
    QVERIFY(called.open(QIODevice::ReadOnly));
    const QString how = QString::fromUtf8(called.readAll());
    QVERIFY2(how.contains(QStringLiteral("trivy image --quiet --format json --scanners vuln --image-src docker")) &&
                 how.contains(QStringLiteral("grype docker:%1").arg(kScannedImage)),
             qPrintable(how));

    // A scanner that fails (offline, without its database) is named with what it said, and the
    // scan is recorded from the other sources; with no other source, nothing is recorded.
    env.insert(QStringLiteral("FAIL_SCANNER"), QStringLiteral("1"));
    const CliResult partly = runTrainyard(
        {QStringLiteral("scan"), QStringLiteral("-C"), m_project, QStringLiteral("--osv"), m_osv, kScannedImage}, env);
    QCOMPARE(partly.exitCode, 3); // the OSV findings still count (critical over fail_on: high)
    QVERIFY2(partly.err.contains(QLatin1String("trivy image")) &&
                 partly.err.contains(QLatin1String("FATAL: the vulnerability DB is missing")),
             qPrintable(partly.err));
    QVERIFY2(partly.out.contains(QLatin1String("trivy: failed (not counted)")) &&
                 partly.out.contains(QLatin1String("critical  DSA-9001-1")),
             qPrintable(partly.out));
    const CliResult failed =
        runTrainyard({QStringLiteral("scan"), QStringLiteral("-C"), m_project, kScannedImage}, env);
    QCOMPARE(failed.exitCode, 1);
    QVERIFY2(failed.err.contains(QLatin1String("could not be scanned")) &&
                 failed.err.contains(QLatin1String("FATAL: the vulnerability DB is missing")),
             qPrintable(failed.err));
    const CliResult none = runTrainyard(
        {QStringLiteral("scan"), QStringLiteral("-C"), m_tmp.path(), QStringLiteral("--no-scanners"), kScannedImage},
        env);
    QCOMPARE(none.exitCode, 2);
    QVERIFY2(none.err.contains(QLatin1String("nothing to scan")), qPrintable(none.err));
}

void tst_ScanCommand::clearErrors()
{
    const CliResult nothing = runTrainyard({QStringLiteral("scan"), QStringLiteral("-C"), m_tmp.path(), kScannedImage});
    QCOMPARE(nothing.exitCode, 2);
    QVERIFY2(nothing.err.contains(QLatin1String("--osv DIR")), qPrintable(nothing.err));
    const CliResult missing = runTrainyard(
        {QStringLiteral("sbom"), QStringLiteral("-C"), m_project, QStringLiteral("trainyard-test/not-here:1")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(QLatin1String("trainyard-test/not-here:1 is not on this machine's Docker engine")),
             qPrintable(missing.err));
    const CliResult noOsv =
        runTrainyard({QStringLiteral("scan"), QStringLiteral("-C"), m_project, QStringLiteral("--osv"),
                      m_tmp.filePath(QStringLiteral("nowhere")), kScannedImage});
    QCOMPARE(noOsv.exitCode, 1);
    QVERIFY2(noOsv.err.contains(QLatin1String("is not a folder")), qPrintable(noOsv.err));
}

QTEST_GUILESS_MAIN(tst_ScanCommand)
#include "tst_scancommand.moc"
