#include "logdirscanner.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace trainyard::core {

namespace {

void scanFolder(const QDir &root, const QString &path, std::vector<RunLocation> &runs)
{
    const QDir dir(path);
    QStringList eventFiles;
    const QFileInfoList files = dir.entryInfoList(QDir::Files | QDir::Hidden | QDir::System, QDir::Name);
    for (const QFileInfo &file : files) {
        if (LogdirScanner::isEventFileName(file.fileName()) && file.isFile())
            eventFiles.append(file.absoluteFilePath());
    }
    if (!eventFiles.isEmpty()) {
        const QString relative = root.relativeFilePath(dir.absolutePath());
        runs.push_back(
            RunLocation{relative == QLatin1String(".") ? QString() : relative, dir.absolutePath(), eventFiles});
    }
    const QFileInfoList subfolders = dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
    for (const QFileInfo &sub : subfolders) {
        if (!sub.isSymLink())
            scanFolder(root, sub.absoluteFilePath(), runs);
    }
}

} // namespace

bool LogdirScanner::isEventFileName(const QString &fileName)
{
    static const QString prefix = QStringLiteral("events.out.tfevents.");
    return fileName.startsWith(prefix) && fileName.size() > prefix.size();
}

Result<std::vector<RunLocation>> LogdirScanner::scan(const QString &logdir)
{
    const QFileInfo info(logdir);
    if (!info.exists())
        return tl::make_unexpected(Error::error(QStringLiteral("no such file or folder"), SourceLocation{logdir}));
    std::vector<RunLocation> runs;
    if (info.isFile()) {
        if (!isEventFileName(info.fileName())) {
            return tl::make_unexpected(Error::error(
                QStringLiteral("not a logdir, and not an event file (events.out.tfevents.*)"), SourceLocation{logdir}));
        }
        runs.push_back(RunLocation{QString(), info.absolutePath(), {info.absoluteFilePath()}});
        return runs;
    }
    if (!info.isDir())
        return tl::make_unexpected(Error::error(QStringLiteral("not a folder"), SourceLocation{logdir}));
    const QDir root(info.absoluteFilePath());
    scanFolder(root, root.absolutePath(), runs);
    std::sort(runs.begin(), runs.end(), [](const RunLocation &a, const RunLocation &b) { return a.name < b.name; });
    return runs;
}

} // namespace trainyard::core
