#include "dvcinfo.h"

#include "pipeline/yamlloader.h"

#include <QDir>
#include <QFileInfo>

namespace trainyard::core {

namespace {

QString md5Of(const YamlNode &out)
{
    // DVC 2 and 3 both write `md5:`; DVC 3 adds `hash: md5` beside it.
    if (const YamlNode *md5 = out.find(QStringLiteral("md5")); md5 && md5->isScalar())
        return md5->text();
    return {};
}

/// The md5 of the `outs:` entry of `node` whose path is `path` (or any entry when `path` is empty).
QString outMd5(const YamlNode &node, const QString &path)
{
    const YamlNode *outs = node.find(QStringLiteral("outs"));
    if (!outs || !outs->isSequence())
        return {};
    for (const YamlNode &out : outs->items()) {
        if (!out.isMap())
            continue;
        const YamlNode *p = out.find(QStringLiteral("path"));
        if (p && (path.isEmpty() || QDir::cleanPath(p->text()) == path))
            return md5Of(out);
    }
    return {};
}

} // namespace

Result<DvcHash> DvcInfo::lookup(const QString &projectDir, const QString &dataPath)
{
    const QDir project(projectDir);
    const QString absolute = QDir::cleanPath(project.absoluteFilePath(dataPath));
    const QString relative = QDir::cleanPath(project.relativeFilePath(absolute));

    // `data.dvc` beside `data`: its outs name the path relative to the .dvc file's folder.
    const QString dvcFile = absolute + QStringLiteral(".dvc");
    if (QFileInfo(dvcFile).isFile()) {
        auto node = YamlLoader::load(dvcFile, project.relativeFilePath(dvcFile));
        if (!node)
            return tl::unexpected(node.error());
        if (const QString md5 = outMd5(node->root, QFileInfo(absolute).fileName()); !md5.isEmpty())
            return DvcHash{md5, project.relativeFilePath(dvcFile)};
    }

    const QString lockFile = project.absoluteFilePath(QStringLiteral("dvc.lock"));
    if (QFileInfo(lockFile).isFile() && !relative.startsWith(QLatin1String("../"))) {
        auto node = YamlLoader::load(lockFile, QStringLiteral("dvc.lock"));
        if (!node)
            return tl::unexpected(node.error());
        if (const YamlNode *stages = node->root.find(QStringLiteral("stages")); stages && stages->isMap()) {
            for (const auto &[name, stage] : stages->entries()) {
                if (const QString md5 = outMd5(stage, relative); !md5.isEmpty())
                    return DvcHash{md5, QStringLiteral("dvc.lock:") + name};
            }
        }
    }
    return DvcHash{};
}

} // namespace trainyard::core
