#include "ruleexpression.h"

#include "ruleregex.h"

#include <QRegularExpression>

#include <optional>
#include <utility>
#include <variant>
#include <vector>

// The grammar and meaning follow GitLab's "CI/CD variable expressions" documentation and its
// lexer (lib/gitlab/ci/pipeline/expression): comparisons bind tighter than `&&`, which binds
// tighter than `||`; a comparison's operands are single values. Where GitLab's code and its
// documentation disagree we follow the documentation (truthiness of `&&`/`||` operands), and
// where the documentation is silent we follow the code. See the comments at each such place.

namespace trainyard::core {

namespace {

enum class TokenKind {
    Variable,
    String,
    Null,
    Regex,
    Equals,
    NotEquals,
    Matches,
    NotMatches,
    And,
    Or,
    ParenOpen,
    ParenClose,
    End,
};

struct Token
{
    TokenKind kind = TokenKind::End;
    int column = 0;   ///< 1-based, in the expression text
    QString spelling; ///< as written, for messages
    QString value;    ///< variable name, string contents or regex body
    QRegularExpression regex;
};

/// Why parsing stopped, and where (1-based column in the expression text).
struct Failure
{
    QString what;
    int column = 1;
};

bool isValueToken(TokenKind kind)
{
    return kind == TokenKind::Variable || kind == TokenKind::String || kind == TokenKind::Null ||
           kind == TokenKind::Regex;
}

bool isComparisonToken(TokenKind kind)
{
    return kind == TokenKind::Equals || kind == TokenKind::NotEquals || kind == TokenKind::Matches ||
           kind == TokenKind::NotMatches;
}

// Ruby's \s and \w, which GitLab's lexer uses: ASCII only.
bool isRubySpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r' || c == u'\f' || c == u'\v';
}

bool isWordChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'_';
}

// --- lexer ---------------------------------------------------------------------------------

class Lexer final
{
public:
    explicit Lexer(const QString &text)
        : m_text(text)
    {}

    /// Fills `tokens` (ending with an End token), or returns why it could not.
    std::optional<Failure> run(std::vector<Token> &tokens)
    {
        const int n = int(m_text.size());
        int i = 0;
        while (true) {
            while (i < n && isRubySpace(m_text.at(i)))
                ++i;
            if (i >= n)
                break;
            if (int(tokens.size()) >= RuleExpression::MaxTokens)
                return Failure{QStringLiteral("too many tokens (at most %1)").arg(RuleExpression::MaxTokens), i + 1};
            Token token;
            token.column = i + 1;
            const int start = i;
            if (std::optional<Failure> failure = scanOne(i, token))
                return failure;
            token.spelling = m_text.mid(start, i - start);
            tokens.push_back(std::move(token));
        }
        Token end;
        end.column = n + 1;
        tokens.push_back(std::move(end));
        return std::nullopt;
    }

private:
    QChar at(int i) const { return i < m_text.size() ? m_text.at(i) : QChar(); }

    Failure unexpectedCharacter(int i) const
    {
        return Failure{QStringLiteral("unexpected character '%1'").arg(m_text.at(i)), i + 1};
    }

    /// Scans the token starting at `i`, leaving `i` after it.
    std::optional<Failure> scanOne(int &i, Token &token)
    {
        const QChar c = m_text.at(i);
        const QChar next = at(i + 1);
        auto two = [&](TokenKind kind) {
            token.kind = kind;
            i += 2;
            return std::nullopt;
        };
        switch (c.unicode()) {
        case u'(':
            token.kind = TokenKind::ParenOpen;
            ++i;
            return std::nullopt;
        case u')':
            token.kind = TokenKind::ParenClose;
            ++i;
            return std::nullopt;
        case u'$':
            return scanVariable(i, token);
        case u'"':
        case u'\'':
            return scanString(i, token);
        case u'/':
            return scanRegex(i, token);
        case u'n':
            if (QStringView(m_text).mid(i, 4) == QStringView(u"null")) {
                token.kind = TokenKind::Null;
                i += 4;
                return std::nullopt;
            }
            break;
        case u'=':
            if (next == u'=')
                return two(TokenKind::Equals);
            if (next == u'~')
                return two(TokenKind::Matches);
            break;
        case u'!':
            if (next == u'=')
                return two(TokenKind::NotEquals);
            if (next == u'~')
                return two(TokenKind::NotMatches);
            break;
        case u'&':
            if (next == u'&')
                return two(TokenKind::And);
            break;
        case u'|':
            if (next == u'|')
                return two(TokenKind::Or);
            break;
        default:
            break;
        }
        return unexpectedCharacter(i);
    }

    // `$NAME`, NAME being Ruby's \w+. `${NAME}` is our extension: GitLab's lexer rejects it (its
    // docs: variables in rules expressions are always written `$VARIABLE`), but the same name
    // means the same variable, so we accept it rather than fail a config over spelling.
    std::optional<Failure> scanVariable(int &i, Token &token)
    {
        const int start = i;
        const bool braced = at(i + 1) == u'{';
        int j = i + (braced ? 2 : 1);
        const int nameStart = j;
        while (j < m_text.size() && isWordChar(m_text.at(j)))
            ++j;
        if (j == nameStart)
            return unexpectedCharacter(start);
        token.value = m_text.mid(nameStart, j - nameStart);
        if (braced) {
            if (at(j) != u'}')
                return Failure{QStringLiteral("missing '}' after variable name"), j + 1};
            ++j;
        }
        token.kind = TokenKind::Variable;
        i = j;
        return std::nullopt;
    }

    // Strings have no escapes and, as Ruby's `.` in GitLab's lexer, cannot span lines.
    std::optional<Failure> scanString(int &i, Token &token)
    {
        const QChar quote = m_text.at(i);
        int j = i + 1;
        while (j < m_text.size() && m_text.at(j) != quote && m_text.at(j) != u'\n')
            ++j;
        if (j >= m_text.size() || m_text.at(j) != quote)
            return Failure{QStringLiteral("unterminated string"), i + 1};
        token.kind = TokenKind::String;
        token.value = m_text.mid(i + 1, j - i - 1);
        i = j + 1;
        return std::nullopt;
    }

    // "/body/flags": the body runs to the first unescaped slash; "\/" stands for "/".
    std::optional<Failure> scanRegex(int &i, Token &token)
    {
        const int start = i;
        const int n = int(m_text.size());
        QString body;
        int j = i + 1;
        bool closed = false;
        while (j < n) {
            const QChar c = m_text.at(j);
            if (c == u'\\' && j + 1 < n) {
                if (m_text.at(j + 1) == u'/')
                    body += u'/';
                else
                    body += QStringView(m_text).mid(j, 2);
                j += 2;
                continue;
            }
            if (c == u'/') {
                closed = true;
                break;
            }
            body += c;
            ++j;
        }
        if (!closed)
            return Failure{QStringLiteral("unterminated regular expression"), start + 1};
        // GitLab's lexer wants at least two characters between the slashes (its docs: "Single-
        // character regular expressions, like /./, are not supported").
        const int rawLength = j - start - 1;
        if (rawLength == 0)
            return Failure{QStringLiteral("empty regular expression"), start + 1};
        if (rawLength == 1)
            return Failure{QStringLiteral("single-character regular expressions are not supported"), start + 1};
        ++j; // closing slash
        const int flagsStart = j;
        while (j < n && RuleRegex::isFlag(m_text.at(j)))
            ++j;
        const QString flags = m_text.mid(flagsStart, j - flagsStart);
        QString why;
        std::optional<QRegularExpression> re = RuleRegex::compile(body, flags, &why);
        if (!re)
            return Failure{QStringLiteral("invalid regular expression %1: %2").arg(m_text.mid(start, j - start), why),
                           start + 1};
        token.kind = TokenKind::Regex;
        token.value = body;
        token.regex = *re;
        i = j;
        return std::nullopt;
    }

    const QString &m_text;
};

// --- tree ------------------------------------------------------------------------------------

struct Node
{
    TokenKind kind = TokenKind::Null; ///< a value kind, a comparison, And or Or
    QString value;                    ///< variable name, string contents or regex source
    QRegularExpression regex;
    int left = -1;
    int right = -1;
};

class Parser final
{
public:
    Parser(const std::vector<Token> &tokens, std::vector<Node> &nodes)
        : m_tokens(tokens)
        , m_nodes(nodes)
    {}

    /// Parses the whole token list; returns the root node index.
    std::variant<int, Failure> run()
    {
        if (peek().kind == TokenKind::End)
            return Failure{QStringLiteral("empty expression"), 1};
        auto root = parseOr(0);
        if (std::holds_alternative<Failure>(root))
            return root;
        if (peek().kind != TokenKind::End)
            return unexpected(peek());
        return root;
    }

private:
    using Parsed = std::variant<int, Failure>;

    const Token &peek() const { return m_tokens[m_pos]; }
    const Token &take() { return m_tokens[m_pos++]; }

    static Failure unexpected(const Token &token)
    {
        if (token.kind == TokenKind::End)
            return Failure{QStringLiteral("unexpected end of expression"), token.column};
        return Failure{QStringLiteral("unexpected token '%1'").arg(token.spelling), token.column};
    }

    int add(Node node)
    {
        m_nodes.push_back(std::move(node));
        return int(m_nodes.size()) - 1;
    }

    int addBinary(TokenKind kind, int left, int right)
    {
        Node node;
        node.kind = kind;
        node.left = left;
        node.right = right;
        return add(std::move(node));
    }

    Parsed parseOr(int depth)
    {
        Parsed left = parseAnd(depth);
        while (std::holds_alternative<int>(left) && peek().kind == TokenKind::Or) {
            take();
            Parsed right = parseAnd(depth);
            if (std::holds_alternative<Failure>(right))
                return right;
            left = addBinary(TokenKind::Or, std::get<int>(left), std::get<int>(right));
        }
        return left;
    }

    Parsed parseAnd(int depth)
    {
        Parsed left = parseComparison(depth);
        while (std::holds_alternative<int>(left) && peek().kind == TokenKind::And) {
            take();
            Parsed right = parseComparison(depth);
            if (std::holds_alternative<Failure>(right))
                return right;
            left = addBinary(TokenKind::And, std::get<int>(left), std::get<int>(right));
        }
        return left;
    }

    // A comparison compares two values; a parenthesised group stands alone (a following
    // comparison operator is reported as unexpected by the caller).
    Parsed parseComparison(int depth)
    {
        if (peek().kind == TokenKind::ParenOpen)
            return parseGroup(depth);
        Parsed left = parseValue();
        if (std::holds_alternative<Failure>(left) || !isComparisonToken(peek().kind))
            return left;
        const TokenKind op = take().kind;
        Parsed right = parseValue();
        if (std::holds_alternative<Failure>(right))
            return right;
        return addBinary(op, std::get<int>(left), std::get<int>(right));
    }

    Parsed parseGroup(int depth)
    {
        const Token &open = take();
        if (depth >= RuleExpression::MaxDepth)
            return Failure{QStringLiteral("parentheses nested too deeply"), open.column};
        Parsed inner = parseOr(depth + 1);
        if (std::holds_alternative<Failure>(inner))
            return inner;
        if (peek().kind != TokenKind::ParenClose) {
            if (peek().kind == TokenKind::End)
                return Failure{QStringLiteral("missing ')' for '(' opened at column %1").arg(open.column),
                               peek().column};
            return unexpected(peek());
        }
        take();
        return inner;
    }

    Parsed parseValue()
    {
        if (!isValueToken(peek().kind))
            return unexpected(peek());
        const Token &token = take();
        Node node;
        node.kind = token.kind;
        node.value = token.value;
        node.regex = token.regex;
        return add(std::move(node));
    }

    const std::vector<Token> &m_tokens;
    std::vector<Node> &m_nodes;
    size_t m_pos = 0;
};

/// A leaf's value while evaluating: null, a string, or a regex (a literal's node).
struct Value
{
    enum class Kind { Null, String, Regex };
    Kind kind = Kind::Null;
    QString string;
    const Node *regexNode = nullptr;
};

class Evaluator final
{
public:
    Evaluator(const std::vector<Node> &nodes, const QHash<QString, QString> &variables)
        : m_nodes(nodes)
        , m_variables(variables)
    {}

    // Depth is bounded by the parser (MaxTokens), so plain recursion is safe.
    bool truth(int index) const
    {
        const Node &node = m_nodes[size_t(index)];
        switch (node.kind) {
        case TokenKind::And:
            return truth(node.left) && truth(node.right);
        case TokenKind::Or:
            return truth(node.left) || truth(node.right);
        case TokenKind::Equals:
            return equals(node);
        case TokenKind::NotEquals:
            return !equals(node);
        case TokenKind::Matches:
            return matches(node);
        case TokenKind::NotMatches:
            return !matches(node);
        default:
            break;
        }
        // A bare value, also as an operand of && and ||: true when defined and non-empty, as
        // documented. (GitLab's Ruby code passes values through && and || and only tests the
        // final result, so there "" || "x" is false; the docs and its bug tracker call that a bug.)
        const Value v = value(index);
        switch (v.kind) {
        case Value::Kind::Null:
            return false;
        case Value::Kind::String:
            return !v.string.isEmpty();
        case Value::Kind::Regex:
            return true;
        }
        return false;
    }

private:
    Value value(int index) const
    {
        const Node &node = m_nodes[size_t(index)];
        Value v;
        switch (node.kind) {
        case TokenKind::Variable: {
            const auto it = m_variables.constFind(node.value);
            if (it != m_variables.constEnd()) {
                v.kind = Value::Kind::String;
                v.string = *it;
            }
            break;
        }
        case TokenKind::String:
            v.kind = Value::Kind::String;
            v.string = node.value;
            break;
        case TokenKind::Regex:
            v.kind = Value::Kind::Regex;
            v.regexNode = &node;
            break;
        default:
            break;
        }
        return v;
    }

    // Ruby ==: null equals null, strings compare by content, a regex equals nothing else.
    bool equals(const Node &node) const
    {
        const Value a = value(node.left);
        const Value b = value(node.right);
        if (a.kind == Value::Kind::Null || b.kind == Value::Kind::Null)
            return a.kind == b.kind;
        if (a.kind == Value::Kind::String && b.kind == Value::Kind::String)
            return a.string == b.string;
        return false;
    }

    bool matches(const Node &node) const
    {
        const Value lhs = value(node.left);
        const Value rhs = value(node.right);
        // GitLab calls `.to_s` on the left side: undefined reads as "".
        QString text;
        if (lhs.kind == Value::Kind::String)
            text = lhs.string;
        else if (lhs.kind == Value::Kind::Regex)
            text = QLatin1Char('/') + lhs.regexNode->value + QLatin1Char('/');
        switch (rhs.kind) {
        case Value::Kind::Null:
            return false; // GitLab: `return false unless regexp`
        case Value::Kind::Regex:
            return rhs.regexNode->regex.match(text).hasMatch();
        case Value::Kind::String:
            break;
        }
        if (const std::optional<QRegularExpression> re = RuleRegex::fromValue(rhs.string))
            return re->match(text).hasMatch();
        // Not a /regex/: GitLab then checks whether the left side is a substring of the right
        // side (documented as a pitfall: "23" =~ "1234" is true). We do the same.
        return text.isEmpty() || rhs.string.contains(text);
    }

    const std::vector<Node> &m_nodes;
    const QHash<QString, QString> &m_variables;
};

} // namespace

struct RuleExpression::Program
{
    std::vector<Node> nodes;
    int root = -1;
};

RuleExpression::RuleExpression(QString text, std::shared_ptr<const Program> program)
    : m_text(std::move(text))
    , m_program(std::move(program))
{}

Result<RuleExpression> RuleExpression::parse(const QString &text, const SourceLocation &where)
{
    auto fail = [&](const Failure &failure) {
        SourceLocation location = where;
        location.column = (where.column > 0 ? where.column - 1 : 0) + failure.column;
        return tl::make_unexpected(Error::error(QStringLiteral("invalid expression in rules:if: %1 at column %2")
                                                    .arg(failure.what, QString::number(failure.column)),
                                                location));
    };

    std::vector<Token> tokens;
    if (const std::optional<Failure> failure = Lexer(text).run(tokens))
        return fail(*failure);

    auto program = std::make_shared<Program>();
    std::variant<int, Failure> root = Parser(tokens, program->nodes).run();
    if (const Failure *failure = std::get_if<Failure>(&root))
        return fail(*failure);
    program->root = std::get<int>(root);
    return RuleExpression(text, std::move(program));
}

bool RuleExpression::evaluate(const QHash<QString, QString> &variables) const
{
    if (!m_program || m_program->root < 0)
        return false;
    return Evaluator(m_program->nodes, variables).truth(m_program->root);
}

} // namespace trainyard::core
