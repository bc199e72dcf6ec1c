#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <optional>
#include <vector>

namespace trainyard::app {

/// Exit statuses shared by every subcommand.
enum ExitCode : int { ExitOk = 0, ExitFailed = 1, ExitUsage = 2 };

/// One headless subcommand: its name, a summary, how it sets up its options, and what it runs.
struct Command
{
    QString name;
    QString summary;   ///< for the subcommand's --help; may run over several lines
    QString brief;     ///< one line for `trainyard --help`; the summary's first line when empty
    QString arguments; ///< e.g. "[FILE]" for --help
    std::function<void(QCommandLineParser &)> addOptions;
    std::function<int(const QCommandLineParser &, QTextStream &out, QTextStream &err)> run;
};

/// Runs `trainyard SUBCOMMAND …` on a QCoreApplication; returns the exit status.
int executeCommand(const Command &command, const QStringList &arguments);

/// Adds `-C DIR` (the project directory) to a parser.
void addProjectOption(QCommandLineParser &parser);

Command validateCommand();
Command listCommand();
Command gpusCommand();
Command clusterCommand();
Command doctorCommand();
Command runCommand();
Command scalarsCommand();
Command runsCommand();
Command annotateCommand();
Command lineageCommand();
Command reviewCommand();
Command reproduceCommand();
Command syncCommand();
Command storeCommand();
Command sbomCommand();
Command scanCommand();

/// What `trainyard open` asks the window to do.
struct OpenRequest
{
    QString dir; ///< the project (DIR or -C DIR; default ".")
    bool run = false;
    QString view;     ///< pipeline, compare or lineage; empty: as it opens
    QString artifact; ///< show its lineage
    bool review = false;
};
/// `trainyard open`: parsed and checked like every subcommand (it runs before any application
/// object exists, so a bad option never needs a display); `show` opens the window.
Command openCommand(std::function<int(const OpenRequest &)> show);

} // namespace trainyard::app
