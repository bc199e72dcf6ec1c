#pragma once

// Test support: an image whose package databases the test wrote (there is no Debian or Alpine
// image to pull offline): busybox, a dpkg status listing OpenSSL 3.0.11-1~deb12u1 (libssl3, from
// the source package openssl) and tzdata, an apk database, a Python package's dist-info and an
// os-release saying Debian 12. OSV advisories for it, hand-written, that must and must not match.

#include "support/files.h"

#include "engine/dockerclient.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QStringList>

namespace trainyard::test {

inline const QString kScannedImage = QStringLiteral("trainyard-test/scanned:1");

inline QByteArray scannedImageDpkgStatus()
{
    return "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\n"
           "Version: 3.0.11-1~deb12u1\nDescription: Secure Sockets Layer toolkit - shared libraries\n\n"
           "Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-0+deb12u1\n"
           "Description: time zone and daylight-saving time data\n";
}

/// Builds kScannedImage (FROM scratch, so nothing is pulled) with `docker`; an error message, or
/// empty when built. `extraFiles`: more files of the image (path in the image → content).
inline QString buildScannedImage(trainyard::core::DockerClient &docker, const QString &contextDir,
                                 const QString &tag = kScannedImage,
                                 const QList<std::pair<QString, QByteArray>> &extraFiles = {})
{
    QFile busybox(QStringLiteral("/bin/busybox"));
    if (!busybox.open(QIODevice::ReadOnly))
        return QStringLiteral("/bin/busybox is missing: apt-get install busybox-static");
    QList<std::pair<QString, QByteArray>> files{
        {QStringLiteral("bin/busybox"), busybox.readAll()},
        {QStringLiteral("var/lib/dpkg/status"), scannedImageDpkgStatus()},
        {QStringLiteral("lib/apk/db/installed"), "P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\n"},
        {QStringLiteral("usr/lib/python3/dist-packages/Pillow-9.5.0.dist-info/METADATA"),
         "Metadata-Version: 2.1\nName: Pillow\nVersion: 9.5.0\n"},
        {QStringLiteral("etc/os-release"),
         "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"},
    };
    files += extraFiles;
    for (const auto &[path, content] : files) {
        if (!writeFile(contextDir + QStringLiteral("/rootfs/") + path, content, path == QLatin1String("bin/busybox")))
            return QStringLiteral("cannot write %1 in %2").arg(path, contextDir);
    }
    if (!writeFile(contextDir + QStringLiteral("/Dockerfile"),
                   "FROM scratch\nCOPY rootfs/ /\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"))
        return QStringLiteral("cannot write the Dockerfile");
    QStringList output;
    const auto built = docker.buildImage(contextDir, QString(), tag, [&](const QString &line) { output << line; });
    return built ? QString() : built.error().message + u'\n' + output.join(u'\n');
}

/// An OSV advisory (the schema's JSON) for one package of an ecosystem, affected from
/// `introduced` until `fixed`.
inline QByteArray osvAdvisory(const QString &id, const QString &ecosystem, const QString &package,
                              const QString &introduced, const QString &fixed, const QString &severity)
{
    return QStringLiteral("{\"schema_version\": \"1.6.0\", \"id\": \"%1\", \"summary\": \"%3: a test flaw\",\n"
                          " \"database_specific\": {\"severity\": \"%6\"},\n"
                          " \"affected\": [{\"package\": {\"ecosystem\": \"%2\", \"name\": \"%3\"},\n"
                          "   \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"%4\"}, "
                          "{\"fixed\": \"%5\"}]}]}]}\n")
        .arg(id, ecosystem, package, introduced, fixed, severity)
        .toUtf8();
}

/// A folder of advisories for kScannedImage: two that match (openssl below its fix, Pillow below
/// its fix) and three that must not (openssl fixed at exactly the installed version, an
/// advisory for Debian 11, tzdata fixed long ago with an epoch-less older version).
inline bool writeScannedImageAdvisories(const QString &dir)
{
    return writeFile(dir + QStringLiteral("/Debian/DSA-9001-1.json"),
                     osvAdvisory(QStringLiteral("DSA-9001-1"), QStringLiteral("Debian:12"), QStringLiteral("openssl"),
                                 QStringLiteral("0"), QStringLiteral("3.0.11-1~deb12u2"),
                                 QStringLiteral("critical"))) &&
           writeFile(dir + QStringLiteral("/Debian/DSA-9002-1.json"),
                     osvAdvisory(QStringLiteral("DSA-9002-1"), QStringLiteral("Debian:12"), QStringLiteral("openssl"),
                                 QStringLiteral("0"), QStringLiteral("3.0.11-1~deb12u1"), QStringLiteral("high"))) &&
           writeFile(dir + QStringLiteral("/Debian/DLA-9003-1.json"),
                     osvAdvisory(QStringLiteral("DLA-9003-1"), QStringLiteral("Debian:11"), QStringLiteral("openssl"),
                                 QStringLiteral("0"), QStringLiteral("9.9.9-1"), QStringLiteral("high"))) &&
           writeFile(dir + QStringLiteral("/Debian/DSA-9004-1.json"),
                     osvAdvisory(QStringLiteral("DSA-9004-1"), QStringLiteral("Debian:12"), QStringLiteral("tzdata"),
                                 QStringLiteral("0"), QStringLiteral("2023c-1"), QStringLiteral("low"))) &&
           writeFile(dir + QStringLiteral("/PyPI/GHSA-test-pill-0001.json"),
                     osvAdvisory(QStringLiteral("GHSA-test-pill-0001"), QStringLiteral("PyPI"),
                                 QStringLiteral("pillow"), QStringLiteral("0"), QStringLiteral("10.0.1"),
                                 QStringLiteral("HIGH")));
}

/// A git project (committed, `.trainyard/` ignored) whose `train` job makes `model.txt` in
/// kScannedImage; `trainyard` is the `.trainyard:` block (e.g. "  scan: {fail_on: high}\n").
inline bool writeScannedProject(const QString &dir, const QByteArray &trainyard)
{
    return writeFile(dir + QStringLiteral("/.gitignore"), ".trainyard/\n") &&
           writeFile(dir + QStringLiteral("/.gitlab-ci.yml"),
                     ".trainyard:\n" + trainyard +
                         QStringLiteral("train:\n  image: %1\n  script: [\"echo w > model.txt\"]\n"
                                        "  artifacts: {paths: [model.txt]}\n")
                             .arg(kScannedImage)
                             .toUtf8()) &&
           !git(dir, {QStringLiteral("init"), QStringLiteral("-q")}).isNull() &&
           !git(dir, {QStringLiteral("add"), QStringLiteral("-A")}).isNull() &&
           !git(dir, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("a model trained in the image")})
                .isNull();
}

} // namespace trainyard::test
