#pragma once

// What `trainyard runs`, `lineage`, `review` and `sync` share: opening the project's lineage
// database (never creating it) or the team's store (lineagecli.cpp), and printing times and hashes
// the same way.

#include "command.h"

#include "lineage/lineagestore.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>

#include <memory>

namespace trainyard::app {

/// The lineage store of the project `-C` names; null (after saying why on err) when there is none
/// or it cannot be opened. A read-only store (damaged, newer) is returned with a warning.
inline std::unique_ptr<core::LineageStore> openLineage(const QCommandLineParser &p, QTextStream &err,
                                                       const QString &command)
{
    const QString project = p.value(QStringLiteral("C"));
    const QString path = core::LineageStore::defaultPath(project);
    if (!QFileInfo::exists(path)) {
        err << "trainyard " << command << ": no lineage is recorded in " << QFileInfo(project).absoluteFilePath()
            << " yet (" << path << " does not exist): `trainyard run` records it\n";
        return nullptr;
    }
    auto store = core::LineageStore::open(path);
    if (!store) {
        err << "trainyard " << command << ": " << store.error().toString() << "\n";
        return nullptr;
    }
    if ((*store)->isReadOnly())
        err << "warning: " << (*store)->readOnlyReason() << "\n";
    return std::move(*store);
}

/// The team store's URL: `given` (an option), else $TRAINYARD_LINEAGE_URL, else the project's
/// `.trainyard: lineage: url:`; empty when none is set.
QString teamStoreUrl(const QString &projectDir, const QString &given = {});

/// The team registry's repository prefix: `given`, else $TRAINYARD_REGISTRY, else the project's
/// `.trainyard: registry: url:`; empty when none is set.
QString teamRegistryUrl(const QString &projectDir, const QString &given = {});

/// Pushes the runs queued in `local` to the team store at `url` (`trainyard sync`, and `trainyard
/// run` when a team store is set), each run's artifacts first to the team's registry at
/// `registryUrl` when one is set (ArtifactRegistry); says on out what was pushed and on err, after
/// `errorPrefix`, what was not; false when something stays queued for a reason of the stores'.
bool pushToTeamStore(core::LineageStore &local, const QString &url, const QString &registryUrl, QTextStream &out,
                     QTextStream &err, const QString &errorPrefix);

/// Adds `--team`: read (and sign off in) the team's store instead of the project's.
inline void addTeamOption(QCommandLineParser &p, const QString &what)
{
    p.addOption(QCommandLineOption(QStringLiteral("team"),
                                   what + QStringLiteral(" in the team's store ($TRAINYARD_LINEAGE_URL, or the "
                                                         "pipeline file's .trainyard: lineage: url:), not the "
                                                         "project's.")));
}

/// The team's store when `--team` is set (see addTeamOption), else the project's (openLineage);
/// null (after saying why on err) when it cannot be opened, `exitCode` then ExitUsage when no team
/// store is set, else ExitFailed.
std::unique_ptr<core::LineageStore> openLineageOrTeam(const QCommandLineParser &p, QTextStream &err,
                                                      const QString &command, int &exitCode);

/// A time for people: local, to the second; "-" when unknown.
inline QString localTime(const QDateTime &t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QStringLiteral("-");
}

inline QString durationText(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    if (ms < 60000)
        return QString::number(ms / 1000.0, 'f', 1) + u's';
    return QStringLiteral("%1m%2s").arg(ms / 60000).arg((ms / 1000) % 60, 2, 10, QLatin1Char('0'));
}

/// Hashes shortened for tables: the first 12 hex digits (after an "algo:" prefix, kept).
inline QString shortHash(const QString &hash)
{
    const qsizetype colon = hash.indexOf(u':');
    return colon >= 0 ? hash.left(colon + 1 + 12) : hash.left(12);
}

} // namespace trainyard::app
