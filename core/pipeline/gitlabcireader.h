#pragma once

#include "evaluationcontext.h"
#include "pipeline.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace trainyard::core {

/// Reads a project's `.gitlab-ci.yml` into a Pipeline the way GitLab does for a push pipeline
/// on one branch: includes, `extends`, `default`, anchors and merge keys, `!reference`,
/// `parallel`, `rules`/`only`/`except` and `workflow`. Never throws: every problem found is in
/// `Pipeline::problems`, several at once where possible.
class GitlabCiReader final
{
public:
    struct Options
    {
        QString projectDir = QStringLiteral(".");
        QString file;   ///< relative to projectDir (or absolute); default `.gitlab-ci.yml`
        QString branch; ///< overrides the git branch
    };

    static Pipeline read(const Options &options);
    /// Reads from text with a prepared context (tests and the fuzzer use this).
    static Pipeline readText(const QByteArray &text, const QString &fileName, const EvaluationContext &context);
    /// readText() of a text already read into `root` with these `warnings` (YamlLoader::read), as
    /// an editor holds it after an edit.
    static Pipeline readDocument(const YamlNode &root, std::vector<Error> warnings, const QString &fileName,
                                 const EvaluationContext &context);

    /// What a reading keeps so that the document can be read again after an edit inside one
    /// entry, for that entry alone (rereadEntry()). Opaque.
    struct Memo;
    /// readDocument(), also filling `memo` for rereadEntry().
    static Pipeline readDocument(const YamlNode &root, std::vector<Error> warnings, const QString &fileName,
                                 const EvaluationContext &context, std::shared_ptr<Memo> &memo);
    /// After an edit that changed only the top-level entry `key` of the document `pipeline` and
    /// `memo` were read from (by readDocument() or this), with no warnings read: makes `pipeline`
    /// what readDocument() would give for `root`, reading that entry alone, and updates `memo`.
    /// False, with both unchanged, when the entry cannot be read alone (the file has includes or
    /// `!reference`, `key` is a keyword, a template, a base of `extends`, parallel, not a hash, or
    /// the project's secrets changed): then read it whole.
    static bool rereadEntry(Pipeline &pipeline, Memo &memo, const YamlNode &root, const QString &key,
                            const EvaluationContext &context);

    /// Top-level keys that are keywords, not jobs.
    static const QStringList &globalKeywords();
};

} // namespace trainyard::core
