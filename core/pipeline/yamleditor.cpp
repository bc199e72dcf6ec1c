// YamlEditor: reading the text, the checks and the commit every edit goes through, and the edits
// of one key of a job (set, remove, inline). Whole top-level entries are in yamleditortoplevel.cpp,
// mappings and nested lists in yamleditormappings.cpp, `.trainyard:` in yamleditortrainyard.cpp.
#include "yamleditor.h"

#include "yamleditortext.h"
#include "yamlloader.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace trainyard::core {

using namespace yamleditortext;

YamlEditor::YamlEditor(QByteArray text, QString fileName, YamlLoader::Document document)
    : m_text(std::move(text))
    , m_fileName(std::move(fileName))
    , m_tree(std::move(document.root))
    , m_readWarnings(std::move(document.warnings))
{}

Result<YamlEditor> YamlEditor::fromText(QByteArray text, QString fileName)
{
    auto document = YamlLoader::read(text, fileName);
    if (!document)
        return tl::unexpected(document.error());
    return YamlEditor(std::move(text), std::move(fileName), std::move(*document));
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
    for (const auto &a : s.textAnchors()) {
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

Result<void> YamlEditor::checkAnchors(const Scanner &s, int from, int to, const QString &job, const QString &what) const
{
    for (const auto &a : s.textAnchors()) {
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

const std::vector<YamlBlockScanner::Anchor> &YamlEditor::anchors() const
{
    if (!m_anchors)
        m_anchors = Scanner::anchors(m_text);
    return *m_anchors;
}

YamlBlockScanner YamlEditor::scan() const
{
    return Scanner(m_text, anchors());
}

namespace {

/// True when a line of `text` is a document marker or a directive: `---`, `...` or `%` at its
/// start. Read alone, such a text is not what it is inside the file.
bool hasDocumentMarker(const QByteArray &text)
{
    for (qsizetype at = 0; at < text.size();) {
        const QByteArrayView line = QByteArrayView(text).sliced(at);
        if (line.startsWith("---") || line.startsWith("...") || line.startsWith('%'))
            return true;
        const qsizetype nl = text.indexOf('\n', at);
        if (nl < 0)
            break;
        at = nl + 1;
    }
    return false;
}

#ifndef NDEBUG
/// Same values, tags and positions (keys' included): what a full reading would have given.
bool samePositions(const YamlNode &a, const YamlNode &b)
{
    if (!yamleditortext::sameTree(a, b) || a.location() != b.location())
        return false;
    for (size_t i = 0; i < a.items().size(); ++i) {
        if (!samePositions(a.items()[i], b.items()[i]))
            return false;
    }
    for (size_t i = 0; i < a.entries().size(); ++i) {
        const QString &key = a.entries()[i].first;
        if (a.keyLocation(key) != b.keyLocation(key) || !samePositions(a.entries()[i].second, b.entries()[i].second))
            return false;
    }
    return true;
}
#endif

} // namespace

std::optional<YamlEditor::EntryRead> YamlEditor::readEntryAlone(const QByteArray &candidate, const QString &key) const
{
    // Warnings carry line numbers (and some name other lines in their text): keep the simple case.
    if (!m_readWarnings.empty() || !m_tree.isMap() || !m_tree.find(key))
        return std::nullopt;
    const Scanner s = scan();
    std::optional<Entry> entry;
    int written = 0;
    for (const Entry &e : s.topLevel()) {
        if (e.key == key) {
            entry = e;
            ++written;
        }
    }
    if (written != 1)
        return std::nullopt;
    for (const Scanner::Anchor &a : s.textAnchors()) {
        if (a.line >= entry->keyLine && a.line <= entry->lastLine)
            return std::nullopt;
        for (int l : a.aliasLines) {
            if (l >= entry->keyLine && l <= entry->lastLine)
                return std::nullopt;
        }
    }
    // The candidate must be the text with only bytes of the entry's lines changed.
    const auto &lines = s.lines();
    const qsizetype begin = lines[size_t(entry->keyLine)].begin;
    const qsizetype end = lines[size_t(entry->lastLine)].next;
    const qsizetype oldSize = m_text.size();
    const qsizetype newSize = candidate.size();
    const qsizetype common = std::min(oldSize, newSize);
    const qsizetype prefix =
        std::mismatch(m_text.cbegin(), m_text.cbegin() + common, candidate.cbegin()).first - m_text.cbegin();
    qsizetype suffix = 0;
    while (suffix < common - prefix && m_text[oldSize - 1 - suffix] == candidate[newSize - 1 - suffix])
        ++suffix;
    if (prefix < begin || oldSize - suffix > end)
        return std::nullopt;
    const qsizetype newEnd = end + (newSize - oldSize);
    if (newEnd <= begin)
        return std::nullopt;
    const QByteArray entryText = candidate.sliced(begin, newEnd - begin);
    if ((newEnd < newSize && !entryText.endsWith('\n')) || hasDocumentMarker(entryText) ||
        !Scanner::anchors(entryText).empty())
        return std::nullopt;
    auto read = YamlLoader::read(entryText, m_fileName);
    if (!read || !read->warnings.empty() || !read->root.isMap() || read->root.entries().size() != 1 ||
        read->root.entries().front().first != key)
        return std::nullopt;

    // Positions: the entry's lines start at its key line; the lines after it move by the lines gained.
    const int delta = int(entryText.count('\n') - QByteArrayView(m_text).sliced(begin, end - begin).count('\n'));
    EntryRead out{m_tree, s.textAnchors()};
    if (delta != 0) {
        out.tree.shiftLines(entry->lastLine + 2, delta);
        for (Scanner::Anchor &a : out.anchors) {
            if (a.line > entry->lastLine)
                a.line += delta;
            for (int &l : a.aliasLines) {
                if (l > entry->lastLine)
                    l += delta;
            }
        }
    }
    YamlNode value = std::move(read->root.mutableEntries().front().second);
    value.shiftLines(1, entry->keyLine);
    SourceLocation keyLocation = read->root.keyLocation(key);
    keyLocation.line += entry->keyLine;
    out.tree.insert(key, std::move(value), std::move(keyLocation));
    // A file read whole refuses more nodes than this; such a file is read whole, to say so.
    if (out.tree.nodeCount() > YamlLoader::kMaxNodes / 2)
        return std::nullopt;
#ifndef NDEBUG
    // Debug builds (the tests') check every such reading against the whole text's.
    const auto whole = YamlLoader::read(candidate, m_fileName);
    Q_ASSERT_X(whole && whole->warnings.empty() && samePositions(out.tree, whole->root) &&
                   out.anchors.size() == Scanner::anchors(candidate).size(),
               "YamlEditor::readEntryAlone",
               qPrintable(QStringLiteral("differs from reading the whole text, at '%1'").arg(key)));
#endif
    return out;
}

Result<void> YamlEditor::commit(QByteArray candidate, const QStringList &changing, const Check &check)
{
    if (changing.size() == 1) {
        if (std::optional<EntryRead> entry = readEntryAlone(candidate, changing.front())) {
            if (check && !check(entry->tree))
                return tl::unexpected(
                    Error::error(QStringLiteral("the edit did not read back as intended, so it was not made"),
                                 SourceLocation{m_fileName}));
            m_textBeforeLastEdit = std::exchange(m_text, std::move(candidate));
            m_tree = std::move(entry->tree);
            m_anchors = std::move(entry->anchors);
            m_lastReadBack = ReadBack::Entry;
            m_lastEntryKey = changing.front();
            return {};
        }
    }
    auto read = YamlLoader::read(candidate, m_fileName);
    if (!read) {
        Error e = read.error();
        e.message = QStringLiteral("the edit would make the file invalid, so it was not made: ") + e.message;
        return tl::unexpected(e);
    }
    const YamlNode &parsed = read->root;
    QStringList before;
    QStringList after;
    for (const auto &[key, value] : m_tree.entries()) {
        if (!changing.contains(key))
            before.append(key);
    }
    for (const auto &[key, value] : parsed.entries()) {
        if (changing.contains(key))
            continue;
        after.append(key);
        const YamlNode *old = m_tree.find(key);
        if (!old || !sameTree(*old, value))
            return tl::unexpected(Error::error(
                QStringLiteral("the edit would also change '%1' (through an anchor or alias), so it was not made")
                    .arg(key),
                parsed.keyLocation(key)));
    }
    if (before != after)
        return tl::unexpected(
            Error::error(QStringLiteral("the edit would change other top-level keys, so it was not made"),
                         SourceLocation{m_fileName}));
    if (check && !check(parsed))
        return tl::unexpected(Error::error(QStringLiteral("the edit did not read back as intended, so it was not made"),
                                           SourceLocation{m_fileName}));
    m_text = std::move(candidate);
    m_tree = std::move(read->root);
    m_readWarnings = std::move(read->warnings);
    m_anchors.reset();
    m_lastReadBack = ReadBack::Whole;
    m_lastEntryKey.clear();
    m_textBeforeLastEdit.clear();
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
    const Scanner s = scan();
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
    const Scanner s = scan();
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
            for (const auto &a : anchors()) {
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

Result<void> YamlEditor::inlineKey(const QString &job, const QString &key)
{
    const Scanner s = scan();
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

} // namespace trainyard::core
