// YamlEditor's edits of typed scalars (bool, int), mappings (`variables:`) and lists nested in a
// job's mappings, with the nested-path machinery that yamleditortrainyard.cpp uses too.
#include "yamleditor.h"

#include "yamleditortext.h"

#include <optional>
#include <vector>

namespace trainyard::core {

using namespace yamleditortext;

namespace {

/// The entries of the block mapping that is `entry`'s value (none when it has no block value).
std::vector<Entry> kidsOf(const YamlBlockScanner &s, const Entry &entry)
{
    const int ci = s.childIndent(entry);
    if (ci < 0)
        return {};
    return s.entries(entry.keyLine + 1, entry.lastLine, ci);
}

/// The text a mapping entry's value is read as: a scalar's text, or the `value:` of a variable
/// written as a hash. Empty optional for anything else.
std::optional<QString> entryText(const YamlNode *node)
{
    if (!node)
        return std::nullopt;
    if (node->isScalar())
        return node->text();
    if (node->isNull())
        return QString();
    if (node->isMap()) {
        const YamlNode *v = node->find(QStringLiteral("value"));
        if (v && (v->isScalar() || v->isNull()))
            return v->text();
    }
    return std::nullopt;
}

/// Whether the job's `key` reads as a mapping of exactly `entries`, in their order.
/// `v` is a mapping that reads as `entries`, in order.
bool readsAsEntries(const YamlNode *v, const YamlEditor::ScalarEntries &entries)
{
    if (!v || !v->isMap() || v->entries().size() != size_t(entries.size()))
        return false;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const auto &[name, node] = v->entries()[size_t(i)];
        if (name != entries[i].first || entryText(&node) != std::optional<QString>(entries[i].second))
            return false;
    }
    return true;
}

bool readsAsMapping(const YamlNode &root, const QString &job, const QString &key,
                    const YamlEditor::ScalarEntries &entries)
{
    return readsAsEntries(atPath(root.find(job), {key}), entries);
}

/// A mapping's entry of a given name (the last one, which YAML keeps) and the first line after
/// the entry before it.
struct FoundKid
{
    std::optional<Entry> kid;
    int after = 0;
};

/// The entry named `name` among `kids`, the entries of the mapping `own` (none: no such entry).
FoundKid findKid(const std::vector<Entry> &kids, const std::optional<Entry> &own, const QString &name)
{
    FoundKid found;
    int previous = own ? own->keyLine : 0;
    for (const Entry &k : kids) {
        if (k.key == name) {
            found.kid = k;
            found.after = previous + 1;
        }
        previous = k.lastLine;
    }
    return found;
}

/// The first of the comment lines directly above `keyLine`, looking no higher than `lowest`
/// (`keyLine` itself when there are none).
int firstCommentAbove(const std::vector<YamlBlockScanner::Line> &lines, int keyLine, int lowest)
{
    int first = keyLine;
    while (first > lowest && lines[size_t(first - 1)].comment)
        --first;
    return first;
}

/// The entry whose value alone is replaced to give `kid` a new value: the one-line `value:` of a
/// block hash, or `kid` itself when it is a one-line entry that is not in flow style. None when
/// the whole entry has to be rewritten.
std::optional<Entry> valueTarget(const YamlBlockScanner &s, const Entry &kid, bool flow)
{
    std::optional<Entry> target;
    if (withoutProperties(kid.inlineValue).isEmpty()) {
        for (const Entry &v : kidsOf(s, kid)) {
            if (v.key == QLatin1String("value") && v.keyLine == v.lastLine)
                target = v;
        }
    } else if (!flow && kid.keyLine == kid.lastLine) {
        target = kid;
    }
    return target;
}

/// A mapping entry `name: value` written anew at `indent`, on a line of its own.
QByteArray newEntryLine(const YamlBlockScanner &s, int indent, const QString &name, const QString &value)
{
    return s.eol() + spaces(indent) + YamlEditor::quoteScalar(name) + ": " + YamlEditor::quoteScalar(value);
}

} // namespace

// --- typed scalars, mappings, nested lists ---

Result<void> YamlEditor::setJobPlain(const QString &job, const QString &key, const QByteArray &plain)
{
    const auto text = [&](const Scanner &, int, const Entry &) -> Result<QByteArray> { return ' ' + plain; };
    const auto check = [&](const YamlNode &root) {
        const YamlNode *v = atPath(root.find(job), {key});
        return v && v->isScalar() && !v->isQuoted() && v->text() == QString::fromUtf8(plain);
    };
    return writeKey(job, key, text, check);
}

Result<void> YamlEditor::setJobBool(const QString &job, const QString &key, bool value)
{
    return setJobPlain(job, key, value ? "true" : "false");
}

Result<void> YamlEditor::setJobInt(const QString &job, const QString &key, int value)
{
    return setJobPlain(job, key, QByteArray::number(value));
}

Result<void> YamlEditor::setJobMapping(const QString &job, const QString &key, const ScalarEntries &entries)
{
    if (auto ok = checkMappingEntries(job, key, entries); !ok)
        return ok;
    const YamlNode *current = atPath(m_tree.find(job), {key});
    const auto text = [&](const Scanner &s, int keyIndent, const Entry &e) -> Result<QByteArray> {
        return mappingText(s, keyIndent, e, job, key, entries, current);
    };
    const auto check = [&](const YamlNode &root) { return readsAsMapping(root, job, key, entries); };
    return writeKey(job, key, text, check);
}

Result<void> YamlEditor::setPipelineVariables(const ScalarEntries &entries)
{
    const QString key = QStringLiteral("variables");
    if (auto ok = checkMappingEntries(QStringLiteral("(pipeline)"), key, entries); !ok)
        return ok;
    const Scanner s = scan();
    const auto &lines = s.lines();
    const auto e = s.topLevelEntry(key);
    const auto check = [&](const YamlNode &root) {
        return entries.isEmpty() ? !root.contains(key) : readsAsEntries(root.find(key), entries);
    };
    if (e && entries.isEmpty())
        return commit(cutTopLevel(s, *e), {key}, check);
    if (!e && entries.isEmpty())
        return {};
    MappingBlock block;
    block.indent = 2;
    if (e) {
        if (auto ok = checkAnchors(s, e->keyLine, e->lastLine, key, key); !ok)
            return ok;
        if (!withoutProperties(e->inlineValue).isEmpty() && withoutProperties(e->inlineValue) != "{}")
            return tl::unexpected(error(QStringLiteral("the pipeline's variables are written in flow style or as an "
                                                       "alias; edit them in the text"),
                                        e->keyLine, 1, QString()));
        block.own = *e;
        block.kids = kidsOf(s, *e);
        if (!block.kids.empty())
            block.indent = block.kids.front().indent;
    }
    const YamlNode *current = m_tree.find(key);
    QByteArray body;
    for (const auto &[name, value] : entries) {
        auto entryLines = mappingEntryText(s, block, name, value, current, QStringLiteral("(pipeline)"), key);
        if (!entryLines)
            return tl::unexpected(entryLines.error());
        body += *entryLines;
    }
    body += trailingComments(s, block);
    QByteArray candidate;
    if (e) {
        candidate = m_text.left(lines[size_t(e->keyLine)].begin) + "variables:" + body +
                    m_text.mid(lines[size_t(e->lastLine)].end);
    } else if (const auto stages = s.topLevelEntry(QStringLiteral("stages"))) {
        const qsizetype at = lines[size_t(stages->lastLine)].end;
        candidate = m_text.left(at) + s.eol() + s.eol() + "variables:" + body + m_text.mid(at);
    } else {
        int first = 0;
        while (first < int(lines.size()) && !s.isContent(first))
            ++first;
        const QByteArray block = "variables:" + body + s.eol();
        if (first == int(lines.size()))
            candidate = m_text + block;
        else
            candidate =
                m_text.left(lines[size_t(first)].begin) + block + s.eol() + m_text.mid(lines[size_t(first)].begin);
    }
    return commit(candidate, {key}, check);
}

Result<void> YamlEditor::checkMappingEntries(const QString &job, const QString &key, const ScalarEntries &entries) const
{
    for (const auto &[name, value] : entries) {
        if (name.isEmpty() || name == QLatin1String("<<"))
            return tl::unexpected(
                Error::error(QStringLiteral("job '%1': '%2' cannot be a key of %3").arg(job, name, key),
                             SourceLocation{m_fileName}, job));
        int same = 0;
        for (const auto &other : entries)
            same += other.first == name ? 1 : 0;
        if (same > 1)
            return tl::unexpected(Error::error(QStringLiteral("job '%1': %2 has '%3' twice").arg(job, key, name),
                                               SourceLocation{m_fileName}, job));
    }
    return {};
}

Result<QByteArray> YamlEditor::mappingText(const Scanner &s, int keyIndent, const Scanner::Entry &e, const QString &job,
                                           const QString &key, const ScalarEntries &entries,
                                           const YamlNode *current) const
{
    if (entries.isEmpty())
        return QByteArray(" {}");
    const MappingBlock block = mappingBlock(s, keyIndent, e, key);
    QByteArray out;
    for (const auto &[name, value] : entries) {
        auto entryLines = mappingEntryText(s, block, name, value, current, job, key);
        if (!entryLines)
            return entryLines;
        out += *entryLines;
    }
    out += trailingComments(s, block);
    return out;
}

YamlEditor::MappingBlock YamlEditor::mappingBlock(const Scanner &s, int keyIndent, const Scanner::Entry &e,
                                                  const QString &key)
{
    MappingBlock block;
    for (const Entry &kid : s.entries(e.keyLine + 1, e.lastLine, keyIndent)) {
        if (kid.key == key)
            block.own = kid;
    }
    block.indent = keyIndent + qMax(2, keyIndent - e.indent);
    if (block.own && withoutProperties(block.own->inlineValue).isEmpty()) {
        block.kids = kidsOf(s, *block.own);
        if (!block.kids.empty())
            block.indent = block.kids.front().indent;
    }
    return block;
}

Result<QByteArray> YamlEditor::mappingEntryText(const Scanner &s, const MappingBlock &block, const QString &name,
                                                const QString &value, const YamlNode *current, const QString &job,
                                                const QString &key) const
{
    const FoundKid found = findKid(block.kids, block.own, name);
    if (!found.kid)
        return newEntryLine(s, block.indent, name, value);
    const Entry &kid = *found.kid;
    const auto &lines = s.lines();
    // Comment lines directly above the entry travel with it.
    const int first = firstCommentAbove(lines, kid.keyLine, found.after);
    const qsizetype begin = lines[size_t(first)].begin;
    const qsizetype end = lines[size_t(kid.lastLine)].end;
    const std::optional<QString> was = current && current->isMap() ? entryText(current->find(name)) : std::nullopt;
    if (was && *was == value)
        return s.eol() + m_text.mid(begin, end - begin);
    const bool flow = kid.inlineValue.startsWith('{') || kid.inlineValue.startsWith('[');
    // Only the value changes: a one-line entry keeps its comment, and a variable written as
    // a block hash (`value:`, `description:`) keeps its options.
    if (const std::optional<Entry> target = valueTarget(s, kid, flow)) {
        const QByteArray replaced = replaceValue(m_text, s, *target, ' ' + quoteScalar(value));
        // Only the target line differs, and it lies inside the entry.
        return s.eol() + replaced.mid(begin, end - begin + replaced.size() - m_text.size());
    }
    if (flow)
        return tl::unexpected(
            error(QStringLiteral("job '%1': %2 '%3' is written in flow style; edit it in the text").arg(job, key, name),
                  kid.keyLine, 1, job));
    return newEntryLine(s, block.indent, name, value);
}

QByteArray YamlEditor::trailingComments(const Scanner &s, const MappingBlock &block) const
{
    // Comment lines after the last entry stay at the end.
    if (!block.own || block.kids.empty())
        return {};
    const auto &lines = s.lines();
    int first = block.kids.back().lastLine + 1;
    const int last = block.own->lastLine;
    while (first <= last && !lines[size_t(first)].comment)
        ++first;
    if (first > last)
        return {};
    return s.eol() + m_text.mid(lines[size_t(first)].begin, lines[size_t(last)].end - lines[size_t(first)].begin);
}

Result<std::vector<YamlBlockScanner::Entry>> YamlEditor::entryChain(const Scanner &s, const Scanner::Entry &parent,
                                                                    const QStringList &path, const QString &owner,
                                                                    const QString &what) const
{
    std::vector<Entry> chain;
    Entry current = parent;
    for (const QString &key : path) {
        const QByteArray value = withoutProperties(current.inlineValue);
        if (value.startsWith('*'))
            return tl::unexpected(error(QStringLiteral("%1: '%2' is an alias of &%3; inline it to edit only this job")
                                            .arg(what, current.key, QString::fromUtf8(value.mid(1))),
                                        current.keyLine, 1, owner));
        if (!value.isEmpty())
            return tl::unexpected(
                error(QStringLiteral("%1: '%2' is not written as a block of keys; edit it in the text")
                          .arg(what, current.key),
                      current.keyLine, 1, owner));
        std::optional<Entry> kid;
        for (const Entry &k : kidsOf(s, current)) {
            if (k.key == key)
                kid = k; // YAML keeps the last of duplicate keys
        }
        if (!kid)
            break;
        chain.push_back(*kid);
        current = *kid;
    }
    return chain;
}

Result<void> YamlEditor::checkChainAnchors(const Scanner &s, const Scanner::Entry &parent,
                                           const std::vector<Scanner::Entry> &chain, const QString &owner,
                                           const QString &what) const
{
    // An anchor on a mapping above the edited key is that whole mapping: its aliases would change too.
    if (auto ok = checkAnchors(s, parent.keyLine, parent.keyLine, owner, what); !ok)
        return ok;
    for (const Entry &e : chain) {
        if (auto ok = checkAnchors(s, e.keyLine, e.keyLine, owner, what); !ok)
            return ok;
    }
    return {};
}

Result<QByteArray> YamlEditor::setBelow(const Scanner &s, const Scanner::Entry &parent, int step,
                                        const QStringList &path, const LeafText &leaf, const QString &owner,
                                        const QString &what) const
{
    auto chain = entryChain(s, parent, path, owner, what);
    if (!chain)
        return tl::unexpected(chain.error());
    if (auto ok = checkChainAnchors(s, parent, *chain, owner, what); !ok)
        return tl::unexpected(ok.error());
    if (chain->size() == size_t(path.size())) {
        const Entry &own = chain->back();
        if (auto ok = checkAnchors(s, own.keyLine, own.lastLine, owner, what); !ok)
            return tl::unexpected(ok.error());
        auto after = leaf(own.indent);
        if (!after)
            return after;
        return replaceValue(m_text, s, own, *after);
    }
    // What is missing goes under the deepest mapping that exists, after its last line.
    const Entry &at = chain->empty() ? parent : chain->back();
    if (auto ok = checkAnchors(s, at.keyLine, at.keyLine, owner, what); !ok)
        return tl::unexpected(ok.error());
    int indent = s.childIndent(at);
    if (indent < 0)
        indent = at.indent + step;
    QByteArray block;
    for (qsizetype k = qsizetype(chain->size()); k < path.size(); ++k) {
        block += s.eol() + spaces(indent) + quoteScalar(path[k]) + ':';
        if (k + 1 < path.size())
            indent += step;
    }
    auto after = leaf(indent);
    if (!after)
        return after;
    const qsizetype end = s.lines()[size_t(at.lastLine)].end;
    return m_text.left(end) + block + *after + m_text.mid(end);
}

Result<std::optional<QByteArray>> YamlEditor::removeBelow(const Scanner &s, const Scanner::Entry &parent,
                                                          const QStringList &path, bool parentToo, const QString &owner,
                                                          const QString &what) const
{
    auto chain = entryChain(s, parent, path, owner, what);
    if (!chain)
        return tl::unexpected(chain.error());
    if (chain->size() < size_t(path.size()))
        return std::optional<QByteArray>();
    if (auto ok = checkChainAnchors(s, parent, *chain, owner, what); !ok)
        return tl::unexpected(ok.error());
    // Climb while the mapping above holds nothing else.
    int cut = int(chain->size()) - 1;
    while (cut > 0 && kidsOf(s, (*chain)[size_t(cut - 1)]).size() == 1)
        --cut;
    const auto &lines = s.lines();
    if (cut == 0 && parentToo && kidsOf(s, parent).size() == 1) {
        if (auto ok = checkAnchors(s, parent.keyLine, parent.lastLine, owner, what); !ok)
            return tl::unexpected(ok.error());
        return std::optional<QByteArray>(cutTopLevel(s, parent));
    }
    const Entry &gone = (*chain)[size_t(cut)];
    if (auto ok = checkAnchors(s, gone.keyLine, gone.lastLine, owner, what); !ok)
        return tl::unexpected(ok.error());
    // Cut from the end of the line above so a file without a final newline stays without one.
    return std::optional<QByteArray>(m_text.left(lines[size_t(gone.keyLine - 1)].end) +
                                     m_text.mid(lines[size_t(gone.lastLine)].end));
}

Result<void> YamlEditor::setJobNestedList(const QString &job, const QStringList &path, const QStringList &items)
{
    if (path.size() < 2)
        return setJobList(job, path.value(0), items);
    const Scanner s = scan();
    auto e = editableJob(s, job);
    if (!e)
        return tl::unexpected(e.error());
    const QString what = path.join(QLatin1Char(':'));
    const YamlNode *jobNode = m_tree.find(job);
    bool own = false;
    for (const Entry &kid : kidsOf(s, *e))
        own = own || kid.key == path.front();
    // Through `<<` the whole mapping comes with the anchor: an own one would replace all of it.
    if (!own && jobNode && jobNode->contains(path.front()))
        return tl::unexpected(error(QStringLiteral("job '%1': '%2' comes from a '<<' merge key, so setting %3 here "
                                                   "would drop its other keys; inline '%2' for this job first")
                                        .arg(job, path.front(), what),
                                    e->keyLine, 1, job));
    const YamlNode before = jobNode ? *jobNode : YamlNode::map();
    const int ci = s.childIndent(*e);
    const int step = ci > e->indent ? ci - e->indent : 2;
    Result<std::optional<QByteArray>> candidate = std::optional<QByteArray>();
    if (items.isEmpty()) {
        candidate = removeBelow(s, *e, path, false, job, what);
    } else {
        const auto leaf = [&](int keyIndent) -> Result<QByteArray> {
            return sequenceLines(s, e->keyLine, e->lastLine, keyIndent, items);
        };
        auto text = setBelow(s, *e, step, path, leaf, job, what);
        if (!text)
            return tl::unexpected(text.error());
        candidate = std::optional<QByteArray>(*text);
    }
    if (!candidate)
        return tl::unexpected(candidate.error());
    if (!*candidate)
        return {}; // nothing to remove
    return commit(**candidate, {job}, [&](const YamlNode &root) {
        const YamlNode *after = root.find(job);
        if (!after)
            return false;
        if (items.isEmpty())
            return sameTree(*after, withoutPath(before, path, false));
        const YamlNode *leaf = atPath(after, path);
        return leaf && leaf->isSequence() && leaf->toStringList() == items &&
               sameTree(*after, withPath(before, path, *leaf));
    });
}

} // namespace trainyard::core
