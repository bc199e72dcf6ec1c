// YamlEditor's edits of Trainyard's own per-job settings, `.trainyard: jobs: <job>: <key>`.
#include "yamleditor.h"

#include "yamleditortext.h"

#include <functional>
#include <optional>

namespace trainyard::core {

using namespace yamleditortext;

namespace {

const QString kTrainyard = QStringLiteral(".trainyard");
const QString kJobs = QStringLiteral("jobs");

} // namespace

// --- .trainyard: jobs: ---

Result<void> YamlEditor::writeTrainyardJobSetting(const QString &job, const QString &key, const QByteArray &afterColon,
                                                  const std::function<bool(const YamlNode &leaf)> &leafOk)
{
    const Scanner s = scan();
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
    const Scanner s = scan();
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
    const Scanner s = scan();
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
    for (auto &[name, value] : expected.find(kJobs)->mutableEntries()) {
        if (name == oldName)
            name = newName;
    }
    return commit(candidate, {kTrainyard}, [&](const YamlNode &root) {
        const YamlNode *after = root.find(kTrainyard);
        return after && sameTree(*after, expected);
    });
}

} // namespace trainyard::core
