#include "pipeline/ruleexpression.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

#include <optional>

using trainyard::core::RuleExpression;
using trainyard::core::SourceLocation;

namespace {

/// "NAME=value" entries to a variable table; "NAME=" defines NAME as empty.
QHash<QString, QString> toVariables(const QStringList &entries)
{
    QHash<QString, QString> vars;
    for (const QString &entry : entries) {
        const qsizetype eq = entry.indexOf(u'=');
        vars.insert(entry.left(eq), entry.mid(eq + 1));
    }
    return vars;
}

QString repeated(const QString &s, int n)
{
    QString out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

/// "$A || $A || ..." with `count` variables: 2 * count - 1 tokens.
QString orChain(int count)
{
    QStringList parts;
    for (int i = 0; i < count; ++i)
        parts << QStringLiteral("$A");
    return parts.join(QStringLiteral(" || "));
}

} // namespace

class tst_RuleExpression final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void evaluate_data();
    void evaluate();
    void parseError_data();
    void parseError();
    void errorMessageAndLocation();
    void textAndCopies();
    void defaultIsFalse();
    void tokenLimit();
    void pathologicalRegexIsBounded();
    void garbageNeverCrashes();
};

void tst_RuleExpression::evaluate_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QStringList>("variables");
    QTest::addColumn<bool>("expected");

    const QStringList none;
    auto row = [](const char *name, const QString &expr, const QStringList &vars, bool expected) {
        QTest::newRow(name) << expr << vars << expected;
    };

    // Bare values: defined and non-empty.
    row("bare var set", QStringLiteral("$A"), {QStringLiteral("A=1")}, true);
    row("bare var empty", QStringLiteral("$A"), {QStringLiteral("A=")}, false);
    row("bare var undefined", QStringLiteral("$A"), none, false);
    row("bare var whitespace", QStringLiteral("$A"), {QStringLiteral("A= ")}, true);
    row("bare var 'false' is truthy", QStringLiteral("$A"), {QStringLiteral("A=false")}, true);
    row("braced var set", QStringLiteral("${A}"), {QStringLiteral("A=x")}, true);
    row("braced var undefined", QStringLiteral("${A}"), none, false);
    row("bare string", QStringLiteral("'x'"), none, true);
    row("bare empty string", QStringLiteral("''"), none, false);
    row("bare double-quoted empty", QStringLiteral("\"\""), none, false);
    row("bare null", QStringLiteral("null"), none, false);
    row("bare regex", QStringLiteral("/ab/"), none, true);
    row("var name with digits", QStringLiteral("$CI_COMMIT_REF_NAME_2"), {QStringLiteral("CI_COMMIT_REF_NAME_2=main")},
        true);
    row("var name is case sensitive", QStringLiteral("$a"), {QStringLiteral("A=1")}, false);

    // == and !=
    row("eq string", QStringLiteral("$A == 'main'"), {QStringLiteral("A=main")}, true);
    row("eq string mismatch", QStringLiteral("$A == 'main'"), {QStringLiteral("A=dev")}, false);
    row("eq double quotes", QStringLiteral("$A == \"main\""), {QStringLiteral("A=main")}, true);
    row("eq string first", QStringLiteral("'main' == $A"), {QStringLiteral("A=main")}, true);
    row("eq is case sensitive", QStringLiteral("$A == 'Main'"), {QStringLiteral("A=main")}, false);
    row("ne string", QStringLiteral("$A != 'main'"), {QStringLiteral("A=dev")}, true);
    row("ne string same", QStringLiteral("$A != 'main'"), {QStringLiteral("A=main")}, false);
    row("eq two vars", QStringLiteral("$A == $B"), {QStringLiteral("A=x"), QStringLiteral("B=x")}, true);
    row("eq two vars differ", QStringLiteral("$A == $B"), {QStringLiteral("A=x"), QStringLiteral("B=y")}, false);
    row("eq two undefined vars", QStringLiteral("$A == $B"), none, true);
    row("eq undefined vs empty", QStringLiteral("$A == $B"), {QStringLiteral("B=")}, false);
    row("eq no spaces", QStringLiteral("$A=='x'"), {QStringLiteral("A=x")}, true);
    row("eq tabs and newlines", QStringLiteral("\t$A\n==\r\n'x' "), {QStringLiteral("A=x")}, true);
    row("string holding operators", QStringLiteral("$A == '&& || ( ) =='"), {QStringLiteral("A=&& || ( ) ==")}, true);
    row("single quote in double", QStringLiteral("$A == \"it's\""), {QStringLiteral("A=it's")}, true);
    row("double quote in single", QStringLiteral("$A == 'say \"hi\"'"), {QStringLiteral("A=say \"hi\"")}, true);
    row("backslash is literal in strings", QStringLiteral("$A == 'a\\nb'"), {QStringLiteral("A=a\\nb")}, true);
    row("dollar inside string not expanded", QStringLiteral("$A == '$B'"),
        {QStringLiteral("A=$B"), QStringLiteral("B=x")}, true);
    row("unicode string", QStringLiteral("$A == 'grüße'"), {QStringLiteral("A=grüße")}, true);
    row("string vs string", QStringLiteral("'a' == 'a'"), none, true);
    row("regex never equals", QStringLiteral("/ab/ == /ab/"), none, false);
    row("regex ne string", QStringLiteral("$A != /ab/"), {QStringLiteral("A=ab")}, true);

    // null, empty, undefined
    row("undefined == null", QStringLiteral("$A == null"), none, true);
    row("empty == null", QStringLiteral("$A == null"), {QStringLiteral("A=")}, false);
    row("set == null", QStringLiteral("$A == null"), {QStringLiteral("A=x")}, false);
    row("null == undefined", QStringLiteral("null == $A"), none, true);
    row("undefined != null", QStringLiteral("$A != null"), none, false);
    row("empty != null", QStringLiteral("$A != null"), {QStringLiteral("A=")}, true);
    row("empty == ''", QStringLiteral("$A == ''"), {QStringLiteral("A=")}, true);
    row("empty == \"\"", QStringLiteral("$A == \"\""), {QStringLiteral("A=")}, true);
    row("undefined == ''", QStringLiteral("$A == ''"), none, false);
    row("undefined != ''", QStringLiteral("$A != ''"), none, true);
    row("'' == null", QStringLiteral("'' == null"), none, false);
    row("null == null", QStringLiteral("null == null"), none, true);
    row("null != null", QStringLiteral("null != null"), none, false);
    row("defined and non-empty idiom", QStringLiteral("$A != null && $A != ''"), {QStringLiteral("A=")}, false);

    // && and ||, precedence, parentheses
    row("and true", QStringLiteral("$A && $B"), {QStringLiteral("A=1"), QStringLiteral("B=1")}, true);
    row("and false", QStringLiteral("$A && $B"), {QStringLiteral("A=1")}, false);
    row("or one", QStringLiteral("$A || $B"), {QStringLiteral("B=1")}, true);
    row("or none", QStringLiteral("$A || $B"), none, false);
    row("empty left of or (documented)", QStringLiteral("$A || $B == '1'"),
        {QStringLiteral("A="), QStringLiteral("B=1")}, true);
    row("empty left of and (documented)", QStringLiteral("$A && $B == 'x'"),
        {QStringLiteral("A="), QStringLiteral("B=x")}, false);
    row("and binds tighter 1", QStringLiteral("$A || $B && $C"), {QStringLiteral("A=1")}, true);
    row("and binds tighter 2", QStringLiteral("$A && $B || $C"), {QStringLiteral("C=1")}, true);
    row("and binds tighter 3", QStringLiteral("$A && $B || $C"), {QStringLiteral("A=1")}, false);
    row("and binds tighter 4", QStringLiteral("$A || $B && $C || $D"), {QStringLiteral("B=1"), QStringLiteral("C=1")},
        true);
    row("parens override", QStringLiteral("($A || $B) && $C"), {QStringLiteral("A=1")}, false);
    row("parens override 2", QStringLiteral("$A && ($B || $C)"), {QStringLiteral("A=1"), QStringLiteral("C=1")}, true);
    row("nested parens", QStringLiteral("((($A)))"), {QStringLiteral("A=1")}, true);
    row("nested groups", QStringLiteral("(($A == 'x' || $B == 'y') && ($C || ($D && $E)))"),
        {QStringLiteral("B=y"), QStringLiteral("D=1"), QStringLiteral("E=1")}, true);
    row("nested groups false", QStringLiteral("(($A == 'x' || $B == 'y') && ($C || ($D && $E)))"),
        {QStringLiteral("B=y"), QStringLiteral("D=1")}, false);
    row("comparison inside and", QStringLiteral("$A == 'x' && $B != 'y'"),
        {QStringLiteral("A=x"), QStringLiteral("B=z")}, true);
    row("mr pipeline",
        QStringLiteral("$CI_PIPELINE_SOURCE == \"merge_request_event\" || $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
        {QStringLiteral("CI_PIPELINE_SOURCE=push"), QStringLiteral("CI_COMMIT_BRANCH=main"),
         QStringLiteral("CI_DEFAULT_BRANCH=main")},
        true);
    row("issue 213008", QStringLiteral("$f && $CI_JOB_NAME =~ /test*/ || $t"),
        {QStringLiteral("t=t"), QStringLiteral("CI_JOB_NAME=test_that_fail")}, true);
    row("braced and plain mix", QStringLiteral("${A} == $A"), {QStringLiteral("A=q")}, true);

    // =~ and !~ with literals
    row("match prefix", QStringLiteral("$B =~ /^feature-/"), {QStringLiteral("B=feature-x")}, true);
    row("match prefix fails", QStringLiteral("$B =~ /^feature-/"), {QStringLiteral("B=my-feature-x")}, false);
    row("match is unanchored", QStringLiteral("$B =~ /ature/"), {QStringLiteral("B=feature-x")}, true);
    row("match case sensitive", QStringLiteral("$B =~ /^FEATURE/"), {QStringLiteral("B=feature")}, false);
    row("match flag i", QStringLiteral("$B =~ /^FEATURE/i"), {QStringLiteral("B=feature")}, true);
    row("dot no newline", QStringLiteral("$B =~ /a.b/"), {QStringLiteral("B=a\nb")}, false);
    row("flag s dot newline", QStringLiteral("$B =~ /a.b/s"), {QStringLiteral("B=a\nb")}, true);
    row("caret single line", QStringLiteral("$B =~ /^b/"), {QStringLiteral("B=a\nb")}, false);
    row("flag m caret per line", QStringLiteral("$B =~ /^b/m"), {QStringLiteral("B=a\nb")}, true);
    row("flags combined", QStringLiteral("$B =~ /^b.c/ms"), {QStringLiteral("B=a\nb\nc")}, true);
    row("flag U", QStringLiteral("$B =~ /a+/U"), {QStringLiteral("B=aaa")}, true);
    row("only an escaped slash", QStringLiteral("$P =~ /\\//"), {QStringLiteral("P=a/b")}, true);
    row("escaped slash", QStringLiteral("$P =~ /^src\\/app/"), {QStringLiteral("P=src/app/main.c")}, true);
    row("escaped slash mismatch", QStringLiteral("$P =~ /^src\\/app/"), {QStringLiteral("P=src-app")}, false);
    row("regex digits", QStringLiteral("$T =~ /^v\\d+\\.\\d+$/"), {QStringLiteral("T=v1.22")}, true);
    row("regex class", QStringLiteral("$T =~ /^[a-z]+-[0-9]{2}$/"), {QStringLiteral("T=rel-42")}, true);
    row("regex named group", QStringLiteral("$T =~ /(?P<major>\\d+)\\./"), {QStringLiteral("T=12.3")}, true);
    row("regex inline flag", QStringLiteral("$T =~ /(?i)abc/"), {QStringLiteral("T=ABC")}, true);
    row("regex empty match counts", QStringLiteral("$T =~ /x*/"), {QStringLiteral("T=abc")}, true);
    row("undefined lhs is empty", QStringLiteral("$U =~ /^$/"), none, true);
    row("undefined lhs no match", QStringLiteral("$U =~ /ab/"), none, false);
    row("not match", QStringLiteral("$B !~ /^feature-/"), {QStringLiteral("B=main")}, true);
    row("not match fails", QStringLiteral("$B !~ /^feature-/"), {QStringLiteral("B=feature-1")}, false);
    row("undefined lhs not match", QStringLiteral("$U !~ /xy/"), none, true);
    row("string lhs", QStringLiteral("'abc' =~ /bc/"), none, true);
    row("match in and", QStringLiteral("$A =~ /^x/ && $B =~ /y$/"), {QStringLiteral("A=xa"), QStringLiteral("B=ay")},
        true);
    row("match in or", QStringLiteral("$A =~ /^x/ || $B =~ /y$/"), {QStringLiteral("A=a"), QStringLiteral("B=ay")},
        true);
    row("posix class", QStringLiteral("$A =~ /^[[:digit:]]+$/"), {QStringLiteral("A=123")}, true);
    row("slash inside class escaped", QStringLiteral("$A =~ /a[\\/]b/"), {QStringLiteral("A=a/b")}, true);

    // =~ with a variable or string holding the regex
    row("var regex", QStringLiteral("$T =~ $RE"), {QStringLiteral("T=v12"), QStringLiteral("RE=/^v\\d+/")}, true);
    row("var regex no match", QStringLiteral("$T =~ $RE"), {QStringLiteral("T=x12"), QStringLiteral("RE=/^v\\d+/")},
        false);
    row("var regex flags", QStringLiteral("$T =~ $RE"), {QStringLiteral("T=V1"), QStringLiteral("RE=/^v/i")}, true);
    row("var regex single char", QStringLiteral("$T =~ $RE"), {QStringLiteral("T=abc"), QStringLiteral("RE=/b/")},
        true);
    row("var regex escaped slash", QStringLiteral("$T =~ $RE"),
        {QStringLiteral("T=a/b"), QStringLiteral("RE=/^a\\/b$/")}, true);
    row("var regex not match op", QStringLiteral("$T !~ $RE"), {QStringLiteral("T=v12"), QStringLiteral("RE=/^v/")},
        false);
    row("var regex undefined", QStringLiteral("$T =~ $RE"), {QStringLiteral("T=v12")}, false);
    row("var regex undefined not match", QStringLiteral("$T !~ $RE"), {QStringLiteral("T=v12")}, true);
    row("null rhs", QStringLiteral("$T =~ null"), {QStringLiteral("T=x")}, false);
    row("null rhs not match", QStringLiteral("$T !~ null"), {QStringLiteral("T=x")}, true);
    row("quoted regex string", QStringLiteral("$T =~ \"/^rel/\""), {QStringLiteral("T=release")}, true);
    row("quoted regex string i", QStringLiteral("$T =~ '/^REL/i'"), {QStringLiteral("T=release")}, true);
    // Not a /regex/: GitLab's fallback is String#scan, i.e. is the left side part of the value.
    row("plain value contains lhs", QStringLiteral("$T =~ $RE"),
        {QStringLiteral("T=lease"), QStringLiteral("RE=release")}, true);
    row("plain value lacks lhs", QStringLiteral("$T =~ $RE"),
        {QStringLiteral("T=release-1"), QStringLiteral("RE=release")}, false);
    row("plain value is not a regex", QStringLiteral("$T =~ $RE"), {QStringLiteral("T=main"), QStringLiteral("RE=^ma")},
        false);
    row("plain value, undefined lhs", QStringLiteral("$T =~ $RE"), {QStringLiteral("RE=abc")}, true);
    row("value with bad flags is plain", QStringLiteral("$T =~ $RE"),
        {QStringLiteral("T=/a/x"), QStringLiteral("RE=/a/x")}, true);
    row("value with invalid regex is plain", QStringLiteral("$T =~ $RE"),
        {QStringLiteral("T=(b"), QStringLiteral("RE=/(b/")}, true);
    row("value regex unsupported by RE2 is plain", QStringLiteral("$T =~ $RE"),
        {QStringLiteral("T=ab"), QStringLiteral("RE=/a(?=b)/")}, false);
    row("value regex with inner slash", QStringLiteral("$T =~ $RE"),
        {QStringLiteral("T=a/b"), QStringLiteral("RE=/a/b/")}, true);
    row("value is just slashes", QStringLiteral("$T =~ $RE"), {QStringLiteral("T=/"), QStringLiteral("RE=//")}, true);
}

void tst_RuleExpression::evaluate()
{
    QFETCH(QString, expression);
    QFETCH(QStringList, variables);
    QFETCH(bool, expected);

    const auto parsed = RuleExpression::parse(expression);
    QVERIFY2(parsed.has_value(), qPrintable(parsed.has_value() ? QString() : parsed.error().message));
    QCOMPARE(parsed->evaluate(toVariables(variables)), expected);
}

void tst_RuleExpression::parseError_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("fragment");

    auto row = [](const char *name, const QString &expr, int column, const QString &fragment) {
        QTest::newRow(name) << expr << column << fragment;
    };

    row("empty", QString(), 1, QStringLiteral("empty expression"));
    row("blank", QStringLiteral("   "), 1, QStringLiteral("empty expression"));
    row("lone close", QStringLiteral(")"), 1, QStringLiteral("unexpected token ')'"));
    row("extra close", QStringLiteral("$A == 'x')"), 10, QStringLiteral("unexpected token ')'"));
    row("empty parens", QStringLiteral("()"), 2, QStringLiteral("unexpected token ')'"));
    row("missing close", QStringLiteral("($A == 'x'"), 11, QStringLiteral("missing ')' for '(' opened at column 1"));
    row("missing close nested", QStringLiteral("(($A)"), 6, QStringLiteral("missing ')' for '(' opened at column 1"));
    row("missing rhs", QStringLiteral("$A =="), 6, QStringLiteral("unexpected end of expression"));
    row("missing rhs of and", QStringLiteral("$A &&"), 6, QStringLiteral("unexpected end of expression"));
    row("leading or", QStringLiteral("|| $A"), 1, QStringLiteral("unexpected token '||'"));
    row("double and", QStringLiteral("$A && && $B"), 7, QStringLiteral("unexpected token '&&'"));
    row("two values", QStringLiteral("$A $B"), 4, QStringLiteral("unexpected token '$B'"));
    row("percent in token", QStringLiteral("$A '%1 %2'"), 4, QStringLiteral("unexpected token ''%1 %2''"));
    row("two strings", QStringLiteral("$A == 'it''s'"), 11, QStringLiteral("unexpected token ''s''"));
    row("chained comparison", QStringLiteral("$A == $B == $C"), 10, QStringLiteral("unexpected token '=='"));
    row("group compared", QStringLiteral("($A) == 'x'"), 6, QStringLiteral("unexpected token '=='"));
    row("operator as rhs", QStringLiteral("$A == &&"), 7, QStringLiteral("unexpected token '&&'"));
    row("paren as rhs", QStringLiteral("$A == ($B)"), 7, QStringLiteral("unexpected token '('"));
    row("single equals", QStringLiteral("$A = 'x'"), 4, QStringLiteral("unexpected character '='"));
    row("single amp", QStringLiteral("$A & $B"), 4, QStringLiteral("unexpected character '&'"));
    row("single pipe", QStringLiteral("$A | $B"), 4, QStringLiteral("unexpected character '|'"));
    row("bang alone", QStringLiteral("!$A"), 1, QStringLiteral("unexpected character '!'"));
    row("bare dollar", QStringLiteral("$"), 1, QStringLiteral("unexpected character '$'"));
    row("dollar space", QStringLiteral("$ A"), 1, QStringLiteral("unexpected character '$'"));
    row("dollar dash", QStringLiteral("$A == $-"), 7, QStringLiteral("unexpected character '$'"));
    row("empty braces", QStringLiteral("${}"), 1, QStringLiteral("unexpected character '$'"));
    row("unclosed brace", QStringLiteral("${A == 'x'"), 4, QStringLiteral("missing '}'"));
    row("bare word", QStringLiteral("main"), 1, QStringLiteral("unexpected character 'm'"));
    row("true keyword", QStringLiteral("$A == true"), 7, QStringLiteral("unexpected character 't'"));
    row("nul", QStringLiteral("$A == nul"), 7, QStringLiteral("unexpected character 'n'"));
    row("nullx", QStringLiteral("$A == nullx"), 11, QStringLiteral("unexpected character 'x'"));
    row("comment", QStringLiteral("$A # x"), 4, QStringLiteral("unexpected character '#'"));
    row("percent var", QStringLiteral("%A%"), 1, QStringLiteral("unexpected character '%'"));
    row("unterminated double", QStringLiteral("$A == \"x"), 7, QStringLiteral("unterminated string"));
    row("unterminated single", QStringLiteral("$A == 'x"), 7, QStringLiteral("unterminated string"));
    row("string across lines", QStringLiteral("$A == 'a\nb'"), 7, QStringLiteral("unterminated string"));
    row("unterminated regex", QStringLiteral("$A =~ /abc"), 7, QStringLiteral("unterminated regular expression"));
    row("regex ends in escape", QStringLiteral("$A =~ /abc\\/"), 7, QStringLiteral("unterminated regular expression"));
    row("empty regex", QStringLiteral("$A =~ //"), 7, QStringLiteral("empty regular expression"));
    row("single char regex", QStringLiteral("$A =~ /x/"), 7,
        QStringLiteral("single-character regular expressions are not supported"));
    row("single dot regex", QStringLiteral("$A =~ /./i"), 7, QStringLiteral("single-character"));
    row("bad regex", QStringLiteral("$A =~ /(ab/"), 7, QStringLiteral("invalid regular expression /(ab/"));
    row("slash ends regex in class", QStringLiteral("$A =~ /[/]/"), 7, QStringLiteral("single-character"));
    row("bad regex class", QStringLiteral("$A =~ /a[/]/"), 7, QStringLiteral("invalid regular expression /a[/"));
    row("lookahead", QStringLiteral("$A =~ /a(?=b)/"), 7, QStringLiteral("not supported"));
    row("lookbehind", QStringLiteral("$A =~ /(?<!a)b/"), 7, QStringLiteral("not supported"));
    row("atomic group", QStringLiteral("$A =~ /(?>ab)/"), 7, QStringLiteral("not supported"));
    row("backreference", QStringLiteral("$A =~ /(a)\\1/"), 7, QStringLiteral("backreference"));
    row("possessive", QStringLiteral("$A =~ /a++/"), 7, QStringLiteral("possessive"));
    row("unknown flag", QStringLiteral("$A =~ /ab/g"), 11, QStringLiteral("unexpected character 'g'"));
    row("regex then word", QStringLiteral("$A =~ /ab/ix"), 12, QStringLiteral("unexpected character 'x'"));
    row("too many tokens", orChain(50) + QStringLiteral(" || $B"), 298, QStringLiteral("too many tokens"));
}

void tst_RuleExpression::parseError()
{
    QFETCH(QString, expression);
    QFETCH(int, column);
    QFETCH(QString, fragment);

    const auto parsed = RuleExpression::parse(expression);
    QVERIFY(!parsed.has_value());
    const QString message = parsed.error().message;
    QVERIFY2(message.startsWith(QStringLiteral("invalid expression in rules:if: ")), qPrintable(message));
    QVERIFY2(message.contains(fragment), qPrintable(message));
    QVERIFY2(message.endsWith(QStringLiteral(" at column %1").arg(column)), qPrintable(message));
    QCOMPARE(parsed.error().location.column, column);
    QVERIFY(parsed.error().isError());
}

void tst_RuleExpression::errorMessageAndLocation()
{
    const auto bare = RuleExpression::parse(QStringLiteral("$A == )"));
    QVERIFY(!bare);
    QCOMPARE(bare.error().message, QStringLiteral("invalid expression in rules:if: unexpected token ')' at column 7"));
    QCOMPARE(bare.error().location.column, 7);

    SourceLocation where;
    where.file = QStringLiteral(".gitlab-ci.yml");
    where.line = 12;
    where.column = 11;
    const auto located = RuleExpression::parse(QStringLiteral("$A == )"), where);
    QVERIFY(!located);
    QCOMPARE(located.error().location.file, where.file);
    QCOMPARE(located.error().location.line, 12);
    QCOMPARE(located.error().location.column, 11 + 7 - 1);
    QCOMPARE(located.error().toString(),
             QStringLiteral(
                 ".gitlab-ci.yml:12:17: error: invalid expression in rules:if: unexpected token ')' at column 7"));
}

void tst_RuleExpression::textAndCopies()
{
    const QString text = QStringLiteral("$A == 'x' || $B =~ /yz/");
    std::optional<RuleExpression> copy;
    {
        const auto parsed = RuleExpression::parse(text);
        QVERIFY(parsed);
        QCOMPARE(parsed->text(), text);
        copy = *parsed;
    }
    QCOMPARE(copy->text(), text);
    QVERIFY(copy->evaluate({{QStringLiteral("B"), QStringLiteral("zyz")}}));
    QVERIFY(!copy->evaluate({}));
    RuleExpression assigned;
    assigned = *copy;
    QVERIFY(assigned.evaluate({{QStringLiteral("A"), QStringLiteral("x")}}));
}

void tst_RuleExpression::defaultIsFalse()
{
    const RuleExpression empty;
    QVERIFY(empty.text().isEmpty());
    QVERIFY(!empty.evaluate({{QStringLiteral("A"), QStringLiteral("1")}}));
}

void tst_RuleExpression::tokenLimit()
{
    // GitLab's lexer accepts 99 tokens and rejects the 100th.
    QVERIFY(RuleExpression::parse(orChain(50)).has_value()); // 99 tokens
    const auto tooMany = RuleExpression::parse(QStringLiteral("(") + orChain(50) + QStringLiteral(")"));
    QVERIFY(!tooMany);
    QVERIFY(tooMany.error().message.contains(QStringLiteral("too many tokens")));

    // Deep nesting is rejected cleanly, never by overflowing the stack.
    const auto deep = RuleExpression::parse(repeated(QStringLiteral("("), 100000) + QStringLiteral("$A") +
                                            repeated(QStringLiteral(")"), 100000));
    QVERIFY(!deep);
    const auto nested = RuleExpression::parse(repeated(QStringLiteral("("), 49) + QStringLiteral("$A") +
                                              repeated(QStringLiteral(")"), 49));
    QVERIFY(nested);
    QVERIFY(nested->evaluate({{QStringLiteral("A"), QStringLiteral("1")}}));
}

void tst_RuleExpression::pathologicalRegexIsBounded()
{
    QElapsedTimer timer;
    timer.start();
    const auto parsed = RuleExpression::parse(QStringLiteral("$A =~ /^(a+)+$/ || $A =~ $RE"));
    QVERIFY(parsed);
    const QHash<QString, QString> vars{{QStringLiteral("A"), repeated(QStringLiteral("a"), 40) + QStringLiteral("b")},
                                       {QStringLiteral("RE"), QStringLiteral("/(x+x+)+y/")}};
    QVERIFY(!parsed->evaluate(vars));
    QVERIFY2(timer.elapsed() < 10000, "regex evaluation must stay bounded");
}

void tst_RuleExpression::garbageNeverCrashes()
{
    // Deterministic noise built from the expression alphabet; every result is fine as long as
    // parsing and evaluation return.
    const QString alphabet = QStringLiteral("$${}()\"'/\\=!~&|nul ab_1imsU[]*+?.^-\n");
    QRandomGenerator rng(20240607);
    const QHash<QString, QString> vars{{QStringLiteral("a"), QStringLiteral("/a+/i")},
                                       {QStringLiteral("b"), QString()},
                                       {QStringLiteral("a_1"), QStringLiteral("ab")}};
    int parsed = 0;
    for (int round = 0; round < 20000; ++round) {
        QString text;
        const int length = int(rng.bounded(40));
        for (int i = 0; i < length; ++i)
            text += alphabet.at(int(rng.bounded(int(alphabet.size()))));
        const auto result = RuleExpression::parse(text);
        if (result) {
            ++parsed;
            result->evaluate(vars);
            result->evaluate({});
        } else {
            QVERIFY(result.error().location.column >= 1);
            QVERIFY(result.error().location.column <= text.size() + 1);
        }
    }
    // Also a few well-formed random expressions, so evaluation gets exercised.
    const QStringList values{QStringLiteral("$a"),    QStringLiteral("$b"),   QStringLiteral("$c"),
                             QStringLiteral("'ab'"),  QStringLiteral("null"), QStringLiteral("/a+/"),
                             QStringLiteral("${a_1}")};
    const QStringList ops{QStringLiteral("=="), QStringLiteral("!="), QStringLiteral("=~"), QStringLiteral("!~")};
    for (int round = 0; round < 2000; ++round) {
        QString text = values.at(int(rng.bounded(int(values.size()))));
        const int terms = int(rng.bounded(8));
        for (int i = 0; i < terms; ++i) {
            text += rng.bounded(2) ? QStringLiteral(" && ") : QStringLiteral(" || ");
            text += values.at(int(rng.bounded(int(values.size()))));
            if (rng.bounded(2))
                text += QLatin1Char(' ') + ops.at(int(rng.bounded(int(ops.size())))) + QLatin1Char(' ') +
                        values.at(int(rng.bounded(int(values.size()))));
        }
        const auto result = RuleExpression::parse(QStringLiteral("(") + text + QStringLiteral(")"));
        QVERIFY2(result, qPrintable(text));
        result->evaluate(vars);
        ++parsed;
    }
    QVERIFY(parsed > 2000);
}

QTEST_GUILESS_MAIN(tst_RuleExpression)
#include "tst_ruleexpression.moc"
