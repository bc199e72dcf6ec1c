#pragma once

// What the benchmarks share: output streams, running a process with its wall time, and staging
// a pipeline in a throwaway git repository the way gitlab-ci-local needs it.

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <vector>

namespace trainyard::bench {

QTextStream &out();
QTextStream &err();

struct ProcessResult
{
    bool ok = false;
    QByteArray stdOut;
    QByteArray stdErr;
    double seconds = 0;
};

/// Runs a program to its end; standard output goes through a file (see the .cpp for why).
ProcessResult runProcess(const QString &program, const QStringList &arguments, const QString &workingDir);
/// A program run once untimed (a warm-up: the page cache, a tool's first-run caches), then `runs`
/// times timed.
struct TimedRuns
{
    bool ok = false;
    double medianSeconds = 0;
    QByteArray output; ///< the standard output of the last run
};
/// Runs `program` as TimedRuns says. `check` (optional) looks at each run's standard output and
/// returns why it is wrong, empty when it is right; a run that fails or is wrong stops it, said on
/// err() after `label`.
TimedRuns timeRuns(const QString &label, const QString &program, const QStringList &arguments, const QString &cwd,
                   int runs, const std::function<QString(const QByteArray &output)> &check = {});
bool git(const QString &repo, const QStringList &arguments);
/// A repository on branch main with the pipeline committed and origin/main at an empty first commit.
bool stageRepo(const QString &repo, const QByteArray &pipeline);
double median(std::vector<double> values);
/// GITLAB_CI_LOCAL from the environment, else `defaultPath`.
/// A pipeline shaped like a large monorepo's (bench_list, bench_edit): `stages` stages, a
/// template hierarchy reached by `extends`, `needs` on the previous stage, `rules`, job variables
/// and `parallel: matrix` on a few jobs; only what gitlab-ci-local also understands.
QString generatedPipeline(int jobCount, int stages = 10);
QString gitlabCiLocalPath(const QString &defaultPath);

} // namespace trainyard::bench
