#include "pipeline/yamlloader.h"

#include <QElapsedTimer>
#include <QTest>

#include <sys/resource.h>

using namespace trainyard::core;
using namespace Qt::StringLiterals;

class tst_YamlLoader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mergeKeys_data();
    void mergeKeys();
    void scalarsAndTags();
    void positions();
    void invalidYaml_data();
    void invalidYaml();
    void aliasBombIsRefused();
    void silentFixesAreWarnings();
    void deepMergeReplacesArrays();
    void largeMapsFindEveryKeyInOrder();
    void copiesChangeApart();
    void shiftLinesMovesOnlyLaterPositions();
};

// Renders a map as "k=v,k=v" (one level) for compact expectations.
static QString flat(const YamlNode &n)
{
    QStringList parts;
    for (const auto &[k, v] : n.entries())
        parts << k + u'=' + (v.isScalar() ? v.text() : v.typeName());
    return parts.join(u',');
}

void tst_YamlLoader::mergeKeys_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected");
    QTest::newRow("merge then override") << QByteArray("a: &a {x: 1, y: 2}\nb:\n  <<: *a\n  y: 3\n") << "x=1,y=3";
    QTest::newRow("list of merges, first wins")
        << QByteArray("a: &a {x: 1}\nc: &c {x: 2, z: 5}\nb:\n  <<: [*a, *c]\n") << "x=1,z=5";
    // Psych (GitLab): a later `<<` overrides keys merged before it (seen in NVIDIA/DALI's file).
    QTest::newRow("duplicate merge keys")
        << QByteArray("a: &a {x: 1, y: 1}\nc: &c {x: 2}\nb:\n  <<: *a\n  <<: *c\n") << "x=2,y=1";
    QTest::newRow("nested merge") << QByteArray("a: &a {k: {p: 1}}\nb:\n  <<: *a\n  q: 2\n") << "k=hash,q=2";
    QTest::newRow("quoted << is a plain key") << QByteArray("b:\n  '<<': x\n") << "<<=x";
}

void tst_YamlLoader::mergeKeys()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    auto doc = YamlLoader::parse(yaml, QStringLiteral("t.yml"));
    QVERIFY2(doc.has_value(), qPrintable(doc ? QString() : doc.error().toString()));
    QCOMPARE(flat(*doc->find(QStringLiteral("b"))), expected);
}

void tst_YamlLoader::scalarsAndTags()
{
    auto doc =
        YamlLoader::parse("a: yes\nb: 'yes'\nc: !reference [x, y]\nd: ~\ne: 12\nf: off\n", QStringLiteral("t.yml"));
    QVERIFY(doc);
    QCOMPARE(doc->find(QStringLiteral("a"))->toBool(), std::optional<bool>(true));
    QCOMPARE(doc->find(QStringLiteral("b"))->toBool(), std::nullopt); // quoted: a string
    QVERIFY(doc->find(QStringLiteral("b"))->isQuoted());
    QVERIFY(doc->find(QStringLiteral("c"))->isReference());
    QCOMPARE(doc->find(QStringLiteral("c"))->toStringList(), QStringList({QStringLiteral("x"), QStringLiteral("y")}));
    QVERIFY(doc->find(QStringLiteral("d"))->isNull());
    QCOMPARE(doc->find(QStringLiteral("e"))->toInt(), std::optional<long long>(12));
    QCOMPARE(doc->find(QStringLiteral("f"))->toBool(), std::optional<bool>(false));
}

void tst_YamlLoader::positions()
{
    auto doc = YamlLoader::parse("job:\n  stage: test\n  script:\n    - echo hi\n", QStringLiteral("p.yml"));
    QVERIFY(doc);
    const YamlNode *job = doc->find(QStringLiteral("job"));
    QCOMPARE(doc->keyLocation(QStringLiteral("job")).toString(), QStringLiteral("p.yml:1:1"));
    QCOMPARE(job->find(QStringLiteral("stage"))->location().toString(), QStringLiteral("p.yml:2:10"));
    QCOMPARE(job->find(QStringLiteral("script"))->items().at(0).location().toString(), QStringLiteral("p.yml:4:7"));
}

void tst_YamlLoader::invalidYaml_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("position");
    QTest::newRow("bad indentation") << QByteArray("a:\n  b: 1\n c: 2\n") << "bad.yml:3:";
    // An unclosed flow is placed at its bracket (yaml-cpp gives up lines later), with the line's text.
    QTest::newRow("unclosed flow") << QByteArray("a: [1, 2\nb: 3\n")
                                   << "bad.yml:1:4: error: invalid YAML: this '[' is never closed (a flow sequence "
                                      "needs its ']' before line 2): a: [1, 2";
    QTest::newRow("unclosed flow at the end") << QByteArray("a:\n  script: [x\n")
                                              << "bad.yml:2:11: error: invalid YAML: this '[' is never closed (a "
                                                 "flow sequence needs its ']' before the file ends): script: [x";
    QTest::newRow("unclosed inner flow") << QByteArray("a:\n  - echo a[1]\n  - [x, [y], 'z]'\nb: 1\n")
                                         << "bad.yml:3:5: error: invalid YAML: this '[' is never closed";
    QTest::newRow("unclosed flow map") << QByteArray("a:\n  variables: {A: \"[\", B: 1  # }\n  script: [x]\n")
                                       << "bad.yml:2:14: error: invalid YAML: this '{' is never closed";
    QTest::newRow("other errors show the line")
        << QByteArray("x: 1\na: b: c\n") << "bad.yml:2:5: error: invalid YAML: illegal map value: a: b: c";
    QTest::newRow("unknown alias") << QByteArray("a: *nope\n") << "bad.yml:1:";
    QTest::newRow("tab indentation") << QByteArray("a:\n\tb: 1\n") << "bad.yml:2:";
}

void tst_YamlLoader::invalidYaml()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, position);
    auto doc = YamlLoader::parse(yaml, QStringLiteral("bad.yml"));
    QVERIFY(!doc);
    QVERIFY2(doc.error().toString().startsWith(position), qPrintable(doc.error().toString()));
    QVERIFY(doc.error().toString().contains(QStringLiteral("error: invalid YAML")));
}

void tst_YamlLoader::aliasBombIsRefused()
{
    QByteArray yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 9; ++i)
        yaml += QStringLiteral("a%1: &a%1 [*a%2, *a%2, *a%2, *a%2, *a%2, *a%2, *a%2, *a%2, *a%2, *a%2]\n")
                    .arg(i)
                    .arg(i - 1)
                    .toUtf8();
    // The hardening issue: 400 bytes cost up to 482 MB before they were refused. Now the
    // expanded size is counted before anything is expanded.
    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    QElapsedTimer timer;
    timer.start();
    auto doc = YamlLoader::parse(yaml, QStringLiteral("bomb.yml"));
    const qint64 ms = timer.elapsed();
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);
    QVERIFY(!doc);
    QVERIFY(doc.error().message.contains(QStringLiteral("too large")));
    const long grownKb = after.ru_maxrss - before.ru_maxrss;
    QVERIFY2(grownKb < 32 * 1024, qPrintable(QStringLiteral("peak memory grew by %1 MB").arg(grownKb / 1024)));
    QVERIFY2(ms < 2000, qPrintable(QStringLiteral("%1 ms").arg(ms)));

    // Aliases within the limit still expand as before.
    auto fine = YamlLoader::parse("a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b]\n", QStringLiteral("ok.yml"));
    QVERIFY(fine);
    QCOMPARE(fine->find(QStringLiteral("c"))->items().at(1).items().at(0).toStringList(),
             (QStringList{QStringLiteral("1"), QStringLiteral("2")}));
}

// The hardening issue: invalid UTF-8 was replaced without a word, and a duplicate key dropped the
// first value silently (GitLab does both silently too: here they are warnings at their place).
void tst_YamlLoader::silentFixesAreWarnings()
{
    const QByteArray yaml = "job:\n"
                            "  script:\n"
                            "    - echo caf\xe9\n"
                            "  stage: test\n"
                            "  stage: deploy\n"
                            ".base: &base\n"
                            "  image: a:1\n"
                            "other:\n"
                            "  <<: *base\n"
                            "  image: b:2\n";
    auto doc = YamlLoader::read(yaml, QStringLiteral("w.yml"));
    QVERIFY(doc);
    QStringList warnings;
    for (const Error &e : doc->warnings)
        warnings << e.toString();
    QCOMPARE(
        warnings,
        (QStringList{
            QStringLiteral(
                "w.yml:3:15: warning: invalid UTF-8 here: the bytes that are not UTF-8 are read as \uFFFD (U+FFFD)"),
            QStringLiteral(
                "w.yml:5:3: warning: duplicate key 'stage' (first at line 4): the last one wins, as GitLab reads it"),
        }));
    QCOMPARE(doc->root.find(QStringLiteral("job"))->find(QStringLiteral("stage"))->text(), QStringLiteral("deploy"));
    QCOMPARE(doc->root.find(QStringLiteral("other"))->find(QStringLiteral("image"))->text(),
             QStringLiteral("b:2")); // a merge is no duplicate
}

void tst_YamlLoader::deepMergeReplacesArrays()
{
    auto base = YamlLoader::parse("v: {A: 1, B: 2}\ns: [a, b]\n", QStringLiteral("b"));
    auto over = YamlLoader::parse("v: {B: 3}\ns: [c]\n", QStringLiteral("o"));
    const YamlNode merged = YamlNode::deepMerge(*base, *over);
    QCOMPARE(flat(*merged.find(QStringLiteral("v"))), QStringLiteral("A=1,B=3"));
    QCOMPARE(merged.find(QStringLiteral("s"))->toStringList(), QStringList{QStringLiteral("c")});
}

// A pipeline's top level holds every job: past 16 entries a map keeps a key index. Lookups,
// replacement in place, removal and write access through entries() behave as the plain scan did.
void tst_YamlLoader::largeMapsFindEveryKeyInOrder()
{
    QByteArray text;
    for (int i = 0; i < 2000; ++i)
        text += "job_" + QByteArray::number(i) + ": {stage: s" + QByteArray::number(i % 7) + "}\n";
    text += "job_1500: {stage: again}\n"; // a duplicate: the last one wins, in the first one's place
    auto doc = YamlLoader::parse(text, QStringLiteral("big.yml"));
    QVERIFY(doc);
    YamlNode root = *doc;
    const YamlNode &r = root;
    QCOMPARE(r.entries().size(), size_t(2000));
    QCOMPARE(r.entries()[1500].first, QStringLiteral("job_1500"));
    QCOMPARE(r.find(QStringLiteral("job_1500"))->find(QStringLiteral("stage"))->text(), QStringLiteral("again"));
    QCOMPARE(r.keyLocation(QStringLiteral("job_1999")).line, 2000);
    QCOMPARE(r.keyLocation(QStringLiteral("job_1500")).line, 2001);
    for (int i = 0; i < 2000; i += 37)
        QCOMPARE(r.find(QStringLiteral("job_%1").arg(i))->find(QStringLiteral("stage"))->text(),
                 QStringLiteral("s%1").arg(i % 7));
    QVERIFY(!r.find(QStringLiteral("job_2000")));

    QVERIFY(root.remove(QStringLiteral("job_10")));
    QVERIFY(!r.find(QStringLiteral("job_10")));
    QCOMPARE(r.entries()[10].first, QStringLiteral("job_11"));
    QCOMPARE(r.find(QStringLiteral("job_11"))->find(QStringLiteral("stage"))->text(), QStringLiteral("s4"));

    root.mutableEntries()[0].first = QStringLiteral("renamed"); // write access: the index is dropped
    QVERIFY(root.find(QStringLiteral("renamed")));
    QVERIFY(!root.find(QStringLiteral("job_0")));
    root.insert(QStringLiteral("job_0"), YamlNode::scalar(QStringLiteral("back")));
    QCOMPARE(root.entries().back().first, QStringLiteral("job_0"));
    QCOMPARE(root.find(QStringLiteral("job_0"))->text(), QStringLiteral("back"));
    QCOMPARE(root.find(QStringLiteral("renamed"))->find(QStringLiteral("stage"))->text(), QStringLiteral("s0"));
}

// Copies share their children until one changes (copy on write): a change through either copy,
// however deep and by whichever write access, leaves the other as it was.
void tst_YamlLoader::copiesChangeApart()
{
    auto doc = YamlLoader::parse("j:\n  v: {A: 1}\n  s: [a, b]\nk: x\n", QStringLiteral("c.yml"));
    QVERIFY(doc);
    const YamlNode original = *doc;
    YamlNode copy = original;
    copy.find(QStringLiteral("j"))->find(QStringLiteral("v"))->insert(QStringLiteral("B"), YamlNode::scalar(u"2"_s));
    copy.find(QStringLiteral("j"))->find(QStringLiteral("s"))->items().front() = YamlNode::scalar(u"z"_s);
    copy.find(QStringLiteral("j"))->find(QStringLiteral("s"))->append(YamlNode::scalar(u"c"_s));
    copy.remove(QStringLiteral("k"));
    copy.find(QStringLiteral("j"))->mutableEntries().front().first = u"w"_s;
    QCOMPARE(flat(*original.find(QStringLiteral("j"))->find(QStringLiteral("v"))), u"A=1"_s);
    QCOMPARE(original.find(QStringLiteral("j"))->find(QStringLiteral("s"))->toStringList(),
             QStringList({u"a"_s, u"b"_s}));
    QCOMPARE(flat(original), u"j=hash,k=x"_s);
    QCOMPARE(flat(*original.find(QStringLiteral("j"))), u"v=hash,s=array"_s);
    QCOMPARE(flat(copy), u"j=hash"_s);
    QCOMPARE(flat(*copy.find(QStringLiteral("j"))), u"w=hash,s=array"_s);
    QCOMPARE(copy.find(QStringLiteral("j"))->find(QStringLiteral("s"))->toStringList(),
             QStringList({u"z"_s, u"b"_s, u"c"_s}));

    // And the other way round: the original changed, the copy is as it was.
    YamlNode source = *doc;
    const YamlNode kept = source;
    source.find(QStringLiteral("j"))->find(QStringLiteral("v"))->insert(QStringLiteral("A"), YamlNode::scalar(u"9"_s));
    QCOMPARE(flat(*kept.find(QStringLiteral("j"))->find(QStringLiteral("v"))), u"A=1"_s);
    QCOMPARE(flat(*source.find(QStringLiteral("j"))->find(QStringLiteral("v"))), u"A=9"_s);
}

void tst_YamlLoader::shiftLinesMovesOnlyLaterPositions()
{
    auto doc = YamlLoader::parse("a:\n  x: 1\nb:\n  y: [2]\n", QStringLiteral("s.yml"));
    QVERIFY(doc);
    const YamlNode before = *doc;
    YamlNode moved = before;
    moved.shiftLines(3, 5); // from b's line on
    QCOMPARE(moved.keyLocation(u"a"_s).line, 1);
    QCOMPARE(moved.find(u"a"_s)->find(u"x"_s)->location().line, 2);
    QCOMPARE(moved.keyLocation(u"b"_s).line, 8);
    QCOMPARE(moved.find(u"b"_s)->keyLocation(u"y"_s).line, 9);
    QCOMPARE(moved.find(u"b"_s)->find(u"y"_s)->items().front().location().line, 9);
    QCOMPARE(before.keyLocation(u"b"_s).line, 3); // the copy it came from is as it was
    QCOMPARE(before.find(u"b"_s)->find(u"y"_s)->items().front().location().line, 4);
    QCOMPARE(moved.nodeCount(), before.nodeCount());
    // The root; a and its map; x and 1; b and its map; y, its list and 2.
    QCOMPARE(before.nodeCount(), qsizetype(10));
}

QTEST_GUILESS_MAIN(tst_YamlLoader)
#include "tst_yamlloader.moc"
