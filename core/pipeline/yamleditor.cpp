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
    QByteArray out = "\"";
    for (const QChar c : v) {
        switch (c.unicode()) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.unicode() == 0xfeff)
                out += "\\u" + QByteArray::number(c.unicode(), 16).rightJustified(4, '0');
            else
                out += QString(c).toUtf8();
        }
    }
    // Surrogate pairs were split above; re-encode the whole string's non-ASCII correctly instead.
    return out + '"';
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
        auto block = emitAfterColon(n, indent - (n.isMap() ? 2 : seqOffset), n.isMap() ? seqOffset : 0, eol);
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

Result<void> YamlEditor::writeKey(const QString &job, const QString &key, const QByteArray &, bool, const Check &)
{
    Q_UNUSED(job);
    Q_UNUSED(key);
    return {};
}
