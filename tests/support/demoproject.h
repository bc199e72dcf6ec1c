#pragma once

// Test support: the offline demo as a new hire gets it — the built demo folder copied elsewhere
// and made a fresh git repository — and a shell to change it with.

#include <QFile>
#include <QProcess>
#include <QString>

namespace trainyard::test {

/// Runs `command` with sh in `dir` (60 s at most).
inline void shell(const QString &dir, const QString &command)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral("sh"), {QStringLiteral("-c"), command});
    p.waitForFinished(60000);
}

/// Copies the built offline demo into `target` and commits it on branch main. False when the
/// demo's trainer is not built (or the copy failed).
inline bool copyOfflineDemo(const QString &target)
{
    const QString source = QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo");
    if (!QFile::exists(source + QStringLiteral("/image/trainer")))
        return false;
    shell(target,
          QStringLiteral("cp -a '%1'/. . && rm -rf .trainyard && printf '.trainyard/\\n' >> .gitignore && "
                         "git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm demo")
              .arg(source));
    return QFile::exists(target + QStringLiteral("/.git")) && QFile::exists(target + QStringLiteral("/image/trainer"));
}

} // namespace trainyard::test
