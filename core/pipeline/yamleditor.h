#pragma once

#include "common/error.h"
#include "yamlblockscanner.h"
#include "yamlloader.h"
#include "yamlnode.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace trainyard::core {

/// Edits the text of one block-style YAML file in place: each edit replaces only the lines of
/// the job or key it concerns, so comments, key order and anchors elsewhere survive and an
/// unedited file is written back byte for byte. Edits that cannot stay local (an anchor shared
/// with other places) are refused with an Error saying where and why. After every edit the text is
/// read back: only the edited top-level entry when the edit stayed inside its lines and no anchor,
/// alias or warning is involved (a large file's edit then costs what its entry costs), else the
/// whole text. An edit that breaks the YAML or changes any other top-level key is undone.
class YamlEditor final
{
public:
    static Result<YamlEditor> fromText(QByteArray text, QString fileName);

    /// The current text; exactly the input when no edit was made.
    QByteArray text() const { return m_text; }
    const QString &fileName() const { return m_fileName; }
    /// The text as read (after every edit it is read again): its tree and the warnings reading
    /// gave, for GitlabCiReader::readDocument() without reading the text once more.
    const YamlNode &tree() const { return m_tree; }
    const std::vector<Error> &readWarnings() const { return m_readWarnings; }
    /// How the last edit was read back: the edited top-level entry alone, or the whole text.
    enum class ReadBack { None, Entry, Whole };
    ReadBack lastReadBack() const { return m_lastReadBack; }
    /// After an edit read back as ReadBack::Entry: that entry's key, and the text before the edit
    /// (only that entry's lines differ), for GitlabCiReader::rereadEntry(). Empty otherwise.
    const QString &lastEntryKey() const { return m_lastEntryKey; }
    QByteArray textBeforeLastEdit() const { return m_textBeforeLastEdit; }

    /// Sets or adds a scalar key of a top-level job, quoting the value when YAML would misread it.
    Result<void> setJobScalar(const QString &job, const QString &key, const QString &value);
    /// Sets a list key of a job (script, needs, tags, ...) as a block sequence; empty gives `key: []`.
    Result<void> setJobList(const QString &job, const QString &key, const QStringList &items);
    /// Sets a key YAML must read as a boolean (`allow_failure: true`), written plain.
    Result<void> setJobBool(const QString &job, const QString &key, bool value);
    /// Sets a key YAML must read as an integer (`retry: 2`), written plain.
    Result<void> setJobInt(const QString &job, const QString &key, int value);
    /// A name and the text YAML should read for it, for mapping keys such as `variables:`.
    using ScalarEntries = QList<QPair<QString, QString>>;
    /// Sets a mapping key of a job (`variables`) to these entries in this order; empty gives `key: {}`.
    /// An entry that already reads as its value keeps its lines as written (quoting, comment, a
    /// `{value:, description:}` form); a changed one written as a block hash changes only its `value:`.
    Result<void> setJobMapping(const QString &job, const QString &key, const ScalarEntries &entries);
    /// Sets the pipeline's own `variables:` (the top-level mapping every job inherits) to these
    /// entries in this order, keeping the lines of those that do not change as `setJobMapping`
    /// does; a file without one gets it after `stages:` (or at the top). Empty removes it.
    Result<void> setPipelineVariables(const ScalarEntries &entries);
    /// Sets a list below a job's mapping key (`{"artifacts", "paths"}`), creating the mapping when the
    /// job has none; its other keys stay. Empty items remove the list, and the mapping when it is left
    /// empty. Refused when the mapping comes through a `<<` merge (inline it first).
    Result<void> setJobNestedList(const QString &job, const QStringList &path, const QStringList &items);
    Result<void> removeJobKey(const QString &job, const QString &key);
    /// Adds a job whose body is already-indented `key: value` lines, at the end or after `afterJob`.
    Result<void> addJob(const QString &name, const QByteArray &yamlBody, const QString &afterJob = {});
    /// Removes the job's lines and the comment lines directly above it.
    Result<void> removeJob(const QString &name);
    /// Changes only the job's key; references in other jobs' `needs` are left as they are.
    Result<void> renameJob(const QString &oldName, const QString &newName);
    /// Rewrites the `stages:` block, or inserts one after the leading comments.
    Result<void> setStages(const QStringList &stages);
    /// Gives the job its own copy of a key that it gets through an alias or a `<<` merge key, so
    /// a later edit changes only this job. An alias job `job: *a` becomes `job:` / `<<: *a` / `key: ...`
    /// (just `<<: *a` when the aliased mapping has no such key, which is enough to edit it).
    Result<void> inlineKey(const QString &job, const QString &key);

    /// Sets `.trainyard: jobs: <job>: <key>` (Trainyard's own per-job settings, which GitLab ignores),
    /// creating `.trainyard:` (at the end of the file), `jobs:` and `<job>:` as needed.
    Result<void> setTrainyardJobSetting(const QString &job, const QString &key, const QString &value);
    /// The same for a number (`gpus: 2`), written plain so that it reads as an integer.
    Result<void> setTrainyardJobSetting(const QString &job, const QString &key, int value);
    /// Removes `.trainyard: jobs: <job>: <key>`; the job's entry goes when it is left empty, and so
    /// do `jobs:` and `.trainyard:` when this leaves them empty. No such setting: nothing changes.
    Result<void> removeTrainyardJobSetting(const QString &job, const QString &key);
    /// Renames `.trainyard: jobs: <oldName>:` to follow a renamed job; nothing when it has none.
    Result<void> renameTrainyardJob(const QString &oldName, const QString &newName);

    /// `value` as a YAML scalar that reads back as that string: plain when safe, else double-quoted.
    static QByteArray quoteScalar(const QString &value);

private:
    using Scanner = YamlBlockScanner;
    using Check = std::function<bool(const YamlNode &root)>;

    YamlEditor(QByteArray text, QString fileName, YamlLoader::Document document);

    /// The anchors of the text and the lines of their aliases, found once per text (reading them
    /// parses the whole text) and moved with the lines by an edit read back alone. Not
    /// thread-safe, as the scanner's: an editor belongs to one thread.
    const std::vector<Scanner::Anchor> &anchors() const;
    /// A scanner of the text that knows its anchors.
    Scanner scan() const;

    /// A commit's reading of `candidate` made from the one top-level entry `key` it changes.
    struct EntryRead
    {
        YamlNode tree;
        std::vector<Scanner::Anchor> anchors;
    };
    /// The tree of `candidate` when it differs from the text only within the lines of the
    /// top-level entry `key` and reading that entry alone is reading the whole text (no anchors,
    /// aliases, warnings, duplicate keys or document markers there); nullopt otherwise.
    std::optional<EntryRead> readEntryAlone(const QByteArray &candidate, const QString &key) const;

    /// The job's entry if it is a block mapping that can be edited here; a refusal otherwise.
    Result<Scanner::Entry> editableJob(const Scanner &s, const QString &job) const;
    /// A refusal when lines [from, to] hold an anchor used by aliases outside them.
    Result<void> checkAnchors(const Scanner &s, int from, int to, const QString &job, const QString &what) const;
    /// Text after "key:" for a key written at `keyIndent` in the job whose entry is given.
    using ValueText = std::function<Result<QByteArray>(const Scanner &, int keyIndent, const Scanner::Entry &job)>;
    /// Replaces the job's own `key` block with "key:" + value text, or adds it after its last key.
    Result<void> writeKey(const QString &job, const QString &key, const ValueText &value, const Check &check);
    /// Re-reads `candidate`; keeps it only if it parses, passes `check`, and every top-level key
    /// not in `changing` is unchanged.
    Result<void> commit(QByteArray candidate, const QStringList &changing, const Check &check);
    QByteArray sequenceLines(const Scanner &s, int from, int to, int keyIndent, const QStringList &items) const;
    /// Writes a plain (typed) scalar and checks that it reads back unquoted as `plain`.
    Result<void> setJobPlain(const QString &job, const QString &key, const QByteArray &plain);

    /// A job's own mapping key as setJobMapping finds it: its entry, the entries of its block, their indent.
    struct MappingBlock
    {
        std::optional<Scanner::Entry> own;
        std::vector<Scanner::Entry> kids;
        int indent = 0;
    };
    /// A refusal when a name of `entries` cannot be a mapping key (empty, `<<`) or comes twice.
    Result<void> checkMappingEntries(const QString &job, const QString &key, const ScalarEntries &entries) const;
    /// Text after "key:" that sets the mapping `key` (written at `keyIndent` in the job entry `e`) to `entries`.
    Result<QByteArray> mappingText(const Scanner &s, int keyIndent, const Scanner::Entry &e, const QString &job,
                                   const QString &key, const ScalarEntries &entries, const YamlNode *current) const;
    /// Where the job entry `e` has its own mapping `key` (written at `keyIndent`) and how its entries are indented.
    static MappingBlock mappingBlock(const Scanner &s, int keyIndent, const Scanner::Entry &e, const QString &key);
    /// The lines of the entry `name: value`: as they were if `current` reads so, else only the value changed, or new.
    Result<QByteArray> mappingEntryText(const Scanner &s, const MappingBlock &block, const QString &name,
                                        const QString &value, const YamlNode *current, const QString &job,
                                        const QString &key) const;
    /// The comment lines after the last entry of `block`, which stay at its end (none: empty).
    QByteArray trailingComments(const Scanner &s, const MappingBlock &block) const;

    /// Text after "key:" for the last key of a nested path, written at `keyIndent`.
    using LeafText = std::function<Result<QByteArray>(int keyIndent)>;
    /// The text with `path` below the block mapping `parent` set to `leaf`, creating the mappings
    /// missing on the way (indented `step` deeper per level). `owner` names the job in refusals.
    Result<QByteArray> setBelow(const Scanner &s, const Scanner::Entry &parent, int step, const QStringList &path,
                                const LeafText &leaf, const QString &owner, const QString &what) const;
    /// The entries along `path` below `parent`, as far as they exist (a refusal for a mapping that
    /// is not written as a block).
    Result<std::vector<Scanner::Entry>> entryChain(const Scanner &s, const Scanner::Entry &parent,
                                                   const QStringList &path, const QString &owner,
                                                   const QString &what) const;
    /// A refusal when `parent` or an entry of `chain` (the mappings above an edit) is an anchor used elsewhere.
    Result<void> checkChainAnchors(const Scanner &s, const Scanner::Entry &parent,
                                   const std::vector<Scanner::Entry> &chain, const QString &owner,
                                   const QString &what) const;
    /// The text without `path` below `parent`; mappings left empty go too, `parent` itself when
    /// `parentToo` (else it stays, even empty). No text when there is nothing to remove.
    Result<std::optional<QByteArray>> removeBelow(const Scanner &s, const Scanner::Entry &parent,
                                                  const QStringList &path, bool parentToo, const QString &owner,
                                                  const QString &what) const;
    /// The text without a top-level entry (and the comment lines directly above it), keeping the
    /// file's ending.
    QByteArray cutTopLevel(const Scanner &s, const Scanner::Entry &entry) const;
    /// Sets a `.trainyard: jobs: <job>: <key>` scalar from the text after "key:".
    Result<void> writeTrainyardJobSetting(const QString &job, const QString &key, const QByteArray &afterColon,
                                          const std::function<bool(const YamlNode &leaf)> &leafOk);
    Error error(const QString &message, int line0, int column1 = 1, const QString &job = {}) const;

    QByteArray m_text;
    QString m_fileName;
    YamlNode m_tree;
    std::vector<Error> m_readWarnings;
    mutable std::optional<std::vector<Scanner::Anchor>> m_anchors; ///< anchors(), once asked
    ReadBack m_lastReadBack = ReadBack::None;
    QString m_lastEntryKey;
    QByteArray m_textBeforeLastEdit;
};

} // namespace trainyard::core
