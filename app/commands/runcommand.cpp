#include "consoleevents.h"
#include "consolerun.h"
#include "lineagecli.h"
#include "pipelineoptions.h"

#include "engine/engines.h"
#include "engine/runrecord.h"
#include "lineage/teampush.h"
#include "pipeline/planner.h"
#include "run/runservice.h"

#include <QRegularExpression>

#include <cstdio>
#include <mutex>
#include <optional>
#include <unistd.h>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

/// `text` as one word for a POSIX shell: as it is when plain, else in single quotes; with
/// control characters in it, as bash's $'…' with escapes (one line on the terminal).
QString shellQuoted(const QString &text)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_.,:/@%+=-]+$"));
    if (plain.match(text).hasMatch())
        return text;
    if (printableName(text) != text) {
        QString escaped = text;
        escaped.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
        return QStringLiteral("$'") + printableName(escaped) + u'\'';
    }
    QString quoted = text;
    quoted.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + quoted + u'\'';
}

int exitFor(RunStatus status)
{
    switch (status) {
    case RunStatus::Success:
        return ExitOk;
    case RunStatus::Cancelled:
        return 130;
    default:
        return ExitFailed;
    }
}

/// Adds the options of `trainyard run` (and those of every command that reads a pipeline).
void addRunOptions(QCommandLineParser &p)
{
    addPipelineOptions(p);
    p.addOption(QCommandLineOption(QStringLiteral("job"),
                                   QStringLiteral("Run only this job and what it needs (repeatable)."),
                                   QStringLiteral("NAME")));
    p.addOption(QCommandLineOption(QStringLiteral("approve"),
                                   QStringLiteral("Approve this manual job up front (repeatable)."),
                                   QStringLiteral("NAME")));
    p.addOption(
        QCommandLineOption(QStringLiteral("engine"),
                           QStringLiteral("docker (default), shell (no isolation), or slurm (batch jobs "
                                          "on a Slurm cluster: .trainyard: slurm:, SLURMRESTD_URL, SLURM_JWT)."),
                           QStringLiteral("ENGINE"), QStringLiteral("docker")));
    p.addOption(QCommandLineOption(QStringLiteral("concurrency"),
                                   QStringLiteral("Jobs at once (default: CPU cores; every ready job on slurm)."),
                                   QStringLiteral("N")));
    p.addOption(QCommandLineOption(QStringLiteral("cpu-fallback"),
                                   QStringLiteral("Run GPU jobs without a GPU when none is found, marked so.")));
    p.addOption(QCommandLineOption(
        QStringLiteral("no-record"),
        QStringLiteral("Run even though the lineage database cannot be written (nothing is recorded).")));
}

/// Checks that --approve and --job name jobs of `pipeline`; 0 when they do, else ExitUsage after saying why.
int checkJobOptions(const QCommandLineParser &p, const Pipeline &pipeline, QTextStream &err)
{
    for (const QString &a : p.values(QStringLiteral("approve"))) {
        if (!pipeline.job(a)) {
            const QString guess = pipeline.closestJobName(a);
            err << "trainyard run: --approve " << a << ": no such job in " << pipeline.fileName
                << (guess.isEmpty() ? QString() : QStringLiteral(" (did you mean '%1'?)").arg(guess)) << "\n";
            return int(ExitUsage);
        }
    }
    // A --job that names nothing is a typo, not a run: refuse it before anything is recorded
    // or cleaned up.
    if (!p.values(QStringLiteral("job")).isEmpty()) {
        if (auto plan = Planner::plan(pipeline, p.values(QStringLiteral("job"))); !plan) {
            err << "trainyard run: " << plan.error().toString() << "\n";
            return int(ExitUsage);
        }
    }
    return 0;
}

/// The run the options ask for (--engine, --no-record, --job, --approve, --cpu-fallback,
/// --concurrency); nullopt after saying why when one is invalid.
std::optional<RunService::Request> requestFromOptions(const QCommandLineParser &p, const Pipeline &pipeline,
                                                      QTextStream &err)
{
    const QString engine = p.value(QStringLiteral("engine"));
    if (!Engines::names().contains(engine)) {
        err << "trainyard run: --engine must be " << Engines::names().join(QStringLiteral(" or ")) << ", not '"
            << engine << "'\n";
        return std::nullopt;
    }
    RunService::Request request;
    request.projectDir = pipeline.projectDir;
    request.pipeline = pipeline;
    request.engine = engine;
    request.record = !p.isSet(QStringLiteral("no-record"));
    RunOptions &run = request.options;
    run.onlyJobs = p.values(QStringLiteral("job"));
    run.approvals = p.values(QStringLiteral("approve"));
    run.cpuFallback = p.isSet(QStringLiteral("cpu-fallback"));
    if (p.isSet(QStringLiteral("concurrency"))) {
        bool ok = false;
        run.concurrency = p.value(QStringLiteral("concurrency")).toInt(&ok);
        if (!ok || run.concurrency < 1) {
            err << "trainyard run: --concurrency needs a positive number\n";
            return std::nullopt;
        }
    }
    return request;
}

/// Asks on the terminal, under `printMutex`, whether a manual job that is ready should run.
void askApprovalOnTerminal(RunOptions &run, QTextStream &out, std::mutex &printMutex)
{
    run.askApproval = [&out, &printMutex](const QString &job) {
        std::lock_guard lock(printMutex);
        out << "Manual job '" << printableName(job) << "' is ready. Run it? [y/N] " << Qt::flush;
        char answer[16] = {};
        if (!std::fgets(answer, sizeof answer, stdin))
            return false;
        return answer[0] == 'y' || answer[0] == 'Y';
    };
}

/// Prints the run's line (branch, commit, engine, status), a table of its jobs and where the logs are.
void printRunSummary(const RunRecord &r, QTextStream &out)
{
    out << "\nRun " << r.id << " (#" << r.pipelineIid << ") on "
        << (r.branch.isEmpty() ? QStringLiteral("-") : r.branch) << " @ "
        << (r.commitSha.isEmpty() ? QStringLiteral("no commit") : r.commitSha.left(8))
        << (r.dirty ? QStringLiteral(" (dirty)") : QString()) << ", engine " << r.engine << ": "
        << runStatusToString(r.status) << "\n";
    int w = 4;
    for (const QString &name : r.jobOrder)
        w = std::max(w, int(printableName(name).size()));
    out << QStringLiteral("  %1  %2  %3  %4\n")
               .arg(QStringLiteral("JOB"), -w)
               .arg(QStringLiteral("STATUS"), -17)
               .arg(QStringLiteral("TIME"), -8)
               .arg(QStringLiteral("EXIT"));
    for (const QString &name : r.jobOrder) {
        const JobRecord &j = r.jobs.at(name);
        out << QStringLiteral("  %1  %2  %3  %4\n")
                   .arg(printableName(name), -w)
                   .arg(jobStatusToString(j.status), -17)
                   .arg(jobDuration(j), -8)
                   .arg(j.exitCode >= 0 ? QString::number(j.exitCode) : QStringLiteral("-"));
    }
    out << "Logs: " << RunExport(r.projectDir).logsDir(r.id) << "\n";
}

/// Says which manual jobs wait for approval and how to run them; nothing when none does.
void printWaitingManualJobs(const RunRecord &r, bool interactive, QTextStream &out)
{
    // Manual jobs nobody approved did not run: say how to run them.
    QStringList waiting;
    for (const QString &name : r.jobOrder) {
        if (r.jobs.at(name).status == JobStatus::Manual)
            waiting << name;
    }
    if (!waiting.isEmpty()) {
        QStringList approve;
        for (const QString &name : waiting)
            approve << QStringLiteral("--approve ") + shellQuoted(name);
        QStringList shown;
        for (const QString &name : waiting)
            shown << printableName(name);
        out << "Not run: manual job(s) " << shown.join(QStringLiteral(", ")) << " wait for approval. Run again with "
            << approve.join(u' ') << (interactive ? QString() : QStringLiteral(", or on a terminal to be asked"))
            << ".\n";
    }
}

/// `trainyard run`: checks the options, runs the pipeline on the console and prints how it went;
/// returns the exit status.
int runPipeline(const QCommandLineParser &p, QTextStream &out, QTextStream &err)
{
    const auto read = readPipeline(p, err, QStringLiteral("run"));
    if (!read)
        return int(ExitUsage);
    const Pipeline &pipeline = *read;
    if (const int invalid = reportProblems(pipeline, err, QStringLiteral("run"), ExitUsage))
        return invalid;
    if (const int invalid = checkJobOptions(p, pipeline, err))
        return invalid;

    std::optional<RunService::Request> request = requestFromOptions(p, pipeline, err);
    if (!request)
        return int(ExitUsage);
    if (!request->record)
        err << "warning: --no-record: this run's lineage is not recorded\n";

    const bool recorded = request->record;
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    const bool interactive = ::isatty(STDIN_FILENO) == 1;
    std::mutex printMutex;
    if (interactive)
        askApprovalOnTerminal(request->options, out, printMutex);
    const ConsoleRun ran = runOnConsole(std::move(*request), out, err, tty, printMutex);
    if (ran.refused) {
        err << "trainyard run: " << ran.error << "\n";
        return int(ExitUsage);
    }
    if (!ran.error.isEmpty()) {
        err << "trainyard run: " << ran.error << "\n";
        return ran.record.status == RunStatus::Cancelled ? 130 : int(ExitFailed);
    }
    printRunSummary(ran.record, out);
    printWaitingManualJobs(ran.record, interactive, out);
    // Recorded in the project first; pushed to the team's store when one is set. A store that
    // cannot be reached changes nothing of the run: its records wait for `trainyard sync`.
    const TeamPush::Target team = TeamPush::configured(pipeline);
    if (recorded && !team.storeUrl.isEmpty()) {
        if (auto local = LineageStore::open(LineageStore::defaultPath(p.value(QStringLiteral("C")))); local)
            (void)pushToTeamStore(**local, team.storeUrl, team.registryUrl, out, err,
                                  QStringLiteral("warning: team store: "));
    }
    return exitFor(ran.record.status);
}

} // namespace

Command runCommand()
{
    Command c;
    c.name = QStringLiteral("run");
    c.summary = QStringLiteral(
        "Run a pipeline on the local Docker engine (or the host shell, or a Slurm cluster), job by job as GitLab\n"
        "runners would.\n"
        "Exit status: 0 success, 1 failed, 2 invalid input, 130 cancelled (Ctrl-C).");
    c.brief = QStringLiteral("Run a pipeline on Docker, the host shell or a Slurm cluster, job by job as GitLab "
                             "runners would.");
    c.arguments = QStringLiteral("[FILE]");
    c.addOptions = addRunOptions;
    c.run = runPipeline;
    return c;
}

} // namespace trainyard::app
