#include "lineagestore.h"

#include "postgreslineagestore.h"
#include "sqlitelineagestore.h"

#include <QDir>

namespace trainyard::core {

QString LineageStore::defaultPath(const QString &projectDir)
{
    return QDir(projectDir).absoluteFilePath(QStringLiteral(".trainyard/lineage.db"));
}

Result<std::unique_ptr<LineageStore>> LineageStore::open(const QString &path, const Options &options)
{
    if (PostgresLineageStore::isUrl(path))
        return PostgresLineageStore::open(path, options);
    return SqliteLineageStore::open(path, options);
}

} // namespace trainyard::core
