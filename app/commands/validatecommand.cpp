#include "pipelineoptions.h"

#include "pipeline/gitlabcireader.h"
#include "pipeline/pipelinelinter.h"

#include <algorithm>

namespace trainyard::app {

using namespace trainyard::core;

Command validateCommand()
{
    Command c;
    c.name = QStringLiteral("validate");
    c.summary = QStringLiteral("Check a .gitlab-ci.yml: errors as FILE:LINE:COLUMN, then the linter's warnings.\n"
                               "Exit status 0 when valid (warnings do not fail), 1 when there are errors.");
    c.arguments = QStringLiteral("[FILE]");
    c.addOptions = [](QCommandLineParser &p) { addPipelineOptions(p); };
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
        // .pre and .post always exist; they count only when a job uses them.
        qsizetype stages = 0;
        for (const QString &stage : pipeline.stages) {
            const bool implicit = stage == QLatin1String(".pre") || stage == QLatin1String(".post");
            if (!implicit ||
                std::any_of(pipeline.jobs.begin(), pipeline.jobs.end(), [&](const Job &j) { return j.stage == stage; }))
                ++stages;
        }
        out << pipeline.fileName << ": valid, " << pipeline.jobs.size() << " job(s) in " << stages << " stage(s), "
            << warnings << " warning(s)\n";
        if (!pipeline.createdByWorkflow)
            out << "note: " << pipeline.workflowReason << "\n";
        return int(ExitOk);
    };
    return c;
}

} // namespace trainyard::app
