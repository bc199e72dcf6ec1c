#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace trainyard::core {

/// A light line scanner for block-style YAML. It finds which lines a mapping entry spans, by
/// indentation, so an edit can replace exactly those lines; it never interprets values (yaml-cpp
/// does). Line numbers here are 0-based.
class YamlBlockScanner final
{
public:
    /// One line of the text: [begin, end) is its content, `next` is where the following line starts.
    struct Line
    {
        qsizetype begin = 0;
        qsizetype end = 0;
        qsizetype next = 0;
        int indent = 0;
        bool blank = true;
        bool comment = false;
    };

    /// A `key: value` entry of a block mapping and the lines its value spans (inclusive).
    struct Entry
    {
        QString key;
        int keyLine = 0;
        int lastLine = 0;
        int indent = 0;
        qsizetype keyBegin = 0; ///< text offset of the key as written (quotes included)
        qsizetype colon = 0;    ///< text offset of the ':' after the key
        QByteArray inlineValue; ///< what follows ':' on the key line, trimmed, without comment
        QByteArray comment;     ///< the key line's trailing comment with its leading blanks
    };

    /// An anchor definition (`&name`) and the lines of the aliases that refer to it.
    struct Anchor
    {
        QString name;
        int line = 0;
        int column = 0;
        std::vector<int> aliasLines;
    };

    explicit YamlBlockScanner(const QByteArray &text);
    /// A scanner of `text` whose anchors() were already found (textAnchors() returns them).
    YamlBlockScanner(const QByteArray &text, std::vector<Anchor> anchors);

    const QByteArray &text() const { return m_text; }
    const std::vector<Line> &lines() const { return m_lines; }
    /// "\r\n" when the first line break of the file is one, else "\n".
    QByteArray eol() const { return m_eol; }

    /// Not blank and not a comment.
    bool isContent(int line) const;
    /// A block sequence item ("- x" or a lone "-") starting at the line's indent.
    bool isSequenceItem(int line) const;

    /// The entries of the block mapping written at `indent` within lines [from, to].
    std::vector<Entry> entries(int from, int to, int indent) const;
    std::vector<Entry> topLevel() const { return entries(0, int(m_lines.size()) - 1, 0); }
    /// The last top-level entry named `key` (the one YAML keeps).
    std::optional<Entry> topLevelEntry(const QString &key) const;
    /// Indent of the first content line of an entry's block value, or -1 when it has none.
    int childIndent(const Entry &entry) const;
    /// How far right of its key a block sequence's "-" sits in lines [from, to]; -1 if none seen.
    int sequenceOffset(int from, int to) const;

    /// Anchors of the (first) document with their aliases; empty when yaml-cpp cannot parse it.
    static std::vector<Anchor> anchors(const QByteArray &text);
    /// anchors() of this scanner's text, found once (it parses the whole text). Not thread-safe:
    /// a scanner belongs to one edit.
    const std::vector<Anchor> &textAnchors() const;
    /// Where the trailing comment of [begin, end) starts (respecting quotes), or `end`.
    static qsizetype commentStart(const QByteArray &text, qsizetype begin, qsizetype end);

private:
    std::optional<Entry> parseKey(int line) const;

    QByteArray m_text;
    QByteArray m_eol = "\n";
    std::vector<Line> m_lines;
    mutable std::optional<std::vector<Anchor>> m_anchors; ///< textAnchors(), once asked
};

} // namespace trainyard::core
