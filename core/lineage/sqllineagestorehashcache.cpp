// SqlLineageStore's stat cache for DataVersioner: the `file_hashes` table behind hashCache().
#include "sqllineagestore.h"

#include "lineagesql.h"

#include <QHash>
#include <QStringList>

#include <memory>

namespace trainyard::core {

using namespace lineagesql;

/// DataVersioner's stat cache in the `file_hashes` table. Paths are compared as text: the
/// entries below ROOT are those from "ROOT/" up to (not including) "ROOT0" ('0' follows '/').
class SqlHashCache final : public HashCache
{
public:
    explicit SqlHashCache(SqlLineageStore &store)
        : m_store(store)
    {}

    QHash<QString, CachedFileHash> entriesUnder(const QString &root) override
    {
        QHash<QString, CachedFileHash> out;
        auto rows = m_store.selectFileHashes(root);
        if (rows)
            out = std::move(*rows);
        return out;
    }

    Result<void> update(const QHash<QString, CachedFileHash> &changed, const QStringList &removed) override
    {
        if (m_store.isReadOnly())
            return {}; // a read-only database just cannot remember: hashing still works
        return m_store.storeFileHashes(changed, removed);
    }

private:
    SqlLineageStore &m_store;
};

Result<QHash<QString, CachedFileHash>> SqlLineageStore::selectFileHashes(const QString &root) const
{
    auto db = database();
    if (!db)
        return tl::unexpected(db.error());
    Query q(*db, QStringLiteral("SELECT path, size, mtime_ns, inode, sha256 FROM file_hashes "
                                "WHERE path = ? OR (path >= ? AND path < ?)"));
    if (auto ok = q.exec({root, QString(root + u'/'), QString(root + u'0')}); !ok)
        return tl::unexpected(ok.error());
    QHash<QString, CachedFileHash> out;
    while (q.next()) {
        out.insert(q.value(0).toString(), CachedFileHash{q.value(1).toLongLong(), q.value(2).toLongLong(),
                                                         quint64(q.value(3).toLongLong()), q.value(4).toString()});
    }
    return out;
}

Result<void> SqlLineageStore::storeFileHashes(const QHash<QString, CachedFileHash> &changed, const QStringList &removed)
{
    return transaction([&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM file_hashes WHERE path = ?"));
        for (const QString &path : removed) {
            if (auto ok = del.exec({path}); !ok)
                return ok;
        }
        Query ins(*db,
                  QStringLiteral("INSERT INTO file_hashes (path, size, mtime_ns, inode, sha256) VALUES (?, ?, ?, ?, ?) "
                                 "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
                                 "inode = excluded.inode, sha256 = excluded.sha256"));
        for (auto it = changed.cbegin(); it != changed.cend(); ++it) {
            if (auto ok = ins.exec({it.key(), it->size, it->mtimeNs, qint64(it->inode), it->sha256}); !ok)
                return ok;
        }
        return {};
    });
}

std::unique_ptr<HashCache> SqlLineageStore::hashCache()
{
    return std::make_unique<SqlHashCache>(*this);
}

} // namespace trainyard::core
