#include "appmodule.h"

#include <QDir>
#include <QFileInfo>
#include <QLibrary>

namespace trainyard::app {

QFunctionPointer resolveModuleSymbol(const char *fileName, const char *symbol, QString &error)
{
    // There may be no application object yet: the executable's folder comes from /proc.
    const QString exeDir = QFileInfo(QFileInfo(QStringLiteral("/proc/self/exe")).canonicalFilePath()).absolutePath();
    const QString name = QString::fromLatin1(fileName);
    const QStringList candidates{
        QDir(exeDir).filePath(name),                                                                     // a build tree
        QDir::cleanPath(QDir(exeDir).filePath(QStringLiteral(TRAINYARD_MODULE_FROM_BINDIR "/") + name)), // installed
    };
    QStringList tried;
    for (const QString &path : candidates) {
        if (!QFileInfo::exists(path)) {
            tried << path + QStringLiteral(" (missing)");
            continue;
        }
        // Never unloaded: the module's code runs until the process ends.
        QLibrary module(path);
        if (!module.load()) {
            tried << path + QStringLiteral(" (") + module.errorString() + u')';
            continue;
        }
        if (const QFunctionPointer entry = module.resolve(symbol))
            return entry;
        tried << path + QStringLiteral(" (no ") + QLatin1String(symbol) + u')';
    }
    error = QStringLiteral("the module %1 cannot be loaded; tried: %2").arg(name, tried.join(QStringLiteral(", ")));
    return nullptr;
}

} // namespace trainyard::app
