#include "jobrunner.h"

#include "artifactstore.h"

#include "jobscript.h"
#include "pipeline/variableexpander.h"
#include "workspace.h"

#include <QDir>

#include <chrono>
#include <thread>

namespace trainyard::core {

namespace {

/// Writes a line of the runner's own to the job's log.
void note(const ExecutionCallbacks &callbacks, LogLine::Stream stream, const QString &text)
{
    if (callbacks.log)
        callbacks.log(LogLine{stream, text});
}

/// Waits out `start_in` of a `when: delayed` job, or until `cancel`.
void waitForStart(const Job &job, const ExecutionCallbacks &callbacks, const std::atomic_bool &cancel)
{
    const int wait = JobScript::parseDurationSeconds(job.startIn).value_or(0);
    note(callbacks, LogLine::Stream::System, QStringLiteral("delayed: starting in %1 s").arg(wait));
    for (int i = 0; i < wait * 10 && !cancel; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

/// Replaces the job's workspace with a fresh copy of the project; false (and `out` says why) when it cannot.
bool makeWorkspace(const JobRunner::Input &in, JobRunner::Output &out)
{
    QDir(in.execution.workspaceDir).removeRecursively();
    if (auto ws = Workspace::create(in.projectDir, in.execution.workspaceDir); !ws) {
        out.ok = false;
        out.error = ws.error().message;
        return false;
    }
    return true;
}

/// Stages the artifacts the job receives into its workspace; false (and `out` says why) when one cannot be.
bool stageIncoming(const JobRunner::Input &in, const ArtifactStore &store, const ExecutionCallbacks &callbacks,
                   JobRunner::Output &out)
{
    for (const auto &[source, json] : in.incoming) {
        auto set = ArtifactStore::fromJson(json);
        if (!set)
            continue;
        if (auto staged = store.stage(*set, in.execution.workspaceDir); !staged) {
            out.ok = false;
            out.error = staged.error().message;
            return false;
        }
        note(callbacks, LogLine::Stream::System,
             QStringLiteral("artifacts of '%1' staged: %2 file(s)").arg(source).arg(set->files.size()));
    }
    return true;
}

/// Runs the attempts `retry` allows, into `out`; false (and `out` says why) when the executor could not run one.
bool runAttempts(JobExecutor &executor, const JobRunner::Input &in, const ExecutionCallbacks &callbacks,
                 const std::atomic_bool &cancel, const std::function<void(int)> &onAttempt, JobRunner::Output &out)
{
    for (;;) {
        ++out.attempts;
        if (onAttempt)
            onAttempt(out.attempts);
        if (out.attempts > 1)
            note(callbacks, LogLine::Stream::System,
                 QStringLiteral("retrying (attempt %1 of %2)").arg(out.attempts).arg(in.job.retry.max + 1));
        auto result = executor.run(in.execution, callbacks, cancel);
        if (!result) {
            out.ok = false;
            out.error = result.error().message;
            return false;
        }
        out.outcome = *result;
        if (out.outcome.exitCode == 0 || !out.outcome.skipped.isEmpty() ||
            !JobRunner::retryAllowed(in.job, out.outcome, out.attempts))
            return true;
    }
}

/// What the job collects: its artifacts' paths, then its metrics reports (numbers only). A dotenv
/// report holds variables, maybe secrets: it is kept only when `paths` names it.
QStringList collectedPaths(const Job &job)
{
    QStringList paths = job.artifacts.paths;
    for (const Artifacts::ReportFile &r : job.artifacts.reportFiles()) {
        if (r.kind == QLatin1String("metrics") && !paths.contains(r.path))
            paths << r.path;
    }
    return paths;
}

/// Whether the job's artifacts are collected after `outcome`, as `artifacts:when` says.
bool artifactsWanted(const Job &job, const JobOutcome &outcome)
{
    if (outcome.cancelled || !outcome.skipped.isEmpty() || collectedPaths(job).isEmpty())
        return false;
    const bool success = outcome.exitCode == 0 && !outcome.timedOut;
    const QString when = job.artifacts.when;
    return when == QLatin1String("always") || (when == QLatin1String("on_success") && success) ||
           (when == QLatin1String("on_failure") && !success);
}

/// The job's variables, from its environment ("KEY=value" entries).
QHash<QString, QString> variablesOf(const QStringList &env)
{
    QHash<QString, QString> variables;
    for (const QString &entry : env) {
        const qsizetype eq = entry.indexOf(u'=');
        if (eq > 0)
            variables.insert(entry.left(eq), entry.mid(eq + 1));
    }
    return variables;
}

/// `patterns` with `variables` expanded.
QStringList expandAll(const QStringList &patterns, const QHash<QString, QString> &variables)
{
    QStringList out;
    for (const QString &p : patterns)
        out << VariableExpander::expand(p, variables);
    return out;
}

/// What a collection warns about: `written` paths (expanded: `paths`) that matched nothing, files left out.
QStringList collectionWarnings(const QStringList &written, const QStringList &paths,
                               const ArtifactStore::ArtifactSet &set)
{
    QStringList warnings;
    for (const QString &m : set.missing) {
        const qsizetype i = paths.indexOf(m);
        const QString w = i >= 0 ? written.value(i) : m;
        warnings << (w == m ? QStringLiteral("artifacts: '%1' matched no files").arg(m)
                            : QStringLiteral("artifacts: '%1' (%2) matched no files").arg(w, m));
    }
    for (const auto &skipped : set.skipped)
        warnings << QStringLiteral("artifacts: '%1' left out: %2").arg(skipped.path, skipped.reason);
    return warnings;
}

/// Collects the job's artifacts into `out` (produced, warnings); a failed collection fails the job.
void collectArtifacts(const Job &job, const JobExecution &execution, const ArtifactStore &store,
                      const ExecutionCallbacks &callbacks, JobRunner::Output &out)
{
    // GitLab expands the job's variables in artifacts:paths and exclude.
    const QHash<QString, QString> variables = variablesOf(execution.env);
    const QStringList written = collectedPaths(job);
    const QStringList paths = expandAll(written, variables);
    auto set = store.collect(job.name, execution.workspaceDir, paths, expandAll(job.artifacts.exclude, variables));
    if (!set) {
        note(callbacks, LogLine::Stream::Stderr, set.error().message);
        if (out.outcome.exitCode == 0)
            out.outcome.exitCode = 1;
        out.error = set.error().message;
        return;
    }
    out.produced = ArtifactStore::toJson(*set);
    note(callbacks, LogLine::Stream::System,
         QStringLiteral("artifacts collected: %1 file(s), %2 bytes").arg(set->files.size()).arg(set->totalBytes));
    out.warnings += collectionWarnings(written, paths, *set);
    for (const QString &w : std::as_const(out.warnings))
        note(callbacks, LogLine::Stream::Stderr, QStringLiteral("warning: ") + w);
}

} // namespace

bool JobRunner::retryAllowed(const Job &job, const JobOutcome &outcome, int attempts)
{
    if (attempts > job.retry.max || outcome.cancelled)
        return false;
    if (!job.retry.exitCodes.isEmpty() && !job.retry.exitCodes.contains(outcome.exitCode))
        return false;
    if (job.retry.when.isEmpty() || job.retry.when.contains(QStringLiteral("always")))
        return true;
    if (outcome.timedOut)
        return job.retry.when.contains(QStringLiteral("job_execution_timeout"));
    if (!outcome.systemFailure.isEmpty())
        return job.retry.when.contains(QStringLiteral("runner_system_failure")) ||
               job.retry.when.contains(QStringLiteral("unknown_failure"));
    return job.retry.when.contains(QStringLiteral("script_failure")) ||
           job.retry.when.contains(QStringLiteral("unknown_failure"));
}

JobRunner::Output JobRunner::run(JobExecutor &executor, const Input &in, const ExecutionCallbacks &callbacks,
                                 const std::atomic_bool &cancel, const std::function<void(int)> &onAttempt)
{
    const Job &job = in.job;
    const JobExecution &execution = in.execution;
    Output out;
    if (job.when == When::Delayed)
        waitForStart(job, callbacks, cancel);

    // A fresh copy of the project, plus the artifacts of the jobs it depends on.
    if (!makeWorkspace(in, out))
        return out;
    const ArtifactStore store(in.projectDir + QStringLiteral("/.trainyard/artifacts"));
    if (!stageIncoming(in, store, callbacks, out))
        return out;

    if (!runAttempts(executor, in, callbacks, cancel, onAttempt, out))
        return out;

    // Artifacts, as `artifacts:when` says.
    if (!artifactsWanted(job, out.outcome))
        return out;
    collectArtifacts(job, execution, store, callbacks, out);
    return out;
}

} // namespace trainyard::core
