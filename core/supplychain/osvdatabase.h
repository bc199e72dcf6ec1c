#pragma once

// Advisories in the open OSV schema (https://ossf.github.io/osv-schema/), kept by the user as
// files (osv.dev's per-ecosystem exports, unpacked: one JSON advisory per file), indexed by
// package, and matched against an image's bill of materials with each ecosystem's own version
// ordering. Everything offline.

#include "sbom.h"
#include "vulnerability.h"

#include "common/error.h"

#include <QHash>
#include <QList>
#include <QString>

#include <atomic>
#include <functional>

namespace trainyard::core {

struct OsvAdvisory
{
    struct Event
    {
        enum class Kind { Introduced, Fixed, LastAffected, Limit };
        Kind kind = Kind::Introduced;
        QString version;
    };
    struct Range
    {
        QString type; ///< "ECOSYSTEM", "SEMVER" (matched); "GIT" (not: no commits in an image)
        QList<Event> events;
    };
    struct Affected
    {
        QString ecosystem; ///< as written, e.g. "Debian:12"
        QString name;
        QList<Range> ranges;
        QStringList versions;
        Severity severity = Severity::Unknown; ///< its ecosystem_specific / database_specific severity
    };

    QString id;
    QStringList aliases;
    QString summary;
    /// database_specific.severity, else the worst of its `severity` scores (CVSS v3 vectors,
    /// Ubuntu's priorities); Unknown when it gives none (Debian's records often do not: match()
    /// then takes the severity an alias's advisory gives).
    Severity severity = Severity::Unknown;
    bool withdrawn = false; ///< "withdrawn" is set: it never matches
    QList<Affected> affected;
    QString file; ///< where it was read

    /// Reads one advisory; errors name `file` (and the line and column of bad JSON).
    static Result<OsvAdvisory> fromJson(const QByteArray &json, const QString &file);
};

class OsvDatabase
{
public:
    /// Reads every *.json under `dir` (recursively). A file that is no advisory is skipped with a
    /// warning in `warnings` (file, line, column); a missing or empty folder is an error.
    /// `progress` gets the files read and the files in all; `cancel` stops it (an error).
    static Result<OsvDatabase> load(const QString &dir, QList<Error> *warnings = nullptr,
                                    const std::function<void(int done, int total)> &progress = {},
                                    const std::atomic_bool *cancel = nullptr);

    void add(OsvAdvisory advisory);
    int size() const { return int(m_advisories.size()); }

    /// The advisories that affect a package of `sbom`: one finding per flaw and package (advisories
    /// that name each other as aliases, e.g. a DSA and the CVE it fixes, are one finding, with the
    /// worst severity either gives; one of unknown severity takes its aliases').
    /// An advisory for a release ("Debian:12", "Alpine:v3.18") matches only images of that
    /// release when the image says which it is; Debian's and Alpine's advisories name source
    /// packages, PyPI's normalised project names.
    QList<Finding> match(const Sbom &sbom) const;

    /// Whether `version` is affected by `affected`, as the OSV schema's evaluation says; gives
    /// the first fixed version after it in `fixed` (empty: none).
    static bool affects(const OsvAdvisory::Affected &affected, Ecosystem ecosystem, const QString &version,
                        QString *fixed = nullptr);

private:
    QList<OsvAdvisory> m_advisories;
    /// "ecosystem\x1fname" → (advisory, affected) indexes
    QHash<QString, QList<std::pair<int, int>>> m_index;
    /// An advisory's id or alias → the worst severity an advisory with it gives.
    QHash<QString, Severity> m_severityOfAlias;
};

} // namespace trainyard::core
