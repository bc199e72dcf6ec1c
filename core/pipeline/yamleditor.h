#pragma once

#include "common/error.h"
#include "yamlblockscanner.h"
#include "yamlnode.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>

namespace trainyard::core {

/// Edits the text of one block-style YAML file in place: each edit replaces only the lines of
/// the job or key it concerns, so comments, key order and anchors elsewhere survive and an
/// unedited file is written back byte for byte. Edits that cannot stay local (an anchor shared
/// with other places) are refused with an Error saying where and why. After every edit the whole
/// text is re-read; an edit that breaks the YAML or changes any other top-level key is undone.
class YamlEditor final
{
public:
    static Result<YamlEditor> fromText(QByteArray text, QString fileName);

    /// The current text; exactly the input when no edit was made.
    QByteArray text() const { return m_text; }
    const QString &fileName() const { return m_fileName; }

    /// Sets or adds a scalar key of a top-level job, quoting the value when YAML would misread it.
    Result<void> setJobScalar(const QString &job, const QString &key, const QString &value);
    /// Sets a list key of a job (script, needs, tags, ...) as a block sequence; empty gives `key: []`.
    Result<void> setJobList(const QString &job, const QString &key, const QStringList &items);
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
    /// a later edit changes only this job. An alias job `job: *a` becomes `job:` / `<<: *a` / `key: ...`.
    Result<void> inlineKey(const QString &job, const QString &key);

    /// `value` as a YAML scalar that reads back as that string: plain when safe, else double-quoted.
    static QByteArray quoteScalar(const QString &value);

private:
    using Scanner = YamlBlockScanner;
    using Check = std::function<bool(const YamlNode &root)>;

    YamlEditor(QByteArray text, QString fileName, YamlNode tree);

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
    Error error(const QString &message, int line0, int column1 = 1, const QString &job = {}) const;

    QByteArray m_text;
    QString m_fileName;
    YamlNode m_tree;
};

} // namespace trainyard::core
