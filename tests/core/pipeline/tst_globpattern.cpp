#include "pipeline/globpattern.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

using trainyard::core::GlobPattern;

namespace {

QString repeated(const QString &s, int n)
{
    QString out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

} // namespace

class tst_GlobPattern final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void match_data();
    void match();
    void isLiteral_data();
    void isLiteral();
    void literalMatchesItself_data();
    void literalMatchesItself();
    void noExponentialBlowup_data();
    void noExponentialBlowup();
    void garbageNeverCrashes();
};

void tst_GlobPattern::match_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("expected");

    auto row = [](const char *name, const char *pattern, const char *path, bool expected) {
        QTest::newRow(name) << QString::fromUtf8(pattern) << QString::fromUtf8(path) << expected;
    };

    // Literals
    row("literal", "README.md", "README.md", true);
    row("literal other", "README.md", "README.txt", false);
    row("literal is case sensitive", "readme.md", "README.md", false);
    row("literal nested", "src/main.c", "src/main.c", true);
    row("literal prefix only", "src", "src/main.c", false);
    row("empty pattern empty path", "", "", true);
    row("empty pattern", "", "a", false);

    // Leading ./ and / on the pattern
    row("dot slash", "./src/*.c", "src/a.c", true);
    row("leading slash", "/src/*.c", "src/a.c", true);
    row("double dot slash", "././a", "a", true);

    // * and ?
    row("star ext", "*.md", "README.md", true);
    row("star does not cross slash", "*.md", "docs/a.md", false);
    row("star in dir", "docs/*.md", "docs/a.md", true);
    row("star dir deeper", "docs/*.md", "docs/x/a.md", false);
    row("star whole name", "*", "Makefile", true);
    row("star not dir", "*", "a/b", false);
    row("star empty", "a*", "a", true);
    row("star middle", "a*z", "abcz", true);
    row("star middle no", "a*z", "abcy", false);
    row("many stars", "*a*b*c*", "xaybzc", true);
    row("many stars order", "*a*b*c*", "xcybza", false);
    row("star dir segment", "*/b", "a/b", true);
    row("star dir segment no", "*/b", "a/x/b", false);
    row("star needs a dir", "*/b", "b", false);
    row("star star collapses", "a**z", "abz", true);
    row("question", "?", "a", true);
    row("question two", "?", "ab", false);
    row("question empty", "?", "", false);
    row("question not slash", "a?c", "a/c", false);
    row("question middle", "a?c", "abc", true);
    row("question code point", "a?c",
        "a\xF0\x9F\x98\x80"
        "c",
        true);
    row("question unicode", "gr??e", "grüße", true);

    // Dotfiles (FNM_DOTMATCH)
    row("star matches dotfile", "*", ".gitlab-ci.yml", true);
    row("star ext dotfile", "*.yml", ".gitlab-ci.yml", true);
    row("dot star", ".*", ".env", true);
    row("question dot", "?env", ".env", true);
    row("globstar into dot dir", "**/*", ".git/config", true);
    row("globstar dotfile", "**/.env", "a/b/.env", true);
    row("globstar dotfile top", "**/.env", ".env", true);
    row("dot dir star", ".github/*", ".github/ci.yml", true);

    // **/ (zero or more directories)
    row("globstar top", "**/*.md", "a.md", true);
    row("globstar one", "**/*.md", "docs/a.md", true);
    row("globstar deep", "**/*.md", "a/b/c/d.md", true);
    row("globstar no", "**/*.md", "a/b/c/d.txt", false);
    row("globstar middle zero", "a/**/b", "a/b", true);
    row("globstar middle many", "a/**/b", "a/x/y/b", true);
    row("globstar middle no", "a/**/b", "a/x/y/c", false);
    row("globstar middle wrong root", "a/**/b", "c/x/b", false);
    row("globstar tail star", "docs/**/*", "docs/a", true);
    row("globstar tail star deep", "docs/**/*", "docs/a/b/c", true);
    row("globstar tail star prefix", "docs/**/*", "docsx/a", false);
    row("globstar tail star dir only", "docs/**/*", "docs", false);
    row("globstar repeated", "**/**/b", "b", true);
    row("globstar repeated deep", "**/**/b", "x/y/b", true);
    row("two globstars", "a/**/b/**/c", "a/x/b/y/z/c", true);
    row("two globstars zero", "a/**/b/**/c", "a/b/c", true);
    row("two globstars no", "a/**/b/**/c", "a/x/y/z/c", false);
    row("globstar then literal dir", "**/src/*.c", "lib/src/a.c", true);
    row("globstar backtracks", "**/a/b", "a/a/a/b", true);
    row("globstar backtracks no", "**/a/b", "a/a/a/c/b", false);
    // "**" not followed by "/" is a plain "*"
    row("double star alone", "**", "a", true);
    row("double star alone no", "**", "a/b", false);
    row("double star tail", "docs/**", "docs/a", true);
    row("double star tail no", "docs/**", "docs/a/b", false);
    row("double star in name", "a**/b", "abc/b", true);

    // Character classes
    row("class", "[abc].txt", "b.txt", true);
    row("class no", "[abc].txt", "d.txt", false);
    row("range", "[a-c].txt", "c.txt", true);
    row("range no", "[a-c].txt", "d.txt", false);
    row("negated bang", "[!a-c].txt", "d.txt", true);
    row("negated bang no", "[!a-c].txt", "a.txt", false);
    row("negated caret", "[^a].txt", "a.txt", false);
    row("negated caret yes", "[^a].txt", "b.txt", true);
    row("class dash last", "[a-]", "-", true);
    row("class dash first", "[-a]", "-", true);
    row("class escaped bracket", "[\\]]", "]", true);
    row("class empty never", "[]a]", "a]", false);
    row("class one char only", "[ab]", "ab", false);
    row("class not slash", "a[/]b", "a/b", false);
    row("class digits", "v[0-9].[0-9]", "v1.2", true);
    row("class unicode", "[ä-ü]", "ö", true);
    row("unterminated class never", "a[", "a[", false);
    row("unterminated class range", "a[b-", "a[b-", false);
    row("class then star", "[ab]*", "bzz", true);

    // Braces (FNM_EXTGLOB)
    row("braces", "{a,b}.txt", "b.txt", true);
    row("braces no", "{a,b}.txt", "c.txt", false);
    row("braces ext", "*.{js,ts}", "app.ts", true);
    row("braces ext no", "*.{js,ts}", "app.tsx", false);
    row("braces nested", "{a,{b,c}}", "c", true);
    row("braces nested deeper", "x{a,{b,{c,d}}}y", "xdy", true);
    row("braces empty alt", "x{,y}", "x", true);
    row("braces empty alt 2", "x{,y}", "xy", true);
    row("braces empty", "x{}", "x", true);
    row("braces two groups", "{a,b}{c,d}", "bd", true);
    row("braces two groups no", "{a,b}{c,d}", "ba", false);
    row("braces with dirs", "{src,lib}/**/*.{c,h}", "lib/x/y.h", true);
    row("braces with dirs no", "{src,lib}/**/*.{c,h}", "test/x/y.h", false);
    row("braces with slash inside", "{a/b,c}/d", "a/b/d", true);
    row("braces unclosed never", "{a", "{a", false);
    row("braces unclosed never 2", "a{b,c", "ab", false);
    row("lone close brace literal", "a}", "a}", true);
    row("escaped braces literal", "\\{a,b\\}", "{a,b}", true);
    row("escaped comma", "{a\\,b,c}", "a,b", true);
    row("braces then class", "{[ab],c}x", "bx", true);

    // Escapes
    row("escaped star", "\\*", "*", true);
    row("escaped star literal only", "\\*", "a", false);
    row("escaped question", "a\\?", "a?", true);
    row("escaped question literal only", "a\\?", "ab", false);
    row("escaped bracket", "\\[a]", "[a]", true);
    row("escaped letter", "\\a", "a", true);
    row("trailing star escape", "a*\\", "abc", true);
}

void tst_GlobPattern::match()
{
    QFETCH(QString, pattern);
    QFETCH(QString, path);
    QFETCH(bool, expected);
    QCOMPARE(GlobPattern::match(pattern, path), expected);
}

void tst_GlobPattern::isLiteral_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("expected");

    QTest::newRow("plain") << QStringLiteral("Dockerfile") << true;
    QTest::newRow("path") << QStringLiteral("docker/Dockerfile.prod") << true;
    QTest::newRow("dot slash") << QStringLiteral("./a/b.txt") << true;
    QTest::newRow("close brace") << QStringLiteral("a}") << true;
    QTest::newRow("close bracket") << QStringLiteral("a]") << true;
    QTest::newRow("comma") << QStringLiteral("a,b") << true;
    QTest::newRow("star") << QStringLiteral("*.md") << false;
    QTest::newRow("globstar") << QStringLiteral("**/x") << false;
    QTest::newRow("question") << QStringLiteral("a?") << false;
    QTest::newRow("class") << QStringLiteral("[ab]") << false;
    QTest::newRow("brace") << QStringLiteral("{a,b}") << false;
    QTest::newRow("escape") << QStringLiteral("a\\b") << false;
}

void tst_GlobPattern::isLiteral()
{
    QFETCH(QString, pattern);
    QFETCH(bool, expected);
    QCOMPARE(GlobPattern::isLiteral(pattern), expected);
}

void tst_GlobPattern::literalMatchesItself_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::newRow("file") << QStringLiteral("Dockerfile");
    QTest::newRow("nested") << QStringLiteral("a/b/c.txt");
    QTest::newRow("dotfile") << QStringLiteral(".gitlab/ci.yml");
    QTest::newRow("brace close") << QStringLiteral("x}");
    QTest::newRow("unicode") << QStringLiteral("docs/grüße.md");
}

void tst_GlobPattern::literalMatchesItself()
{
    QFETCH(QString, pattern);
    QVERIFY(GlobPattern::isLiteral(pattern));
    QVERIFY(GlobPattern::match(pattern, pattern));
    QVERIFY(!GlobPattern::match(pattern, pattern + QStringLiteral("x")));
}

void tst_GlobPattern::noExponentialBlowup_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("expected");

    QTest::newRow("stars") << repeated(QStringLiteral("*a"), 30) + QStringLiteral("*b")
                           << repeated(QStringLiteral("a"), 3000) << false;
    QTest::newRow("stars match") << repeated(QStringLiteral("*a"), 30) + QStringLiteral("*b")
                                 << repeated(QStringLiteral("a"), 3000) + QStringLiteral("b") << true;
    QTest::newRow("globstars") << repeated(QStringLiteral("**/a/"), 20) + QStringLiteral("b")
                               << repeated(QStringLiteral("a/"), 1500) + QStringLiteral("c") << false;
    QTest::newRow("globstars and stars") << repeated(QStringLiteral("**/*a*/"), 10) + QStringLiteral("*b")
                                         << repeated(QStringLiteral("xaax/"), 500) + QStringLiteral("c") << false;
    QTest::newRow("brace product") << repeated(QStringLiteral("{a,b,c}"), 30) << repeated(QStringLiteral("d"), 30)
                                   << false;
    QTest::newRow("brace nesting") << repeated(QStringLiteral("{"), 150) + repeated(QStringLiteral("}"), 150)
                                   << QString() << true;
    // Past the expansion budget match() gives up rather than spend quadratic time.
    QTest::newRow("brace nesting huge") << repeated(QStringLiteral("{"), 5000) + repeated(QStringLiteral("}"), 5000)
                                        << QString() << false;
    QTest::newRow("unclosed braces") << repeated(QStringLiteral("{a,"), 5000) << QStringLiteral("a") << false;
    QTest::newRow("classes") << repeated(QStringLiteral("*[ab]"), 50) + QStringLiteral("c")
                             << repeated(QStringLiteral("ab"), 1000) << false;
}

void tst_GlobPattern::noExponentialBlowup()
{
    QFETCH(QString, pattern);
    QFETCH(QString, path);
    QFETCH(bool, expected);

    QElapsedTimer timer;
    timer.start();
    QCOMPARE(GlobPattern::match(pattern, path), expected);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QStringLiteral("took %1 ms").arg(timer.elapsed())));
}

void tst_GlobPattern::garbageNeverCrashes()
{
    const QString patternAlphabet = QStringLiteral("*?[]{},\\/!^-a.b");
    const QString pathAlphabet = QStringLiteral("ab./-{}[],*");
    QRandomGenerator rng(1234567);
    int matched = 0;
    for (int round = 0; round < 20000; ++round) {
        QString pattern;
        QString path;
        const int patternLength = int(rng.bounded(24));
        const int pathLength = int(rng.bounded(24));
        for (int i = 0; i < patternLength; ++i)
            pattern += patternAlphabet.at(int(rng.bounded(int(patternAlphabet.size()))));
        for (int i = 0; i < pathLength; ++i)
            path += pathAlphabet.at(int(rng.bounded(int(pathAlphabet.size()))));
        if (GlobPattern::match(pattern, path))
            ++matched;
        // A literal matches the path it spells (leading "/" and "./" are stripped from patterns only).
        if (GlobPattern::isLiteral(pattern) && !pattern.startsWith(u'/') && !pattern.startsWith(QStringLiteral("./")))
            QCOMPARE(GlobPattern::match(pattern, pattern), true);
    }
    QVERIFY(matched > 0);
    QVERIFY(!GlobPattern::match(QStringLiteral("a"), QStringLiteral("a") + QChar(0)));
}

QTEST_GUILESS_MAIN(tst_GlobPattern)
#include "tst_globpattern.moc"
