#pragma once

// What the benchmarks share: output streams, running a process with its wall time, and staging
// a pipeline in a throwaway git repository the way gitlab-ci-local needs it.

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTextStream>

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
