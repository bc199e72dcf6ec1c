#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <vector>

namespace trainyard::app {

/// Exit statuses shared by every subcommand.
enum ExitCode : int { ExitOk = 0, ExitFailed = 1, ExitUsage = 2 };

/// One headless subcommand: its name, a one-line summary, how it sets up its options, and what it runs.
struct Command
{
    QString name;
    QString summary;
    QString arguments; ///< e.g. "[FILE]" for --help
    std::function<void(QCommandLineParser &)> addOptions;
    std::function<int(const QCommandLineParser &, QTextStream &out, QTextStream &err)> run;
};

/// The subcommands, in the order `trainyard --help` lists them.
const std::vector<Command> &commands();

/// Runs `trainyard SUBCOMMAND …` on a QCoreApplication; returns the exit status.
int executeCommand(const Command &command, const QStringList &arguments);

/// Adds `-C DIR` (the project directory) to a parser.
void addProjectOption(QCommandLineParser &parser);

Command validateCommand();
Command listCommand();
Command gpusCommand();
Command runCommand();

} // namespace trainyard::app
