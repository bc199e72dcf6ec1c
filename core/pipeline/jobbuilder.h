#pragma once

#include "common/error.h"
#include "job.h"
#include "yamlnode.h"

#include <vector>

namespace trainyard::core {

/// Turns one job's merged configuration (after `extends`, `default`, `!reference`) into a Job,
/// checking the type of every keyword; problems name the job and the offending node.
class JobBuilder final
{
public:
    explicit JobBuilder(std::vector<Error> &problems)
        : m_problems(problems)
    {}

    /// Keywords a job may have. Others are warned about, not rejected.
    static const QStringList &jobKeywords();

    Job build(const QString &name, const YamlNode &config, const SourceLocation &keyLocation);

    /// Parses `needs:` entries (also used for `rules:needs`).
    std::optional<std::vector<Need>> parseNeeds(const YamlNode &node, const QString &job);
    Variables parseVariables(const YamlNode &node, const QString &where, const QString &job);

private:
    QStringList scriptLines(const YamlNode &node, const QString &key, const QString &job);
    QStringList stringList(const YamlNode &node, const QString &key, const QString &job);
    Image parseImage(const YamlNode &node, const QString &job);
    void checkInsideWorkspace(const YamlNode &paths, const QString &key, const QString &job);
    Artifacts parseArtifacts(const YamlNode &node, const QString &job);
    void parseRetry(const YamlNode &node, Job &job);
    void parseAllowFailure(const YamlNode &node, Job &job);
    /// Warns about each key of `config` that is not one of jobKeywords().
    void warnUnknownKeys(const YamlNode &config, const QString &job);
    /// `stage:` (a string), with where it is written.
    void parseStage(const YamlNode &node, Job &job);
    /// `services:`, each a name or a hash like `image:` with alias, command and variables.
    void parseServices(const YamlNode &node, Job &job);
    /// `when:`; a manual job may fail by default.
    void parseWhen(const YamlNode &node, Job &job);
    /// `interruptible:` (a boolean).
    void parseInterruptible(const YamlNode &node, Job &job);
    /// Checks that rules are not used with only/except, and that the job has a script (or trigger).
    void checkRulesAndScript(const YamlNode &config, const Job &job, const SourceLocation &keyLocation);
    void typeError(const YamlNode &node, const QString &key, const QString &expected, const QString &job);

    std::vector<Error> &m_problems;
};

} // namespace trainyard::core
