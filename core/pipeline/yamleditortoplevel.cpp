// YamlEditor's edits of whole top-level entries: adding, removing and renaming a job, and `stages:`.
#include "yamleditor.h"

#include "yamleditortext.h"

namespace trainyard::core {

using namespace yamleditortext;

Result<void> YamlEditor::addJob(const QString &name, const QByteArray &yamlBody, const QString &afterJob)
{
    const Scanner s = scan();
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
    const Scanner s = scan();
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
    const Scanner s = scan();
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
    const Scanner s = scan();
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

} // namespace trainyard::core
