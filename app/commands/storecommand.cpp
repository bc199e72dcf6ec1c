#include "command.h"

#include "lineage/postgreslineagestore.h"

#include <QUrl>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

void addStoreOptions(QCommandLineParser &p)
{
    p.addOption(QCommandLineOption(QStringLiteral("engineer"),
                                   QStringLiteral("Make this existing login role an engineer: it records runs, "
                                                  "artifacts and reproductions (repeatable)."),
                                   QStringLiteral("USER")));
    p.addOption(QCommandLineOption(QStringLiteral("lead"),
                                   QStringLiteral("Make this existing login role a lead: an engineer who may also "
                                                  "approve or reject a release (repeatable)."),
                                   QStringLiteral("USER")));
}

/// `trainyard store init URL`: sets a team store up on a PostgreSQL server.
int runStore(const QCommandLineParser &p, QTextStream &out, QTextStream &err)
{
    const QStringList args = p.positionalArguments();
    if (args.size() != 2 || args[0] != QLatin1String("init")) {
        err << "trainyard store: write `trainyard store init postgresql://USER@HOST:PORT/DATABASE`\n";
        return int(ExitUsage);
    }
    const QString &url = args[1];
    if (!PostgresLineageStore::isUrl(url)) {
        err << "trainyard store init: '" << PostgresLineageStore::displayUrl(QUrl(url))
            << "' is not a PostgreSQL URL: write postgresql://USER@HOST:PORT/DATABASE\n";
        return int(ExitUsage);
    }
    auto done =
        PostgresLineageStore::initialise(url, p.values(QStringLiteral("engineer")), p.values(QStringLiteral("lead")));
    if (!done) {
        err << "trainyard store init: " << done.error().toString()
            << "\nIt is run by the person who runs the server, as a role that may create tables and roles.\n";
        return int(ExitFailed);
    }
    out << "team store ready at " << PostgresLineageStore::displayUrl(QUrl(url)) << ":\n";
    for (const QString &line : std::as_const(*done))
        out << "  " << line << "\n";
    out << "Engineers point TRAINYARD_LINEAGE_URL at it; their password comes from PGPASSWORD or ~/.pgpass.\n";
    return int(ExitOk);
}

} // namespace

Command storeCommand()
{
    Command c;
    c.name = QStringLiteral("store");
    c.summary = QStringLiteral(
        "Set up a team's lineage store on a PostgreSQL server: `trainyard store init URL`.\n"
        "Creates (or migrates) the schema, and the roles trainyard_engineer (records runs) and trainyard_lead (may "
        "also sign off a release), their rights given by the server's GRANTs, so a modified client cannot sign off "
        "as an engineer. Run it as the server's administrator; again after an upgrade.\n"
        "Exit status: 0 done, 1 the server refused or cannot be reached, 2 invalid options.");
    c.brief = QStringLiteral("Set up a team's lineage store on a PostgreSQL server.");
    c.arguments = QStringLiteral("init URL");
    c.addOptions = addStoreOptions;
    c.run = runStore;
    return c;
}

} // namespace trainyard::app
