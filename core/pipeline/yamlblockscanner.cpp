#include "yamlblockscanner.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <sstream>

namespace trainyard::core {

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

/// Collects anchors and aliases from yaml-cpp's event stream; ids are unique per definition,
/// so a redefined anchor name is told apart from the earlier one.
class AnchorCollector final : public YAML::EventHandler
{
public:
    std::vector<YamlBlockScanner::Anchor> anchors;

    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &, YAML::anchor_t anchor) override { bind(anchor); }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        const auto it = m_byId.find(anchor);
        if (it != m_byId.end())
            anchors[it->second].aliasLines.push_back(mark.line);
    }
    void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t anchor, const std::string &) override
    {
        bind(anchor);
    }
    void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        bind(anchor);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t anchor, YAML::EmitterStyle::value) override
    {
        bind(anchor);
    }
    void OnMapEnd() override {}
    void OnAnchor(const YAML::Mark &mark, const std::string &name) override
    {
        anchors.push_back({QString::fromStdString(name), mark.line, mark.column, {}});
        m_pending = int(anchors.size()) - 1;
    }

private:
    void bind(YAML::anchor_t anchor)
    {
        if (anchor != YAML::NullAnchor && m_pending >= 0)
            m_byId[anchor] = size_t(m_pending);
        m_pending = -1;
    }

    std::map<YAML::anchor_t, size_t> m_byId;
    int m_pending = -1;
};

} // namespace

YamlBlockScanner::YamlBlockScanner(const QByteArray &text)
    : m_text(text)
{
    const qsizetype firstBreak = m_text.indexOf('\n');
    if (firstBreak > 0 && m_text.at(firstBreak - 1) == '\r')
        m_eol = "\r\n";
    qsizetype pos = 0;
    while (pos < m_text.size()) {
        Line line;
        line.begin = pos;
        const qsizetype nl = m_text.indexOf('\n', pos);
        line.next = nl < 0 ? m_text.size() : nl + 1;
        line.end = nl < 0 ? m_text.size() : (nl > pos && m_text.at(nl - 1) == '\r' ? nl - 1 : nl);
        qsizetype p = pos;
        while (p < line.end && m_text.at(p) == ' ')
            ++p;
        line.indent = int(p - pos);
        while (p < line.end && isBlank(m_text.at(p)))
            ++p;
        line.blank = p == line.end;
        line.comment = !line.blank && m_text.at(p) == '#';
        m_lines.push_back(line);
        pos = line.next;
    }
}

YamlBlockScanner::YamlBlockScanner(const QByteArray &text, std::vector<Anchor> anchors)
    : YamlBlockScanner(text)
{
    m_anchors = std::move(anchors);
}

bool YamlBlockScanner::isContent(int line) const
{
    const Line &l = m_lines[size_t(line)];
    return !l.blank && !l.comment;
}

bool YamlBlockScanner::isSequenceItem(int line) const
{
    const Line &l = m_lines[size_t(line)];
    const qsizetype p = l.begin + l.indent;
    return !l.blank && m_text.at(p) == '-' && (p + 1 == l.end || isBlank(m_text.at(p + 1)));
}

qsizetype YamlBlockScanner::commentStart(const QByteArray &text, qsizetype begin, qsizetype end)
{
    char quote = 0;
    char lastNonBlank = ':'; // a quote right at `begin` opens a quoted scalar
    for (qsizetype i = begin; i < end; ++i) {
        const char c = text.at(i);
        if (quote) {
            if (quote == '"' && c == '\\')
                ++i;
            else if (c == quote)
                quote = 0;
            continue;
        }
        // Quotes only matter where a scalar starts; inside a plain scalar they are ordinary text.
        if ((c == '"' || c == '\'') && QByteArrayView(":-[{,?").contains(lastNonBlank)) {
            quote = c;
            continue;
        }
        if (c == '#' && (i == begin || isBlank(text.at(i - 1))))
            return i;
        if (!isBlank(c))
            lastNonBlank = c;
    }
    return end;
}

std::optional<YamlBlockScanner::Entry> YamlBlockScanner::parseKey(int line) const
{
    const Line &l = m_lines[size_t(line)];
    if (l.blank || l.comment || isSequenceItem(line))
        return std::nullopt;
    const qsizetype p = l.begin + l.indent;
    const char first = m_text.at(p);
    if (QByteArrayView("[{?&*!|>%@`").contains(first))
        return std::nullopt;
    Entry e;
    e.indent = l.indent;
    e.keyLine = line;
    e.lastLine = line;
    e.keyBegin = p;
    qsizetype colon = -1;
    if (first == '"' || first == '\'') {
        QByteArray key;
        qsizetype i = p + 1;
        for (; i < l.end; ++i) {
            const char c = m_text.at(i);
            if (first == '"' && c == '\\' && i + 1 < l.end) {
                key += m_text.at(++i);
            } else if (c == first) {
                if (first == '\'' && i + 1 < l.end && m_text.at(i + 1) == '\'') {
                    key += '\'';
                    ++i;
                } else {
                    break;
                }
            } else {
                key += c;
            }
        }
        qsizetype j = i + 1;
        while (j < l.end && isBlank(m_text.at(j)))
            ++j;
        if (i >= l.end || j >= l.end || m_text.at(j) != ':')
            return std::nullopt;
        colon = j;
        e.key = QString::fromUtf8(key);
    } else {
        for (qsizetype i = p; i < l.end; ++i) {
            const char c = m_text.at(i);
            if (c == '#' && i > p && isBlank(m_text.at(i - 1)))
                return std::nullopt;
            if (c == ':' && (i + 1 == l.end || isBlank(m_text.at(i + 1)))) {
                colon = i;
                break;
            }
        }
        if (colon < 0)
            return std::nullopt;
        e.key = QString::fromUtf8(m_text.mid(p, colon - p).trimmed());
    }
    e.colon = colon;
    const qsizetype cs = commentStart(m_text, colon + 1, l.end);
    e.inlineValue = m_text.mid(colon + 1, cs - colon - 1).trimmed();
    qsizetype commentBegin = cs;
    while (cs < l.end && commentBegin > colon + 1 && isBlank(m_text.at(commentBegin - 1)))
        --commentBegin;
    e.comment = m_text.mid(commentBegin, l.end - commentBegin);
    return e;
}

std::vector<YamlBlockScanner::Entry> YamlBlockScanner::entries(int from, int to, int indent) const
{
    std::vector<Entry> out;
    bool open = false;
    for (int l = from; l <= to && l < int(m_lines.size()); ++l) {
        const Line &line = m_lines[size_t(l)];
        if (line.blank)
            continue;
        if (line.comment) {
            // Deeper comment-like lines may be block scalar content: they belong to the entry.
            if (open && line.indent > indent)
                out.back().lastLine = l;
            continue;
        }
        if (line.indent == indent && !isSequenceItem(l)) {
            auto e = parseKey(l);
            open = e.has_value();
            if (e)
                out.push_back(*e);
            continue;
        }
        if (open && line.indent >= indent)
            out.back().lastLine = l;
    }
    return out;
}

std::optional<YamlBlockScanner::Entry> YamlBlockScanner::topLevelEntry(const QString &key) const
{
    std::optional<Entry> found;
    for (const Entry &e : topLevel()) {
        if (e.key == key)
            found = e;
    }
    return found;
}

int YamlBlockScanner::childIndent(const Entry &entry) const
{
    for (int l = entry.keyLine + 1; l <= entry.lastLine; ++l) {
        if (isContent(l))
            return m_lines[size_t(l)].indent;
    }
    return -1;
}

int YamlBlockScanner::sequenceOffset(int from, int to) const
{
    for (int l = from; l <= to && l < int(m_lines.size()); ++l) {
        const auto key = parseKey(l);
        if (!key || !key->inlineValue.isEmpty())
            continue;
        for (int n = l + 1; n <= to && n < int(m_lines.size()); ++n) {
            if (!isContent(n))
                continue;
            if (isSequenceItem(n) && m_lines[size_t(n)].indent >= key->indent)
                return m_lines[size_t(n)].indent - key->indent;
            break;
        }
    }
    return -1;
}

std::vector<YamlBlockScanner::Anchor> YamlBlockScanner::anchors(const QByteArray &text)
{
    // An anchor is written `&name`: a text without '&' has none, and is not parsed for them.
    if (!text.contains('&'))
        return {};
    AnchorCollector collector;
    try {
        std::istringstream in(text.toStdString());
        YAML::Parser parser(in);
        parser.HandleNextDocument(collector);
    } catch (const std::exception &) {
        return {};
    }
    return collector.anchors;
}

const std::vector<YamlBlockScanner::Anchor> &YamlBlockScanner::textAnchors() const
{
    if (!m_anchors)
        m_anchors = anchors(m_text);
    return *m_anchors;
}

} // namespace trainyard::core
