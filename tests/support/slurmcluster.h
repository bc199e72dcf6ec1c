#pragma once

// Test support: the one-node Slurm cluster the CTest fixture `slurm` starts
// (tests/tools/slurm-cluster.sh, in TRAINYARD_TEST_SLURM_DIR).

#include <QFile>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace trainyard::test {

/// What a client needs to reach the test cluster, as the fixture wrote it (DIR/env): SLURM_CONF,
/// SLURMRESTD_URL and SLURM_JWT. Empty when no cluster runs.
inline QMap<QString, QString> slurmClusterEnvironment()
{
    QMap<QString, QString> env;
    QFile file(QStringLiteral(TRAINYARD_TEST_SLURM_DIR "/env"));
    if (!file.open(QIODevice::ReadOnly))
        return env;
    for (const QString &line : QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts))
        env.insert(line.section(u'=', 0, 0), line.section(u'=', 1));
    return env;
}

/// Runs `slurm-cluster.sh COMMAND DIR [ARGUMENTS]` on the test cluster (rest-stop, rest-start
/// [PLUGINS]); true when it succeeded.
inline bool slurmCluster(const QString &command, const QStringList &arguments = {})
{
    QProcess p;
    p.start(QStringLiteral("bash"), QStringList{QStringLiteral(TRAINYARD_SOURCE_DIR "/tests/tools/slurm-cluster.sh"),
                                                command, QStringLiteral(TRAINYARD_TEST_SLURM_DIR)} +
                                        arguments);
    return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace trainyard::test
