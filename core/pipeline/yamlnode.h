#pragma once

#include "common/error.h"

#include <QHash>
#include <QSharedData>
#include <QSharedDataPointer>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace trainyard::core {

/// A YAML value with its source position, independent of yaml-cpp. Merge keys are already
/// applied; aliases are copies. `!reference` sequences keep their tag for later resolution.
class YamlNode final
{
public:
    enum class Kind { Null, Scalar, Sequence, Map };
    using Entry = std::pair<QString, YamlNode>;

    YamlNode() = default;
    static YamlNode scalar(QString value, SourceLocation loc = {}, bool quoted = false);
    static YamlNode sequence(SourceLocation loc = {});
    static YamlNode map(SourceLocation loc = {});

    Kind kind() const { return m_kind; }
    bool isNull() const { return m_kind == Kind::Null; }
    bool isScalar() const { return m_kind == Kind::Scalar; }
    bool isSequence() const { return m_kind == Kind::Sequence; }
    bool isMap() const { return m_kind == Kind::Map; }
    /// "null", "string", "array" or "hash", for error messages in GitLab's words.
    QString typeName() const;

    const SourceLocation &location() const { return m_location; }
    void setLocation(SourceLocation loc) { m_location = std::move(loc); }
    const QString &tag() const { return m_tag; }
    void setTag(QString tag) { m_tag = std::move(tag); }
    bool isReference() const { return m_tag == QLatin1String("!reference"); }

    // Scalars
    const QString &text() const { return m_text; }
    bool isQuoted() const { return m_quoted; }
    /// YAML 1.1 booleans as GitLab (Ruby Psych) reads them: true/false/yes/no/on/off, unquoted.
    std::optional<bool> toBool() const;
    std::optional<long long> toInt() const;
    /// A scalar's text; a plain null gives an empty string.
    QString toString() const { return m_text; }

    // Sequences
    const std::vector<YamlNode> &items() const { return children().items; }
    std::vector<YamlNode> &items() { return ownChildren().items; }
    void append(YamlNode node) { ownChildren().items.push_back(std::move(node)); }

    // Maps (insertion ordered)
    const std::vector<Entry> &entries() const { return children().entries; }
    /// Write access to a map's entries; the key index (see Children) is dropped, and made again by
    /// the next insert(). (Not an overload of entries(): reading a non-const node would drop it.)
    std::vector<Entry> &mutableEntries()
    {
        Children &c = ownChildren();
        c.index.clear();
        return c.entries;
    }
    const YamlNode *find(const QString &key) const;
    YamlNode *find(const QString &key);
    bool contains(const QString &key) const { return find(key) != nullptr; }
    /// Location of a key (not its value), or the map's own location.
    SourceLocation keyLocation(const QString &key) const;
    /// Sets key to value, replacing an existing entry in place or appending.
    void insert(const QString &key, YamlNode value, SourceLocation keyLoc = {});
    bool remove(const QString &key);
    QStringList keys() const;

    /// Scalars or (nested) sequences of scalars flattened into a list, as GitLab flattens scripts.
    QStringList toStringList() const;

    /// Moves every position at or below line `fromLine` (1-based) by `delta` lines: this node's,
    /// its keys' and its children's. For a tree kept in step with a text that gained or lost lines.
    void shiftLines(int fromLine, int delta);
    /// How many nodes the tree holds, keys of maps included.
    qsizetype nodeCount() const;

    /// Whether this node or a node inside it (an item, a value) passes `test`.
    bool holds(const std::function<bool(const YamlNode &)> &test) const;

    /// Same kind, text, tag and children, positions (of keys too) included.
    bool operator==(const YamlNode &other) const;

    /// GitLab's deep merge: hashes merge recursively, everything else (arrays too) is replaced by `over`.
    static YamlNode deepMerge(const YamlNode &base, const YamlNode &over);

private:
    Kind m_kind = Kind::Null;
    QString m_text;
    bool m_quoted = false;
    QString m_tag;
    SourceLocation m_location;
    /// A node's items, entries and key index, shared between copies until one of them changes
    /// (copy on write): reading a pipeline copies trees (extends, defaults) that it rarely changes,
    /// and a copy is then a reference count, not the whole subtree.
    struct Children : QSharedData
    {
        std::vector<YamlNode> items;
        std::vector<Entry> entries;
        std::vector<SourceLocation> keyLocations;
        /// Key → position in entries, kept by insert() once a map holds more than kIndexedSize
        /// entries (a pipeline's top level holds every job: without it, reading one is quadratic).
        /// Either empty or complete; const lookups only read it, so they stay safe across threads.
        QHash<QString, qsizetype> index;
    };
    /// Null for a node without items or entries (a scalar's, a null's).
    QSharedDataPointer<Children> m_children;
    const Children &children() const;
    /// The children this node alone holds (made, or copied from those it shares), to change.
    Children &ownChildren();
    static constexpr size_t kIndexedSize = 16;

    /// The position of `key` in the entries (its first occurrence), or -1.
    qsizetype indexOf(const QString &key) const;
    static void rebuildIndex(Children &c);
    /// True when a position in this tree is at or below line `fromLine`.
    bool reaches(int fromLine) const;
};

} // namespace trainyard::core
