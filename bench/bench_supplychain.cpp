// bench_supplychain: what issue 18 asks of images you can trust, measured here.
// 1. The SBOM of a 1 GB image (1,024 files of 1 MiB of random bytes, a dpkg status of 1,000
//    packages, 300 Python dist-infos), built FROM scratch on the local engine: ImageSbomReader
//    against the floor, `docker export` of a container of the same image into /dev/null (the bytes
//    the engine must send). Target: < 10 s.
// 2. Matching 10,000 OSV advisories against 1,000 packages (OsvDatabase::match, in process), and
//    reading the same advisories from 10,000 files. Target: the match < 1 s.
// Medians of 3. Exit: 0 measured and the targets met, 1 a target missed or a step failed, 2 no
// Docker engine.
#include "benchsupport.h"

#include "engine/containerspec.h"
#include "engine/dockerclient.h"
#include "supplychain/imagesbomreader.h"
#include "supplychain/osvdatabase.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <optional>

using namespace trainyard::bench;
using namespace trainyard::core;

namespace {

constexpr int kRepeats = 3;
constexpr int kDataFiles = 1024;
constexpr qint64 kDataFileBytes = 1024 * 1024;
constexpr int kPackages = 1000;
constexpr int kPythonPackages = 300;
constexpr int kAdvisories = 10000;
const QString kImage = QStringLiteral("trainyard-bench/sbom-1g:1");

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(path.section(u'/', 0, -2));
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

QString packageName(int i)
{
    return QStringLiteral("lib-bench-%1").arg(i, 4, 10, QLatin1Char('0'));
}

bool buildImage(DockerClient &docker, const QString &context)
{
    QByteArray status;
    for (int i = 0; i < kPackages; ++i)
        status += QStringLiteral("Package: %1\nStatus: install ok installed\nArchitecture: amd64\n"
                                 "Source: src-bench-%2\nVersion: 1.%3.0-1~deb12u1\nDescription: bench\n\n")
                      .arg(packageName(i))
                      .arg(i / 2)
                      .arg(i % 50)
                      .toUtf8();
    if (!writeFile(context + QStringLiteral("/rootfs/var/lib/dpkg/status"), status) ||
        !writeFile(context + QStringLiteral("/rootfs/etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n"))
        return false;
    for (int i = 0; i < kPythonPackages; ++i) {
        if (!writeFile(context + QStringLiteral("/rootfs/usr/lib/python3/dist-packages/pkg%1-2.%2.dist-info/METADATA")
                                     .arg(i)
                                     .arg(i % 30),
                       QStringLiteral("Name: pkg%1\nVersion: 2.%2\n").arg(i).arg(i % 30).toUtf8()))
            return false;
    }
    QByteArray block(kDataFileBytes, Qt::Uninitialized);
    for (int i = 0; i < kDataFiles; ++i) {
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(block.data()),
                                              block.size() / qsizetype(sizeof(quint32)));
        if (!writeFile(context + QStringLiteral("/rootfs/opt/model/shard-%1.bin").arg(i), block))
            return false;
    }
    if (!writeFile(context + QStringLiteral("/Dockerfile"), "FROM scratch\nCOPY rootfs/ /\n"))
        return false;
    const auto built = docker.buildImage(context, QString(), kImage);
    if (!built)
        err() << "bench_supplychain: building " << kImage << " failed: " << built.error().message << "\n";
    return bool(built);
}

/// `docker export` of a container of the image, every byte read and dropped: the floor.
std::optional<double> exportFloor(DockerClient &docker)
{
    ContainerSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("/never-runs")};
    auto id = docker.createContainer(spec);
    if (!id)
        return std::nullopt;
    QElapsedTimer t;
    t.start();
    qint64 bytes = 0;
    const auto exported = docker.exportContainer(*id, [&](const QByteArray &chunk) { bytes += chunk.size(); });
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    (void)docker.removeContainer(*id, true);
    if (!exported || bytes < kDataFiles * kDataFileBytes)
        return std::nullopt;
    return seconds;
}

QByteArray advisory(int i)
{
    // Every advisory names a package of the image's ecosystems; a quarter affect what it has.
    const bool python = i % 10 == 0;
    const QString name = python ? QStringLiteral("pkg%1").arg(i % kPythonPackages)
                                : QStringLiteral("src-bench-%1").arg(i % (kPackages / 2));
    const QString fixed =
        python ? QStringLiteral("2.%1").arg(i % 40) : QStringLiteral("1.%1.0-1~deb12u%2").arg(i % 60).arg(i % 3);
    return QStringLiteral("{\"id\": \"BENCH-%1\", \"summary\": \"bench\", \"database_specific\": {\"severity\": "
                          "\"%2\"}, \"affected\": [{\"package\": {\"ecosystem\": \"%3\", \"name\": \"%4\"}, "
                          "\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": "
                          "\"%5\"}]}]}]}")
        .arg(i)
        .arg(i % 2 ? QStringLiteral("HIGH") : QStringLiteral("LOW"),
             python ? QStringLiteral("PyPI") : QStringLiteral("Debian:12"), name, fixed)
        .toUtf8();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int status = 0;

    // --- 2. advisories against packages (no engine needed) ---
    QTemporaryDir osv;
    OsvDatabase db;
    for (int i = 0; i < kAdvisories; ++i) {
        const QByteArray json = advisory(i);
        db.add(*OsvAdvisory::fromJson(json, QStringLiteral("BENCH-%1.json").arg(i)));
        writeFile(osv.filePath(QStringLiteral("BENCH-%1.json").arg(i)), json);
    }
    Sbom sbom;
    sbom.distribution = {QStringLiteral("debian"), QStringLiteral("12"), {}};
    for (int i = 0; i < kPackages; ++i) {
        const bool python = i < kPythonPackages;
        InstalledPackage p;
        p.ecosystem = python ? Ecosystem::PyPI : Ecosystem::Debian;
        p.name = python ? QStringLiteral("pkg%1").arg(i) : packageName(i);
        p.sourceName = python ? QString() : QStringLiteral("src-bench-%1").arg(i / 2);
        p.version = python ? QStringLiteral("2.%1").arg(i % 30) : QStringLiteral("1.%1.0-1~deb12u1").arg(i % 50);
        sbom.packages.append(p);
    }
    std::vector<double> matchTimes, loadTimes;
    qsizetype findings = 0;
    for (int r = 0; r < kRepeats; ++r) {
        QElapsedTimer t;
        t.start();
        findings = db.match(sbom).size();
        matchTimes.push_back(double(t.nsecsElapsed()) / 1e9);
        t.restart();
        const auto loaded = OsvDatabase::load(osv.path());
        loadTimes.push_back(double(t.nsecsElapsed()) / 1e9);
        if (!loaded || loaded->size() != kAdvisories) {
            err() << "bench_supplychain: reading the advisories failed\n";
            return 1;
        }
    }
    const double match = median(matchTimes);
    out() << "== " << kAdvisories << " OSV advisories x " << kPackages << " packages (median of " << kRepeats << ")\n";
    out() << QStringLiteral("  match           %1 ms, %2 findings (target < 1000 ms: %3x under it)%4\n")
                 .arg(match * 1000, 0, 'f', 1)
                 .arg(findings)
                 .arg(1.0 / match, 0, 'f', 0)
                 .arg(match < 1.0 ? QString() : QStringLiteral(": ABOVE TARGET"));
    out() << QStringLiteral("  read the files  %1 ms (10,000 JSON files)\n").arg(median(loadTimes) * 1000, 0, 'f', 0);
    if (match >= 1.0 || findings == 0)
        status = 1;

    // --- 1. the SBOM of a 1 GB image ---
    DockerClient docker;
    if (!docker.ping()) {
        err() << "bench_supplychain: no Docker engine answers; start one with `bash .ci/start-docker`\n";
        return 2;
    }
    QTemporaryDir context;
    out() << "== the SBOM of a 1 GB image (" << kDataFiles << " x 1 MiB, " << kPackages << " dpkg and "
          << kPythonPackages << " Python packages; median of " << kRepeats << ")\n";
    out().flush();
    if (!buildImage(docker, context.path()))
        return 1;
    std::vector<double> floors, ours;
    qsizetype packages = 0;
    for (int r = 0; r < kRepeats; ++r) {
        const auto floor = exportFloor(docker);
        QElapsedTimer t;
        t.start();
        const auto made = ImageSbomReader(docker).read(kImage);
        ours.push_back(double(t.nsecsElapsed()) / 1e9);
        if (!floor || !made) {
            err() << "bench_supplychain: reading the image failed"
                  << (made ? QString() : QStringLiteral(": ") + made.error().message) << "\n";
            (void)docker.removeImage(kImage, true);
            return 1;
        }
        floors.push_back(*floor);
        packages = made->packages.size();
    }
    (void)docker.removeImage(kImage, true);
    const double floor = median(floors), sbomTime = median(ours);
    out() << QStringLiteral("  docker export to /dev/null  %1 s\n").arg(floor, 0, 'f', 2);
    out() << QStringLiteral("  ImageSbomReader             %1 s, %2 packages (%3x the export; target < 10 s)%4\n")
                 .arg(sbomTime, 0, 'f', 2)
                 .arg(packages)
                 .arg(sbomTime / floor, 0, 'f', 2)
                 .arg(sbomTime < 10 ? QString() : QStringLiteral(": ABOVE TARGET"));
    if (sbomTime >= 10 || packages != kPackages + kPythonPackages)
        status = 1;
    return status;
}
