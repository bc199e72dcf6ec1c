#pragma once

// Test support: files and git repositories made by tests.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace trainyard::test {

/// Writes `content` to `path`, making its folder; `executable` adds the owner's x bit. False on failure.
inline bool writeFile(const QString &path, const QByteArray &content, bool executable = false)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return false;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size())
        return false;
    f.close();
    if (executable)
        f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    return true;
}

/// Runs git with `args` in `dir` (committer t <t@t>); its standard output, trimmed, or a null
/// string when git failed.
inline QString git(const QString &dir, const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral("git"), QStringList{QStringLiteral("-c"), QStringLiteral("user.name=t"),
                                               QStringLiteral("-c"), QStringLiteral("user.email=t@t"),
                                               QStringLiteral("-c"), QStringLiteral("init.defaultBranch=main")} +
                                       args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return {};
    const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    return out.isNull() ? QStringLiteral("") : out; // empty, not null: git succeeded
}

/// Makes `dir` a git repository on branch main with everything in it committed.
inline bool commitAll(const QString &dir, const QString &message = QStringLiteral("test"))
{
    if (!QFileInfo::exists(dir + QStringLiteral("/.git")) &&
        git(dir, {QStringLiteral("init"), QStringLiteral("-q")}).isNull())
        return false;
    return !git(dir, {QStringLiteral("add"), QStringLiteral("-A")}).isNull() &&
           !git(dir, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
                      QStringLiteral("-m"), message})
                .isNull();
}

} // namespace trainyard::test
