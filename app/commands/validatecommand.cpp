#include "command.h"

#include "pipeline/gitlabcireader.h"
#include "pipeline/pipelinelinter.h"

namespace trainyard::app {

using namespace trainyard::core;

Command validateCommand()
{
    Command c;
    c.name = QStringLiteral("validate");
    c.summary = QStringLiteral("Check a .gitlab-ci.yml: errors as FILE:LINE:COLUMN, then the linter's warnings.\n"
                               "Exit status 0 when valid (warnings do not fail), 1 when there are errors.");
    c.arguments = QStringLiteral("[FILE]");
    c.addOptions = [](QCommandLineParser &p) {
        addProjectOption(p);
        p.addOption(QCommandLineOption(QStringLiteral("branch"), QStringLiteral("Evaluate rules for this branch (default: the current git branch)."),
                                       QStringLiteral("NAME")));
        p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Pipeline file (default: .gitlab-ci.yml in the project)."));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        if (p.positionalArguments().size() > 1) {
            err << "trainyard validate: one FILE at most\n";
            return int(ExitUsage);
        }
        GitlabCiReader::Options options;
        options.projectDir = p.value(QStringLiteral("C"));
        options.file = p.positionalArguments().value(0);
        options.branch = p.value(QStringLiteral("branch"));
        Pipeline pipeline = GitlabCiReader::read(options);
        std::vector<Error> problems = pipeline.problems;
        if (!pipeline.hasErrors()) {
            const auto lint = PipelineLinter::lint(pipeline);
            problems.insert(problems.end(), lint.begin(), lint.end());
        }
        int errors = 0;
        int warnings = 0;
        for (const Error &e : problems) {
            (e.isError() ? errors : warnings)++;
            err << e.toString() << "\n";
        }
        if (errors > 0) {
            err << pipeline.fileName << ": " << errors << " error(s), " << warnings << " warning(s)\n";
            return int(ExitFailed);
        }
        out << pipeline.fileName << ": valid, " << pipeline.jobs.size() << " job(s) in " << pipeline.stages.size()
            << " stages, " << warnings << " warning(s)\n";
        if (!pipeline.createdByWorkflow)
            out << "note: " << pipeline.workflowReason << "\n";
        return int(ExitOk);
    };
    return c;
}

} // namespace trainyard::app
