#include "command.h"
#include "lineagecli.h"

#include "lineage/postgreslineagestore.h"

#include <QUrl>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

void addSyncOptions(QCommandLineParser &p)
{
    addProjectOption(p);
    p.addOption(QCommandLineOption(QStringLiteral("team-url"),
                                   QStringLiteral("The team's lineage store (default: $TRAINYARD_LINEAGE_URL), "
                                                  "postgresql://USER@HOST:PORT/DATABASE. The password comes from "
                                                  "PGPASSWORD, ~/.pgpass or PGSERVICE."),
                                   QStringLiteral("URL")));
    p.addOption(QCommandLineOption(QStringLiteral("registry"),
                                   QStringLiteral("The team's OCI registry, HOST[:PORT]/team/project (default: "
                                                  "$TRAINYARD_REGISTRY, or the pipeline file's .trainyard: registry: "
                                                  "url:): each run's artifacts are pushed there first; none: the "
                                                  "lineage alone. The login comes from `docker login` "
                                                  "(~/.docker/config.json)."),
                                   QStringLiteral("REPOSITORY")));
}

/// `trainyard sync`: pushes the project's queued runs to the team store.
int runSync(const QCommandLineParser &p, QTextStream &out, QTextStream &err)
{
    if (!p.positionalArguments().isEmpty()) {
        err << "trainyard sync: takes no arguments\n";
        return int(ExitUsage);
    }
    const QString url = teamStoreUrl(p.value(QStringLiteral("C")), p.value(QStringLiteral("team-url")));
    if (url.isEmpty()) {
        err << "trainyard sync: no team store is set: give --team-url postgresql://USER@HOST:PORT/DATABASE, set "
               "TRAINYARD_LINEAGE_URL, or write it in the pipeline file as .trainyard: lineage: url:\n";
        return int(ExitUsage);
    }
    if (!PostgresLineageStore::isUrl(url)) {
        const QString shown = PostgresLineageStore::displayUrl(QUrl(url));
        err << "trainyard sync: '" << shown << "' is not a team store: write postgresql://USER@HOST:PORT/DATABASE\n";
        return int(ExitUsage);
    }
    const auto local = openLineage(p, err, QStringLiteral("sync"));
    if (!local)
        return int(ExitFailed);
    const QString registry = teamRegistryUrl(p.value(QStringLiteral("C")), p.value(QStringLiteral("registry")));
    return pushToTeamStore(*local, url, registry, out, err, QStringLiteral("trainyard sync: ")) ? int(ExitOk)
                                                                                                : int(ExitFailed);
}

} // namespace

Command syncCommand()
{
    Command c;
    c.name = QStringLiteral("sync");
    c.summary = QStringLiteral(
        "Push the project's runs to the team's lineage store (PostgreSQL), and their artifacts to the team's OCI "
        "registry when one is set.\n"
        "Every run is recorded in the project first and queued; sync pushes what is queued, each run in one "
        "transaction, so a push cut short is completed by the next and no run is there twice.\n"
        "Exit status: 0 all pushed, 1 a run could not be pushed (it stays queued) or a store cannot be opened, "
        "2 invalid options.");
    c.brief = QStringLiteral("Push the project's runs to the team's lineage store.");
    c.addOptions = addSyncOptions;
    c.run = runSync;
    return c;
}

} // namespace trainyard::app
