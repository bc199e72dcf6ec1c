#include "benchsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>

namespace trainyard::bench {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

// Standard output goes to a file, not a pipe: gitlab-ci-local 4.60.1 exits before a pipe has
// taken all of a large --list-json (it stopped at 192 KiB here), while a file gets it all.
ProcessResult runProcess(const QString &program, const QStringList &arguments, const QString &workingDir)
{
    QTemporaryDir outDir;
    const QString outFile = outDir.filePath(QStringLiteral("stdout"));
    QProcess p;
    p.setWorkingDirectory(workingDir);
    p.setStandardOutputFile(outFile);
    QElapsedTimer timer;
    timer.start();
    p.start(program, arguments);
    const bool finished = p.waitForStarted(-1) && p.waitForFinished(-1);
    ProcessResult r;
    r.seconds = double(timer.nsecsElapsed()) / 1e9;
    QFile stdOut(outFile);
    if (stdOut.open(QIODevice::ReadOnly))
        r.stdOut = stdOut.readAll();
    r.stdErr = p.readAllStandardError();
    r.ok = finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!finished)
        r.stdErr += p.errorString().toUtf8();
    return r;
}

bool git(const QString &repo, const QStringList &arguments)
{
    const QStringList identity{QStringLiteral("-c"), QStringLiteral("user.name=bench"),
                               QStringLiteral("-c"), QStringLiteral("user.email=bench@example.invalid"),
                               QStringLiteral("-c"), QStringLiteral("commit.gpgsign=false")};
    const ProcessResult r = runProcess(QStringLiteral("git"), identity + arguments, repo);
    if (!r.ok)
        err() << "git " << arguments.join(u' ') << " failed: " << QString::fromUtf8(r.stdErr) << "\n";
    return r.ok;
}

// A repository as gitlab-ci-local needs it: branch main, the file committed, and origin/main at an
// empty first commit so that `rules:changes` has a base.
bool stageRepo(const QString &repo, const QByteArray &pipeline)
{
    if (!git(repo, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")}) ||
        !git(repo, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
                    QStringLiteral("-m"), QStringLiteral("base")}) ||
        !git(repo, {QStringLiteral("update-ref"), QStringLiteral("refs/remotes/origin/main"), QStringLiteral("HEAD")}))
        return false;
    QFile f(QDir(repo).filePath(QStringLiteral(".gitlab-ci.yml")));
    if (!f.open(QIODevice::WriteOnly) || f.write(pipeline) != pipeline.size()) {
        err() << "cannot write " << f.fileName() << ": " << f.errorString() << "\n";
        return false;
    }
    f.close();
    return git(repo, {QStringLiteral("add"), QStringLiteral(".gitlab-ci.yml")}) &&
           git(repo,
               {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("pipeline")});
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

QString gitlabCiLocalPath(const QString &defaultPath)
{
    const QByteArray fromEnv = qgetenv("GITLAB_CI_LOCAL");
    return fromEnv.isEmpty() ? defaultPath : QString::fromLocal8Bit(fromEnv);
}

} // namespace trainyard::bench
