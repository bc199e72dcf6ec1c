#pragma once

// Test support: the shell-engine project of tst_lineagerecorder (tests/data/lineage/
// recorder-pipeline.yml, a data file, a masked secret), committed in a fresh repository.

#include "support/demoproject.h"
#include "support/files.h"

#include <QFile>
#include <QString>

namespace trainyard::test {

/// Writes the project into `dir` with `secret` as the masked API_TOKEN, commits it on main and,
/// when `remote` is given, adds it as "origin". False when the repository was not made.
inline bool writeShellProject(const QString &dir, const QByteArray &secret, const QString &remote = {})
{
    QFile pipeline(QStringLiteral(TRAINYARD_TEST_DATA "/lineage/recorder-pipeline.yml"));
    if (!pipeline.open(QIODevice::ReadOnly))
        return false;
    writeFile(dir + QStringLiteral("/.gitlab-ci.yml"), pipeline.readAll());
    writeFile(dir + QStringLiteral("/.gitignore"), ".trainyard/\n");
    writeFile(dir + QStringLiteral("/data/train.csv"), "x,y\n1,0\n2,1\n");
    writeFile(dir + QStringLiteral("/.trainyard/secrets.env"), "API_TOKEN=" + secret + '\n');
    shell(dir,
          QStringLiteral("git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm init") +
              (remote.isEmpty() ? QString() : QStringLiteral(" && git remote add origin '%1'").arg(remote)));
    return QFile::exists(dir + QStringLiteral("/.git"));
}

} // namespace trainyard::test
