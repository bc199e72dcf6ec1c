#include "yamleditor.h"

#include "yamlloader.h"

#include <QRegularExpression>

namespace trainyard::core {

namespace {

using Entry = YamlBlockScanner::Entry;

QByteArray spaces(int n)
{
    return QByteArray(qMax(0, n), ' ');
}

/// Same value as YAML reads it: kind, text, quoting (it decides the type), tag, order. Positions differ.
bool sameTree(const YamlNode &a, const YamlNode &b)
{
    if (a.kind() != b.kind() || a.tag() != b.tag())
        return false;
    switch (a.kind()) {
    case YamlNode::Kind::Null:
        return true;
    case YamlNode::Kind::Scalar:
        return a.text() == b.text() && a.isQuoted() == b.isQuoted();
    case YamlNode::Kind::Sequence:
        if (a.items().size() != b.items().size())
            return false;
        for (size_t i = 0; i < a.items().size(); ++i) {
            if (!sameTree(a.items()[i], b.items()[i]))
                return false;
        }
        return true;
    case YamlNode::Kind::Map:
        if (a.entries().size() != b.entries().size())
            return false;
        for (size_t i = 0; i < a.entries().size(); ++i) {
            if (a.entries()[i].first != b.entries()[i].first || !sameTree(a.entries()[i].second, b.entries()[i].second))
                return false;
        }
        return true;
    }
    return false;
}

/// Plain text YAML 1.1 (what GitLab's Psych reads) would take for null, a bool, a number or a date.
bool looksTyped(const QString &v)
{
    static const QRegularExpression typed(
        QStringLiteral("^(~|null|true|false|yes|no|on|off|y|n|<<|=)$"
                       "|^[-+]?(\\d[\\d_]*)?(\\.[\\d_]*)?([eE][-+]?\\d+)?$"
                       "|^[-+]?0x[0-9a-f_]+$|^[-+]?0o?[0-7_]+$|^[-+]?0b[01_]+$|^[-+]?\\.(inf|nan)$"
                       "|^[-+]?\\d[\\d_]*(:[0-5]?\\d)+(\\.[\\d_]*)?$|^\\d{4}-\\d\\d?-\\d\\d?"),
        QRegularExpression::CaseInsensitiveOption);
    return typed.match(v).hasMatch() && v != QLatin1String(".") && v != QLatin1String("-") && v != QLatin1String("+") &&
           v != QLatin1String("_");
}

/// Text that cannot be a plain scalar whatever its type: indicators, comments, breaks, edge blanks.
bool needsQuotesStructurally(const QString &v)
{
    if (v.isEmpty())
        return true;
    if (QStringView(u"-?:,[]{}#&*!|>'\"%@`").contains(v.front()) || v.front().isSpace() || v.back().isSpace() ||
        v.back() == u':')
        return true;
    if (v.contains(QLatin1String(": ")) || v.contains(QLatin1String(" #")) || v.contains(QLatin1String(":\t")) ||
        v.contains(QLatin1String("\t#")))
        return true;
    for (const QChar c : v) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.unicode() == 0xfeff)
            return true;
    }
    return false;
}

QByteArray doubleQuoted(const QString &v)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : v) {
        switch (c.unicode()) {
        case '\\':
            out += QLatin1String("\\\\");
            break;
        case '"':
            out += QLatin1String("\\\"");
            break;
        case '\n':
            out += QLatin1String("\\n");
            break;
        case '\t':
            out += QLatin1String("\\t");
            break;
        case '\r':
            out += QLatin1String("\\r");
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.unicode() == 0xfeff)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += u'"';
    return out.toUtf8();
}

/// The inline part of an anchor/tag/alias-bearing value: "&a !t rest" -> "rest".
QByteArray withoutProperties(QByteArray v)
{
    while (v.startsWith('&') || (v.startsWith('!') && !v.startsWith("!reference"))) {
        const qsizetype sp = v.indexOf(' ');
        v = sp < 0 ? QByteArray() : v.mid(sp + 1).trimmed();
    }
    return v;
}

/// A scalar as it was read: typed plain text stays plain so it keeps its type, and quoted text
/// stays quoted (YAML tells them apart, so the copy must too).
QByteArray emitScalar(const YamlNode &n)
{
    if (n.isQuoted())
        return doubleQuoted(n.text());
    if (looksTyped(n.text()))
        return n.text().toUtf8();
    return YamlEditor::quoteScalar(n.text());
}

Result<QByteArray> emitAfterColon(const YamlNode &n, int indent, int seqOffset, const QByteArray &eol);

/// An item's text to put right after "- ", its further lines indented by `indent`.
Result<QByteArray> emitItem(const YamlNode &n, int indent, int seqOffset, const QByteArray &eol)
{
    if ((n.isMap() && !n.entries().empty()) || (n.isSequence() && !n.items().empty() && n.tag().isEmpty())) {
        auto block = emitAfterColon(n, indent - (n.isMap() ? 2 : seqOffset), seqOffset, eol);
        if (!block)
            return block;
        // The block starts with eol + indentation: the item's first line goes after "- ".
        return block->mid(eol.size() + indent);
    }
    auto inlineText = emitAfterColon(n, indent, seqOffset, eol);
    if (!inlineText)
        return inlineText;
    return inlineText->mid(1);
}

/// What follows "key:" for `n`: " scalar", " []", or eol and block lines deeper than `indent`.
Result<QByteArray> emitAfterColon(const YamlNode &n, int indent, int seqOffset, const QByteArray &eol)
{
    switch (n.kind()) {
    case YamlNode::Kind::Null:
        return QByteArray(" null");
    case YamlNode::Kind::Scalar:
        if (!n.tag().isEmpty())
            return tl::unexpected(Error::error(QStringLiteral("cannot copy a value tagged %1").arg(n.tag())));
        return QByteArray(' ' + emitScalar(n));
    case YamlNode::Kind::Sequence: {
        if (n.isReference()) {
            QByteArray out = " !reference [";
            for (size_t i = 0; i < n.items().size(); ++i)
                out += (i ? ", " : "") + YamlEditor::quoteScalar(n.items()[i].text());
            return QByteArray(out + ']');
        }
        if (!n.tag().isEmpty())
            return tl::unexpected(Error::error(QStringLiteral("cannot copy a value tagged %1").arg(n.tag())));
        if (n.items().empty())
            return QByteArray(" []");
        QByteArray out;
        for (const YamlNode &item : n.items()) {
            auto text = emitItem(item, indent + seqOffset + 2, seqOffset, eol);
            if (!text)
                return text;
            out += eol + spaces(indent + seqOffset) + "- " + *text;
        }
        return out;
    }
    case YamlNode::Kind::Map: {
        if (n.entries().empty())
            return QByteArray(" {}");
        QByteArray out;
        for (const auto &[key, value] : n.entries()) {
            auto text = emitAfterColon(value, indent + 2, seqOffset, eol);
            if (!text)
                return text;
            out += eol + spaces(indent + 2) + YamlEditor::quoteScalar(key) + ':' + *text;
        }
        return out;
    }
    }
    return QByteArray();
}

/// The text with `entry`'s value (what follows its ':', to its last line) replaced by `after`. The
/// key line's comment stays: after a one-line value that replaces a one-line value, or on the key
/// line above a block value.
QByteArray replaceValue(const QByteArray &text, const YamlBlockScanner &s, const Entry &entry, const QByteArray &after)
{
    const bool block = after.startsWith(s.eol());
    QByteArray comment;
    if (block)
        comment = entry.comment;
    else if (entry.lastLine == entry.keyLine && !after.contains('\n'))
        comment = entry.comment;
    const QByteArray head = text.left(entry.colon + 1);
    const QByteArray tail = text.mid(s.lines()[size_t(entry.lastLine)].end);
    return block ? head + comment + after + tail : head + after + comment + tail;
}

/// The entries of the block mapping that is `entry`'s value (none when it has no block value).
std::vector<Entry> kidsOf(const YamlBlockScanner &s, const Entry &entry)
{
    const int ci = s.childIndent(entry);
    if (ci < 0)
        return {};
    return s.entries(entry.keyLine + 1, entry.lastLine, ci);
}

/// `base` with the value at `path` set to `leaf`, creating (or replacing non-hash values by) hashes on the way.
YamlNode withPath(YamlNode base, const QStringList &path, const YamlNode &leaf)
{
    if (path.isEmpty())
        return leaf;
    if (!base.isMap())
        base = YamlNode::map();
    const YamlNode *child = base.find(path.front());
    base.insert(path.front(), withPath(child ? *child : YamlNode(), path.mid(1), leaf));
    return base;
}

/// `base` without the value at `path`; hashes left empty by it go too. Returns a null node when
/// `base` itself is left empty and `pruneSelf`.
YamlNode withoutPath(YamlNode base, const QStringList &path, bool pruneSelf)
{
    if (path.isEmpty() || !base.isMap())
        return base;
    if (path.size() == 1) {
        base.remove(path.front());
    } else if (const YamlNode *child = base.find(path.front())) {
        const YamlNode rest = withoutPath(*child, path.mid(1), true);
        if (rest.isNull() && child->isMap())
            base.remove(path.front());
        else
            base.insert(path.front(), rest);
    }
    if (pruneSelf && base.entries().empty())
        return YamlNode();
    return base;
}

/// The value at `path` below `node`, or nullptr.
const YamlNode *atPath(const YamlNode *node, const QStringList &path)
{
    for (const QString &key : path) {
        if (!node || !node->isMap())
            return nullptr;
        node = node->find(key);
    }
    return node;
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

const QString kTrainyard = QStringLiteral(".trainyard");
const QString kJobs = QStringLiteral("jobs");

} // namespace

YamlEditor::YamlEditor(QByteArray text, QString fileName, YamlNode tree)
    : m_text(std::move(text))
    , m_fileName(std::move(fileName))
    , m_tree(std::move(tree))
{}

Result<YamlEditor> YamlEditor::fromText(QByteArray text, QString fileName)
{
    auto tree = YamlLoader::parse(text, fileName);
    if (!tree)
        return tl::unexpected(tree.error());
    return YamlEditor(std::move(text), std::move(fileName), std::move(*tree));
}

QByteArray YamlEditor::quoteScalar(const QString &value)
{
    if (looksTyped(value) || needsQuotesStructurally(value))
        return doubleQuoted(value);
    return value.toUtf8();
}

Error YamlEditor::error(const QString &message, int line0, int column1, const QString &job) const
{
    return Error::error(message, SourceLocation{m_fileName, line0 + 1, column1}, job);
}

Result<YamlBlockScanner::Entry> YamlEditor::editableJob(const Scanner &s, const QString &job) const
{
    const auto e = s.topLevelEntry(job);
    if (!e)
        return tl::unexpected(Error::error(QStringLiteral("no job '%1'").arg(job), SourceLocation{m_fileName}, job));
    const QByteArray value = withoutProperties(e->inlineValue);
    if (value.startsWith('*'))
        return tl::unexpected(error(QStringLiteral("job '%1' is an alias of &%2; inline it to edit only this job")
                                        .arg(job, QString::fromUtf8(value.mid(1))),
                                    e->keyLine, 1, job));
    if (value.startsWith('{') || value.startsWith('['))
        return tl::unexpected(error(
            QStringLiteral("job '%1' is written in flow style; only block-style jobs are edited in place").arg(job),
            e->keyLine, 1, job));
    const int ci = s.childIndent(*e);
    if (!value.isEmpty() || (ci >= 0 && s.entries(e->keyLine + 1, e->lastLine, ci).empty()))
        return tl::unexpected(error(QStringLiteral("job '%1' is not a block mapping").arg(job), e->keyLine, 1, job));
    // An anchor on the job itself: every `<<: *it` elsewhere would change with the edit.
    for (const auto &a : Scanner::anchors(m_text)) {
        if (a.line != e->keyLine)
            continue;
        int outside = 0;
        for (int l : a.aliasLines)
            outside += (l < e->keyLine || l > e->lastLine) ? 1 : 0;
        if (outside > 0)
            return tl::unexpected(error(QStringLiteral("job '%1' is anchor &%2 (line %3), used by %4 other places; an "
                                                       "edit here would change them too")
                                            .arg(job, a.name)
                                            .arg(a.line + 1)
                                            .arg(outside),
                                        e->keyLine, 1, job));
    }
    return *e;
}

Result<void> YamlEditor::checkAnchors(const Scanner &, int from, int to, const QString &job, const QString &what) const
{
    for (const auto &a : Scanner::anchors(m_text)) {
        if (a.line < from || a.line > to)
            continue;
        int outside = 0;
        for (int l : a.aliasLines)
            outside += (l < from || l > to) ? 1 : 0;
        if (outside > 0)
            return tl::unexpected(error(QStringLiteral("job '%1': '%2' holds anchor &%3 (line %4), used by %5 other "
                                                       "places; an edit here would change them too")
                                            .arg(job, what, a.name)
                                            .arg(a.line + 1)
                                            .arg(outside),
                                        a.line, a.column + 1, job));
    }
    return {};
}

Result<void> YamlEditor::commit(QByteArray candidate, const QStringList &changing, const Check &check)
{
    auto parsed = YamlLoader::parse(candidate, m_fileName);
    if (!parsed) {
        Error e = parsed.error();
        e.message = QStringLiteral("the edit would make the file invalid, so it was not made: ") + e.message;
        return tl::unexpected(e);
    }
    QStringList before;
    QStringList after;
    for (const auto &[key, value] : m_tree.entries()) {
        if (!changing.contains(key))
            before.append(key);
    }
    for (const auto &[key, value] : parsed->entries()) {
        if (changing.contains(key))
            continue;
        after.append(key);
        const YamlNode *old = m_tree.find(key);
        if (!old || !sameTree(*old, value))
            return tl::unexpected(Error::error(
                QStringLiteral("the edit would also change '%1' (through an anchor or alias), so it was not made")
                    .arg(key),
                parsed->keyLocation(key)));
    }
    if (before != after)
        return tl::unexpected(
            Error::error(QStringLiteral("the edit would change other top-level keys, so it was not made"),
                         SourceLocation{m_fileName}));
    if (check && !check(*parsed))
        return tl::unexpected(Error::error(QStringLiteral("the edit did not read back as intended, so it was not made"),
                                           SourceLocation{m_fileName}));
    m_text = std::move(candidate);
    m_tree = std::move(*parsed);
    return {};
}

QByteArray YamlEditor::sequenceLines(const Scanner &s, int from, int to, int keyIndent, const QStringList &items) const
{
    if (items.isEmpty())
        return " []";
    int offset = s.sequenceOffset(from, to);
    if (offset < 0)
        offset = s.sequenceOffset(0, int(s.lines().size()) - 1);
    if (offset < 0)
        offset = 2;
    QByteArray out;
    for (const QString &item : items)
        out += s.eol() + spaces(keyIndent + offset) + "- " + quoteScalar(item);
    return out;
}

Result<void> YamlEditor::writeKey(const QString &job, const QString &key, const ValueText &value, const Check &check)
{
    const Scanner s(m_text);
    auto e = editableJob(s, job);
    if (!e)
        return tl::unexpected(e.error());
    const auto &lines = s.lines();
    int ci = s.childIndent(*e);
    if (ci < 0)
        ci = e->indent + 2;
    std::optional<Entry> own;
    for (const Entry &kid : s.entries(e->keyLine + 1, e->lastLine, ci)) {
        if (kid.key == key)
            own = kid; // YAML keeps the last of duplicate keys
    }
    QByteArray candidate;
    if (own) {
        if (auto ok = checkAnchors(s, own->keyLine, own->lastLine, job, key); !ok)
            return ok;
        auto after = value(s, ci, *e);
        if (!after)
            return tl::unexpected(after.error());
        candidate = replaceValue(m_text, s, *own, *after);
    } else {
        // Added after the job's last key: it also overrides a value merged in with `<<`.
        auto after = value(s, ci, *e);
        if (!after)
            return tl::unexpected(after.error());
        const qsizetype at = lines[size_t(e->lastLine)].end;
        candidate = m_text.left(at) + s.eol() + spaces(ci) + quoteScalar(key) + ':' + *after + m_text.mid(at);
    }
    return commit(std::move(candidate), {job}, check);
}

Result<void> YamlEditor::setJobScalar(const QString &job, const QString &key, const QString &value)
{
    const auto text = [&](const Scanner &, int, const Entry &) -> Result<QByteArray> {
        return ' ' + quoteScalar(value);
    };
    const auto check = [&](const YamlNode &root) {
        const YamlNode *j = root.find(job);
        const YamlNode *v = j ? j->find(key) : nullptr;
        return v && v->isScalar() && v->text() == value;
    };
    return writeKey(job, key, text, check);
}

Result<void> YamlEditor::setJobList(const QString &job, const QString &key, const QStringList &items)
{
    const auto text = [&](const Scanner &s, int keyIndent, const Entry &e) -> Result<QByteArray> {
        return sequenceLines(s, e.keyLine, e.lastLine, keyIndent, items);
    };
    const auto check = [&](const YamlNode &root) {
        const YamlNode *j = root.find(job);
        const YamlNode *v = j ? j->find(key) : nullptr;
        return v && v->isSequence() && v->toStringList() == items;
    };
    return writeKey(job, key, text, check);
}

Result<void> YamlEditor::removeJobKey(const QString &job, const QString &key)
{
    const Scanner s(m_text);
    auto e = editableJob(s, job);
    if (!e)
        return tl::unexpected(e.error());
    const int ci = s.childIndent(*e);
    std::optional<Entry> own;
    std::optional<Entry> merge;
    for (const Entry &kid : s.entries(e->keyLine + 1, e->lastLine, ci)) {
        if (kid.key == key)
            own = kid;
        if (kid.key == QLatin1String("<<"))
            merge = kid;
    }
    if (!own) {
        const YamlNode *j = m_tree.find(job);
        if (!j || !j->contains(key))
            return tl::unexpected(error(QStringLiteral("job '%1' has no key '%2'").arg(job, key), e->keyLine, 1, job));
        QString from = QStringLiteral("a '<<' merge key");
        if (merge && merge->inlineValue.startsWith('*')) {
            const QString name = QString::fromUtf8(merge->inlineValue.mid(1));
            for (const auto &a : Scanner::anchors(m_text)) {
                if (a.name == name && a.line < merge->keyLine)
                    from = QStringLiteral("anchor &%1 (line %2) through '<<', shared by %3 places")
                               .arg(name)
                               .arg(a.line + 1)
                               .arg(a.aliasLines.size());
            }
        }
        return tl::unexpected(
            error(QStringLiteral("job '%1': '%2' comes from %3; it cannot be removed from this job alone")
                      .arg(job, key, from),
                  merge ? merge->keyLine : e->keyLine, 1, job));
    }
    if (auto ok = checkAnchors(s, own->keyLine, own->lastLine, job, key); !ok)
        return ok;
    const auto &lines = s.lines();
    // Cut from the end of the line above so a file without a final newline stays without one.
    const QByteArray candidate =
        m_text.left(lines[size_t(own->keyLine - 1)].end) + m_text.mid(lines[size_t(own->lastLine)].end);
    return commit(candidate, {job}, {});
}

Result<void> YamlEditor::addJob(const QString &name, const QByteArray &yamlBody, const QString &afterJob)
{
    const Scanner s(m_text);
    if (m_tree.contains(name))
        return tl::unexpected(
            error(QStringLiteral("there is already a job '%1'").arg(name), m_tree.keyLocation(name).line - 1, 1, name));
    QList<QByteArray> bodyLines = yamlBody.split('\n');
    for (QByteArray &l : bodyLines) {
        if (l.endsWith('\r'))
            l.chop(1);
    }
    while (!bodyLines.isEmpty() && bodyLines.last().trimmed().isEmpty())
        bodyLines.removeLast();
    for (const QByteArray &l : bodyLines) {
        if (!l.trimmed().isEmpty() && !l.startsWith(' '))
            return tl::unexpected(Error::error(QStringLiteral("the body of job '%1' must be indented").arg(name),
                                               SourceLocation{m_fileName}, name));
    }
    QByteArray block = quoteScalar(name) + ':';
    for (const QByteArray &l : bodyLines)
        block += s.eol() + l;
    QByteArray candidate;
    if (!afterJob.isEmpty()) {
        const auto after = s.topLevelEntry(afterJob);
        if (!after)
            return tl::unexpected(
                Error::error(QStringLiteral("no job '%1'").arg(afterJob), SourceLocation{m_fileName}));
        const qsizetype at = s.lines()[size_t(after->lastLine)].end;
        candidate = m_text.left(at) + s.eol() + s.eol() + block + m_text.mid(at);
    } else if (m_text.isEmpty()) {
        candidate = block + s.eol();
    } else if (m_text.endsWith('\n')) {
        const bool blankBefore = s.lines().back().blank;
        candidate = m_text + (blankBefore ? QByteArray() : s.eol()) + block + s.eol();
    } else {
        candidate = m_text + s.eol() + s.eol() + block;
    }
    return commit(candidate, {name}, [&](const YamlNode &root) { return root.contains(name); });
}

Result<void> YamlEditor::removeJob(const QString &name)
{
    const Scanner s(m_text);
    const auto e = s.topLevelEntry(name);
    if (!e)
        return tl::unexpected(Error::error(QStringLiteral("no job '%1'").arg(name), SourceLocation{m_fileName}, name));
    if (auto ok = checkAnchors(s, e->keyLine, e->lastLine, name, name); !ok)
        return ok;
    return commit(cutTopLevel(s, *e), {name}, [&](const YamlNode &root) { return !root.contains(name); });
}

QByteArray YamlEditor::cutTopLevel(const Scanner &s, const Scanner::Entry &entry) const
{
    const auto &lines = s.lines();
    int first = entry.keyLine;
    while (first > 0 && lines[size_t(first - 1)].comment && lines[size_t(first - 1)].indent == 0)
        --first;
    int last = entry.lastLine;
    while (last + 1 < int(lines.size()) && lines[size_t(last + 1)].blank)
        ++last;
    if (last + 1 < int(lines.size()))
        return m_text.left(lines[size_t(first)].begin) + m_text.mid(lines[size_t(last + 1)].begin);
    // The last entry: take the blank lines before it instead, and keep the file's ending.
    while (first > 0 && lines[size_t(first - 1)].blank)
        --first;
    return (first > 0 ? m_text.left(lines[size_t(first - 1)].end) : QByteArray()) +
           m_text.mid(lines[size_t(entry.lastLine)].end);
}

Result<void> YamlEditor::renameJob(const QString &oldName, const QString &newName)
{
    const Scanner s(m_text);
    const auto e = s.topLevelEntry(oldName);
    if (!e)
        return tl::unexpected(
            Error::error(QStringLiteral("no job '%1'").arg(oldName), SourceLocation{m_fileName}, oldName));
    if (m_tree.contains(newName))
        return tl::unexpected(
            error(QStringLiteral("there is already a job '%1'").arg(newName), e->keyLine, 1, oldName));
    qsizetype keyEnd = e->colon;
    while (keyEnd > e->keyBegin && (m_text.at(keyEnd - 1) == ' ' || m_text.at(keyEnd - 1) == '\t'))
        --keyEnd;
    const QByteArray candidate = m_text.left(e->keyBegin) + quoteScalar(newName) + m_text.mid(keyEnd);
    const YamlNode before = m_tree.find(oldName) ? *m_tree.find(oldName) : YamlNode();
    return commit(candidate, {oldName, newName}, [&](const YamlNode &root) {
        const YamlNode *n = root.find(newName);
        return n && sameTree(*n, before) && !root.contains(oldName);
    });
}

Result<void> YamlEditor::setStages(const QStringList &stages)
{
    const Scanner s(m_text);
    const auto &lines = s.lines();
    const auto e = s.topLevelEntry(QStringLiteral("stages"));
    QByteArray candidate;
    if (e) {
        if (auto ok = checkAnchors(s, e->keyLine, e->lastLine, QStringLiteral("stages"), QStringLiteral("stages")); !ok)
            return ok;
        const QByteArray items = sequenceLines(s, e->keyLine, e->lastLine, 0, stages);
        candidate = m_text.left(e->colon + 1) + items + m_text.mid(lines[size_t(e->lastLine)].end);
    } else {
        const QByteArray block = "stages:" + sequenceLines(s, 0, -1, 0, stages);
        int first = 0;
        while (first < int(lines.size()) && !s.isContent(first))
            ++first;
        if (first == int(lines.size())) {
            candidate = m_text + (m_text.isEmpty() || m_text.endsWith('\n') ? QByteArray() : s.eol()) + block + s.eol();
        } else {
            const Scanner::Line &l = lines[size_t(first)];
            if (m_text.mid(l.begin, 3) == "---")
                candidate = m_text.left(l.end) + s.eol() + block + m_text.mid(l.end);
            else
                candidate = m_text.left(l.begin) + block + s.eol() + s.eol() + m_text.mid(l.begin);
        }
    }
    return commit(candidate, {QStringLiteral("stages")}, [&](const YamlNode &root) {
        const YamlNode *n = root.find(QStringLiteral("stages"));
        return n && n->isSequence() && n->toStringList() == stages;
    });
}

Result<void> YamlEditor::inlineKey(const QString &job, const QString &key)
{
    const Scanner s(m_text);
    const auto e = s.topLevelEntry(job);
    const YamlNode *jobNode = m_tree.find(job);
    const YamlNode *value = jobNode ? jobNode->find(key) : nullptr;
    const QByteArray alias = e ? withoutProperties(e->inlineValue) : QByteArray();
    const bool aliasJob = alias.startsWith('*') && jobNode && jobNode->isMap();
    if (!e || (!value && !aliasJob))
        return tl::unexpected(
            Error::error(QStringLiteral("job '%1' has no key '%2'").arg(job, key), SourceLocation{m_fileName}, job));
    const YamlNode before = *jobNode;
    const auto same = [&](const YamlNode &root) {
        const YamlNode *n = root.find(job);
        return n && sameTree(*n, before);
    };
    if (aliasJob) {
        // `job: *a` becomes `job:` + `<<: *a` + the key: the same value, and now a mapping of its own.
        QByteArray keyLines;
        if (value) {
            auto text = emitAfterColon(*value, 2, 2, s.eol());
            if (!text)
                return tl::unexpected(text.error());
            keyLines = s.eol() + "  " + quoteScalar(key) + ':' + *text;
        }
        const QByteArray head = m_text.mid(e->keyBegin, e->colon + 1 - e->keyBegin);
        const qsizetype lineEnd = s.lines()[size_t(e->keyLine)].end;
        const QByteArray candidate =
            m_text.left(e->keyBegin) + head + e->comment + s.eol() + "  <<: " + alias + keyLines + m_text.mid(lineEnd);
        return commit(candidate, {job}, same);
    }
    const YamlNode copy = *value;
    const auto ej = editableJob(s, job);
    if (!ej)
        return tl::unexpected(ej.error());
    for (const Entry &kid : s.entries(e->keyLine + 1, e->lastLine, s.childIndent(*e))) {
        if (kid.key == key && !withoutProperties(kid.inlineValue).startsWith('*')) {
            if (auto ok = checkAnchors(s, kid.keyLine, kid.lastLine, job, key); !ok)
                return ok;
            return {}; // already the job's own value
        }
    }
    const auto text = [&](const Scanner &sc, int keyIndent, const Entry &) -> Result<QByteArray> {
        int offset = sc.sequenceOffset(0, int(sc.lines().size()) - 1);
        return emitAfterColon(copy, keyIndent, offset < 0 ? 2 : offset, sc.eol());
    };
    return writeKey(job, key, text, same);
}

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
    const YamlNode *current = atPath(m_tree.find(job), {key});
    const auto text = [&](const Scanner &s, int keyIndent, const Entry &e) -> Result<QByteArray> {
        if (entries.isEmpty())
            return QByteArray(" {}");
        const auto &lines = s.lines();
        std::optional<Entry> own;
        for (const Entry &kid : s.entries(e.keyLine + 1, e.lastLine, keyIndent)) {
            if (kid.key == key)
                own = kid;
        }
        std::vector<Entry> kids;
        int indent = keyIndent + qMax(2, keyIndent - e.indent);
        if (own && withoutProperties(own->inlineValue).isEmpty()) {
            kids = kidsOf(s, *own);
            if (!kids.empty())
                indent = kids.front().indent;
        }
        QByteArray out;
        for (const auto &[name, value] : entries) {
            std::optional<Entry> kid;
            int kidFirst = 0; // the first line after the entry before it
            int previous = own ? own->keyLine : 0;
            for (const Entry &k : kids) {
                if (k.key == name) {
                    kid = k;
                    kidFirst = previous + 1;
                }
                previous = k.lastLine;
            }
            if (!kid) {
                out += s.eol() + spaces(indent) + quoteScalar(name) + ": " + quoteScalar(value);
                continue;
            }
            // Comment lines directly above the entry travel with it.
            int first = kid->keyLine;
            while (first > kidFirst && lines[size_t(first - 1)].comment)
                --first;
            const qsizetype begin = lines[size_t(first)].begin;
            const qsizetype end = lines[size_t(kid->lastLine)].end;
            const std::optional<QString> was =
                current && current->isMap() ? entryText(current->find(name)) : std::nullopt;
            if (was && *was == value) {
                out += s.eol() + m_text.mid(begin, end - begin);
                continue;
            }
            const bool flow = kid->inlineValue.startsWith('{') || kid->inlineValue.startsWith('[');
            // Only the value changes: a one-line entry keeps its comment, and a variable written as
            // a block hash (`value:`, `description:`) keeps its options.
            std::optional<Entry> target;
            if (withoutProperties(kid->inlineValue).isEmpty()) {
                for (const Entry &v : kidsOf(s, *kid)) {
                    if (v.key == QLatin1String("value") && v.keyLine == v.lastLine)
                        target = v;
                }
            } else if (!flow && kid->keyLine == kid->lastLine) {
                target = kid;
            }
            if (target) {
                const QByteArray replaced = replaceValue(m_text, s, *target, ' ' + quoteScalar(value));
                // Only the target line differs, and it lies inside the entry.
                out += s.eol() + replaced.mid(begin, end - begin + replaced.size() - m_text.size());
                continue;
            }
            if (flow)
                return tl::unexpected(
                    error(QStringLiteral("job '%1': %2 '%3' is written in flow style; edit it in the text")
                              .arg(job, key, name),
                          kid->keyLine, 1, job));
            out += s.eol() + spaces(indent) + quoteScalar(name) + ": " + quoteScalar(value);
        }
        // Comment lines after the last entry stay at the end.
        if (own && !kids.empty()) {
            int first = kids.back().lastLine + 1;
            const int last = own->lastLine;
            while (first <= last && !lines[size_t(first)].comment)
                ++first;
            if (first <= last)
                out += s.eol() +
                       m_text.mid(lines[size_t(first)].begin, lines[size_t(last)].end - lines[size_t(first)].begin);
        }
        return out;
    };
    const auto check = [&](const YamlNode &root) {
        const YamlNode *v = atPath(root.find(job), {key});
        if (!v || !v->isMap() || v->entries().size() != size_t(entries.size()))
            return false;
        for (qsizetype i = 0; i < entries.size(); ++i) {
            const auto &[name, node] = v->entries()[size_t(i)];
            if (name != entries[i].first || entryText(&node) != std::optional<QString>(entries[i].second))
                return false;
        }
        return true;
    };
    return writeKey(job, key, text, check);
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
    const Scanner s(m_text);
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

// --- .trainyard: jobs: ---

Result<void> YamlEditor::writeTrainyardJobSetting(const QString &job, const QString &key, const QByteArray &afterColon,
                                                  const std::function<bool(const YamlNode &leaf)> &leafOk)
{
    const Scanner s(m_text);
    const QStringList path{kJobs, job, key};
    const auto top = s.topLevelEntry(kTrainyard);
    QByteArray candidate;
    if (top) {
        const int ci = s.childIndent(*top);
        auto text = setBelow(
            s, *top, ci > 0 ? ci : 2, path, [&](int) -> Result<QByteArray> { return afterColon; }, job, kTrainyard);
        if (!text)
            return tl::unexpected(text.error());
        candidate = *text;
    } else {
        // A new `.trainyard:` goes after the last line that is not blank, after a blank line; blank
        // lines that end the file stay at its end, so that removing the block gives the file back.
        const QByteArray eol = s.eol();
        const QByteArray block = quoteScalar(kTrainyard) + ':' + eol + "  " + quoteScalar(kJobs) + ':' + eol + "    " +
                                 quoteScalar(job) + ':' + eol + "      " + quoteScalar(key) + ':' + afterColon;
        const auto &lines = s.lines();
        int last = int(lines.size()) - 1;
        while (last >= 0 && lines[size_t(last)].blank)
            --last;
        if (last < 0) {
            candidate = m_text + block + eol;
        } else {
            const qsizetype at = lines[size_t(last)].end;
            candidate = m_text.left(at) + eol + eol + block + m_text.mid(at);
        }
    }
    const YamlNode *old = m_tree.find(kTrainyard);
    const YamlNode before = old ? *old : YamlNode();
    return commit(candidate, {kTrainyard}, [&](const YamlNode &root) {
        const YamlNode *after = root.find(kTrainyard);
        const YamlNode *leaf = atPath(after, path);
        return leaf && leafOk(*leaf) && sameTree(*after, withPath(before, path, *leaf));
    });
}

Result<void> YamlEditor::setTrainyardJobSetting(const QString &job, const QString &key, const QString &value)
{
    return writeTrainyardJobSetting(job, key, ' ' + quoteScalar(value),
                                    [&](const YamlNode &leaf) { return leaf.isScalar() && leaf.text() == value; });
}

Result<void> YamlEditor::setTrainyardJobSetting(const QString &job, const QString &key, int value)
{
    return writeTrainyardJobSetting(job, key, ' ' + QByteArray::number(value), [&](const YamlNode &leaf) {
        return leaf.toInt() == std::optional<long long>(value);
    });
}

Result<void> YamlEditor::removeTrainyardJobSetting(const QString &job, const QString &key)
{
    const Scanner s(m_text);
    const auto top = s.topLevelEntry(kTrainyard);
    if (!top)
        return {};
    const QStringList path{kJobs, job, key};
    auto candidate = removeBelow(s, *top, path, true, job, kTrainyard);
    if (!candidate)
        return tl::unexpected(candidate.error());
    if (!*candidate)
        return {};
    const YamlNode before = *m_tree.find(kTrainyard);
    return commit(**candidate, {kTrainyard}, [&](const YamlNode &root) {
        const YamlNode expected = withoutPath(before, path, true);
        const YamlNode *after = root.find(kTrainyard);
        if (expected.isNull())
            return after == nullptr;
        return after && sameTree(*after, expected);
    });
}

Result<void> YamlEditor::renameTrainyardJob(const QString &oldName, const QString &newName)
{
    const Scanner s(m_text);
    const auto top = s.topLevelEntry(kTrainyard);
    if (!top || oldName == newName)
        return {};
    auto chain = entryChain(s, *top, {kJobs, oldName}, oldName, kTrainyard);
    if (!chain)
        return tl::unexpected(chain.error());
    if (chain->size() < 2)
        return {};
    const YamlNode *jobs = atPath(m_tree.find(kTrainyard), {kJobs});
    if (jobs && jobs->contains(newName))
        return tl::unexpected(error(QStringLiteral(".trainyard already has settings for a job '%1'").arg(newName),
                                    (*chain)[1].keyLine, 1, oldName));
    const Entry &e = (*chain)[1];
    qsizetype keyEnd = e.colon;
    while (keyEnd > e.keyBegin && (m_text.at(keyEnd - 1) == ' ' || m_text.at(keyEnd - 1) == '\t'))
        --keyEnd;
    const QByteArray candidate = m_text.left(e.keyBegin) + quoteScalar(newName) + m_text.mid(keyEnd);
    YamlNode expected = *m_tree.find(kTrainyard);
    for (auto &[name, value] : expected.find(kJobs)->entries()) {
        if (name == oldName)
            name = newName;
    }
    return commit(candidate, {kTrainyard}, [&](const YamlNode &root) {
        const YamlNode *after = root.find(kTrainyard);
        return after && sameTree(*after, expected);
    });
}

} // namespace trainyard::core
