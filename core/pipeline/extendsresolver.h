#pragma once

#include "common/error.h"
#include "yamlnode.h"

#include <QHash>
#include <QStringList>

#include <optional>
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

    /// One entry extended alone, for reading an edited entry again: `node` (entry `key` as
    /// written) with `extends` applied, its bases taken from `resolved` (a root resolve() returned
    /// without problems, `chains` its chains()), and its own chain. nullopt when it cannot be done
    /// alone: `extends` is not a string or strings, a base is missing, not a hash or the entry
    /// itself, the chain may pass the depth limit, or a `!reference` is involved. Resolving the
    /// whole root then says what is wrong.
    struct Extended
    {
        YamlNode node;
        QStringList chain;
    };
    static std::optional<Extended> resolveEntry(const YamlNode &resolved, const QHash<QString, QStringList> &chains,
                                                const QString &key, const YamlNode &node);
    /// Whether `node` or a node inside it is a `!reference`.
    static bool holdsReference(const YamlNode &node);

private:
    /// What the bases of one entry give when merged in order, and whether they all resolved.
    struct MergedBases
    {
        YamlNode node;     ///< the bases deep-merged, the last winning, without their `extends`
        QStringList chain; ///< each base followed by its own chain
        bool ok = true;
    };

    bool resolveExtends(YamlNode &root, const QString &key, QStringList &visiting);
    /// The names `extends` of entry `key` lists; nullopt (with a problem) when it is not a string or strings.
    std::optional<QStringList> extendsBases(const YamlNode &extendsNode, const QString &key);
    /// False (with a problem) when the chain `visiting` is deeper than kMaxExtendsDepth.
    bool checkExtendsDepth(const QStringList &visiting, const YamlNode &extendsNode, const QString &key);
    /// Resolves each base of `key` in turn and deep-merges those that can be extended.
    MergedBases mergeBases(YamlNode &root, const QString &key, const QStringList &bases, const YamlNode &extendsNode,
                           QStringList &visiting);
    /// False (with a problem) when `base` is in a loop with `key`, not defined or not a hash.
    bool checkBase(const YamlNode &root, const QString &key, const QString &base, const YamlNode &extendsNode,
                   const QStringList &visiting);
    /// Replaces entry `key` by `merged` with its own entries (less `extends`) merged over it, keeping its location.
    static void applyOwnEntries(YamlNode &root, const QString &key, const YamlNode &merged);
    YamlNode resolveReferences(const YamlNode &node, const YamlNode &root, int depth);
    QString missingHint() const;

    std::vector<Error> &m_problems;
    QStringList m_unavailable;
    QHash<QString, bool> m_done; // key -> resolved ok
    QHash<QString, QStringList> m_chains;
};

} // namespace trainyard::core
