#include "packageinventory.h"

#include <algorithm>
#include <tuple>

namespace trainyard::core {

namespace {

QString normalisedPath(const QString &path)
{
    QString p = path;
    while (p.startsWith(QLatin1String("./")))
        p.remove(0, 2);
    while (p.startsWith(u'/'))
        p.remove(0, 1);
    return p;
}

/// RFC 822-like paragraphs (dpkg's status, Python's metadata headers): field name → value, with
/// continuation lines (starting with a space or tab) appended to the field before them.
QList<QList<std::pair<QString, QString>>> paragraphs(const QByteArray &content, bool firstOnly)
{
    QList<QList<std::pair<QString, QString>>> all;
    QList<std::pair<QString, QString>> current;
    for (const QByteArray &rawLine : content.split('\n')) {
        QByteArray line = rawLine;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty()) {
            if (!current.isEmpty()) {
                all.append(current);
                current.clear();
                if (firstOnly)
                    return all;
            }
            continue;
        }
        if (line.startsWith(' ') || line.startsWith('\t')) {
            if (!current.isEmpty())
                current.last().second += u'\n' + QString::fromUtf8(line.trimmed());
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        current.append(
            {QString::fromUtf8(line.left(colon)).trimmed(), QString::fromUtf8(line.mid(colon + 1)).trimmed()});
    }
    if (!current.isEmpty())
        all.append(current);
    return all;
}

QString field(const QList<std::pair<QString, QString>> &paragraph, QLatin1String name)
{
    for (const auto &[key, value] : paragraph) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace

bool PackageInventory::wants(const QString &path)
{
    const QString p = normalisedPath(path);
    return p == QLatin1String("var/lib/dpkg/status") ||
           (p.startsWith(QLatin1String("var/lib/dpkg/status.d/")) && !p.endsWith(QLatin1String(".md5sums"))) ||
           p == QLatin1String("lib/apk/db/installed") || p == QLatin1String("etc/os-release") ||
           p == QLatin1String("usr/lib/os-release") || p.endsWith(QLatin1String(".dist-info/METADATA")) ||
           p.endsWith(QLatin1String(".egg-info/PKG-INFO")) || p.endsWith(QLatin1String(".egg-info"));
}

void PackageInventory::addFile(const QString &path, const QByteArray &content)
{
    const QString p = normalisedPath(path);
    const QString location = u'/' + p;
    if (p == QLatin1String("var/lib/dpkg/status") || p.startsWith(QLatin1String("var/lib/dpkg/status.d/")))
        readDpkgStatus(location, content);
    else if (p == QLatin1String("lib/apk/db/installed"))
        readApkInstalled(location, content);
    else if (p == QLatin1String("etc/os-release") || p == QLatin1String("usr/lib/os-release"))
        readOsRelease(location, content);
    else if (wants(p))
        readPythonMetadata(location, content);
}

void PackageInventory::readDpkgStatus(const QString &location, const QByteArray &content)
{
    for (const auto &paragraph : paragraphs(content, false)) {
        InstalledPackage package;
        package.ecosystem = Ecosystem::Debian;
        package.name = field(paragraph, QLatin1String("Package"));
        package.version = field(paragraph, QLatin1String("Version"));
        package.architecture = field(paragraph, QLatin1String("Architecture"));
        package.location = location;
        // "install ok installed"; a package removed but not purged ("deinstall ok config-files")
        // or never installed is not there. One unpacked, half-configured or waiting for triggers
        // has its files on disk: it is. status.d/ files (distroless) have no Status: installed.
        const QString state = field(paragraph, QLatin1String("Status")).section(u' ', 2, 2);
        if (state == QLatin1String("not-installed") || state == QLatin1String("config-files"))
            continue;
        if (package.name.isEmpty() || package.version.isEmpty())
            continue;
        // "Source: openssl" or "Source: glibc (2.36-9+deb12u4)" when the versions differ.
        const QString source = field(paragraph, QLatin1String("Source"));
        if (!source.isEmpty()) {
            package.sourceName = source.section(u' ', 0, 0);
            const qsizetype open = source.indexOf(u'(');
            const qsizetype close = source.indexOf(u')', open + 1);
            if (open > 0 && close > open)
                package.sourceVersion = source.mid(open + 1, close - open - 1).trimmed();
        }
        m_packages.append(package);
    }
}

void PackageInventory::readApkInstalled(const QString &location, const QByteArray &content)
{
    InstalledPackage package;
    const auto flush = [&] {
        if (!package.name.isEmpty() && !package.version.isEmpty())
            m_packages.append(package);
        package = InstalledPackage{};
        package.ecosystem = Ecosystem::Alpine;
        package.location = location;
    };
    flush();
    for (const QByteArray &rawLine : content.split('\n')) {
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty()) {
            flush();
            continue;
        }
        if (line.size() < 2 || line.at(1) != ':')
            continue;
        const QString value = QString::fromUtf8(line.mid(2));
        switch (line.at(0)) {
        case 'P':
            package.name = value;
            break;
        case 'V':
            package.version = value;
            break;
        case 'A':
            package.architecture = value;
            break;
        case 'o':
            package.sourceName = value;
            break;
        default:
            break;
        }
    }
    flush();
}

void PackageInventory::readPythonMetadata(const QString &location, const QByteArray &content)
{
    const auto headers = paragraphs(content, true);
    if (headers.isEmpty())
        return;
    InstalledPackage package;
    package.ecosystem = Ecosystem::PyPI;
    package.name = field(headers.first(), QLatin1String("Name"));
    package.version = field(headers.first(), QLatin1String("Version"));
    package.location = location;
    if (!package.name.isEmpty() && !package.version.isEmpty())
        m_packages.append(package);
}

void PackageInventory::readOsRelease(const QString &location, const QByteArray &content)
{
    // /etc/os-release wins over /usr/lib/os-release, whichever the archive gives first.
    const bool fromEtc = location == QLatin1String("/etc/os-release");
    if (m_distributionFromEtc && !fromEtc)
        return;
    Distribution d;
    for (const QByteArray &rawLine : content.split('\n')) {
        const QString line = QString::fromUtf8(rawLine).trimmed();
        const qsizetype eq = line.indexOf(u'=');
        if (eq <= 0 || line.startsWith(u'#'))
            continue;
        QString value = line.mid(eq + 1).trimmed();
        if (value.size() >= 2 && (value.startsWith(u'"') || value.startsWith(u'\'')) && value.endsWith(value.at(0)))
            value = value.mid(1, value.size() - 2);
        const QString key = line.left(eq);
        if (key == QLatin1String("ID"))
            d.id = value.toLower();
        else if (key == QLatin1String("VERSION_ID"))
            d.versionId = value;
        else if (key == QLatin1String("PRETTY_NAME"))
            d.prettyName = value;
    }
    m_distribution = d;
    m_distributionFromEtc = fromEtc;
}

QList<InstalledPackage> PackageInventory::packages() const
{
    QList<InstalledPackage> sorted = m_packages;
    std::sort(sorted.begin(), sorted.end(), [](const InstalledPackage &a, const InstalledPackage &b) {
        return std::forward_as_tuple(a.ecosystem, a.name, a.version, a.location) <
               std::forward_as_tuple(b.ecosystem, b.name, b.version, b.location);
    });
    return sorted;
}

} // namespace trainyard::core
