#pragma once

#include "evaluationcontext.h"
#include "pipeline.h"

#include <QByteArray>
#include <QString>

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

    /// Top-level keys that are keywords, not jobs.
    static const QStringList &globalKeywords();
};

} // namespace trainyard::core
