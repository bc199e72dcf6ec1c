#pragma once

#include "common/error.h"
#include "job.h"
#include "yamlnode.h"

#include <QHash>
#include <QString>

#include <optional>
#include <vector>

namespace trainyard::core {

class EvaluationContext;

/// The attributes a matching `rules:` entry gives a job.
struct RuleMatch
{
    std::optional<When> when;
    std::optional<bool> allowFailure;
    QList<int> allowFailureExitCodes;
    Variables variables;
    std::optional<QString> startIn;
    const YamlNode *needs = nullptr; ///< `rules:needs`, replacing the job's
    const YamlNode *rule = nullptr;
};

/// Evaluates `rules`, `only`/`except` and `workflow: rules` for the context's push pipeline.
/// Malformed entries are reported in `problems` and never match.
class RulesEvaluator final
{
public:
    RulesEvaluator(const EvaluationContext &context, std::vector<Error> &problems);

    /// The first rule that matches, or nullopt when none does (GitLab then leaves the job out).
    std::optional<RuleMatch> firstMatch(const YamlNode &rules, const QHash<QString, QString> &variables,
                                        const QString &job = {});
    /// `only`/`except`: true when the job is created. Either may be null.
    bool onlyExcept(const YamlNode *only, const YamlNode *except, const QHash<QString, QString> &variables,
                    const QString &job = {});
    /// One `if:` expression; errors are reported and count as false.
    bool evaluateIf(const YamlNode &expression, const QHash<QString, QString> &variables, const QString &job = {});

private:
    bool ruleMatches(const YamlNode &rule, const QHash<QString, QString> &variables, const QString &job);
    bool changesMatch(const YamlNode &changes, const QString &job);
    bool existsMatch(const YamlNode &exists, const QString &job);
    bool refMatches(const QString &entry) const;
    bool policyMatches(const YamlNode &policy, const QHash<QString, QString> &variables, const QString &job,
                       bool isExcept);

    const EvaluationContext &m_context;
    std::vector<Error> &m_problems;
};

} // namespace trainyard::core
