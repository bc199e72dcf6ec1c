#include "command.h"
#include "consoleevents.h"

#include "lineage/runreproducer.h"

#include <QDir>

#include <atomic>
#include <csignal>
#include <thread>
#include <unistd.h>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

std::atomic_bool g_interrupted{false};

extern "C" void onReproduceSigint(int)
{
    g_interrupted = true;
}

} // namespace

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
        "Exit status: 0 identical, 1 different (or the reproduction failed), 2 refused or invalid input,\n"
        "130 cancelled (Ctrl-C).");
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
        RunReproducer::Options options;
        options.engine = engine; // empty: as the original run
        options.keepWorktree = !p.isSet(QStringLiteral("remove-worktree"));
        options.events = consoleEvents(out, printMutex, tty);
        options.message = options.events.message;
        options.progress = [progress = options.events.progress](const QString &label, qint64 cur, qint64 total) {
            progress(QString(), label, cur, total);
        };
        const QString runId = p.positionalArguments().constFirst();
        RunReproducer reproducer(QDir(p.value(QStringLiteral("C"))).absolutePath(), runId, options);

        std::signal(SIGINT, onReproduceSigint);
        std::signal(SIGTERM, onReproduceSigint);
        std::atomic_bool done{false};
        std::thread watcher([&] {
            while (!done) {
                if (g_interrupted.exchange(false)) {
                    options.message(QStringLiteral("cancelling: stopping the reproduction…"));
                    reproducer.cancel();
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        });
        const auto report = reproducer.run();
        done = true;
        watcher.join();
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);

        std::lock_guard lock(printMutex);
        if (tty)
            out << "\r\x1b[K";
        out << Qt::flush;
        if (!report) {
            const Error &e = report.error();
            err << "trainyard reproduce: " << (e.message.contains(e.location.file) ? e.message : e.toString()) << "\n";
            return int(ExitUsage);
        }
        out << "\nReproduction " << report->reproductionRunId << " of run " << report->originalRunId << " at commit "
            << report->commitSha.left(12) << ": " << report->reproductionStatus << "\n"
            << report->toText();
        if (report->reproductionStatus == runStatusToString(RunStatus::Cancelled))
            return 130;
        return report->identical ? int(ExitOk) : int(ExitFailed);
    };
    return c;
}

} // namespace trainyard::app
