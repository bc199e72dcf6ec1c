#include "yamlnode.h"

namespace trainyard::core {

YamlNode YamlNode::scalar(QString value, SourceLocation loc, bool quoted)
{
    YamlNode n;
    n.m_kind = Kind::Scalar;
    n.m_text = std::move(value);
    n.m_quoted = quoted;
    n.m_location = std::move(loc);
    return n;
}

YamlNode YamlNode::sequence(SourceLocation loc)
{
    YamlNode n;
    n.m_kind = Kind::Sequence;
    n.m_location = std::move(loc);
    return n;
}

YamlNode YamlNode::map(SourceLocation loc)
{
    YamlNode n;
    n.m_kind = Kind::Map;
    n.m_location = std::move(loc);
    return n;
}

QString YamlNode::typeName() const
{
    switch (m_kind) {
    case Kind::Null:
        return QStringLiteral("null");
    case Kind::Scalar:
        if (!m_quoted && (toBool() || toInt()))
            return toBool() ? QStringLiteral("boolean") : QStringLiteral("integer");
        return QStringLiteral("string");
    case Kind::Sequence:
        return QStringLiteral("array");
    case Kind::Map:
        return QStringLiteral("hash");
    }
    return {};
}

std::optional<bool> YamlNode::toBool() const
{
    if (m_kind != Kind::Scalar || m_quoted)
        return std::nullopt;
    const QString t = m_text.toLower();
    if (t == QLatin1String("true") || t == QLatin1String("yes") || t == QLatin1String("on"))
        return true;
    if (t == QLatin1String("false") || t == QLatin1String("no") || t == QLatin1String("off"))
        return false;
    return std::nullopt;
}

std::optional<long long> YamlNode::toInt() const
{
    if (m_kind != Kind::Scalar || m_quoted)
        return std::nullopt;
    bool ok = false;
    const long long v = m_text.toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return v;
}

qsizetype YamlNode::indexOf(const QString &key) const
{
    if (!m_index.isEmpty()) {
        const auto it = m_index.constFind(key);
        return it == m_index.cend() ? -1 : *it;
    }
    for (size_t i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].first == key)
            return qsizetype(i);
    }
    return -1;
}

void YamlNode::rebuildIndex()
{
    m_index.clear();
    m_index.reserve(qsizetype(m_entries.size()));
    for (size_t i = 0; i < m_entries.size(); ++i) {
        if (!m_index.contains(m_entries[i].first)) // the first occurrence, as a scan finds
            m_index.insert(m_entries[i].first, qsizetype(i));
    }
}

const YamlNode *YamlNode::find(const QString &key) const
{
    const qsizetype i = indexOf(key);
    return i < 0 ? nullptr : &m_entries[size_t(i)].second;
}

YamlNode *YamlNode::find(const QString &key)
{
    const qsizetype i = indexOf(key);
    return i < 0 ? nullptr : &m_entries[size_t(i)].second;
}

SourceLocation YamlNode::keyLocation(const QString &key) const
{
    const qsizetype i = indexOf(key);
    if (i < 0)
        return m_location;
    return size_t(i) < m_keyLocations.size() && m_keyLocations[size_t(i)].isValid()
               ? m_keyLocations[size_t(i)]
               : m_entries[size_t(i)].second.location();
}

void YamlNode::insert(const QString &key, YamlNode value, SourceLocation keyLoc)
{
    m_kind = Kind::Map;
    m_keyLocations.resize(m_entries.size());
    if (const qsizetype i = indexOf(key); i >= 0) {
        m_entries[size_t(i)].second = std::move(value);
        if (keyLoc.isValid())
            m_keyLocations[size_t(i)] = std::move(keyLoc);
        return;
    }
    m_entries.emplace_back(key, std::move(value));
    m_keyLocations.push_back(std::move(keyLoc));
    if (!m_index.isEmpty())
        m_index.insert(key, qsizetype(m_entries.size() - 1));
    else if (m_entries.size() > kIndexedSize)
        rebuildIndex();
}

void YamlNode::shiftLines(int fromLine, int delta)
{
    const auto shift = [&](SourceLocation &loc) {
        if (loc.line >= fromLine)
            loc.line += delta;
    };
    shift(m_location);
    for (SourceLocation &loc : m_keyLocations)
        shift(loc);
    for (YamlNode &item : m_items)
        item.shiftLines(fromLine, delta);
    for (Entry &entry : m_entries)
        entry.second.shiftLines(fromLine, delta);
}

qsizetype YamlNode::nodeCount() const
{
    qsizetype count = 1;
    for (const YamlNode &item : m_items)
        count += item.nodeCount();
    for (const Entry &entry : m_entries)
        count += 1 + entry.second.nodeCount();
    return count;
}

bool YamlNode::remove(const QString &key)
{
    m_keyLocations.resize(m_entries.size());
    const qsizetype i = indexOf(key);
    if (i < 0)
        return false;
    m_entries.erase(m_entries.begin() + i);
    m_keyLocations.erase(m_keyLocations.begin() + i);
    if (!m_index.isEmpty())
        rebuildIndex(); // positions after `i` moved
    return true;
}

QStringList YamlNode::keys() const
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(m_entries.size()));
    for (const auto &e : m_entries)
        out << e.first;
    return out;
}

QStringList YamlNode::toStringList() const
{
    QStringList out;
    switch (m_kind) {
    case Kind::Null:
        break;
    case Kind::Scalar:
        out << m_text;
        break;
    case Kind::Sequence:
        for (const auto &i : m_items)
            out << i.toStringList();
        break;
    case Kind::Map:
        break;
    }
    return out;
}

YamlNode YamlNode::deepMerge(const YamlNode &base, const YamlNode &over)
{
    if (!base.isMap() || !over.isMap())
        return over;
    YamlNode out = base;
    for (size_t i = 0; i < over.m_entries.size(); ++i) {
        const auto &[key, value] = over.m_entries[i];
        const SourceLocation keyLoc = i < over.m_keyLocations.size() ? over.m_keyLocations[i] : SourceLocation{};
        if (const YamlNode *existing = out.find(key))
            out.insert(key, deepMerge(*existing, value), keyLoc);
        else
            out.insert(key, value, keyLoc);
    }
    out.m_location = over.m_location;
    return out;
}

} // namespace trainyard::core
