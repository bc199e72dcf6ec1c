#include "shellexecutor.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QStandardPaths>

namespace trainyard::core {

namespace {

// Splits what a process printed into lines per stream, keeping an unfinished last line.
class LineSplitter
{
public:
    explicit LineSplitter(LogLine::Stream stream)
        : m_stream(stream)
    {}
    void feed(const QByteArray &bytes, const std::function<void(const LogLine &)> &emit)
    {
        m_buffer += bytes;
        qsizetype nl;
        while ((nl = m_buffer.indexOf('\n')) >= 0) {
            QByteArray line = m_buffer.left(nl);
            if (line.endsWith('\r'))
                line.chop(1);
            m_buffer.remove(0, nl + 1);
            if (emit)
                emit(LogLine{m_stream, QString::fromUtf8(line)});
        }
    }
    void finish(const std::function<void(const LogLine &)> &emit)
    {
        if (!m_buffer.isEmpty() && emit)
            emit(LogLine{m_stream, QString::fromUtf8(m_buffer)});
        m_buffer.clear();
    }

private:
    LogLine::Stream m_stream;
    QByteArray m_buffer;
};

struct ScriptResult
{
    int exitCode = -1;
    bool timedOut = false;
    bool cancelled = false;
    QString startError;
};

ScriptResult runScript(const QString &shell, const QString &script, const JobExecution &e, const ExecutionCallbacks &cb,
                       const std::atomic_bool &cancel, int timeoutSeconds)
{
    QProcess process;
    process.setWorkingDirectory(e.workspaceDir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // What reaches Trainyard's own team store is Trainyard's, not the job's (a job that prints
    // its environment would log the password).
    for (const char *own : {"TRAINYARD_LINEAGE_URL", "PGPASSWORD", "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE"})
        env.remove(QString::fromLatin1(own));
    for (const QString &kv : e.env) {
        const qsizetype eq = kv.indexOf(u'=');
        if (eq > 0)
            env.insert(kv.left(eq), kv.mid(eq + 1));
    }
    if (!e.gpuIds.isEmpty())
        env.insert(QStringLiteral("CUDA_VISIBLE_DEVICES"), e.gpuIds.join(u','));
    process.setProcessEnvironment(env);
    process.start(shell, {QStringLiteral("-c"), script});
    ScriptResult result;
    if (!process.waitForStarted(10000)) {
        result.startError = process.errorString();
        return result;
    }
    LineSplitter out(LogLine::Stream::Stdout);
    LineSplitter err(LogLine::Stream::Stderr);
    const QDeadlineTimer deadline{std::chrono::seconds{timeoutSeconds}};
    while (process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(100);
        out.feed(process.readAllStandardOutput(), cb.log);
        err.feed(process.readAllStandardError(), cb.log);
        if (cancel.load() || deadline.hasExpired()) {
            result.cancelled = cancel.load();
            result.timedOut = !result.cancelled;
            process.terminate();
            if (!process.waitForFinished(5000))
                process.kill();
            process.waitForFinished(5000);
            break;
        }
    }
    out.feed(process.readAllStandardOutput(), cb.log);
    err.feed(process.readAllStandardError(), cb.log);
    out.finish(cb.log);
    err.finish(cb.log);
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : 128 + 9;
    return result;
}

QString findShell()
{
    QString shell = QStandardPaths::findExecutable(QStringLiteral("bash"));
    if (shell.isEmpty())
        shell = QStandardPaths::findExecutable(QStringLiteral("sh"));
    return shell;
}

} // namespace

Result<QString> ShellExecutor::preflight()
{
    const QString shell = findShell();
    if (shell.isEmpty())
        return tl::unexpected(Error::error(QStringLiteral("no shell (bash or sh) found on PATH for the shell engine")));
    return QStringLiteral("host shell %1 (no isolation)").arg(shell);
}

Result<JobOutcome> ShellExecutor::run(const JobExecution &e, const ExecutionCallbacks &cb,
                                      const std::atomic_bool &cancel)
{
    const QString shell = findShell();
    JobOutcome outcome;
    outcome.isolation = QStringLiteral("none (host shell)");
    const ScriptResult main = runScript(shell, e.script, e, cb, cancel, e.timeoutSeconds);
    if (!main.startError.isEmpty())
        return tl::unexpected(
            Error::error(QStringLiteral("cannot start %1: %2").arg(shell, main.startError), {}, e.job));
    outcome.exitCode = main.exitCode;
    outcome.timedOut = main.timedOut;
    outcome.cancelled = main.cancelled;
    // after_script runs in its own shell even after a failure or timeout (not after a cancel),
    // with GitLab's 5 minute limit; its result does not change the job's.
    if (!e.afterScript.isEmpty() && !main.cancelled) {
        if (cb.log)
            cb.log(LogLine{LogLine::Stream::System, QStringLiteral("Running after_script")});
        runScript(shell, e.afterScript, e, cb, cancel, 300);
    }
    return outcome;
}

} // namespace trainyard::core
