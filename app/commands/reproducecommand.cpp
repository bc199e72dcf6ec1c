#include "command.h"
#include "consolerun.h"

#include "run/runservice.h"

#include <QDir>

#include <mutex>
#include <unistd.h>

namespace trainyard::app {

using namespace trainyard::core;

Command reproduceCommand()
{
    Command c;
    c.name = QStringLiteral("reproduce");
    c.summary = QStringLiteral(
        "Run a recorded run again from its commit and compare the artifacts' SHA-256 with the original's.\n"
        "The commit is checked out into a git worktree under .trainyard/reproduce/ (kept for inspection); the\n"
        "same jobs run in the same images (pinned to the image IDs the run recorded, never rebuilt) on data\n"
        "verified against the hashes it recorded: changed data is refused, saying what differs. The\n"
        "reproduction and the comparison are recorded in the project's lineage.\n"
        "Exit status: 0 identical, 1 different, 2 refused or invalid input, 3 errored before its jobs ran\n"
        "(e.g. the engine refused a container: no verdict, the release review is unchanged), 130 cancelled (Ctrl-C).");
    c.arguments = QStringLiteral("RUN");
    c.addOptions = [](QCommandLineParser &p) {
        addProjectOption(p);
        p.addPositionalArgument(QStringLiteral("RUN"),
                                QStringLiteral("The run to reproduce (`trainyard runs` lists them)."));
        p.addOption(QCommandLineOption(QStringLiteral("engine"),
                                       QStringLiteral("docker or shell (default: the engine the run used)."),
                                       QStringLiteral("ENGINE")));
        p.addOption(
            QCommandLineOption(QStringLiteral("remove-worktree"),
                               QStringLiteral("Remove the worktree afterwards (default: kept for inspection).")));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        if (p.positionalArguments().size() != 1) {
            err << "trainyard reproduce: give one RUN (`trainyard runs` lists them)\n";
            return int(ExitUsage);
        }
        const QString engine = p.value(QStringLiteral("engine"));
        if (p.isSet(QStringLiteral("engine")) && engine != QLatin1String("docker") &&
            engine != QLatin1String("shell")) {
            err << "trainyard reproduce: --engine must be docker or shell, not '" << engine << "'\n";
            return int(ExitUsage);
        }
        const bool tty = ::isatty(STDOUT_FILENO) == 1;
        std::mutex printMutex;
        RunService::Request request;
        request.projectDir = QDir(p.value(QStringLiteral("C"))).absolutePath();
        request.reproduce = p.positionalArguments().constFirst();
        request.engine = engine; // empty: as the original run
        request.keepWorktree = !p.isSet(QStringLiteral("remove-worktree"));
        const ConsoleRun ran = runOnConsole(std::move(request), out, err, tty, printMutex);
        if (ran.refused || !ran.report) {
            err << "trainyard reproduce: "
                << (ran.error.isEmpty() ? QStringLiteral("the reproduction did not run") : ran.error) << "\n";
            return ran.interrupted ? 130 : int(ExitUsage);
        }
        const auto &report = ran.report;
        out << "\nReproduction " << report->reproductionRunId << " of run " << report->originalRunId << " at commit "
            << report->commitSha.left(12) << ": " << report->reproductionStatus << "\n"
            << report->toText();
        if (ran.interrupted || report->reproductionStatus == runStatusToString(RunStatus::Cancelled))
            return 130;
        constexpr int exitErrored = 3;
        if (report->errored)
            return exitErrored;
        return report->identical ? int(ExitOk) : int(ExitFailed);
    };
    return c;
}

} // namespace trainyard::app
