#include "yamlloader.h"

#include <QFile>
#include <QHash>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <unordered_map>

namespace trainyard::core {

namespace {

constexpr int kMaxDepth = 256;

/// The byte offset of the `[` (or `{`) that opens the flow collection still open at `end`, the
/// innermost one of that kind; -1 if none. yaml-cpp reports an unclosed flow where it gave up
/// looking (the next key, often lines later); the user needs the bracket that was never closed.
/// A light scan: quotes and comments are skipped, and a bracket opens a flow only where a value
/// starts (after `:`, `-`, `,`, another bracket, or at the start of a line), not inside a scalar
/// like `echo a[1]`.
qsizetype unclosedFlowOpener(const QByteArray &text, qsizetype end, char open)
{
    std::vector<qsizetype> stack;
    char previous = '\n'; // the last character that is not a blank, on this line or before
    end = std::min(end, text.size());
    for (qsizetype i = 0; i < end; ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r')
            continue;
        const bool valueStarts = previous == '\n' || previous == ':' || previous == '-' ||
                                 (!stack.empty() && (previous == ',' || previous == '[' || previous == '{'));
        if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
            while (i < end && text[i] != '\n')
                ++i;
            previous = '\n';
            if (!stack.empty())
                previous = ','; // a comment inside a flow: what follows may start a value
            continue;
        }
        if ((c == '\'' || c == '"') && valueStarts) {
            for (++i; i < end && text[i] != c; ++i) {
                if (c == '"' && text[i] == '\\')
                    ++i;
            }
            previous = c;
            continue;
        }
        if ((c == '[' || c == '{') && valueStarts) {
            stack.push_back(i);
        } else if ((c == ']' || c == '}') && !stack.empty()) {
            stack.pop_back();
        } else if (c == '\n' && stack.empty()) {
            previous = '\n';
            continue;
        }
        if (c != '\n')
            previous = c;
    }
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        if (text[*it] == open)
            return *it;
    }
    return -1;
}

/// Line and column (1-based) of the byte at `offset` of `text`.
SourceLocation locationAt(const QByteArray &text, const QString &fileName, qsizetype offset)
{
    const qsizetype lineStart = text.lastIndexOf('\n', offset) + 1;
    return SourceLocation{fileName, int(text.left(offset).count('\n')) + 1, int(offset - lineStart) + 1};
}

/// The text of line `line` (1-based) of `text`, without its line break.
QString lineOf(const QByteArray &text, int line)
{
    qsizetype start = 0;
    for (int n = 1; n < line && start >= 0; ++n) {
        start = text.indexOf('\n', start);
        if (start >= 0)
            ++start;
    }
    if (start < 0 || line < 1)
        return {};
    qsizetype stop = text.indexOf('\n', start);
    if (stop < 0)
        stop = text.size();
    return QString::fromUtf8(text.mid(start, stop - start)).trimmed();
}

/// The Error for what yaml-cpp could not parse: where the problem starts, with that line's text.
Error syntaxError(const QByteArray &text, const QString &fileName, const YAML::Exception &e)
{
    const YAML::Mark m = e.mark;
    QString message = QString::fromStdString(e.msg);
    SourceLocation where{fileName, m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1};
    const bool sequence = e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW;
    if (!m.is_null() && (sequence || e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW)) {
        const qsizetype opener = unclosedFlowOpener(text, m.pos, sequence ? '[' : '{');
        if (opener >= 0) {
            where = locationAt(text, fileName, opener);
            message = QStringLiteral("this '%1' is never closed (a flow %2 needs its '%3' before %4)")
                          .arg(sequence ? QStringLiteral("[") : QStringLiteral("{"),
                               sequence ? QStringLiteral("sequence") : QStringLiteral("mapping"),
                               sequence ? QStringLiteral("]") : QStringLiteral("}"),
                               text.mid(m.pos).trimmed().isEmpty() ? QStringLiteral("the file ends")
                               : m.line + 1 == where.line          ? QStringLiteral("the line ends")
                                                                   : QStringLiteral("line %1").arg(m.line + 1));
        }
    }
    const QString line = lineOf(text, where.line);
    if (!line.isEmpty())
        message += QStringLiteral(": %1").arg(line);
    return Error::error(QStringLiteral("invalid YAML: %1").arg(message), where);
}

class Converter
{
public:
    explicit Converter(const QString &file)
        : m_file(file)
    {}

    Result<YamlNode> convert(const YAML::Node &node, int depth)
    {
        if (++m_count > YamlLoader::kMaxNodes)
            return tl::unexpected(
                Error::error(QStringLiteral("document is too large after expanding aliases"), loc(node)));
        if (depth > kMaxDepth)
            return tl::unexpected(Error::error(QStringLiteral("document is nested too deeply"), loc(node)));
        const QString tag = QString::fromStdString(node.Tag());
        switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null: {
            YamlNode n;
            n.setLocation(loc(node));
            return n;
        }
        case YAML::NodeType::Scalar: {
            // yaml-cpp tags plain scalars "?" and quoted ones "!"; explicit tags are kept.
            const bool quoted = tag == QLatin1String("!");
            YamlNode n = YamlNode::scalar(text(node), loc(node), quoted);
            if (tag != QLatin1String("?") && tag != QLatin1String("!"))
                n.setTag(tag);
            return n;
        }
        case YAML::NodeType::Sequence: {
            YamlNode n = YamlNode::sequence(loc(node));
            if (tag != QLatin1String("?") && tag != QLatin1String("!"))
                n.setTag(tag);
            for (const auto &child : node) {
                auto c = convert(child, depth + 1);
                if (!c)
                    return c;
                n.append(std::move(*c));
            }
            return n;
        }
        case YAML::NodeType::Map:
            return convertMap(node, depth);
        }
        return YamlNode{};
    }

private:
    // Psych (Ruby, what GitLab runs) processes a mapping in order: a `<<` merges its hash over
    // what is there so far (a later plain key wins again), and a list of hashes is merged with
    // the first having priority. Duplicate keys: the last one wins.
    Result<YamlNode> convertMap(const YAML::Node &node, int depth)
    {
        YamlNode n = YamlNode::map(loc(node));
        const QString tag = QString::fromStdString(node.Tag());
        if (tag != QLatin1String("?") && tag != QLatin1String("!"))
            n.setTag(tag);
        QHash<QString, SourceLocation> written; // keys written in this mapping (not merged in)
        for (const auto &kv : node) {
            const YAML::Node &k = kv.first;
            auto value = convert(kv.second, depth + 1);
            if (!value)
                return value;
            QString key;
            if (k.IsScalar()) {
                key = text(k);
            } else if (k.IsNull()) {
                key = QString();
            } else {
                return tl::unexpected(Error::error(QStringLiteral("mapping keys must be strings"), loc(k)));
            }
            const bool isMerge = key == QLatin1String("<<") && k.Tag() == "?";
            if (isMerge) {
                if (value->isMap()) {
                    mergeInto(n, *value);
                    continue;
                }
                if (value->isSequence()) {
                    bool allMaps = true;
                    for (const auto &item : value->items())
                        allMaps = allMaps && item.isMap();
                    if (allMaps) {
                        YamlNode combined = YamlNode::map(value->location());
                        for (auto it = value->items().rbegin(); it != value->items().rend(); ++it)
                            mergeInto(combined, *it);
                        mergeInto(n, combined);
                        continue;
                    }
                }
                // Psych keeps a `<<` whose value is not a hash as an ordinary key.
            }
            if (const auto earlier = written.constFind(key); earlier != written.cend()) {
                m_warnings.push_back(Error::warning(
                    QStringLiteral("duplicate key '%1' (first at line %2): the last one wins, as GitLab reads it")
                        .arg(key)
                        .arg(earlier->line),
                    loc(k)));
            }
            written.insert(key, loc(k));
            n.insert(key, std::move(*value), loc(k));
        }
        return n;
    }

    static void mergeInto(YamlNode &target, const YamlNode &source)
    {
        for (size_t i = 0; i < source.entries().size(); ++i) {
            const auto &[key, value] = source.entries()[i];
            target.insert(key, value, source.keyLocation(key));
        }
    }

    static QString text(const YAML::Node &node) { return QString::fromStdString(node.Scalar()); }

public:
    std::vector<Error> takeWarnings() { return std::move(m_warnings); }

private:
    SourceLocation loc(const YAML::Node &node) const
    {
        const YAML::Mark m = node.Mark();
        if (m.is_null())
            return SourceLocation{m_file, 0, 0};
        return SourceLocation{m_file, m.line + 1, m.column + 1};
    }

    QString m_file;
    int m_count = 0;
    std::vector<Error> m_warnings;
};

/// The offset of the first byte of `line` that does not start a valid UTF-8 sequence, or -1.
qsizetype firstInvalidUtf8(QByteArrayView line)
{
    for (qsizetype i = 0; i < line.size();) {
        const auto c = static_cast<unsigned char>(line[i]);
        const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
        if (extra < 0 || (extra == 1 && c < 0xc2) || i + extra >= line.size() + (extra == 0 ? 1 : 0))
            return i;
        for (int k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(line[i + k]) & 0xc0) != 0x80)
                return i;
        i += extra + 1;
    }
    return -1;
}

/// Lines with bytes that are not UTF-8: yaml-cpp reads them as U+FFFD without a word (and so
/// does GitLab's Ruby, differently); a warning at the first such byte of each line says it.
std::vector<Error> invalidUtf8(const QByteArray &text, const QString &fileName)
{
    std::vector<Error> out;
    qsizetype start = 0;
    for (int line = 1; start <= text.size(); ++line) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0)
            end = text.size();
        if (const qsizetype bad = firstInvalidUtf8(QByteArrayView(text).sliced(start, end - start)); bad >= 0)
            out.push_back(Error::warning(
                QStringLiteral("invalid UTF-8 here: the bytes that are not UTF-8 are read as \uFFFD (U+FFFD)"),
                SourceLocation{fileName, line, int(bad) + 1}));
        start = end + 1;
    }
    return out;
}

/// How many nodes the document has once its aliases are expanded, counted without expanding
/// them: an alias is the anchored node itself, found again by its position in the text, so each
/// node is counted once and reused. Saturates just above `limit`, so an alias bomb (a few hundred
/// bytes that expand to billions of nodes) costs nothing.
class ExpandedSize
{
public:
    explicit ExpandedSize(qint64 limit)
        : m_limit(limit)
    {}

    qint64 of(const YAML::Node &node, int depth = 0)
    {
        if (depth > kMaxDepth)
            return m_limit + 1; // refused as too deep anyway
        const YAML::Mark mark = node.Mark();
        if (!mark.is_null()) {
            if (const auto found = m_known.find(mark.pos); found != m_known.end())
                return found->second;
        }
        qint64 total = 1;
        if (node.IsSequence()) {
            for (const auto &child : node)
                total = std::min(m_limit + 1, total + of(child, depth + 1));
        } else if (node.IsMap()) {
            for (const auto &kv : node)
                total = std::min(m_limit + 1, total + of(kv.first, depth + 1) + of(kv.second, depth + 1));
        }
        if (!mark.is_null())
            m_known.emplace(mark.pos, total);
        return total;
    }

private:
    qint64 m_limit;
    std::unordered_map<int, qint64> m_known;
};

} // namespace

Result<YamlNode> YamlLoader::parse(const QByteArray &text, const QString &fileName)
{
    auto document = read(text, fileName);
    if (!document)
        return tl::unexpected(document.error());
    return std::move(document->root);
}

Result<YamlLoader::Document> YamlLoader::read(const QByteArray &text, const QString &fileName)
{
    if (const qsizetype nul = text.indexOf('\0'); nul >= 0) {
        // yaml-cpp would read it as something else (a NUL and an 'n' become a line break).
        return tl::unexpected(
            Error::error(QStringLiteral("invalid YAML: the file contains a NUL byte, which YAML does not allow"),
                         locationAt(text, fileName, nul)));
    }
    try {
        const YAML::Node root = YAML::Load(text.toStdString());
        if (ExpandedSize(kMaxNodes).of(root) > kMaxNodes)
            return tl::unexpected(Error::error(
                QStringLiteral("document is too large after expanding aliases (more than %1 nodes): aliases that "
                               "refer to aliases multiply; nothing was expanded")
                    .arg(kMaxNodes),
                SourceLocation{fileName, 1, 1}));
        Converter converter(fileName);
        auto converted = converter.convert(root, 0);
        if (!converted)
            return tl::unexpected(converted.error());
        std::vector<Error> warnings = invalidUtf8(text, fileName);
        for (Error &e : converter.takeWarnings())
            warnings.push_back(std::move(e));
        return Document{std::move(*converted), std::move(warnings)};
    } catch (const YAML::Exception &e) {
        return tl::unexpected(syntaxError(text, fileName, e));
    } catch (const std::exception &e) {
        return tl::unexpected(Error::error(QStringLiteral("invalid YAML: %1").arg(QString::fromUtf8(e.what())),
                                           SourceLocation{fileName, 0, 0}));
    }
}

Result<YamlLoader::Document> YamlLoader::load(const QString &path, const QString &displayName)
{
    const QString name = displayName.isEmpty() ? path : displayName;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(
            Error::error(QStringLiteral("cannot read file: %1").arg(file.errorString()), SourceLocation{name, 0, 0}));
    return read(file.readAll(), name);
}

} // namespace trainyard::core
