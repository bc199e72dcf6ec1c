#include "command.h"

namespace trainyard::app {

void addProjectOption(QCommandLineParser &parser)
{
    parser.addOption(QCommandLineOption(QStringList{QStringLiteral("C"), QStringLiteral("project")},
                                        QStringLiteral("Project directory (default: the current directory)."),
                                        QStringLiteral("DIR"), QStringLiteral(".")));
}

int executeCommand(const Command &command, const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(command.summary);
    parser.addHelpOption();
    command.addOptions(parser);
    if (!parser.parse(arguments)) {
        err << "trainyard " << command.name << ": " << parser.errorText() << "\n"
            << "Try 'trainyard " << command.name << " --help'.\n";
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all"))) {
        // QCommandLineParser names the binary's path; say "trainyard SUBCOMMAND" instead.
        QString text = parser.helpText();
        const qsizetype endOfFirstLine = text.indexOf(u'\n');
        text.replace(0, endOfFirstLine,
                     QStringLiteral("Usage: trainyard %1 [options] %2").arg(command.name, command.arguments));
        out << text;
        return ExitOk;
    }
    return command.run(parser, out, err);
}

} // namespace trainyard::app
