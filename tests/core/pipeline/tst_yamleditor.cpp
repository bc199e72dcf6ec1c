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
            const QString d = treeDiff(a.entries()[i].second, b.entries()[i].second, path + u'.' + a.entries()[i].first);
            if (!d.isEmpty())
                return d;
        }
    }
    return {};
}

const QStringList kKeywords{u"stages"_s,        u"variables"_s, u"default"_s,  u"include"_s, u"workflow"_s,
                            u"image"_s,         u"services"_s,  u"cache"_s,    u"before_script"_s,
                            u"after_script"_s};

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

private:
    int m_edited = 0;
    QStringList m_refused;
};

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
    while (suffix < a.size() - prefix && suffix < b.size() - prefix && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
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
    YamlEditor e = editor("# top\na:\n  stage: build\n  script:\n    - make\n\n# about b\nb:\n  stage: test\n  script: |\n    echo\n    # shell\n");
    QVERIFY(e.setJobScalar(u"a"_s, u"stage"_s, u"deploy"_s));
    QVERIFY(e.setJobScalar(u"b"_s, u"script"_s, u"run"_s));
    QVERIFY(e.setJobScalar(u"a"_s, u"when"_s, u"manual"_s));
    QCOMPARE(e.text(), QByteArray("# top\na:\n  stage: deploy\n  script:\n    - make\n  when: manual\n\n# about b\nb:\n  stage: test\n  script: run\n"));
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
    QCOMPARE(e.text(), QByteArray("a:\r\n  image: new:1   # pinned\r\n  script: x\t# tab comment  \r\n\r\nb:\r\n  script: y\r\n  stage: test"));
}

void tst_YamlEditor::setList()
{
    YamlEditor e = editor("a:\n  needs:\n    - x\n  script: make\nx:\n  script: y\n");
    QVERIFY(e.setJobList(u"a"_s, u"script"_s, {u"make all"_s, u"echo a: b"_s}));
    QVERIFY(e.setJobList(u"a"_s, u"needs"_s, {}));
    QVERIFY(e.setJobList(u"x"_s, u"tags"_s, {u"gpu"_s}));
    QCOMPARE(e.text(), QByteArray("a:\n  needs: []\n  script:\n    - make all\n    - \"echo a: b\"\nx:\n  script: y\n  tags:\n    - gpu\n"));
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
    QCOMPARE(e.text(), QByteArray("a:\n  script: x\n\na2:\n  script: w\n\nb:\n  script: y\n\nc:\n  script:\n    - z\n"));
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
    QVERIFY2(r.error().message.contains(u"anchor &a (line 1), used by 1 other places"_s), qPrintable(r.error().message));
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

QTEST_GUILESS_MAIN(tst_YamlEditor)
#include "tst_yamleditor.moc"
