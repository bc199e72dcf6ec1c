#include "yamlnode.h"

#include <algorithm>

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

bool YamlNode::holds(const std::function<bool(const YamlNode &)> &test) const
{
    if (test(*this))
        return true;
    const Children &c = children();
    return std::any_of(c.items.begin(), c.items.end(), [&](const YamlNode &item) { return item.holds(test); }) ||
           std::any_of(c.entries.begin(), c.entries.end(), [&](const Entry &e) { return e.second.holds(test); });
}

bool YamlNode::operator==(const YamlNode &other) const
{
    if (m_kind != other.m_kind || m_text != other.m_text || m_quoted != other.m_quoted || m_tag != other.m_tag ||
        m_location != other.m_location)
        return false;
    if (m_children == other.m_children)
        return true; // the same children, shared
    const Children &a = children();
    const Children &b = other.children();
    return a.items == b.items && a.entries == b.entries && a.keyLocations == b.keyLocations;
}

const YamlNode::Children &YamlNode::children() const
{
    static const Children none;
    return m_children ? *m_children.constData() : none;
}

YamlNode::Children &YamlNode::ownChildren()
{
    if (!m_children)
        m_children = new Children;
    return *m_children.data(); // data() copies children shared with another node first
}

qsizetype YamlNode::indexOf(const QString &key) const
{
    const Children &c = children();
    if (!c.index.isEmpty()) {
        const auto it = c.index.constFind(key);
        return it == c.index.cend() ? -1 : *it;
    }
    for (size_t i = 0; i < c.entries.size(); ++i) {
        if (c.entries[i].first == key)
            return qsizetype(i);
    }
    return -1;
}

void YamlNode::rebuildIndex(Children &c)
{
    c.index.clear();
    c.index.reserve(qsizetype(c.entries.size()));
    for (size_t i = 0; i < c.entries.size(); ++i) {
        if (!c.index.contains(c.entries[i].first)) // the first occurrence, as a scan finds
            c.index.insert(c.entries[i].first, qsizetype(i));
    }
}

const YamlNode *YamlNode::find(const QString &key) const
{
    const qsizetype i = indexOf(key);
    return i < 0 ? nullptr : &children().entries[size_t(i)].second;
}

YamlNode *YamlNode::find(const QString &key)
{
    const qsizetype i = indexOf(key);
    return i < 0 ? nullptr : &ownChildren().entries[size_t(i)].second; // written through: not shared
}

SourceLocation YamlNode::keyLocation(const QString &key) const
{
    const qsizetype i = indexOf(key);
    if (i < 0)
        return m_location;
    const Children &c = children();
    return size_t(i) < c.keyLocations.size() && c.keyLocations[size_t(i)].isValid()
               ? c.keyLocations[size_t(i)]
               : c.entries[size_t(i)].second.location();
}

void YamlNode::insert(const QString &key, YamlNode value, SourceLocation keyLoc)
{
    m_kind = Kind::Map;
    const qsizetype i = indexOf(key);
    Children &c = ownChildren();
    c.keyLocations.resize(c.entries.size());
    if (i >= 0) {
        c.entries[size_t(i)].second = std::move(value);
        if (keyLoc.isValid())
            c.keyLocations[size_t(i)] = std::move(keyLoc);
        return;
    }
    c.entries.emplace_back(key, std::move(value));
    c.keyLocations.push_back(std::move(keyLoc));
    if (!c.index.isEmpty())
        c.index.insert(key, qsizetype(c.entries.size() - 1));
    else if (c.entries.size() > kIndexedSize)
        rebuildIndex(c);
}

bool YamlNode::reaches(int fromLine) const
{
    if (m_location.line >= fromLine)
        return true;
    const Children &c = children();
    for (const SourceLocation &loc : c.keyLocations) {
        if (loc.line >= fromLine)
            return true;
    }
    for (const YamlNode &item : c.items) {
        if (item.reaches(fromLine))
            return true;
    }
    for (const Entry &entry : c.entries) {
        if (entry.second.reaches(fromLine))
            return true;
    }
    return false;
}

void YamlNode::shiftLines(int fromLine, int delta)
{
    if (!reaches(fromLine))
        return; // nothing to move: shared children stay shared
    if (m_location.line >= fromLine)
        m_location.line += delta;
    if (!m_children)
        return;
    Children &c = ownChildren();
    for (SourceLocation &loc : c.keyLocations) {
        if (loc.line >= fromLine)
            loc.line += delta;
    }
    for (YamlNode &item : c.items)
        item.shiftLines(fromLine, delta);
    for (Entry &entry : c.entries)
        entry.second.shiftLines(fromLine, delta);
}

qsizetype YamlNode::nodeCount() const
{
    qsizetype count = 1;
    const Children &c = children();
    for (const YamlNode &item : c.items)
        count += item.nodeCount();
    for (const Entry &entry : c.entries)
        count += 1 + entry.second.nodeCount();
    return count;
}

bool YamlNode::remove(const QString &key)
{
    const qsizetype i = indexOf(key);
    if (i < 0)
        return false;
    Children &c = ownChildren();
    c.keyLocations.resize(c.entries.size());
    c.entries.erase(c.entries.begin() + i);
    c.keyLocations.erase(c.keyLocations.begin() + i);
    if (!c.index.isEmpty())
        rebuildIndex(c); // positions after `i` moved
    return true;
}

QStringList YamlNode::keys() const
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(children().entries.size()));
    for (const auto &e : children().entries)
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
        for (const auto &i : children().items)
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
    const Children &c = over.children();
    for (size_t i = 0; i < c.entries.size(); ++i) {
        const auto &[key, value] = c.entries[i];
        const SourceLocation keyLoc = i < c.keyLocations.size() ? c.keyLocations[i] : SourceLocation{};
        if (const YamlNode *existing = out.find(key))
            out.insert(key, deepMerge(*existing, value), keyLoc);
        else
            out.insert(key, value, keyLoc);
    }
    out.m_location = over.m_location;
    return out;
}

} // namespace trainyard::core
