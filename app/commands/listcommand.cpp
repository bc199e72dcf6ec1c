#include "command.h"

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
        addProjectOption(p);
        p.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print a JSON array of jobs.")));
        p.addOption(QCommandLineOption(QStringLiteral("branch"), QStringLiteral("Evaluate rules for this branch (default: the current git branch)."),
                                       QStringLiteral("NAME")));
        p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Pipeline file (default: .gitlab-ci.yml in the project)."));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        if (p.positionalArguments().size() > 1) {
            err << "trainyard list: one FILE at most\n";
            return int(ExitUsage);
        }
        GitlabCiReader::Options options;
        options.projectDir = p.value(QStringLiteral("C"));
        options.file = p.positionalArguments().value(0);
        options.branch = p.value(QStringLiteral("branch"));
        const Pipeline pipeline = GitlabCiReader::read(options);
        for (const Error &e : pipeline.problems)
            err << e.toString() << "\n";
        if (pipeline.hasErrors()) {
            err << "trainyard list: " << pipeline.fileName << " is not valid\n";
            return int(ExitFailed);
        }
        if (!pipeline.createdByWorkflow) {
            err << "trainyard list: no pipeline would be created: " << pipeline.workflowReason << "\n";
            return int(ExitFailed);
        }
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
                       .arg(j.needs ? (needs.isEmpty() ? QStringLiteral("[]") : needs.join(QStringLiteral(", "))) : QString());
        }
        out << pipeline.jobs.size() << " job(s); * = allowed to fail\n";
        return int(ExitOk);
    };
    return c;
}

} // namespace trainyard::app
