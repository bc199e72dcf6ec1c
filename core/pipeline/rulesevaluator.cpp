#include "rulesevaluator.h"

#include "evaluationcontext.h"
#include "globpattern.h"
#include "ruleexpression.h"
#include "variableexpander.h"

#include <QRegularExpression>

namespace trainyard::core {

RulesEvaluator::RulesEvaluator(const EvaluationContext &context, std::vector<Error> &problems)
    : m_context(context)
    , m_problems(problems)
{}

bool RulesEvaluator::evaluateIf(const YamlNode &expression, const QHash<QString, QString> &variables,
                                const QString &job)
{
    if (!expression.isScalar()) {
        m_problems.push_back(Error::error(QStringLiteral("rules:if should be a string"), expression.location(), job));
        return false;
    }
    auto parsed = RuleExpression::parse(expression.text(), expression.location());
    if (!parsed) {
        Error e = parsed.error();
        e.job = job;
        m_problems.push_back(std::move(e));
        return false;
    }
    return parsed->evaluate(variables);
}

std::optional<RuleMatch> RulesEvaluator::firstMatch(const YamlNode &rules, const QHash<QString, QString> &variables,
                                                    const QString &job)
{
    if (rules.isNull())
        return std::nullopt;
    if (!rules.isSequence()) {
        m_problems.push_back(Error::error(QStringLiteral("rules should be an array of hashes"), rules.location(), job));
        return std::nullopt;
    }
    for (const auto &rule : rules.items()) {
        if (!rule.isMap()) {
            m_problems.push_back(Error::error(QStringLiteral("each rule should be a hash"), rule.location(), job));
            continue;
        }
        if (!ruleMatches(rule, variables, job))
            continue;
        RuleMatch match;
        match.rule = &rule;
        if (const YamlNode *w = rule.find(QStringLiteral("when"))) {
            if (auto when = whenFromString(w->text()))
                match.when = when;
            else
                m_problems.push_back(Error::error(QStringLiteral("rules:when has an unknown value '%1'").arg(w->text()),
                                                  w->location(), job));
        }
        if (const YamlNode *af = rule.find(QStringLiteral("allow_failure"))) {
            if (auto b = af->toBool())
                match.allowFailure = b;
            else if (af->isMap()) {
                match.allowFailure = true;
                if (const YamlNode *codes = af->find(QStringLiteral("exit_codes")))
                    for (const QString &c : codes->toStringList())
                        match.allowFailureExitCodes << c.toInt();
            } else
                m_problems.push_back(
                    Error::error(QStringLiteral("rules:allow_failure should be a boolean"), af->location(), job));
        }
        if (const YamlNode *vars = rule.find(QStringLiteral("variables")); vars && vars->isMap()) {
            for (const auto &[name, value] : vars->entries())
                match.variables.push_back(Variable{name,
                                                   value.isMap() && value.find(QStringLiteral("value"))
                                                       ? value.find(QStringLiteral("value"))->text()
                                                       : value.text(),
                                                   true,
                                                   {}});
        }
        if (const YamlNode *s = rule.find(QStringLiteral("start_in")))
            match.startIn = s->text();
        match.needs = rule.find(QStringLiteral("needs"));
        return match;
    }
    return std::nullopt;
}

bool RulesEvaluator::ruleMatches(const YamlNode &rule, const QHash<QString, QString> &variables, const QString &job)
{
    if (const YamlNode *expr = rule.find(QStringLiteral("if")); expr && !evaluateIf(*expr, variables, job))
        return false;
    if (const YamlNode *changes = rule.find(QStringLiteral("changes")); changes && !changesMatch(*changes, job))
        return false;
    if (const YamlNode *exists = rule.find(QStringLiteral("exists")); exists && !existsMatch(*exists, job))
        return false;
    return true;
}

bool RulesEvaluator::changesMatch(const YamlNode &changes, const QString &job)
{
    const YamlNode *paths = &changes;
    std::optional<QStringList> changed;
    if (changes.isMap()) {
        paths = changes.find(QStringLiteral("paths"));
        if (!paths) {
            m_problems.push_back(Error::error(QStringLiteral("rules:changes needs paths"), changes.location(), job));
            return false;
        }
        if (const YamlNode *compareTo = changes.find(QStringLiteral("compare_to"))) {
            changed = m_context.changedFilesAgainst(compareTo->text());
            if (!changed) {
                // The ref is not in this clone (not fetched): nothing to compare with, so
                // changes is true, as GitLab does without a base; say so.
                m_problems.push_back(Error::warning(
                    QStringLiteral(
                        "rules:changes:compare_to '%1' is not a ref of this repository; changes is taken as true")
                        .arg(compareTo->text()),
                    compareTo->location(), job));
                return true;
            }
        }
    }
    if (!changed) {
        // GitLab: without a previous commit to compare with (new branch, no push event) changes is true.
        if (!m_context.changedFiles())
            return true;
        changed = m_context.changedFiles();
    }
    const QStringList patterns = paths->toStringList();
    for (const QString &pattern : patterns) {
        for (const QString &file : *changed) {
            if (GlobPattern::match(pattern, file))
                return true;
        }
    }
    return false;
}

bool RulesEvaluator::existsMatch(const YamlNode &exists, const QString &job)
{
    const YamlNode *paths = &exists;
    if (exists.isMap()) {
        paths = exists.find(QStringLiteral("paths"));
        if (!paths) {
            m_problems.push_back(Error::error(QStringLiteral("rules:exists needs paths"), exists.location(), job));
            return false;
        }
        if (exists.contains(QStringLiteral("project"))) {
            m_problems.push_back(Error::warning(
                QStringLiteral("rules:exists:project looks into another project, which is not available offline; "
                               "the rule is taken as not matching"),
                exists.location(), job));
            return false;
        }
    }
    for (const QString &pattern : paths->toStringList()) {
        for (const QString &file : m_context.projectFiles()) {
            if (GlobPattern::match(pattern, file))
                return true;
        }
    }
    return false;
}

bool RulesEvaluator::refMatches(const QString &rawEntry) const
{
    QString entry = rawEntry;
    // "ref@namespace/project" restricts to one project.
    if (const qsizetype at = entry.lastIndexOf(u'@'); at > 0 && !entry.startsWith(u'/')) {
        const QString project = entry.mid(at + 1);
        entry = entry.left(at);
        if (project != m_context.predefined.value(QStringLiteral("CI_PROJECT_PATH")))
            return false;
    } else if (at > 0 && entry.startsWith(u'/')) {
        const qsizetype close = entry.lastIndexOf(u'/');
        if (at > close) {
            const QString project = entry.mid(at + 1);
            entry = entry.left(at);
            if (project != m_context.predefined.value(QStringLiteral("CI_PROJECT_PATH")))
                return false;
        }
    }
    const bool tagPipeline = !m_context.tag.isEmpty() && m_context.branch.isEmpty();
    if (entry == QLatin1String("branches"))
        return !tagPipeline;
    if (entry == QLatin1String("tags"))
        return tagPipeline;
    if (entry == QLatin1String("pushes"))
        return true;
    static const char *const otherSources[] = {"api",
                                               "external",
                                               "pipelines",
                                               "schedules",
                                               "triggers",
                                               "web",
                                               "merge_requests",
                                               "chat",
                                               "external_pull_requests"};
    for (const char *source : otherSources) {
        if (entry == QLatin1String(source))
            return false;
    }
    const QString ref = tagPipeline ? m_context.tag : m_context.branch;
    if (entry.size() >= 2 && entry.startsWith(u'/')) {
        const qsizetype close = entry.lastIndexOf(u'/');
        if (close > 0) {
            QRegularExpression::PatternOptions options;
            if (entry.mid(close + 1).contains(u'i'))
                options |= QRegularExpression::CaseInsensitiveOption;
            const QRegularExpression re(entry.mid(1, close - 1), options);
            return re.isValid() && re.match(ref).hasMatch();
        }
    }
    return entry == ref;
}

bool RulesEvaluator::policyMatches(const YamlNode &policy, const QHash<QString, QString> &variables, const QString &job,
                                   bool isExcept)
{
    const QString key = isExcept ? QStringLiteral("except") : QStringLiteral("only");
    if (policy.isScalar() || policy.isSequence()) {
        for (const QString &entry : policy.toStringList()) {
            if (refMatches(entry))
                return true;
        }
        return false;
    }
    if (!policy.isMap()) {
        m_problems.push_back(
            Error::error(QStringLiteral("%1 should be an array or a hash").arg(key), policy.location(), job));
        return false;
    }
    // All given keys must have a matching entry.
    for (const auto &[name, value] : policy.entries()) {
        bool any = false;
        if (name == QLatin1String("refs")) {
            for (const QString &entry : value.toStringList())
                any = any || refMatches(entry);
        } else if (name == QLatin1String("variables")) {
            const std::vector<YamlNode> items = value.isSequence() ? value.items() : std::vector<YamlNode>{value};
            for (const auto &expr : items)
                any = any || evaluateIf(expr, variables, job);
        } else if (name == QLatin1String("changes")) {
            any = changesMatch(value, job);
        } else if (name == QLatin1String("kubernetes")) {
            any = false; // no Kubernetes integration here
        } else {
            m_problems.push_back(Error::error(QStringLiteral("%1 has an unknown key '%2'").arg(key, name),
                                              policy.keyLocation(name), job));
            return false;
        }
        if (!any)
            return false;
    }
    return true;
}

bool RulesEvaluator::onlyExcept(const YamlNode *only, const YamlNode *except, const QHash<QString, QString> &variables,
                                const QString &job)
{
    bool included = true;
    if (only && !only->isNull())
        included = policyMatches(*only, variables, job, false);
    else
        included = refMatches(QStringLiteral("branches")) || refMatches(QStringLiteral("tags"));
    if (included && except && !except->isNull())
        included = !policyMatches(*except, variables, job, true);
    return included;
}

} // namespace trainyard::core
