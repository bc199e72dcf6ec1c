#pragma once

#include "common/error.h"

#include <QHash>
#include <QString>

#include <memory>

namespace trainyard::core {

/// A GitLab CI/CD variable expression (`rules:if`, `only:variables`), parsed once and evaluated
/// against any set of variables. Copies share the parsed tree.
class RuleExpression final
{
public:
    /// GitLab's lexer gives up on the 100th token, so at most 99 tokens are accepted.
    static constexpr int MaxTokens = 99;
    /// Deepest parenthesis nesting accepted (a guard; MaxTokens already bounds it in practice).
    static constexpr int MaxDepth = 200;

    /// An empty expression: text() is empty and evaluate() is false. Use parse() to get a real one.
    RuleExpression() = default;

    /// Parses `text`. On error the Error's location is `where` moved to the bad token's column
    /// (same line), and its message reads like
    /// "invalid expression in rules:if: unexpected token ')' at column 7".
    static Result<RuleExpression> parse(const QString &text, const SourceLocation &where = {});

    /// Evaluates against defined variables; a missing key is undefined (null). Values are used as
    /// given: variables inside them are not expanded here.
    bool evaluate(const QHash<QString, QString> &variables) const;

    /// The text this expression was parsed from.
    QString text() const { return m_text; }

private:
    struct Program;
    RuleExpression(QString text, std::shared_ptr<const Program> program);

    QString m_text;
    std::shared_ptr<const Program> m_program;
};

} // namespace trainyard::core
