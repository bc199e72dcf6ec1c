#include "windowmain.h"

#include <QDir>
#include <QFileInfo>
#include <QLibrary>

namespace trainyard::app {

WindowMain loadWindowMain(QString &error)
{
    // No application object exists yet: the executable's folder comes from /proc.
    const QString exeDir = QFileInfo(QFileInfo(QStringLiteral("/proc/self/exe")).canonicalFilePath()).absolutePath();
    const QStringList candidates{
        QDir(exeDir).filePath(QLatin1String(kWindowModuleName)), // a build tree
        QDir::cleanPath(QDir(exeDir).filePath(QStringLiteral(TRAINYARD_WINDOW_MODULE_FROM_BINDIR "/") +
                                              QLatin1String(kWindowModuleName))), // installed
    };
    QStringList tried;
    for (const QString &path : candidates) {
        if (!QFileInfo::exists(path)) {
            tried << path + QStringLiteral(" (missing)");
            continue;
        }
        // Never unloaded: the window's code runs until the process ends.
        QLibrary module(path);
        if (!module.load()) {
            tried << path + QStringLiteral(" (") + module.errorString() + u')';
            continue;
        }
        if (const auto entry = reinterpret_cast<WindowMain>(module.resolve(kWindowMainSymbol)))
            return entry;
        tried << path + QStringLiteral(" (no ") + QLatin1String(kWindowMainSymbol) + u')';
    }
    error = QStringLiteral("the window module cannot be loaded; tried: ") + tried.join(QStringLiteral(", "));
    return nullptr;
}

} // namespace trainyard::app
