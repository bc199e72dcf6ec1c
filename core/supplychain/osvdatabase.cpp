#include "osvdatabase.h"

#include "jsonfile.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

namespace trainyard::core {

namespace {

QString indexKey(Ecosystem ecosystem, const QString &name)
{
    const QString n = ecosystem == Ecosystem::PyPI ? normalisedPythonName(name) : name;
    return ecosystemName(ecosystem) + QChar(0x1f) + n;
}

Severity severityOf(const QJsonObject &specific)
{
    return severityFromText(specific.value(QLatin1String("severity")).toString());
}

/// Whether an advisory for `osvEcosystem` ("Debian:12") is about the release `distribution` is.
bool sameRelease(const QString &osvEcosystem, Ecosystem ecosystem, const Distribution &distribution)
{
    if (ecosystem == Ecosystem::PyPI || distribution.id.isEmpty())
        return true;
    const QString base = osvEcosystem.section(u':', 0, 0).toLower();
    if (base != distribution.id)
        return false; // Ubuntu's advisories are not Debian's
    const QString release = osvEcosystem.section(u':', 1);
    if (release.isEmpty() || distribution.versionId.isEmpty())
        return true;
    if (ecosystem == Ecosystem::Alpine) // "Alpine:v3.18" for VERSION_ID=3.18.4
        return release == u'v' + distribution.versionId.section(u'.', 0, 1);
    if (base == QLatin1String("ubuntu")) // "Ubuntu:22.04", "Ubuntu:22.04:LTS", "Ubuntu:Pro:22.04:LTS"
        return osvEcosystem.split(u':').contains(distribution.versionId);
    return release == distribution.versionId;
}

} // namespace

Result<OsvAdvisory> OsvAdvisory::fromJson(const QByteArray &json, const QString &file)
{
    const auto read = readJsonObject(json, file);
    if (!read)
        return tl::make_unexpected(read.error());
    const QJsonObject &o = *read;
    OsvAdvisory a;
    a.file = file;
    a.id = o.value(QLatin1String("id")).toString();
    if (a.id.isEmpty() || !o.value(QLatin1String("affected")).isArray())
        return tl::make_unexpected(
            Error::error(QStringLiteral("not an OSV advisory (it needs \"id\" and \"affected\")"), {file, 1, 1}));
    for (const QJsonValue &v : o.value(QLatin1String("aliases")).toArray())
        a.aliases << v.toString();
    a.summary = o.value(QLatin1String("summary")).toString();
    if (a.summary.isEmpty())
        a.summary = o.value(QLatin1String("details")).toString().section(u'\n', 0, 0).left(200);
    a.withdrawn = !o.value(QLatin1String("withdrawn")).toString().isEmpty();
    a.severity = severityOf(o.value(QLatin1String("database_specific")).toObject());
    if (a.severity == Severity::Unknown) {
        for (const QJsonValue &v : o.value(QLatin1String("severity")).toArray()) {
            const QJsonObject score = v.toObject();
            const QString type = score.value(QLatin1String("type")).toString();
            const QString value = score.value(QLatin1String("score")).toString();
            // CVSS v3 vectors are computed; Ubuntu gives its priority as a word.
            const Severity found = type.startsWith(QLatin1String("CVSS_V3")) ? severityFromScore(cvss3BaseScore(value))
                                   : type == QLatin1String("Ubuntu")         ? severityFromText(value)
                                                                             : Severity::Unknown;
            a.severity = std::max(a.severity, found);
        }
    }
    for (const QJsonValue &v : o.value(QLatin1String("affected")).toArray()) {
        const QJsonObject ao = v.toObject();
        const QJsonObject package = ao.value(QLatin1String("package")).toObject();
        Affected affected;
        affected.ecosystem = package.value(QLatin1String("ecosystem")).toString();
        affected.name = package.value(QLatin1String("name")).toString();
        if (affected.name.isEmpty())
            continue;
        for (const QJsonValue &ver : ao.value(QLatin1String("versions")).toArray())
            affected.versions << ver.toString();
        for (const QJsonValue &rv : ao.value(QLatin1String("ranges")).toArray()) {
            const QJsonObject ro = rv.toObject();
            Range range;
            range.type = ro.value(QLatin1String("type")).toString();
            for (const QJsonValue &ev : ro.value(QLatin1String("events")).toArray()) {
                const QJsonObject eo = ev.toObject();
                static const std::pair<const char *, Event::Kind> kinds[] = {
                    {"introduced", Event::Kind::Introduced},
                    {"fixed", Event::Kind::Fixed},
                    {"last_affected", Event::Kind::LastAffected},
                    {"limit", Event::Kind::Limit}};
                for (const auto &[key, kind] : kinds) {
                    if (eo.contains(QLatin1String(key)))
                        range.events.append({kind, eo.value(QLatin1String(key)).toString()});
                }
            }
            affected.ranges.append(range);
        }
        affected.severity = severityOf(ao.value(QLatin1String("ecosystem_specific")).toObject());
        if (affected.severity == Severity::Unknown)
            affected.severity = severityOf(ao.value(QLatin1String("database_specific")).toObject());
        a.affected.append(affected);
    }
    return a;
}

Result<OsvDatabase> OsvDatabase::load(const QString &dir, QList<Error> *warnings,
                                      const std::function<void(int, int)> &progress, const std::atomic_bool *cancel)
{
    if (!QFileInfo(dir).isDir())
        return tl::make_unexpected(Error::error(
            QStringLiteral("The OSV database %1 is not a folder: unpack osv.dev's exports (one JSON file per "
                           "advisory) into one")
                .arg(dir)));
    QStringList files;
    QDirIterator it(dir, {QStringLiteral("*.json")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    if (files.isEmpty())
        return tl::make_unexpected(Error::error(
            QStringLiteral("The OSV database %1 has no advisories (*.json files): unpack osv.dev's exports into it")
                .arg(dir)));
    OsvDatabase db;
    for (qsizetype i = 0; i < files.size(); ++i) {
        if (cancel && cancel->load())
            return tl::make_unexpected(Error::error(QStringLiteral("Reading the OSV database %1 cancelled").arg(dir)));
        QFile f(files.at(i));
        if (!f.open(QIODevice::ReadOnly)) {
            if (warnings)
                warnings->append(
                    Error::warning(QStringLiteral("cannot be read: %1").arg(f.errorString()), {files.at(i), 0, 0}));
            continue;
        }
        auto advisory = OsvAdvisory::fromJson(f.readAll(), files.at(i));
        if (advisory)
            db.add(std::move(*advisory));
        else if (warnings)
            warnings->append(Error::warning(advisory.error().message, advisory.error().location));
        if (progress && (i % 256 == 0 || i + 1 == files.size()))
            progress(int(i + 1), int(files.size()));
    }
    return db;
}

void OsvDatabase::add(OsvAdvisory advisory)
{
    if (advisory.withdrawn)
        return; // withdrawn by its publisher: never a finding
    const int index = int(m_advisories.size());
    Severity worst = advisory.severity;
    for (const OsvAdvisory::Affected &affected : advisory.affected)
        worst = std::max(worst, affected.severity);
    if (worst != Severity::Unknown) {
        for (const QString &key : QStringList{advisory.id} + advisory.aliases) {
            Severity &known = m_severityOfAlias[key];
            known = std::max(known, worst);
        }
    }
    for (qsizetype k = 0; k < advisory.affected.size(); ++k) {
        const OsvAdvisory::Affected &affected = advisory.affected.at(k);
        const Ecosystem ecosystem = ecosystemOf(affected.ecosystem);
        if (ecosystem != Ecosystem::Unknown)
            m_index[indexKey(ecosystem, affected.name)].append({index, int(k)});
    }
    m_advisories.append(std::move(advisory));
}

bool OsvDatabase::affects(const OsvAdvisory::Affected &affected, Ecosystem ecosystem, const QString &version,
                          QString *fixed)
{
    if (fixed)
        fixed->clear();
    if (affected.versions.contains(version))
        return true;
    const auto compare = [&](const QString &a, const QString &b) {
        if (a == QLatin1String("0")) // "introduced": "0" is before every version
            return b == QLatin1String("0") ? 0 : -1;
        if (b == QLatin1String("0"))
            return 1;
        return compareVersions(ecosystem, a, b);
    };
    for (const OsvAdvisory::Range &range : affected.ranges) {
        if (range.type != QLatin1String("ECOSYSTEM") && range.type != QLatin1String("SEMVER"))
            continue;
        // Limits bound the range from above ("*": none); the other events are walked in order.
        // Under limits, the version must be below one of them.
        QList<OsvAdvisory::Event> events;
        bool limited = false;
        bool belowALimit = false;
        for (const OsvAdvisory::Event &e : range.events) {
            if (e.kind != OsvAdvisory::Event::Kind::Limit) {
                events.append(e);
                continue;
            }
            limited = true;
            if (e.version == QLatin1String("*") || compare(version, e.version) < 0)
                belowALimit = true;
        }
        if (limited && !belowALimit)
            continue;
        std::stable_sort(events.begin(), events.end(),
                         [&](const auto &a, const auto &b) { return compare(a.version, b.version) < 0; });
        bool affectedNow = false;
        QString nextFix;
        for (const OsvAdvisory::Event &e : events) {
            const int c = compare(version, e.version); // the installed version against the event's
            switch (e.kind) {
            case OsvAdvisory::Event::Kind::Introduced:
                if (c >= 0)
                    affectedNow = true;
                break;
            case OsvAdvisory::Event::Kind::Fixed:
                if (c >= 0)
                    affectedNow = false;
                else if (nextFix.isEmpty())
                    nextFix = e.version;
                break;
            case OsvAdvisory::Event::Kind::LastAffected:
                if (c > 0)
                    affectedNow = false;
                break;
            case OsvAdvisory::Event::Kind::Limit:
                break;
            }
            if (c < 0 && !affectedNow)
                break; // later events are all after the installed version
        }
        if (affectedNow) {
            if (fixed)
                *fixed = nextFix;
            return true;
        }
    }
    return false;
}

QList<Finding> OsvDatabase::match(const Sbom &sbom) const
{
    QList<Finding> findings;
    for (const InstalledPackage &p : sbom.packages) {
        // Debian's and Alpine's advisories name the source package; a binary one of the same
        // name is looked for too (an advisory written against it).
        QList<std::pair<QString, QString>> names{{p.source(), p.versionOfSource()}};
        if (p.source() != p.name)
            names.append({p.name, p.version});
        // This package's findings, and the ids and aliases each stands for.
        QList<Finding> found;
        QList<QSet<QString>> keysOf;
        for (const auto &[name, version] : names) {
            const auto hits = m_index.constFind(indexKey(p.ecosystem, name));
            if (hits == m_index.constEnd())
                continue;
            for (const auto &[a, k] : *hits) {
                const OsvAdvisory &advisory = m_advisories.at(a);
                const OsvAdvisory::Affected &affected = advisory.affected.at(k);
                if (!sameRelease(affected.ecosystem, p.ecosystem, sbom.distribution))
                    continue;
                QString fixed;
                if (!affects(affected, p.ecosystem, version, &fixed))
                    continue;
                QSet<QString> keys{advisory.id};
                for (const QString &alias : advisory.aliases)
                    keys.insert(alias);
                Severity severity = affected.severity != Severity::Unknown ? affected.severity : advisory.severity;
                if (severity == Severity::Unknown) { // what an alias's advisory says (a DSA's CVE record)
                    for (const QString &key : std::as_const(keys))
                        severity = std::max(severity, m_severityOfAlias.value(key, Severity::Unknown));
                }
                qsizetype same = -1;
                for (qsizetype i = 0; i < keysOf.size() && same < 0; ++i) {
                    if (keysOf.at(i).intersects(keys))
                        same = i;
                }
                if (same >= 0) { // the same flaw under another name: one finding
                    Finding &f = found[same];
                    f.severity = std::max(f.severity, severity);
                    if (f.fixedVersion.isEmpty())
                        f.fixedVersion = fixed;
                    keysOf[same].unite(keys);
                    for (const QString &key : std::as_const(keys)) {
                        if (key != f.id && !f.aliases.contains(key))
                            f.aliases.append(key);
                    }
                    continue;
                }
                Finding f;
                f.id = advisory.id;
                f.aliases = advisory.aliases;
                f.summary = advisory.summary;
                f.ecosystem = p.ecosystem;
                f.package = p.name;
                f.installedVersion = version; // the one compared: the source's when matched by it
                f.fixedVersion = fixed;
                f.severity = severity;
                f.source = QStringLiteral("osv");
                found.append(f);
                keysOf.append(keys);
            }
        }
        findings += found;
    }
    return findings;
}

} // namespace trainyard::core
