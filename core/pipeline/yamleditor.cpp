#include "yamleditor.h"

#include "yamlloader.h"

#include <QRegularExpression>

namespace trainyard::core {

namespace {

using Entry = YamlBlockScanner::Entry;

QByteArray spaces(int n) { return QByteArray(qMax(0, n), ' '); }

/// Same value as YAML reads it: kind, text, quoting (it decides the type), tag, order. Positions differ.
bool sameTree(const YamlNode &a, const YamlNode &b)
{
    if (a.kind() != b.kind() || a.tag() != b.tag())
        return false;
    switch (a.kind()) {
    case YamlNode::Kind::Null: return true;
    case YamlNode::Kind::Scalar: return a.text() == b.text() && a.isQuoted() == b.isQuoted();
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
    static const QRegularExpression typed(QStringLiteral(
        "^(~|null|true|false|yes|no|on|off|y|n|<<|=)$"
        "|^[-+]?(\\d[\\d_]*)?(\\.[\\d_]*)?([eE][-+]?\\d+)?$"
        "|^[-+]?0x[0-9a-f_]+$|^[-+]?0o?[0-7_]+$|^[-+]?0b[01_]+$|^[-+]?\\.(inf|nan)$"
        "|^[-+]?\\d[\\d_]*(:[0-5]?\\d)+(\\.[\\d_]*)?$|^\\d{4}-\\d\\d?-\\d\\d?"),
        QRegularExpression::CaseInsensitiveOption);
    return typed.match(v).hasMatch() && v != QLatin1String(".") && v != QLatin1String("-")
           && v != QLatin1String("+") && v != QLatin1String("_");
}

/// Text that cannot be a plain scalar whatever its type: indicators, comments, breaks, edge blanks.
bool needsQuotesStructurally(const QString &v)
{
    if (v.isEmpty())
        return true;
    if (QStringView(u"-?:,[]{}#&*!|>'\"%@`").contains(v.front()) || v.front().isSpace() || v.back().isSpace()
        || v.back() == u':')
        return true;
    if (v.contains(QLatin1String(": ")) || v.contains(QLatin1String(" #")) || v.contains(QLatin1String(":\t"))
        || v.contains(QLatin1String("\t#")))
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
        case '\\': out += QLatin1String("\\\\"); break;
        case '"': out += QLatin1String("\\\""); break;
        case '\n': out += QLatin1String("\\n"); break;
        case '\t': out += QLatin1String("\\t"); break;
        case '\r': out += QLatin1String("\\r"); break;
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

/// A scalar as it was read: typed plain text stays plain so it keeps its type.
QByteArray emitScalar(const YamlNode &n)
{
    if (!n.isQuoted() && looksTyped(n.text()))
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
    case YamlNode::Kind::Null: return QByteArray(" null");
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

} // namespace

YamlEditor::YamlEditor(QByteArray text, QString fileName, YamlNode tree)
    : m_text(std::move(text)), m_fileName(std::move(fileName)), m_tree(std::move(tree))
{
}

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
        return tl::unexpected(
            error(QStringLiteral("job '%1' is written in flow style; only block-style jobs are edited in place").arg(job),
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
                QStringLiteral("the edit would also change '%1' (through an anchor or alias), so it was not made").arg(key),
                parsed->keyLocation(key)));
    }
    if (before != after)
        return tl::unexpected(Error::error(QStringLiteral("the edit would change other top-level keys, so it was not made"),
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
        const qsizetype begin = lines[size_t(own->keyLine)].begin;
        // A one-line value keeps its trailing comment.
        const QByteArray comment = own->lastLine == own->keyLine && !after->contains('\n') ? own->comment : QByteArray();
        candidate = m_text.left(begin) + m_text.mid(begin, own->colon + 1 - begin) + *after + comment
                    + m_text.mid(lines[size_t(own->lastLine)].end);
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
    const auto text = [&](const Scanner &, int, const Entry &) -> Result<QByteArray> { return ' ' + quoteScalar(value); };
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
        return tl::unexpected(error(QStringLiteral("job '%1': '%2' comes from %3; it cannot be removed from this job alone")
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
        return tl::unexpected(error(QStringLiteral("there is already a job '%1'").arg(name),
                                    m_tree.keyLocation(name).line - 1, 1, name));
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
            return tl::unexpected(Error::error(QStringLiteral("no job '%1'").arg(afterJob), SourceLocation{m_fileName}));
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
    const auto &lines = s.lines();
    int first = e->keyLine;
    while (first > 0 && lines[size_t(first - 1)].comment && lines[size_t(first - 1)].indent == 0)
        --first;
    int last = e->lastLine;
    while (last + 1 < int(lines.size()) && lines[size_t(last + 1)].blank)
        ++last;
    QByteArray candidate;
    if (last + 1 < int(lines.size())) {
        candidate = m_text.left(lines[size_t(first)].begin) + m_text.mid(lines[size_t(last + 1)].begin);
    } else {
        // The last job: take the blank lines before it instead, and keep the file's ending.
        while (first > 0 && lines[size_t(first - 1)].blank)
            --first;
        candidate = (first > 0 ? m_text.left(lines[size_t(first - 1)].end) : QByteArray())
                    + m_text.mid(lines[size_t(e->lastLine)].end);
    }
    return commit(candidate, {name}, [&](const YamlNode &root) { return !root.contains(name); });
}

Result<void> YamlEditor::renameJob(const QString &oldName, const QString &newName)
{
    const Scanner s(m_text);
    const auto e = s.topLevelEntry(oldName);
    if (!e)
        return tl::unexpected(Error::error(QStringLiteral("no job '%1'").arg(oldName), SourceLocation{m_fileName}, oldName));
    if (m_tree.contains(newName))
        return tl::unexpected(error(QStringLiteral("there is already a job '%1'").arg(newName), e->keyLine, 1, oldName));
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
    if (!e || !value)
        return tl::unexpected(Error::error(QStringLiteral("job '%1' has no key '%2'").arg(job, key),
                                           SourceLocation{m_fileName}, job));
    const YamlNode before = *jobNode;
    const YamlNode copy = *value;
    const auto same = [&](const YamlNode &root) {
        const YamlNode *n = root.find(job);
        return n && sameTree(*n, before);
    };
    const QByteArray alias = withoutProperties(e->inlineValue);
    if (alias.startsWith('*')) {
        // `job: *a` becomes `job:` + `<<: *a` + the key: the same value, and now a mapping of its own.
        auto text = emitAfterColon(copy, 2, 2, s.eol());
        if (!text)
            return tl::unexpected(text.error());
        const QByteArray head = m_text.mid(e->keyBegin, e->colon + 1 - e->keyBegin);
        const qsizetype lineEnd = s.lines()[size_t(e->keyLine)].end;
        const QByteArray candidate = m_text.left(e->keyBegin) + head + e->comment + s.eol() + "  <<: " + alias + s.eol()
                                     + "  " + quoteScalar(key) + ':' + *text + m_text.mid(lineEnd);
        return commit(candidate, {job}, same);
    }
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

} // namespace trainyard::core
