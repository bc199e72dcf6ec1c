#include "pipelineoptions.h"

#include "pipeline/gitlabcireader.h"

namespace trainyard::app {

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

} // namespace trainyard::app
