// YamlEditor's text helpers: scalar quoting (quoteScalar), copying a value as YAML text, replacing a
// value in place, and the value trees read back (declared in yamleditortext.h).
#include "yamleditortext.h"

#include "yamleditor.h"

#include <QRegularExpression>
#include <QString>

namespace trainyard::core {

using namespace yamleditortext;

namespace {

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

} // namespace

QByteArray YamlEditor::quoteScalar(const QString &value)
{
    if (looksTyped(value) || needsQuotesStructurally(value))
        return doubleQuoted(value);
    return value.toUtf8();
}

namespace yamleditortext {

QByteArray spaces(int n)
{
    return QByteArray(qMax(0, n), ' ');
}

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

QByteArray withoutProperties(QByteArray v)
{
    while (v.startsWith('&') || (v.startsWith('!') && !v.startsWith("!reference"))) {
        const qsizetype sp = v.indexOf(' ');
        v = sp < 0 ? QByteArray() : v.mid(sp + 1).trimmed();
    }
    return v;
}

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

const YamlNode *atPath(const YamlNode *node, const QStringList &path)
{
    for (const QString &key : path) {
        if (!node || !node->isMap())
            return nullptr;
        node = node->find(key);
    }
    return node;
}

} // namespace yamleditortext

} // namespace trainyard::core
