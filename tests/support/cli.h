#pragma once

// Test support: the real `trainyard` executable (TRAINYARD_EXE), run as a user would.

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace trainyard::test {

struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs `trainyard ARGS` with `env` (default: this process's, without DISPLAY), no standard
/// input, for at most `timeoutMs`; a process still running then is killed (exit code -1).
inline CliResult runTrainyard(const QStringList &args,
                              QProcessEnvironment env = QProcessEnvironment::systemEnvironment(),
                              int timeoutMs = 300000)
{
    env.remove(QStringLiteral("DISPLAY"));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), args);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace trainyard::test
