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
        addPipelineOptions(p);
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        const auto read = readPipeline(p, err, QStringLiteral("validate"));
        if (!read)
            return int(ExitUsage);
        const Pipeline &pipeline = *read;
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
