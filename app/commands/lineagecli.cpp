// What the lineage commands share about the team's store: where it is, opening it or the
// project's, and pushing the project's queued runs to it.
#include "lineagecli.h"

#include "lineage/teampush.h"

namespace trainyard::app {

using namespace trainyard::core;

QString teamStoreUrl(const QString &projectDir, const QString &given)
{
    return given.isEmpty() ? TeamPush::configured(projectDir).storeUrl : given;
}

QString teamRegistryUrl(const QString &projectDir, const QString &given)
{
    return given.isEmpty() ? TeamPush::configured(projectDir).registryUrl : given;
}

std::unique_ptr<LineageStore> openLineageOrTeam(const QCommandLineParser &p, QTextStream &err, const QString &command,
                                                int &exitCode)
{
    exitCode = int(ExitFailed);
    if (!p.isSet(QStringLiteral("team")))
        return openLineage(p, err, command);
    const QString url = teamStoreUrl(p.value(QStringLiteral("C")));
    if (url.isEmpty()) {
        exitCode = int(ExitUsage);
        err << "trainyard " << command
            << " --team: no team store is set: set TRAINYARD_LINEAGE_URL to postgresql://USER@HOST:PORT/DATABASE, "
               "or write it in the pipeline file as .trainyard: lineage: url:\n";
        return nullptr;
    }
    auto store = LineageStore::open(url);
    if (!store) {
        err << "trainyard " << command << " --team: " << store.error().toString() << "\n";
        return nullptr;
    }
    return std::move(*store);
}

bool pushToTeamStore(LineageStore &local, const QString &url, const QString &registryUrl, QTextStream &out,
                     QTextStream &err, const QString &errorPrefix)
{
    const TeamPush::Outcome pushed = TeamPush::push(local, TeamPush::Target{url, registryUrl});
    for (const QString &line : pushed.said)
        out << line << "\n";
    for (const QString &problem : pushed.problems)
        err << errorPrefix << problem << "\n";
    for (const QString &w : pushed.warnings)
        err << "warning: " << w << "\n";
    return pushed.ok;
}

} // namespace trainyard::app
