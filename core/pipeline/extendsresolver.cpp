#include "extendsresolver.h"

namespace trainyard::core {

bool ExtendsResolver::holdsReference(const YamlNode &node)
{
    return node.holds([](const YamlNode &n) { return n.isReference(); });
}

std::optional<ExtendsResolver::Extended> ExtendsResolver::resolveEntry(const YamlNode &resolved,
                                                                       const QHash<QString, QStringList> &chains,
                                                                       const QString &key, const YamlNode &node)
{
    if (holdsReference(node))
        return std::nullopt;
    const YamlNode *extendsNode = node.isMap() ? node.find(QStringLiteral("extends")) : nullptr;
    if (!extendsNode)
        return Extended{node, {}};
    QStringList bases;
    if (extendsNode->isScalar()) {
        bases << extendsNode->text();
    } else if (extendsNode->isSequence()) {
        for (const auto &item : extendsNode->items()) {
            if (!item.isScalar())
                return std::nullopt;
            bases << item.text();
        }
    } else {
        return std::nullopt;
    }
    // As mergeBases() and applyOwnEntries() do; the bases in `resolved` no longer extend anything.
    Extended out{YamlNode::map(), {}};
    for (const QString &base : bases) {
        const YamlNode *baseNode = resolved.find(base);
        if (base == key || !baseNode || !baseNode->isMap())
            return std::nullopt;
        out.chain << base << chains.value(base);
        out.node = YamlNode::deepMerge(out.node, *baseNode);
    }
    // The nesting is at most the chain's length: a chain that short cannot be too deep.
    if (out.chain.size() + 1 > kMaxExtendsDepth)
        return std::nullopt;
    YamlNode own = node;
    own.remove(QStringLiteral("extends"));
    out.node = YamlNode::deepMerge(out.node, own);
    out.node.setLocation(node.location());
    return out;
}

ExtendsResolver::ExtendsResolver(std::vector<Error> &problems, QStringList unavailableIncludes)
    : m_problems(problems)
    , m_unavailable(std::move(unavailableIncludes))
{}

QString ExtendsResolver::missingHint() const
{
    if (m_unavailable.isEmpty())
        return {};
    return QStringLiteral(" (it may come from an include that is not available offline: %1)")
        .arg(m_unavailable.join(QStringLiteral(", ")));
}

YamlNode ExtendsResolver::resolve(const YamlNode &root)
{
    YamlNode out = root;
    for (const QString &key : root.keys()) {
        QStringList visiting;
        resolveExtends(out, key, visiting);
    }
    // Most entries hold no !reference: they stay as they are, their nodes shared with `out`.
    YamlNode resolved = YamlNode::map(out.location());
    for (const auto &[key, value] : out.entries())
        resolved.insert(key, holdsReference(value) ? resolveReferences(value, out, 0) : value, out.keyLocation(key));
    return resolved;
}

bool ExtendsResolver::resolveExtends(YamlNode &root, const QString &key, QStringList &visiting)
{
    if (auto it = m_done.constFind(key); it != m_done.constEnd())
        return it.value();
    const YamlNode *node = root.find(key);
    if (!node || !node->isMap() || !node->contains(QStringLiteral("extends"))) {
        m_done.insert(key, true);
        return true;
    }
    const YamlNode extendsNode = *node->find(QStringLiteral("extends"));
    const std::optional<QStringList> bases = extendsBases(extendsNode, key);
    if (!bases) {
        m_done.insert(key, false);
        return false;
    }

    visiting << key;
    if (!checkExtendsDepth(visiting, extendsNode, key)) {
        visiting.removeLast();
        m_done.insert(key, false);
        return false;
    }
    MergedBases merged = mergeBases(root, key, *bases, extendsNode, visiting);
    visiting.removeLast();

    applyOwnEntries(root, key, merged.node);
    m_chains.insert(key, merged.chain);
    m_done.insert(key, merged.ok);
    return merged.ok;
}

std::optional<QStringList> ExtendsResolver::extendsBases(const YamlNode &extendsNode, const QString &key)
{
    QStringList bases;
    if (extendsNode.isScalar()) {
        bases << extendsNode.text();
    } else if (extendsNode.isSequence()) {
        for (const auto &item : extendsNode.items()) {
            if (!item.isScalar()) {
                m_problems.push_back(
                    Error::error(QStringLiteral("extends entries must be strings"), item.location(), key));
                return std::nullopt;
            }
            bases << item.text();
        }
    } else {
        m_problems.push_back(Error::error(QStringLiteral("extends should be a string or an array of strings"),
                                          extendsNode.location(), key));
        return std::nullopt;
    }
    return bases;
}

bool ExtendsResolver::checkExtendsDepth(const QStringList &visiting, const YamlNode &extendsNode, const QString &key)
{
    if (visiting.size() <= kMaxExtendsDepth)
        return true;
    m_problems.push_back(Error::error(QStringLiteral("extends nesting is deeper than %1 levels: %2")
                                          .arg(kMaxExtendsDepth)
                                          .arg(visiting.join(QStringLiteral(" -> "))),
                                      extendsNode.location(), key));
    return false;
}

ExtendsResolver::MergedBases ExtendsResolver::mergeBases(YamlNode &root, const QString &key, const QStringList &bases,
                                                         const YamlNode &extendsNode, QStringList &visiting)
{
    MergedBases merged{YamlNode::map(), {}, true};
    for (const QString &base : bases) {
        if (!checkBase(root, key, base, extendsNode, visiting)) {
            merged.ok = false;
            continue;
        }
        if (!resolveExtends(root, base, visiting))
            merged.ok = false;
        merged.chain << base << m_chains.value(base);
        YamlNode baseNode = *root.find(base);
        baseNode.remove(QStringLiteral("extends"));
        merged.node = YamlNode::deepMerge(merged.node, baseNode);
    }
    return merged;
}

bool ExtendsResolver::checkBase(const YamlNode &root, const QString &key, const QString &base,
                                const YamlNode &extendsNode, const QStringList &visiting)
{
    if (visiting.contains(base)) {
        m_problems.push_back(
            Error::error(QStringLiteral("extends loop: %1 -> %2")
                             .arg(visiting.mid(visiting.indexOf(base)).join(QStringLiteral(" -> ")), base),
                         extendsNode.location(), key));
        return false;
    }
    if (!root.find(base)) {
        m_problems.push_back(
            Error::error(QStringLiteral("'%1' extends '%2', which is not defined%3").arg(key, base, missingHint()),
                         extendsNode.location(), key));
        return false;
    }
    if (!root.find(base)->isMap()) {
        m_problems.push_back(Error::error(QStringLiteral("'%1' extends '%2', which is not a hash").arg(key, base),
                                          extendsNode.location(), key));
        return false;
    }
    return true;
}

void ExtendsResolver::applyOwnEntries(YamlNode &root, const QString &key, const YamlNode &merged)
{
    YamlNode *node = root.find(key); // the recursion may have reallocated entries
    YamlNode own = *node;
    own.remove(QStringLiteral("extends"));
    YamlNode result = YamlNode::deepMerge(merged, own);
    result.setLocation(node->location());
    *node = std::move(result);
}

YamlNode ExtendsResolver::resolveReferences(const YamlNode &node, const YamlNode &root, int depth)
{
    if (node.isReference()) {
        if (depth >= kMaxReferenceDepth) {
            m_problems.push_back(Error::error(
                QStringLiteral("!reference is nested deeper than %1 levels").arg(kMaxReferenceDepth), node.location()));
            return YamlNode{};
        }
        if (!node.isSequence() || node.items().empty()) {
            m_problems.push_back(Error::error(
                QStringLiteral("!reference needs a list of keys, like !reference [.job, script]"), node.location()));
            return YamlNode{};
        }
        const YamlNode *target = &root;
        QStringList path;
        for (const auto &part : node.items()) {
            path << part.text();
            if (!part.isScalar() || !target->isMap() || !(target = target->find(part.text()))) {
                m_problems.push_back(Error::error(
                    QStringLiteral("!reference [%1] could not be found%2")
                        .arg(path.join(QStringLiteral(", ")), path.size() == 1 ? missingHint() : QString()),
                    node.location()));
                return YamlNode{};
            }
        }
        YamlNode value = resolveReferences(*target, root, depth + 1);
        value.setLocation(node.location());
        return value;
    }
    if (node.isSequence()) {
        YamlNode out = YamlNode::sequence(node.location());
        out.setTag(node.tag());
        for (const auto &item : node.items()) {
            // A reference to a list inside a list is spliced in, as GitLab flattens scripts and rules.
            if (item.isReference()) {
                YamlNode value = resolveReferences(item, root, depth);
                if (value.isSequence()) {
                    for (auto &v : value.items())
                        out.append(std::move(v));
                    continue;
                }
                out.append(std::move(value));
                continue;
            }
            out.append(resolveReferences(item, root, depth));
        }
        return out;
    }
    if (node.isMap()) {
        YamlNode out = YamlNode::map(node.location());
        out.setTag(node.tag());
        for (const auto &[key, value] : node.entries())
            out.insert(key, resolveReferences(value, root, depth), node.keyLocation(key));
        return out;
    }
    return node;
}

} // namespace trainyard::core
