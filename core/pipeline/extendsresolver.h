#pragma once

#include "common/error.h"
#include "yamlnode.h"

#include <QHash>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// Applies `extends:` to every top-level entry (deep merge of hashes, arrays replaced, the last
/// template and then the job itself winning), then resolves `!reference [key, …]` tags against the
/// extended configuration — in that order, as GitLab does.
class ExtendsResolver final
{
public:
    static constexpr int kMaxExtendsDepth = 11;   ///< GitLab's limit
    static constexpr int kMaxReferenceDepth = 10; ///< GitLab's limit for nested !reference

    /// `unavailableIncludes` are named in "not defined" errors, since the key may live there.
    ExtendsResolver(std::vector<Error> &problems, QStringList unavailableIncludes = {});

    /// Returns the root with `extends` applied and `!reference` resolved. The `extends` chain of
    /// each job is kept in `chains()`.
    YamlNode resolve(const YamlNode &root);

    const QHash<QString, QStringList> &chains() const { return m_chains; }

private:
    bool resolveExtends(YamlNode &root, const QString &key, QStringList &visiting);
    YamlNode resolveReferences(const YamlNode &node, const YamlNode &root, int depth);
    QString missingHint() const;

    std::vector<Error> &m_problems;
    QStringList m_unavailable;
    QHash<QString, bool> m_done; // key -> resolved ok
    QHash<QString, QStringList> m_chains;
};

} // namespace trainyard::core
