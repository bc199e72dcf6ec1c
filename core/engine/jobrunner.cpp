#include "jobrunner.h"

#include "artifactstore.h"

#include "jobscript.h"
#include "pipeline/variableexpander.h"
#include "workspace.h"

#include <QDir>

#include <chrono>
#include <thread>

namespace trainyard::core {

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
    return job.retry.when.contains(QStringLiteral("script_failure")) ||
           job.retry.when.contains(QStringLiteral("unknown_failure"));
}

JobRunner::Output JobRunner::run(JobExecutor &executor, const Input &in, const ExecutionCallbacks &callbacks,
                                 const std::atomic_bool &cancel, const std::function<void(int)> &onAttempt)
{
    const Job &job = in.job;
    const JobExecution &execution = in.execution;
    auto note = [&](LogLine::Stream stream, const QString &text) {
        if (callbacks.log)
            callbacks.log(LogLine{stream, text});
    };
    Output out;
    if (job.when == When::Delayed) {
        const int wait = JobScript::parseDurationSeconds(job.startIn).value_or(0);
        note(LogLine::Stream::System, QStringLiteral("delayed: starting in %1 s").arg(wait));
        for (int i = 0; i < wait * 10 && !cancel; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }

    // A fresh copy of the project, plus the artifacts of the jobs it depends on.
    QDir(execution.workspaceDir).removeRecursively();
    if (auto ws = Workspace::create(in.projectDir, execution.workspaceDir); !ws) {
        out.ok = false;
        out.error = ws.error().message;
        return out;
    }
    const ArtifactStore store(in.projectDir + QStringLiteral("/.trainyard/artifacts"));
    for (const auto &[source, json] : in.incoming) {
        auto set = ArtifactStore::fromJson(json);
        if (!set)
            continue;
        if (auto staged = store.stage(*set, execution.workspaceDir); !staged) {
            out.ok = false;
            out.error = staged.error().message;
            return out;
        }
        note(LogLine::Stream::System,
             QStringLiteral("artifacts of '%1' staged: %2 file(s)").arg(source).arg(set->files.size()));
    }

    for (;;) {
        ++out.attempts;
        if (onAttempt)
            onAttempt(out.attempts);
        if (out.attempts > 1)
            note(LogLine::Stream::System,
                 QStringLiteral("retrying (attempt %1 of %2)").arg(out.attempts).arg(job.retry.max + 1));
        auto result = executor.run(execution, callbacks, cancel);
        if (!result) {
            out.ok = false;
            out.error = result.error().message;
            return out;
        }
        out.outcome = *result;
        if (out.outcome.exitCode == 0 || !retryAllowed(job, out.outcome, out.attempts))
            break;
    }

    // Artifacts, as `artifacts:when` says.
    if (out.outcome.cancelled || job.artifacts.paths.isEmpty())
        return out;
    const bool success = out.outcome.exitCode == 0 && !out.outcome.timedOut;
    const QString when = job.artifacts.when;
    if (!(when == QLatin1String("always") || (when == QLatin1String("on_success") && success) ||
          (when == QLatin1String("on_failure") && !success)))
        return out;
    // GitLab expands the job's variables in artifacts:paths and exclude.
    QHash<QString, QString> variables;
    for (const QString &entry : execution.env) {
        const qsizetype eq = entry.indexOf(u'=');
        if (eq > 0)
            variables.insert(entry.left(eq), entry.mid(eq + 1));
    }
    auto expandAll = [&](const QStringList &patterns) {
        QStringList out;
        for (const QString &p : patterns)
            out << VariableExpander::expand(p, variables);
        return out;
    };
    const QStringList paths = expandAll(job.artifacts.paths);
    auto set = store.collect(job.name, execution.workspaceDir, paths, expandAll(job.artifacts.exclude));
    if (!set) {
        note(LogLine::Stream::Stderr, set.error().message);
        if (out.outcome.exitCode == 0)
            out.outcome.exitCode = 1;
        out.error = set.error().message;
        return out;
    }
    out.produced = ArtifactStore::toJson(*set);
    note(LogLine::Stream::System,
         QStringLiteral("artifacts collected: %1 file(s), %2 bytes").arg(set->files.size()).arg(set->totalBytes));
    for (const QString &m : set->missing) {
        const qsizetype i = paths.indexOf(m);
        const QString written = i >= 0 ? job.artifacts.paths.value(i) : m;
        out.warnings << (written == m ? QStringLiteral("artifacts: '%1' matched no files").arg(m)
                                      : QStringLiteral("artifacts: '%1' (%2) matched no files").arg(written, m));
    }
    for (const auto &skipped : set->skipped)
        out.warnings << QStringLiteral("artifacts: '%1' left out: %2").arg(skipped.path, skipped.reason);
    for (const QString &w : std::as_const(out.warnings))
        note(LogLine::Stream::Stderr, QStringLiteral("warning: ") + w);
    return out;
}

} // namespace trainyard::core
