#include "command.h"
#include "consoleevents.h"

#include "engine/dockerexecutor.h"
#include "engine/runrecord.h"
#include "engine/scheduler.h"
#include "pipeline/secretsource.h"
#include "engine/shellexecutor.h"
#include "engine/workspace.h"
#include "lineage/lineagerecorder.h"
#include "lineage/lineagestore.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/planner.h"

#include <QDateTime>
#include <QRegularExpression>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

std::atomic_bool g_interrupted{false};

extern "C" void onSigint(int)
{
    g_interrupted = true;
}

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
    case RunStatus::Success: return ExitOk;
    case RunStatus::Cancelled: return 130;
    default: return ExitFailed;
    }
}

} // namespace

Command runCommand()
{
    Command c;
    c.name = QStringLiteral("run");
    c.summary = QStringLiteral("Run a pipeline on the local Docker engine (or the host shell), job by job as GitLab runners would.\n"
                               "Exit status: 0 success, 1 failed, 2 invalid input, 130 cancelled (Ctrl-C).");
    c.arguments = QStringLiteral("[FILE]");
    c.addOptions = [](QCommandLineParser &p) {
        addPipelineOptions(p);
        p.addOption(QCommandLineOption(QStringLiteral("job"), QStringLiteral("Run only this job and what it needs (repeatable)."),
                                       QStringLiteral("NAME")));
        p.addOption(QCommandLineOption(QStringLiteral("approve"), QStringLiteral("Approve this manual job up front (repeatable)."),
                                       QStringLiteral("NAME")));
        p.addOption(QCommandLineOption(QStringLiteral("engine"), QStringLiteral("docker (default) or shell (no isolation)."),
                                       QStringLiteral("ENGINE"), QStringLiteral("docker")));
        p.addOption(QCommandLineOption(QStringLiteral("concurrency"), QStringLiteral("Jobs at once (default: CPU cores)."),
                                       QStringLiteral("N")));
        p.addOption(QCommandLineOption(QStringLiteral("cpu-fallback"), QStringLiteral("Run GPU jobs without a GPU when none is found, marked so.")));
        p.addOption(QCommandLineOption(QStringLiteral("no-record"),
                                       QStringLiteral("Run even though the lineage database cannot be written (nothing is recorded).")));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        const auto read = readPipeline(p, err, QStringLiteral("run"));
        if (!read)
            return int(ExitUsage);
        const Pipeline &pipeline = *read;
        if (const int invalid = reportProblems(pipeline, err, QStringLiteral("run"), ExitUsage))
            return invalid;

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

        std::unique_ptr<JobExecutor> executor;
        const QString engine = p.value(QStringLiteral("engine"));
        if (engine == QLatin1String("docker"))
            executor = std::make_unique<DockerExecutor>(DockerClient::defaultEndpoint(), pipeline.trainyard, pipeline.projectDir);
        else if (engine == QLatin1String("shell"))
            executor = std::make_unique<ShellExecutor>();
        else {
            err << "trainyard run: --engine must be docker or shell, not '" << engine << "'\n";
            return int(ExitUsage);
        }

        // A run whose lineage cannot be recorded is refused, unless the user knowingly says so.
        const bool record = !p.isSet(QStringLiteral("no-record"));
        if (record) {
            LineageStore::Options check;
            check.recoverInterrupted = false;
            auto store = LineageStore::open(LineageStore::defaultPath(pipeline.projectDir), check);
            const QString problem = !store ? store.error().toString() : (*store)->readOnlyReason();
            if (!problem.isEmpty()) {
                err << "trainyard run: lineage cannot be recorded: " << problem << "\n"
                    << "Nothing ran. Fix the database (trainyard doctor --rebuild-db -C " << pipeline.projectDir
                    << "), or run with --no-record to run without recording it.\n";
                return int(ExitUsage);
            }
        }

        // A run that crashed (or was killed) before: say so and clean up what it left.
        const RunStore store(pipeline.projectDir);
        for (const RunRecord &r : store.recoverInterrupted()) {
            const int removed = executor->cleanupRun(r.id);
            const qint64 freed = Workspace::removeRun(pipeline.projectDir, r.id);
            err << "note: run " << r.id << " (#" << r.pipelineIid << ", started " << r.started.toLocalTime().toString(Qt::ISODate)
                << ") was interrupted; marked so"
                << (removed ? QStringLiteral(", removed %1 container(s)/network(s) it left").arg(removed) : QString())
                << (freed ? QStringLiteral(", removed its job workspaces (%1 MB)").arg(double(freed) / 1e6, 0, 'f', 1) : QString())
                << "\n";
        }

        RunOptions run;
        run.onlyJobs = p.values(QStringLiteral("job"));
        run.approvals = p.values(QStringLiteral("approve"));
        run.cpuFallback = p.isSet(QStringLiteral("cpu-fallback"));
        if (p.isSet(QStringLiteral("concurrency"))) {
            bool ok = false;
            run.concurrency = p.value(QStringLiteral("concurrency")).toInt(&ok);
            if (!ok || run.concurrency < 1) {
                err << "trainyard run: --concurrency needs a positive number\n";
                return int(ExitUsage);
            }
        }
        auto secrets = SecretSource::load(pipeline.projectDir, pipeline.trainyard.secrets);
        if (!secrets) {
            err << secrets.error().toString() << "\n";
            return int(ExitUsage);
        }
        for (const QString &m : secrets->missing)
            err << "warning: secret variable " << m << " is not set (neither in the environment nor in .trainyard/secrets.env)\n";
        for (const QString &w : secrets->warnings)
            err << "warning: " << w << "\n";
        run.secrets = secrets->values;

        const bool tty = ::isatty(STDOUT_FILENO) == 1;
        const bool interactive = ::isatty(STDIN_FILENO) == 1;
        std::mutex printMutex;
        if (interactive) {
            run.askApproval = [&](const QString &job) {
                std::lock_guard lock(printMutex);
                out << "Manual job '" << job << "' is ready. Run it? [y/N] " << Qt::flush;
                char answer[16] = {};
                if (!std::fgets(answer, sizeof answer, stdin))
                    return false;
                return answer[0] == 'y' || answer[0] == 'Y';
            };
        }
        const SchedulerEvents events = consoleEvents(out, printMutex, tty);

        // Lineage (.trainyard/lineage.db) is recorded on the recorder's own thread as the run goes.
        LineageRecorder::Options lineageOptions;
        lineageOptions.onlyJobs = run.onlyJobs;
        lineageOptions.secrets = run.secrets;
        lineageOptions.trigger = run.trigger;
        lineageOptions.message = [&](const QString &m) {
            std::lock_guard lock(printMutex);
            err << "warning: " << m << "\n" << Qt::flush;
        };
        lineageOptions.progress = [progress = events.progress](const QString &label, qint64 cur, qint64 total) {
            progress(QString(), label, cur, total);
        };
        std::optional<LineageRecorder> lineage;
        if (record)
            lineage.emplace(pipeline, lineageOptions);
        else
            err << "warning: --no-record: this run's lineage is not recorded\n";
        Scheduler scheduler(pipeline, *executor, run, lineage ? lineage->wrap(events) : events);
        if (lineage)
            lineage->runStarted(scheduler.runId(), executor->name());
        std::signal(SIGINT, onSigint);
        std::signal(SIGTERM, onSigint);
        std::atomic_bool done{false};
        std::thread watcher([&] {
            while (!done) {
                if (g_interrupted.exchange(false)) {
                    events.message(QStringLiteral("cancelling: stopping running jobs…"));
                    scheduler.cancel();
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        });
        const auto result = scheduler.run();
        if (lineage)
            lineage->runFinished(result ? *result : scheduler.snapshot());
        done = true;
        watcher.join();
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        if (!result) {
            err << "trainyard run: " << result.error().toString() << "\n";
            return scheduler.snapshot().status == RunStatus::Cancelled ? 130 : int(ExitFailed);
        }
        const RunRecord &r = *result;
        out << "\nRun " << r.id << " (#" << r.pipelineIid << ") on " << (r.branch.isEmpty() ? QStringLiteral("-") : r.branch)
            << " @ " << (r.commitSha.isEmpty() ? QStringLiteral("no commit") : r.commitSha.left(8)) << (r.dirty ? QStringLiteral(" (dirty)") : QString())
            << ", engine " << r.engine << ": " << runStatusToString(r.status) << "\n";
        int w = 4;
        for (const QString &name : r.jobOrder)
            w = std::max(w, int(printableName(name).size()));
        out << QStringLiteral("  %1  %2  %3  %4\n").arg(QStringLiteral("JOB"), -w).arg(QStringLiteral("STATUS"), -17).arg(QStringLiteral("TIME"), -8).arg(QStringLiteral("EXIT"));
        for (const QString &name : r.jobOrder) {
            const JobRecord &j = r.jobs.at(name);
            out << QStringLiteral("  %1  %2  %3  %4\n")
                       .arg(printableName(name), -w)
                       .arg(jobStatusToString(j.status), -17)
                       .arg(jobDuration(j), -8)
                       .arg(j.exitCode >= 0 ? QString::number(j.exitCode) : QStringLiteral("-"));
        }
        out << "Logs: " << store.logsDir(r.id) << "\n";
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
                << approve.join(u' ') << (interactive ? QString() : QStringLiteral(", or on a terminal to be asked")) << ".\n";
        }
        return exitFor(r.status);
    };
    return c;
}

} // namespace trainyard::app
