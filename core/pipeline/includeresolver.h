#pragma once

#include "common/error.h"
#include "yamlnode.h"

#include <QString>

#include <functional>
#include <vector>

namespace trainyard::core {

class EvaluationContext;

/// Resolves `include:` the way GitLab merges it: included files in order, deep-merged, then the
/// including file on top (it wins). `local` files are read from the project tree (wildcards and
/// nested includes too); `remote`, `template`, `project` and `component` cannot be fetched
/// offline and are reported as such, never dropped silently.
class IncludeResolver final
{
public:
    /// Evaluates an include's `rules:`; true when the file is to be included.
    using RulesCheck = std::function<bool(const YamlNode &rules)>;

    IncludeResolver(const EvaluationContext &context, RulesCheck rulesCheck, std::vector<Error> &problems);

    /// Returns `root` with its includes merged in and the `include` key removed.
    YamlNode resolve(const YamlNode &root);

    /// Offline includes that could not be used, for messages ("remote https://…").
    const QStringList &unavailable() const { return m_unavailable; }

private:
    YamlNode resolveFile(const YamlNode &root, int depth);
    void includeEntry(const YamlNode &entry, YamlNode &content, int depth);
    void includeLocal(const QString &pattern, const SourceLocation &where, YamlNode &content, int depth);

    const EvaluationContext &m_context;
    RulesCheck m_rulesCheck;
    std::vector<Error> &m_problems;
    QStringList m_unavailable;
    QStringList m_seen;
    int m_fileCount = 0;
};

} // namespace trainyard::core
