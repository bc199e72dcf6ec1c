#include "supplychain/imagesbomreader.h"

#include "support/scannedimage.h"

#include "engine/dockerclient.h"

#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

using namespace trainyard::core;
using namespace trainyard::test;

class tst_ImageSbomReader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsTheImagesPackages();
    void leavesNoContainer();
    void missingImageNamed();
    void cancelledLeavesNothing();
    void notAnArchiveNamed();

private:
    DockerClient m_docker;
    QTemporaryDir m_tmp;
};

void tst_ImageSbomReader::initTestCase()
{
    const auto info = m_docker.ping();
    if (!info)
        QFAIL(qPrintable(QStringLiteral("These tests need a Docker engine at %1 (bash .ci/start-docker): %2")
                             .arg(m_docker.endpoint(), info.error().message)));
    const QString error = buildScannedImage(m_docker, m_tmp.filePath(QStringLiteral("context")));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_ImageSbomReader::readsTheImagesPackages()
{
    ImageSbomReader reader(m_docker);
    qint64 lastProgress = 0;
    const auto sbom = reader.read(kScannedImage, [&](qint64 bytes) { lastProgress = bytes; });
    QVERIFY2(sbom, sbom ? "" : qPrintable(sbom.error().toString()));
    const auto image = m_docker.inspectImage(kScannedImage);
    QVERIFY(image && image->exists);
    QCOMPARE(sbom->imageId, image->id);
    QCOMPARE(sbom->imageName, kScannedImage);
    QCOMPARE(sbom->distribution.id, QStringLiteral("debian"));
    QCOMPARE(sbom->distribution.versionId, QStringLiteral("12"));
    QStringList found;
    for (const InstalledPackage &p : sbom->packages)
        found << QStringLiteral("%1 %2 %3 %4").arg(ecosystemName(p.ecosystem), p.name, p.version, p.location);
    QCOMPARE(found,
             (QStringList{
                 QStringLiteral("Debian libssl3 3.0.11-1~deb12u1 /var/lib/dpkg/status"),
                 QStringLiteral("Debian tzdata 2024a-0+deb12u1 /var/lib/dpkg/status"),
                 QStringLiteral("Alpine musl 1.2.4-r2 /lib/apk/db/installed"),
                 QStringLiteral("PyPI Pillow 9.5.0 /usr/lib/python3/dist-packages/Pillow-9.5.0.dist-info/METADATA"),
             }));
    // The whole file system streamed past (busybox alone is about 2 MB), its size reported.
    QVERIFY2(sbom->bytesRead > 1000 * 1000, qPrintable(QString::number(sbom->bytesRead)));
    QCOMPARE(lastProgress, sbom->bytesRead);
}

void tst_ImageSbomReader::leavesNoContainer()
{
    ImageSbomReader reader(m_docker);
    QVERIFY(reader.read(kScannedImage));
    const auto left = m_docker.listContainers(QStringLiteral("trainyard.sbom"));
    QVERIFY(left);
    QVERIFY2(left->isEmpty(), qPrintable(left->join(u' ')));
}

void tst_ImageSbomReader::missingImageNamed()
{
    ImageSbomReader reader(m_docker);
    const auto sbom = reader.read(QStringLiteral("trainyard-test/no-such-image:0"));
    QVERIFY(!sbom);
    QVERIFY2(sbom.error().message.contains(QLatin1String("trainyard-test/no-such-image:0")) &&
                 sbom.error().message.contains(QLatin1String("pull or build it first")),
             qPrintable(sbom.error().message));
}

void tst_ImageSbomReader::cancelledLeavesNothing()
{
    ImageSbomReader reader(m_docker);
    const std::atomic_bool cancel{true}; // Ctrl-C before the export's first chunk
    const auto sbom = reader.read(kScannedImage, {}, &cancel);
    QVERIFY(!sbom);
    QVERIFY2(sbom.error().message.contains(QLatin1String("cancelled")), qPrintable(sbom.error().message));
    const auto left = m_docker.listContainers(QStringLiteral("trainyard.sbom"));
    QVERIFY(left && left->isEmpty());
}

void tst_ImageSbomReader::notAnArchiveNamed()
{
    int fds[2];
    QVERIFY(::pipe(fds) == 0);
    const QByteArray garbage(4096, 'x');
    QCOMPARE(::write(fds[1], garbage.constData(), size_t(garbage.size())), ssize_t(garbage.size()));
    ::close(fds[1]);
    PackageInventory inventory;
    const auto read = ImageSbomReader::readArchive(fds[0], inventory, QStringLiteral("The file system of image x"));
    ::close(fds[0]);
    QVERIFY(!read);
    QVERIFY2(read.error().message.startsWith(QLatin1String("The file system of image x")),
             qPrintable(read.error().message));
}

QTEST_GUILESS_MAIN(tst_ImageSbomReader)
#include "tst_imagesbomreader.moc"
