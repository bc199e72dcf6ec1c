#include "pipelineoptions.h"

#include "pipeline/gitlabcireader.h"
#include "pipeline/pipelinejson.h"

namespace trainyard::app {

using namespace trainyard::core;

Command listCommand()
{
    Command c;
    c.name = QStringLiteral("list");
    c.summary = QStringLiteral("List the jobs of a pipeline as evaluated for a branch, in file order.\n"
                               "--json prints the shape of gitlab-ci-local --list-json.");
    c.arguments = QStringLiteral("[FILE]");
    c.addOptions = [](QCommandLineParser &p) {
        addPipelineOptions(p);
        p.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print a JSON array of jobs.")));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        const auto read = readPipeline(p, err, QStringLiteral("list"));
        if (!read)
            return int(ExitUsage);
        const Pipeline &pipeline = *read;
        if (const int failed = reportProblems(pipeline, err, QStringLiteral("list"), ExitFailed))
            return failed;
        if (p.isSet(QStringLiteral("json"))) {
            out << QString::fromUtf8(PipelineJson::jobList(pipeline));
            return int(ExitOk);
        }
        int nameWidth = 4;
        int stageWidth = 5;
        for (const Job &j : pipeline.jobs) {
            nameWidth = std::max(nameWidth, int(j.name.size()));
            stageWidth = std::max(stageWidth, int(j.stage.size()));
        }
        out << QStringLiteral("%1  %2  %3  %4\n")
                   .arg(QStringLiteral("NAME"), -nameWidth)
                   .arg(QStringLiteral("STAGE"), -stageWidth)
                   .arg(QStringLiteral("WHEN"), -10)
                   .arg(QStringLiteral("NEEDS"));
        for (const Job &j : pipeline.jobs) {
            QStringList needs;
            if (j.needs) {
                for (const Need &n : *j.needs)
                    needs << n.job + (n.optional ? QStringLiteral("?") : QString());
            }
            QString when = whenToString(j.when);
            if (j.allowFailure)
                when += u'*';
            out << QStringLiteral("%1  %2  %3  %4\n")
                       .arg(j.name, -nameWidth)
                       .arg(j.stage, -stageWidth)
                       .arg(when, -10)
                       .arg(j.needs ? (needs.isEmpty() ? QStringLiteral("[]") : needs.join(QStringLiteral(", ")))
                                    : QString());
        }
        out << pipeline.jobs.size() << " job(s); * = allowed to fail\n";
        return int(ExitOk);
    };
    return c;
}

} // namespace trainyard::app
