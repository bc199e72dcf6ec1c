#include "pipeline/yamleditor.h"
#include "pipeline/yamlloader.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace trainyard::core;
using namespace Qt::StringLiterals;

namespace {

const QString kFile = u".gitlab-ci.yml"_s;

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// An empty string when equal, else where the two trees first differ.
QString treeDiff(const YamlNode &a, const YamlNode &b, const QString &path)
{
    if (a.kind() != b.kind())
        return path + u": kind differs"_s;
    if (a.tag() != b.tag())
        return path + u": tag differs"_s;
    if (a.isScalar() && (a.text() != b.text() || a.isQuoted() != b.isQuoted()))
        return path + u": '"_s + a.text() + u"' != '"_s + b.text() + u'\'';
    if (a.isSequence()) {
        if (a.items().size() != b.items().size())
            return path + u": length differs"_s;
        for (size_t i = 0; i < a.items().size(); ++i) {
            const QString d = treeDiff(a.items()[i], b.items()[i], path + u'[' + QString::number(i) + u']');
            if (!d.isEmpty())
                return d;
        }
    }
    if (a.isMap()) {
        if (a.keys() != b.keys())
            return path + u": keys differ"_s;
        for (size_t i = 0; i < a.entries().size(); ++i) {
            const QString d =
                treeDiff(a.entries()[i].second, b.entries()[i].second, path + u'.' + a.entries()[i].first);
            if (!d.isEmpty())
                return d;
        }
    }
    return {};
}

/// An empty string when equal with every position (keys' too), else where the trees first differ.
QString positionDiff(const YamlNode &a, const YamlNode &b, const QString &path)
{
    if (const QString d = treeDiff(a, b, path); !d.isEmpty())
        return d;
    if (a.location() != b.location())
        return path + u": at "_s + a.location().toString() + u", not "_s + b.location().toString();
    for (size_t i = 0; i < a.items().size(); ++i) {
        const QString d = positionDiff(a.items()[i], b.items()[i], path + u'[' + QString::number(i) + u']');
        if (!d.isEmpty())
            return d;
    }
    for (size_t i = 0; i < a.entries().size(); ++i) {
        const QString &key = a.entries()[i].first;
        if (a.keyLocation(key) != b.keyLocation(key))
            return path + u'.' + key + u": key at "_s + a.keyLocation(key).toString();
        const QString d = positionDiff(a.entries()[i].second, b.entries()[i].second, path + u'.' + key);
        if (!d.isEmpty())
            return d;
    }
    return {};
}

const QStringList kKeywords{u"stages"_s, u"variables"_s, u"default"_s, u"include"_s,       u"workflow"_s,
                            u"image"_s,  u"services"_s,  u"cache"_s,   u"before_script"_s, u"after_script"_s};

/// The lines of `a` that `b` changed: [first, last] 0-based in `a`, or {-1, -1} when equal.
QPair<int, int> changedLines(const QByteArray &a, const QByteArray &b)
{
    const QList<QByteArray> x = a.split('\n');
    const QList<QByteArray> y = b.split('\n');
    qsizetype prefix = 0;
    while (prefix < x.size() && prefix < y.size() && x[prefix] == y[prefix])
        ++prefix;
    if (prefix == x.size() && prefix == y.size())
        return {-1, -1};
    qsizetype suffix = 0;
    while (suffix < x.size() - prefix && suffix < y.size() - prefix &&
           x[x.size() - 1 - suffix] == y[y.size() - 1 - suffix])
        ++suffix;
    return {int(prefix), int(x.size() - 1 - suffix)};
}

/// The first visible job of a file (as localEdit picks it), or empty.
QString firstJob(const YamlNode &root)
{
    for (const auto &[key, value] : root.entries()) {
        if (!key.startsWith(u'.') && !kKeywords.contains(key) && value.isMap() && key != u"<<"_s)
            return key;
    }
    return {};
}

YamlEditor editor(const QByteArray &text)
{
    auto e = YamlEditor::fromText(text, kFile);
    if (!e)
        qFatal("%s", qPrintable(e.error().toString()));
    return *e;
}

} // namespace

class tst_YamlEditor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pipelineVariables();
    void roundTrip_data();
    void roundTrip();
    void localEdit_data() { roundTrip_data(); }
    void localEdit();
    void localEditSummary();

    void quoting_data();
    void quoting();
    void setScalarReplaceAndAdd();
    void setScalarKeepsCommentAndCrlf();
    void setList();
    void setListIndentless();
    void removeKey();
    void addJob();
    void removeJobWithComment();
    void renameJob();
    void setStagesReplaceAndInsert();
    void anchorRefusalsAndInline();
    void aliasJobInline();
    void flowJobRefused();
    void invalidEditRolledBack();
    void editReadsOnlyItsEntry();
    void editReadsWholeTextWhenItMust();

    void setBoolAndInt();
    void setMappingKeepsWhatReadsTheSame();
    void setMappingAddEmptyAndShared();
    void setNestedList();
    void setNestedListThroughMergeNeedsInline();
    void inlineAliasJobWithoutTheKey();
    void trainyardCreateAndRemoveRoundTrip();
    void trainyardExistingBlock();
    void trainyardSharedAnchorRefused();
    void trainyardRename();
    void trainyardEveryFile_data() { roundTrip_data(); }
    void trainyardEveryFile();
    void nestedListEveryFile_data() { roundTrip_data(); }
    void nestedListEveryFile();

private:
    int m_edited = 0;
    QStringList m_refused;
};

void tst_YamlEditor::pipelineVariables()
{
    // Changing one value and adding a name leaves every other line as written.
    YamlEditor e = editor("stages: [train]\n\n# knobs\nvariables:\n  EPOCHS: \"30\"   # full run\n"
                          "  LEARNING_RATE: '0.1'\n  # seeds\n\ntrain:\n  script: [echo]\n");
    QVERIFY(e.setPipelineVariables({{u"EPOCHS"_s, u"30"_s}, {u"LEARNING_RATE"_s, u"0.05"_s}, {u"SEED"_s, u"7"_s}}));
    QCOMPARE(e.text(), QByteArray("stages: [train]\n\n# knobs\nvariables:\n  EPOCHS: \"30\"   # full run\n"
                                  "  LEARNING_RATE: \"0.05\"\n  SEED: \"7\"\n  # seeds\n\ntrain:\n  script: [echo]\n"));
    // All removed: the key goes.
    QVERIFY(e.setPipelineVariables({}));
    QVERIFY(!e.text().contains("variables"));
    QVERIFY(e.text().contains("train:\n  script: [echo]"));

    // A file without one gets it after stages:, or at the top.
    YamlEditor withStages = editor("# ci\nstages: [a]\njob:\n  stage: a\n  script: [x]\n");
    QVERIFY(withStages.setPipelineVariables({{u"MODE"_s, u"fast"_s}}));
    QCOMPARE(withStages.text(),
             QByteArray("# ci\nstages: [a]\n\nvariables:\n  MODE: fast\njob:\n  stage: a\n  script: [x]\n"));
    YamlEditor bare = editor("job:\n  script: [x]\n");
    QVERIFY(bare.setPipelineVariables({{u"MODE"_s, u"fast"_s}}));
    QCOMPARE(bare.text(), QByteArray("variables:\n  MODE: fast\n\njob:\n  script: [x]\n"));
    // A name twice is refused, the text unchanged.
    QVERIFY(!bare.setPipelineVariables({{u"A"_s, u"1"_s}, {u"A"_s, u"2"_s}}));
    QCOMPARE(bare.text(), QByteArray("variables:\n  MODE: fast\n\njob:\n  script: [x]\n"));
}

void tst_YamlEditor::roundTrip_data()
{
    QTest::addColumn<QString>("path");
    const QDir dir(QStringLiteral(TRAINYARD_TEST_DATA "/gitlab-ci"));
    const QStringList files = dir.entryList({u"*.gitlab-ci.yml"_s}, QDir::Files, QDir::Name);
    QVERIFY(!files.isEmpty());
    for (const QString &f : files)
        QTest::newRow(qPrintable(f)) << dir.filePath(f);
}

void tst_YamlEditor::roundTrip()
{
    QFETCH(QString, path);
    const QByteArray text = readFile(path);
    auto e = YamlEditor::fromText(text, path);
    QVERIFY2(e.has_value(), e ? "" : qPrintable(e.error().toString()));
    QCOMPARE(e->text(), text);
}

void tst_YamlEditor::localEdit()
{
    QFETCH(QString, path);
    const QByteArray text = readFile(path);
    auto before = YamlLoader::parse(text, path);
    QVERIFY(before && before->isMap());
    QString job;
    for (const auto &[key, value] : before->entries()) {
        if (!key.startsWith(u'.') && !kKeywords.contains(key) && value.isMap() && key != u"<<"_s) {
            job = key;
            break;
        }
    }
    if (job.isEmpty())
        QSKIP("no visible job");
    // The job's block: from its key line to the line before the next top-level key.
    const int firstLine = before->keyLocation(job).line;
    int nextKeyLine = int(text.count('\n')) + 2;
    for (const auto &[key, value] : before->entries()) {
        const int l = before->keyLocation(key).line;
        if (l > firstLine && l < nextKeyLine)
            nextKeyLine = l;
    }
    auto e = YamlEditor::fromText(text, path);
    QVERIFY(e);
    auto r = e->setJobScalar(job, u"timeout"_s, u"42 minutes"_s);
    if (!r) {
        QCOMPARE(e->text(), text); // an honest refusal leaves the text alone
        m_refused.append(QFileInfo(path).fileName() + u": "_s + r.error().toString());
        return;
    }
    ++m_edited;
    const QList<QByteArray> a = text.split('\n');
    const QList<QByteArray> b = e->text().split('\n');
    qsizetype prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    QVERIFY2(prefix >= firstLine - 1, qPrintable(u"changed line %1 before job at %2"_s.arg(prefix + 1).arg(firstLine)));
    const qsizetype linesAfterJob = a.size() - (nextKeyLine - 1);
    QVERIFY2(suffix >= linesAfterJob, qPrintable(u"changed lines after the job's block (job %1)"_s.arg(job)));

    auto after = YamlLoader::parse(e->text(), path);
    QVERIFY(after);
    const YamlNode *edited = after->find(job);
    QVERIFY(edited && edited->find(u"timeout"_s));
    QCOMPARE(edited->find(u"timeout"_s)->text(), u"42 minutes"_s);
    QCOMPARE(after->keys(), before->keys());
    for (const auto &[key, value] : before->entries()) {
        if (key == job)
            continue;
        const QString d = treeDiff(value, *after->find(key), key);
        QVERIFY2(d.isEmpty(), qPrintable(d));
    }
    // Within the job, every other key is unchanged too.
    YamlNode expected = *before->find(job);
    expected.insert(u"timeout"_s, YamlNode::scalar(u"42 minutes"_s));
    YamlNode got = *edited;
    const QString d = treeDiff(expected, got, job);
    QVERIFY2(d.isEmpty(), qPrintable(d));
}

void tst_YamlEditor::localEditSummary()
{
    qInfo("%d files edited locally, %d refused: %s", m_edited, int(m_refused.size()),
          qPrintable(m_refused.join(u"; "_s)));
    QVERIFY(m_edited > 0);
}

void tst_YamlEditor::quoting_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("written");
    QTest::newRow("plain") << u"42 minutes"_s << QByteArray("42 minutes");
    QTest::newRow("bool") << u"true"_s << QByteArray("\"true\"");
    QTest::newRow("yes") << u"Yes"_s << QByteArray("\"Yes\"");
    QTest::newRow("int") << u"42"_s << QByteArray("\"42\"");
    QTest::newRow("float") << u"1.5"_s << QByteArray("\"1.5\"");
    QTest::newRow("null") << u"~"_s << QByteArray("\"~\"");
    QTest::newRow("empty") << QString() << QByteArray("\"\"");
    QTest::newRow("colon") << u"a: b"_s << QByteArray("\"a: b\"");
    QTest::newRow("hash") << u"a #b"_s << QByteArray("\"a #b\"");
    QTest::newRow("star") << u"*x"_s << QByteArray("\"*x\"");
    QTest::newRow("quote") << u"say \"hi\""_s << QByteArray("say \"hi\"");
    QTest::newRow("lead quote") << u"\"hi\" \\ x"_s << QByteArray("\"\\\"hi\\\" \\\\ x\"");
    QTest::newRow("newline") << u"a\nb"_s << QByteArray("\"a\\nb\"");
    QTest::newRow("unicode") << u"caf\u00e9 \U0001F600"_s << QByteArray("caf\xc3\xa9 \xf0\x9f\x98\x80");
    QTest::newRow("url") << u"http://x:80/y"_s << QByteArray("http://x:80/y");
}

void tst_YamlEditor::quoting()
{
    QFETCH(QString, value);
    QFETCH(QByteArray, written);
    QCOMPARE(YamlEditor::quoteScalar(value), written);
    YamlEditor e = editor("job:\n  script: [x]\n");
    QVERIFY(e.setJobScalar(u"job"_s, u"when"_s, value));
    auto tree = YamlLoader::parse(e.text(), kFile);
    QVERIFY(tree);
    const YamlNode *v = tree->find(u"job"_s)->find(u"when"_s);
    QVERIFY(v && v->isScalar());
    QCOMPARE(v->text(), value);
}

void tst_YamlEditor::setScalarReplaceAndAdd()
{
    YamlEditor e = editor("# top\na:\n  stage: build\n  script:\n    - make\n\n# about b\nb:\n  stage: test\n  script: "
                          "|\n    echo\n    # shell\n");
    QVERIFY(e.setJobScalar(u"a"_s, u"stage"_s, u"deploy"_s));
    QVERIFY(e.setJobScalar(u"b"_s, u"script"_s, u"run"_s));
    QVERIFY(e.setJobScalar(u"a"_s, u"when"_s, u"manual"_s));
    QCOMPARE(e.text(), QByteArray("# top\na:\n  stage: deploy\n  script:\n    - make\n  when: manual\n\n# about "
                                  "b\nb:\n  stage: test\n  script: run\n"));
    const auto missing = e.setJobScalar(u"nope"_s, u"stage"_s, u"x"_s);
    QVERIFY(!missing);
    QVERIFY(missing.error().message.contains(u"no job"_s));
}

void tst_YamlEditor::setScalarKeepsCommentAndCrlf()
{
    const QByteArray text = "a:\r\n  image: old   # pinned\r\n  script: x\t# tab comment  \r\n\r\nb:\r\n  script: y";
    YamlEditor e = editor(text);
    QCOMPARE(e.text(), text);
    QVERIFY(e.setJobScalar(u"a"_s, u"image"_s, u"new:1"_s));
    QVERIFY(e.setJobScalar(u"b"_s, u"stage"_s, u"test"_s));
    QCOMPARE(e.text(), QByteArray("a:\r\n  image: new:1   # pinned\r\n  script: x\t# tab comment  \r\n\r\nb:\r\n  "
                                  "script: y\r\n  stage: test"));
}

void tst_YamlEditor::setList()
{
    YamlEditor e = editor("a:\n  needs:\n    - x\n  script: make\nx:\n  script: y\n");
    QVERIFY(e.setJobList(u"a"_s, u"script"_s, {u"make all"_s, u"echo a: b"_s}));
    QVERIFY(e.setJobList(u"a"_s, u"needs"_s, {}));
    QVERIFY(e.setJobList(u"x"_s, u"tags"_s, {u"gpu"_s}));
    QCOMPARE(
        e.text(),
        QByteArray(
            "a:\n  needs: []\n  script:\n    - make all\n    - \"echo a: b\"\nx:\n  script: y\n  tags:\n    - gpu\n"));
}

void tst_YamlEditor::setListIndentless()
{
    YamlEditor e = editor("a:\n  script:\n  - make\n  stage: b\n");
    QVERIFY(e.setJobList(u"a"_s, u"script"_s, {u"one"_s, u"two"_s}));
    QCOMPARE(e.text(), QByteArray("a:\n  script:\n  - one\n  - two\n  stage: b\n"));
}

void tst_YamlEditor::removeKey()
{
    YamlEditor e = editor("a:\n  stage: x\n  script:\n    - make\n  when: manual");
    QVERIFY(e.removeJobKey(u"a"_s, u"script"_s));
    QVERIFY(e.removeJobKey(u"a"_s, u"when"_s));
    QCOMPARE(e.text(), QByteArray("a:\n  stage: x"));
    QVERIFY(!e.removeJobKey(u"a"_s, u"when"_s));
}

void tst_YamlEditor::addJob()
{
    YamlEditor e = editor("a:\n  script: x\n\nb:\n  script: y\n");
    QVERIFY(e.addJob(u"c"_s, "  script:\n    - z\n"));
    QVERIFY(e.addJob(u"a2"_s, "  script: w", u"a"_s));
    QCOMPARE(e.text(),
             QByteArray("a:\n  script: x\n\na2:\n  script: w\n\nb:\n  script: y\n\nc:\n  script:\n    - z\n"));
    QVERIFY(!e.addJob(u"b"_s, "  script: y"));
    QVERIFY(!e.addJob(u"d"_s, "script: y"));
}

void tst_YamlEditor::removeJobWithComment()
{
    YamlEditor e = editor("a:\n  script: x\n\n# b builds\n# things\nb:\n  script: y\n\nc:\n  script: z\n");
    QVERIFY(e.removeJob(u"b"_s));
    QCOMPARE(e.text(), QByteArray("a:\n  script: x\n\nc:\n  script: z\n"));
    QVERIFY(e.removeJob(u"c"_s));
    QCOMPARE(e.text(), QByteArray("a:\n  script: x\n"));
}

void tst_YamlEditor::renameJob()
{
    YamlEditor e = editor("a:   # first\n  script: x\nb:\n  needs: [a]\n");
    QVERIFY(e.renameJob(u"a"_s, u"build it"_s));
    QCOMPARE(e.text(), QByteArray("build it:   # first\n  script: x\nb:\n  needs: [a]\n"));
    QVERIFY(!e.renameJob(u"b"_s, u"build it"_s));
}

void tst_YamlEditor::setStagesReplaceAndInsert()
{
    YamlEditor e = editor("# header\n\nstages: [a, b]  # the order\n\njob:\n  script: x\n");
    QVERIFY(e.setStages({u"build"_s, u"test"_s}));
    QCOMPARE(e.text(), QByteArray("# header\n\nstages:\n  - build\n  - test\n\njob:\n  script: x\n"));

    YamlEditor f = editor("# header\n\njob:\n  script:\n  - x\n");
    QVERIFY(f.setStages({u"build"_s}));
    QCOMPARE(f.text(), QByteArray("# header\n\nstages:\n- build\n\njob:\n  script:\n  - x\n"));
}

void tst_YamlEditor::anchorRefusalsAndInline()
{
    const QByteArray text = ".common: &common\n  image: base\n  script:\n    - make\n\n"
                            "a:\n  <<: *common\n  stage: one\n\n"
                            "b:\n  <<: *common\n\n"
                            "c:\n  script: &s\n    - run\n\n"
                            "d:\n  script: *s\n";
    YamlEditor e = editor(text);
    // Removing a key that only comes through `<<` cannot be done for one job.
    auto r = e.removeJobKey(u"a"_s, u"script"_s);
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"anchor &common (line 1)"_s), qPrintable(r.error().message));
    QCOMPARE(r.error().location.line, 7);
    // Editing the definition of an anchor used elsewhere would change its users.
    r = e.setJobList(u"c"_s, u"script"_s, {u"other"_s});
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"anchor &s"_s), qPrintable(r.error().message));
    QCOMPARE(e.text(), text);
    // Setting a merged key overrides it in this job only.
    QVERIFY(e.setJobScalar(u"a"_s, u"image"_s, u"mine"_s));
    // inlineKey copies the merged value into the job; the alias value is replaced by its own copy.
    QVERIFY(e.inlineKey(u"b"_s, u"script"_s));
    QVERIFY(e.inlineKey(u"d"_s, u"script"_s));
    QCOMPARE(e.text(), QByteArray(".common: &common\n  image: base\n  script:\n    - make\n\n"
                                  "a:\n  <<: *common\n  stage: one\n  image: mine\n\n"
                                  "b:\n  <<: *common\n  script:\n    - make\n\n"
                                  "c:\n  script: &s\n    - run\n\n"
                                  "d:\n  script:\n    - run\n"));
    QVERIFY(e.setJobList(u"b"_s, u"script"_s, {u"own"_s}));
    auto tree = YamlLoader::parse(e.text(), kFile);
    QCOMPARE(tree->find(u".common"_s)->find(u"script"_s)->toStringList(), QStringList{u"make"_s});
    // Removing the job holding an anchor that others use is refused.
    QVERIFY(!e.removeJob(u".common"_s));

    // A visible job that is itself an anchor merged elsewhere: any edit to it is refused.
    YamlEditor g = editor("a: &a\n  script: x\nb:\n  <<: *a\n");
    r = g.setJobScalar(u"a"_s, u"timeout"_s, u"1h"_s);
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"anchor &a (line 1), used by 1 other places"_s),
             qPrintable(r.error().message));
}

void tst_YamlEditor::aliasJobInline()
{
    YamlEditor e = editor(".t: &t\n  script: x\n  stage: s\nj: *t  # same\n");
    auto r = e.setJobScalar(u"j"_s, u"stage"_s, u"other"_s);
    QVERIFY(!r);
    QVERIFY(r.error().message.contains(u"alias"_s));
    QCOMPARE(r.error().location.line, 4);
    QVERIFY(e.inlineKey(u"j"_s, u"stage"_s));
    QCOMPARE(e.text(), QByteArray(".t: &t\n  script: x\n  stage: s\nj:  # same\n  <<: *t\n  stage: s\n"));
    QVERIFY(e.setJobScalar(u"j"_s, u"stage"_s, u"other"_s));
    auto tree = YamlLoader::parse(e.text(), kFile);
    QCOMPARE(tree->find(u".t"_s)->find(u"stage"_s)->text(), u"s"_s);
    QCOMPARE(tree->find(u"j"_s)->find(u"stage"_s)->text(), u"other"_s);
}

void tst_YamlEditor::flowJobRefused()
{
    YamlEditor e = editor("j: {script: x}\n");
    auto r = e.setJobScalar(u"j"_s, u"stage"_s, u"s"_s);
    QVERIFY(!r);
    QVERIFY(r.error().message.contains(u"flow style"_s));
}

void tst_YamlEditor::invalidEditRolledBack()
{
    const QByteArray text = "j:\n  script: x\n";
    YamlEditor e = editor(text);
    auto r = e.addJob(u"k"_s, "  script: [unclosed");
    QVERIFY(!r);
    QVERIFY(r.error().message.contains(u"invalid"_s));
    QCOMPARE(e.text(), text);
}

void tst_YamlEditor::setBoolAndInt()
{
    YamlEditor e = editor("a:\n  script: x\n  retry: 1  # flaky runner\n");
    QVERIFY(e.setJobInt(u"a"_s, u"retry"_s, 2));
    QVERIFY(e.setJobBool(u"a"_s, u"allow_failure"_s, true));
    QCOMPARE(e.text(), QByteArray("a:\n  script: x\n  retry: 2  # flaky runner\n  allow_failure: true\n"));
    auto tree = YamlLoader::parse(e.text(), kFile);
    QVERIFY(tree);
    QCOMPARE(tree->find(u"a"_s)->find(u"allow_failure"_s)->toBool(), std::optional<bool>(true));
    QCOMPARE(tree->find(u"a"_s)->find(u"retry"_s)->toInt(), std::optional<long long>(2));
    QVERIFY(e.setJobBool(u"a"_s, u"allow_failure"_s, false));
    QVERIFY(e.text().contains("  allow_failure: false\n"));
}

void tst_YamlEditor::setMappingKeepsWhatReadsTheSame()
{
    const QByteArray head = "# head\nvariables:\n  GLOBAL: \"1\"\n\n";
    const QByteArray tail = "  script: x\n\nb:\n  script: y\n";
    YamlEditor e = editor(head +
                          "a:\n  variables:   # job vars\n    # the seed\n    SEED: \"42\"\n    MODE: fast  # why\n"
                          "    DATA:\n      value: /data\n      description: where the data is\n    OLD: x\n"
                          "    # trailing note\n" +
                          tail);
    const YamlEditor::ScalarEntries entries{
        {u"SEED"_s, u"42"_s}, {u"MODE"_s, u"slow"_s}, {u"DATA"_s, u"/mnt"_s}, {u"NEW"_s, u"1"_s}};
    QVERIFY(e.setJobMapping(u"a"_s, u"variables"_s, entries));
    // Unchanged entries keep their lines (quotes, comments); changed ones change only their value.
    QCOMPARE(e.text(), head +
                           "a:\n  variables:   # job vars\n    # the seed\n    SEED: \"42\"\n    MODE: slow  # why\n"
                           "    DATA:\n      value: /mnt\n      description: where the data is\n    NEW: \"1\"\n"
                           "    # trailing note\n" +
                           tail);
    auto tree = YamlLoader::parse(e.text(), kFile);
    QVERIFY(tree);
    const YamlNode *vars = tree->find(u"a"_s)->find(u"variables"_s);
    QCOMPARE(vars->keys(), (QStringList{u"SEED"_s, u"MODE"_s, u"DATA"_s, u"NEW"_s}));
    QCOMPARE(vars->find(u"DATA"_s)->find(u"description"_s)->text(), u"where the data is"_s);
    QCOMPARE(vars->find(u"NEW"_s)->text(), u"1"_s);
    QVERIFY(vars->find(u"NEW"_s)->isQuoted()); // a string, as GitLab wants variables
    // Reordering is an edit too; the same entries in the same order are no change at all.
    const QByteArray before = e.text();
    QVERIFY(e.setJobMapping(u"a"_s, u"variables"_s, entries));
    QCOMPARE(e.text(), before);
    // A duplicate or a merge key is refused, and the text stays.
    QVERIFY(!e.setJobMapping(u"a"_s, u"variables"_s, {{u"X"_s, u"1"_s}, {u"X"_s, u"2"_s}}));
    QVERIFY(!e.setJobMapping(u"a"_s, u"variables"_s, {{u"<<"_s, u"1"_s}}));
    QVERIFY(!e.setJobMapping(u"a"_s, u"variables"_s, {{QString(), u"1"_s}}));
    QCOMPARE(e.text(), before);
}

void tst_YamlEditor::setMappingAddEmptyAndShared()
{
    const QByteArray text = "c:\n  variables: &v\n    A: \"1\"\n  script: x\nd:\n  variables: *v  # same as c\n"
                            "  script: y\ne:\n  script: z\n";
    YamlEditor e = editor(text);
    // c holds the anchor that d uses: editing c's variables would change d's.
    auto r = e.setJobMapping(u"c"_s, u"variables"_s, {{u"A"_s, u"2"_s}});
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"anchor &v"_s), qPrintable(r.error().message));
    QCOMPARE(r.error().job, u"c"_s);
    QCOMPARE(e.text(), text);
    // d's alias is replaced by its own mapping; c is untouched.
    QVERIFY(e.setJobMapping(u"d"_s, u"variables"_s, {{u"A"_s, u"2"_s}, {u"B"_s, u"b c"_s}}));
    QVERIFY(e.setJobMapping(u"e"_s, u"variables"_s, {{u"K"_s, u"true"_s}}));
    QCOMPARE(e.text(), QByteArray("c:\n  variables: &v\n    A: \"1\"\n  script: x\nd:\n  variables:  # same as c\n"
                                  "    A: \"2\"\n    B: b c\n  script: y\ne:\n  script: z\n  variables:\n"
                                  "    K: \"true\"\n"));
    QVERIFY(e.setJobMapping(u"e"_s, u"variables"_s, {}));
    QVERIFY(e.text().endsWith("  script: z\n  variables: {}\n"));
    auto tree = YamlLoader::parse(e.text(), kFile);
    QVERIFY(tree->find(u"e"_s)->find(u"variables"_s)->isMap());
    QCOMPARE(tree->find(u"c"_s)->find(u"variables"_s)->find(u"A"_s)->text(), u"1"_s);
}

void tst_YamlEditor::setNestedList()
{
    const QByteArray text = "a:\n  script: x\n  artifacts:\n    paths:\n      - old/\n    expire_in: 1 week  # keep\n"
                            "\n# b\nb:\n  script: y\n";
    YamlEditor e = editor(text);
    const QStringList path{u"artifacts"_s, u"paths"_s};
    QVERIFY(e.setJobNestedList(u"a"_s, path, {u"models/"_s, u"logs/"_s}));
    QCOMPARE(e.text(), QByteArray("a:\n  script: x\n  artifacts:\n    paths:\n      - models/\n      - logs/\n"
                                  "    expire_in: 1 week  # keep\n\n# b\nb:\n  script: y\n"));
    // A job without artifacts gets the mapping, indented like the file.
    QVERIFY(e.setJobNestedList(u"b"_s, path, {u"out/"_s}));
    QVERIFY2(e.text().endsWith("b:\n  script: y\n  artifacts:\n    paths:\n      - out/\n"), e.text().constData());
    auto tree = YamlLoader::parse(e.text(), kFile);
    QCOMPARE(tree->find(u"b"_s)->find(u"artifacts"_s)->find(u"paths"_s)->toStringList(), QStringList{u"out/"_s});
    // Emptied: the list goes, and artifacts with it when nothing else is left.
    QVERIFY(e.setJobNestedList(u"a"_s, path, {}));
    QVERIFY(e.setJobNestedList(u"b"_s, path, {}));
    QCOMPARE(e.text(),
             QByteArray("a:\n  script: x\n  artifacts:\n    expire_in: 1 week  # keep\n\n# b\nb:\n  script: y\n"));
    QVERIFY(e.setJobNestedList(u"b"_s, path, {})); // nothing to remove: no change
    QVERIFY(e.text().endsWith("b:\n  script: y\n"));

    YamlEditor f = editor("j:\n  artifacts: {paths: [x]}\n");
    auto r = f.setJobNestedList(u"j"_s, path, {u"y"_s});
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"block"_s), qPrintable(r.error().message));
}

void tst_YamlEditor::setNestedListThroughMergeNeedsInline()
{
    const QByteArray text = ".t: &t\n  artifacts:\n    paths: [x]\n    expire_in: 1 day\nc:\n  <<: *t\n  script: z\n"
                            "d:\n  <<: *t\n  script: w\n";
    YamlEditor e = editor(text);
    const QStringList path{u"artifacts"_s, u"paths"_s};
    auto r = e.setJobNestedList(u"c"_s, path, {u"y/"_s});
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"inline"_s), qPrintable(r.error().message));
    QCOMPARE(e.text(), text);
    QVERIFY(e.inlineKey(u"c"_s, u"artifacts"_s));
    QVERIFY(e.setJobNestedList(u"c"_s, path, {u"y/"_s}));
    auto tree = YamlLoader::parse(e.text(), kFile);
    const YamlNode *c = tree->find(u"c"_s)->find(u"artifacts"_s);
    QCOMPARE(c->find(u"paths"_s)->toStringList(), QStringList{u"y/"_s});
    QCOMPARE(c->find(u"expire_in"_s)->text(), u"1 day"_s);
    QCOMPARE(tree->find(u"d"_s)->find(u"artifacts"_s)->find(u"paths"_s)->toStringList(), QStringList{u"x"_s});
    QCOMPARE(tree->find(u".t"_s)->find(u"artifacts"_s)->find(u"paths"_s)->toStringList(), QStringList{u"x"_s});
    // Only c's lines changed.
    const auto changed = changedLines(text, e.text());
    QVERIFY(changed.first >= 4 && changed.second <= 6);
}

void tst_YamlEditor::inlineAliasJobWithoutTheKey()
{
    YamlEditor e = editor(".t: &t\n  script: x\nj: *t\n");
    QVERIFY(!e.setJobScalar(u"j"_s, u"timeout"_s, u"1h"_s));
    // The alias has no `timeout`: inlining makes the job a mapping of its own all the same.
    QVERIFY(e.inlineKey(u"j"_s, u"timeout"_s));
    QCOMPARE(e.text(), QByteArray(".t: &t\n  script: x\nj:\n  <<: *t\n"));
    QVERIFY(e.setJobScalar(u"j"_s, u"timeout"_s, u"1h"_s));
    QCOMPARE(e.text(), QByteArray(".t: &t\n  script: x\nj:\n  <<: *t\n  timeout: 1h\n"));
}

void tst_YamlEditor::trainyardCreateAndRemoveRoundTrip()
{
    const QByteArray text = "# pipeline\na:\n  script: x\n";
    YamlEditor e = editor(text);
    QVERIFY(e.setTrainyardJobSetting(u"a"_s, u"gpus"_s, 2));
    QCOMPARE(e.text(), text + "\n.trainyard:\n  jobs:\n    a:\n      gpus: 2\n");
    QVERIFY(e.setTrainyardJobSetting(u"a"_s, u"tensorboard"_s, u"runs/a b"_s));
    QVERIFY(e.setTrainyardJobSetting(u"a"_s, u"gpus"_s, 4));
    QCOMPARE(e.text(), text + "\n.trainyard:\n  jobs:\n    a:\n      gpus: 4\n      tensorboard: runs/a b\n");
    auto tree = YamlLoader::parse(e.text(), kFile);
    const YamlNode *a = tree->find(u".trainyard"_s)->find(u"jobs"_s)->find(u"a"_s);
    QCOMPARE(a->find(u"gpus"_s)->toInt(), std::optional<long long>(4));
    QCOMPARE(a->find(u"tensorboard"_s)->text(), u"runs/a b"_s);
    QVERIFY(e.removeTrainyardJobSetting(u"a"_s, u"gpus"_s));
    QCOMPARE(e.text(), text + "\n.trainyard:\n  jobs:\n    a:\n      tensorboard: runs/a b\n");
    // The last setting gone: the job's entry, `jobs:` and `.trainyard:` that it made go too.
    QVERIFY(e.removeTrainyardJobSetting(u"a"_s, u"tensorboard"_s));
    QCOMPARE(e.text(), text);
    QVERIFY(e.removeTrainyardJobSetting(u"a"_s, u"tensorboard"_s)); // nothing there: no change
    QCOMPARE(e.text(), text);

    // CRLF and no final newline are kept.
    YamlEditor f = editor("a:\r\n  script: x");
    QVERIFY(f.setTrainyardJobSetting(u"a"_s, u"gpus"_s, 1));
    QCOMPARE(f.text(), QByteArray("a:\r\n  script: x\r\n\r\n.trainyard:\r\n  jobs:\r\n    a:\r\n      gpus: 1"));
    QVERIFY(f.removeTrainyardJobSetting(u"a"_s, u"gpus"_s));
    QCOMPARE(f.text(), QByteArray("a:\r\n  script: x"));
}

void tst_YamlEditor::trainyardExistingBlock()
{
    const QByteArray text = "stages: [a]\n\n.trainyard:\n  protected_branches: [main]  # releases\n  jobs:\n"
                            "    # the trainer\n    train:\n      memory: 512m\n    other:\n      gpus: 1\n\n"
                            "train:\n  script: x\n";
    YamlEditor e = editor(text);
    QVERIFY(e.setTrainyardJobSetting(u"train"_s, u"gpus"_s, 2));
    QVERIFY(e.setTrainyardJobSetting(u"new job"_s, u"tensorboard"_s, u"logs"_s));
    QCOMPARE(e.text(), QByteArray("stages: [a]\n\n.trainyard:\n  protected_branches: [main]  # releases\n  jobs:\n"
                                  "    # the trainer\n    train:\n      memory: 512m\n      gpus: 2\n    other:\n"
                                  "      gpus: 1\n    new job:\n      tensorboard: logs\n\ntrain:\n  script: x\n"));
    QVERIFY(e.removeTrainyardJobSetting(u"new job"_s, u"tensorboard"_s));
    QVERIFY(e.removeTrainyardJobSetting(u"train"_s, u"gpus"_s));
    QCOMPARE(e.text(), text);
    // Removing a job's last setting drops its entry but keeps the rest of `.trainyard`.
    QVERIFY(e.removeTrainyardJobSetting(u"other"_s, u"gpus"_s));
    QCOMPARE(e.text(), QByteArray("stages: [a]\n\n.trainyard:\n  protected_branches: [main]  # releases\n  jobs:\n"
                                  "    # the trainer\n    train:\n      memory: 512m\n\ntrain:\n  script: x\n"));

    // `.trainyard` without `jobs:` gets one.
    YamlEditor f = editor(".trainyard:\n  secrets: [TOKEN]\nj:\n  script: x\n");
    QVERIFY(f.setTrainyardJobSetting(u"j"_s, u"gpus"_s, 1));
    QCOMPARE(f.text(),
             QByteArray(".trainyard:\n  secrets: [TOKEN]\n  jobs:\n    j:\n      gpus: 1\nj:\n  script: x\n"));
}

void tst_YamlEditor::trainyardSharedAnchorRefused()
{
    const QByteArray text = ".trainyard:\n  jobs:\n    a: &cfg\n      gpus: 1\n    b: *cfg\na:\n  script: x\n";
    YamlEditor e = editor(text);
    auto r = e.setTrainyardJobSetting(u"a"_s, u"gpus"_s, 2);
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"anchor &cfg"_s), qPrintable(r.error().message));
    r = e.setTrainyardJobSetting(u"b"_s, u"gpus"_s, 2);
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"alias"_s), qPrintable(r.error().message));
    r = e.removeTrainyardJobSetting(u"a"_s, u"gpus"_s);
    QVERIFY(!r);
    QCOMPARE(e.text(), text);
    // Flow style is not edited in place.
    YamlEditor f = editor(".trainyard: {jobs: {a: {gpus: 1}}}\na:\n  script: x\n");
    QVERIFY(!f.setTrainyardJobSetting(u"a"_s, u"gpus"_s, 2));
}

void tst_YamlEditor::trainyardRename()
{
    YamlEditor e = editor(".trainyard:\n  jobs:\n    train:  # big\n      gpus: 1\n    eval:\n      gpus: 0\n");
    QVERIFY(e.renameTrainyardJob(u"train"_s, u"fit"_s));
    QCOMPARE(e.text(), QByteArray(".trainyard:\n  jobs:\n    fit:  # big\n      gpus: 1\n    eval:\n      gpus: 0\n"));
    QVERIFY(!e.renameTrainyardJob(u"fit"_s, u"eval"_s));
    QVERIFY(e.renameTrainyardJob(u"nope"_s, u"x"_s)); // no settings: nothing to do
    QVERIFY(e.text().contains("fit:"));
}

void tst_YamlEditor::trainyardEveryFile()
{
    // Setting and removing a job's GPUs touches only `.trainyard` lines (or appends them) and
    // gives the file back byte for byte.
    QFETCH(QString, path);
    const QByteArray text = readFile(path);
    auto before = YamlLoader::parse(text, path);
    QVERIFY(before && before->isMap());
    const QString job = firstJob(*before);
    if (job.isEmpty())
        QSKIP("no visible job");
    const YamlNode *existing = before->find(u".trainyard"_s);
    if (existing && existing->find(u"jobs"_s) && existing->find(u"jobs"_s)->find(job))
        QSKIP("the job already has settings");
    auto e = YamlEditor::fromText(text, path);
    QVERIFY(e);
    auto r = e->setTrainyardJobSetting(job, u"gpus"_s, 3);
    QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
    auto after = YamlLoader::parse(e->text(), path);
    QVERIFY(after);
    QCOMPARE(after->find(u".trainyard"_s)->find(u"jobs"_s)->find(job)->find(u"gpus"_s)->toInt(),
             std::optional<long long>(3));
    for (const auto &[key, value] : before->entries()) {
        if (key == u".trainyard"_s)
            continue;
        const QString d = treeDiff(value, *after->find(key), key);
        QVERIFY2(d.isEmpty(), qPrintable(d));
    }
    const auto changed = changedLines(text, e->text());
    if (existing) {
        const int first = before->keyLocation(u".trainyard"_s).line - 1;
        QVERIFY2(changed.first >= first,
                 qPrintable(u"changed line %1, .trainyard at %2"_s.arg(changed.first).arg(first)));
    } else {
        QVERIFY(e->text().startsWith(text.endsWith('\n') ? text : text + '\n'));
    }
    QVERIFY(e->removeTrainyardJobSetting(job, u"gpus"_s));
    QCOMPARE(e->text(), text);
}

void tst_YamlEditor::nestedListEveryFile()
{
    // Setting a job's artifacts paths changes only that job's lines, keeps its other artifacts keys,
    // and leaves every other top-level key as it was; or it is refused with the text unchanged.
    QFETCH(QString, path);
    const QByteArray text = readFile(path);
    auto before = YamlLoader::parse(text, path);
    QVERIFY(before && before->isMap());
    const QString job = firstJob(*before);
    if (job.isEmpty())
        QSKIP("no visible job");
    auto e = YamlEditor::fromText(text, path);
    QVERIFY(e);
    const QStringList items{u"out/"_s, u"report #1.json"_s};
    auto r = e->setJobNestedList(job, {u"artifacts"_s, u"paths"_s}, items);
    if (!r && r.error().message.contains(u"inline"_s)) {
        // Shared through a merge key: inlining for this job first lets the edit through.
        QCOMPARE(e->text(), text);
        auto inlined = e->inlineKey(job, u"artifacts"_s);
        QVERIFY2(inlined, inlined ? "" : qPrintable(inlined.error().toString()));
        r = e->setJobNestedList(job, {u"artifacts"_s, u"paths"_s}, items);
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
    }
    if (!r) {
        QCOMPARE(e->text(), text);
        QVERIFY(!r.error().message.isEmpty());
        qInfo("refused: %s", qPrintable(r.error().toString()));
        return;
    }
    auto after = YamlLoader::parse(e->text(), path);
    QVERIFY(after);
    const YamlNode *artifacts = after->find(job)->find(u"artifacts"_s);
    QCOMPARE(artifacts->find(u"paths"_s)->toStringList(), items);
    if (const YamlNode *old = before->find(job)->find(u"artifacts"_s); old && old->isMap()) {
        for (const auto &[key, value] : old->entries()) {
            if (key != u"paths"_s)
                QVERIFY(treeDiff(value, *artifacts->find(key), key).isEmpty());
        }
    }
    for (const auto &[key, value] : before->entries()) {
        if (key == job)
            continue;
        const QString d = treeDiff(value, *after->find(key), key);
        QVERIFY2(d.isEmpty(), qPrintable(d));
    }
    const int firstLine = before->keyLocation(job).line - 1;
    int nextKeyLine = int(text.count('\n')) + 1;
    for (const auto &[key, value] : before->entries()) {
        const int l = before->keyLocation(key).line - 1;
        if (l > firstLine && l < nextKeyLine)
            nextKeyLine = l;
    }
    const auto changed = changedLines(text, e->text());
    QVERIFY2(changed.first >= firstLine && changed.second < nextKeyLine,
             qPrintable(u"changed lines %1-%2, job %3 at %4-%5"_s.arg(changed.first)
                            .arg(changed.second)
                            .arg(job)
                            .arg(firstLine)
                            .arg(nextKeyLine - 1)));
}

void tst_YamlEditor::editReadsOnlyItsEntry()
{
    // Anchors and aliases elsewhere, `&&` in a script (not an anchor), comments and CRLF-free text.
    const QByteArray text = "stages: [build, test]\n"
                            ".base: &base\n"
                            "  tags: [docker]\n"
                            "build:\n"
                            "  stage: build\n"
                            "  script:\n"
                            "    - make && make check # both\n"
                            "\n"
                            "# the tests\n"
                            "test:\n"
                            "  <<: *base\n"
                            "  stage: test\n"
                            "  script: [ctest]\n"
                            ".late: &late\n"
                            "  image: alpine\n"
                            "late-user:\n"
                            "  <<: *late\n"
                            "  script: [true]\n"
                            "last:\n"
                            "  script: [done]\n";
    auto editor = YamlEditor::fromText(text, kFile);
    QVERIFY(editor);
    QCOMPARE(editor->lastReadBack(), YamlEditor::ReadBack::None);
    const auto check = [&](const char *what) {
        QVERIFY2(editor->lastReadBack() == YamlEditor::ReadBack::Entry, what);
        auto whole = YamlLoader::read(editor->text(), kFile);
        QVERIFY(whole);
        const QString diff = positionDiff(editor->tree(), whole->root, u"(root)"_s);
        QVERIFY2(diff.isEmpty(), qPrintable(QString::fromLatin1(what) + u": "_s + diff));
    };
    QVERIFY(editor->setJobScalar(u"build"_s, u"image"_s, u"gcc:13"_s)); // a line more in 'build'
    check("add a key");
    QCOMPARE(editor->tree().keyLocation(u"test"_s).line, 11);
    QCOMPARE(editor->tree().find(u"late-user"_s)->find(u"script"_s)->location().line, 19);
    QVERIFY(editor->setJobScalar(u"build"_s, u"image"_s, u"gcc:14"_s)); // the same lines
    check("set a key");
    QVERIFY(editor->setJobList(u"build"_s, u"script"_s, {u"make"_s, u"make check"_s, u"make install"_s}));
    check("set a list");
    QCOMPARE(editor->tree().keyLocation(u"test"_s).line, 13);
    QVERIFY(editor->removeJobKey(u"build"_s, u"image"_s));
    check("remove a key");
    QVERIFY(editor->setJobMapping(u"last"_s, u"variables"_s, {{u"A"_s, u"1"_s}}));
    check("set a mapping in the last job");
    QVERIFY(editor->setJobNestedList(u"build"_s, {u"artifacts"_s, u"paths"_s}, {u"dist/"_s}));
    check("set a nested list");

    // The anchors moved with their lines: a refusal names where &late now is.
    const int lateLine = int(editor->text().left(editor->text().indexOf(".late:")).count('\n')) + 1;
    QCOMPARE(lateLine, 19); // 14, then +1, +2, -1 and +3 lines in build
    const auto refused = editor->setJobScalar(u".late"_s, u"image"_s, u"debian"_s);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(u"&late (line 19)"_s), qPrintable(refused.error().message));
}

void tst_YamlEditor::editReadsWholeTextWhenItMust()
{
    const QByteArray text = ".base: &base\n"
                            "  tags: [docker]\n"
                            "a:\n"
                            "  <<: *base\n"
                            "  script: [x]\n"
                            "b:\n"
                            "  script: [y]\n";
    auto editor = YamlEditor::fromText(text, kFile);
    QVERIFY(editor);
    // An alias in the edited job: read whole (alone it would not read).
    QVERIFY(editor->setJobScalar(u"a"_s, u"image"_s, u"alpine"_s));
    QCOMPARE(editor->lastReadBack(), YamlEditor::ReadBack::Whole);
    QVERIFY(editor->setJobScalar(u"b"_s, u"image"_s, u"alpine"_s));
    QCOMPARE(editor->lastReadBack(), YamlEditor::ReadBack::Entry);
    // An edit of more than one top-level key (a rename changes the file's keys) is read whole.
    QVERIFY(editor->renameJob(u"b"_s, u"c"_s));
    QCOMPARE(editor->lastReadBack(), YamlEditor::ReadBack::Whole);

    // A file that read with warnings (a duplicate key, with its line in the message): whole.
    auto warned = YamlEditor::fromText("a:\n  script: [x]\n  script: [y]\nb:\n  script: [z]\n", kFile);
    QVERIFY(warned);
    QCOMPARE(warned->readWarnings().size(), size_t(1));
    QVERIFY(warned->setJobScalar(u"b"_s, u"image"_s, u"alpine"_s));
    QCOMPARE(warned->lastReadBack(), YamlEditor::ReadBack::Whole);

    // A job written twice at the top level (YAML keeps the last): whole, and the last one changes.
    auto twice = YamlEditor::fromText("j:\n  script: [x]\nk:\n  script: [k]\nj:\n  script: [y]\n", kFile);
    QVERIFY(twice);
    QVERIFY(twice->setJobScalar(u"j"_s, u"image"_s, u"alpine"_s));
    QCOMPARE(twice->lastReadBack(), YamlEditor::ReadBack::Whole);
    QVERIFY(twice->text().endsWith("j:\n  script: [y]\n  image: alpine\n"));
    QCOMPARE(twice->tree().find(u"j"_s)->find(u"image"_s)->text(), u"alpine"_s);
}

QTEST_GUILESS_MAIN(tst_YamlEditor)
#include "tst_yamleditor.moc"
