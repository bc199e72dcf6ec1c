#include "command.h"

#include "pipeline/gitlabcireader.h"

#include <cstdio>

namespace trainyard::app {

void addProjectOption(QCommandLineParser &parser)
{
    parser.addOption(QCommandLineOption(QStringList{QStringLiteral("C"), QStringLiteral("project")},
                                        QStringLiteral("Project directory (default: the current directory)."),
                                        QStringLiteral("DIR"), QStringLiteral(".")));
}

void addPipelineOptions(QCommandLineParser &parser)
{
    addProjectOption(parser);
    parser.addOption(QCommandLineOption(
        QStringLiteral("branch"), QStringLiteral("Evaluate rules for this branch (default: the current git branch)."),
        QStringLiteral("NAME")));
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("Pipeline file (default: .gitlab-ci.yml in the project)."));
}

std::optional<core::Pipeline> readPipeline(const QCommandLineParser &parser, QTextStream &err, const QString &command)
{
    if (parser.positionalArguments().size() > 1) {
        err << "trainyard " << command << ": one FILE at most\n";
        return std::nullopt;
    }
    core::GitlabCiReader::Options options;
    options.projectDir = parser.value(QStringLiteral("C"));
    options.file = parser.positionalArguments().value(0);
    options.branch = parser.value(QStringLiteral("branch"));
    return core::GitlabCiReader::read(options);
}

int reportProblems(const core::Pipeline &pipeline, QTextStream &err, const QString &command, int failCode)
{
    for (const core::Error &e : pipeline.problems)
        err << e.toString() << "\n";
    if (pipeline.hasErrors()) {
        err << "trainyard " << command << ": " << pipeline.fileName << " is not valid\n";
        return failCode;
    }
    if (!pipeline.createdByWorkflow) {
        err << "trainyard " << command << ": no pipeline would be created: " << pipeline.workflowReason << "\n";
        return failCode;
    }
    return 0;
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
