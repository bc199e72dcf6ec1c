#include "pipeline/gitlabcireader.h"
#include "pipeline/yamlloader.h"

#include "support/files.h"
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using trainyard::test::writeFile;

using namespace trainyard::core;

// One line per job: "name|stage|when|allow_failure|needs" (needs: "-" none, "[]" empty).
static QString describe(const Pipeline &p)
{
    QStringList lines;
    for (const Job &j : p.jobs) {
        QString needs = QStringLiteral("-");
        if (j.needs) {
            QStringList n;
            for (const Need &x : *j.needs)
                n << x.job + (x.optional ? QStringLiteral("?") : QString()) +
                         (x.artifacts ? QString() : QStringLiteral("!a"));
            needs = n.isEmpty() ? QStringLiteral("[]") : n.join(u',');
        }
        lines << QStringLiteral("%1|%2|%3|%4|%5")
                     .arg(j.name, j.stage, whenToString(j.when),
                          j.allowFailure ? QStringLiteral("af") : QStringLiteral("-"), needs);
    }
    return lines.join(u'\n');
}

static QString problems(const Pipeline &p)
{
    QStringList out;
    for (const Error &e : p.problems)
        out << e.toString();
    return out.join(u'\n');
}

static EvaluationContext context(const QString &branch = QStringLiteral("main"), const QString &dir = QString())
{
    EvaluationContext ctx;
    ctx.projectDir = dir.isEmpty() ? QDir::tempPath() : dir;
    ctx.branch = branch;
    ctx.defaultBranch = QStringLiteral("main");
    ctx.predefined.insert(QStringLiteral("CI_COMMIT_BRANCH"), branch);
    ctx.predefined.insert(QStringLiteral("CI_COMMIT_REF_NAME"), branch);
    ctx.predefined.insert(QStringLiteral("CI_DEFAULT_BRANCH"), QStringLiteral("main"));
    ctx.predefined.insert(QStringLiteral("CI_PIPELINE_SOURCE"), QStringLiteral("push"));
    ctx.predefined.insert(QStringLiteral("CI_PROJECT_PATH"), QStringLiteral("group/project"));
    if (dir.isEmpty())
        ctx.setProjectFiles({});
    ctx.setChangedFiles(std::nullopt);
    return ctx;
}

class tst_GitlabCiReader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jobs_data();
    void jobs();
    void errors_data();
    void errors();
    void severalErrorsAtOnce();
    void workflowBlocksPipeline();
    void workflowVariables();
    void extendsMergesMetadata();
    void scriptsAreFlattened();
    void includesLocalAndReportsRemote();
    void rulesChangesAndExists();
    void trainyardSettings();
    void teamStoreUrlNeverCarriesAPassword();
    void teamRegistryUrlNeverCarriesALogin();
    void slurmSettings();
    void scanSettings();
    void keywordsKeptAsData();
    void inheritVariables();
    void readsProjectFromDisk();
    void runtimeOnlyFailuresAreReported();
    void rereadEntryReadsAsAWholeReading_data();
    void rereadEntryReadsAsAWholeReading();
    void rereadEntryRefusesWhatItCannotReadAlone_data();
    void rereadEntryRefusesWhatItCannotReadAlone();
};

void tst_GitlabCiReader::jobs_data()
{
    QTest::addColumn<QString>("branch");
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected");

    QTest::newRow("default stages and .pre/.post")
        << "main"
        << QByteArray("z:\n  stage: .post\n  script: x\nb:\n  stage: build\n  script: x\nt:\n  script: x\np:\n  stage: "
                      ".pre\n  script: x\n")
        << "z|.post|on_success|-|-\nb|build|on_success|-|-\nt|test|on_success|-|-\np|.pre|on_success|-|-";
    QTest::newRow("hidden jobs are templates")
        << "main" << QByteArray(".tmpl:\n  script: x\njob:\n  extends: .tmpl\n") << "job|test|on_success|-|-";
    QTest::newRow("manual job may fail by default")
        << "main" << QByteArray("m:\n  when: manual\n  script: x\n") << "m|test|manual|af|-";
    QTest::newRow("manual job with allow_failure false")
        << "main" << QByteArray("m:\n  when: manual\n  allow_failure: false\n  script: x\n") << "m|test|manual|-|-";
    QTest::newRow("manual in rules must not fail by default")
        << "main" << QByteArray("m:\n  rules:\n    - when: manual\n  script: x\n") << "m|test|manual|-|-";
    QTest::newRow("manual in rules with allow_failure")
        << "main" << QByteArray("m:\n  rules:\n    - when: manual\n      allow_failure: true\n  script: x\n")
        << "m|test|manual|af|-";
    QTest::newRow("allow_failure exit_codes is not allow_failure")
        << "main" << QByteArray("a:\n  allow_failure:\n    exit_codes: [3]\n  script: x\n") << "a|test|on_success|-|-";
    QTest::newRow("yaml 1.1 booleans") << "main" << QByteArray("a:\n  allow_failure: yes\n  script: x\n")
                                       << "a|test|on_success|af|-";
    QTest::newRow("no rule matches: never")
        << "feature" << QByteArray("d:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n  script: x\n")
        << "d|test|never|-|-";
    QTest::newRow("rule matches")
        << "main"
        << QByteArray("d:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n      when: always\n  script: x\n")
        << "d|test|always|-|-";
    QTest::newRow("first matching rule wins")
        << "main"
        << QByteArray("d:\n  rules:\n    - if: $CI_COMMIT_BRANCH =~ /^ma/\n      when: delayed\n      start_in: 1h\n   "
                      " - when: manual\n  script: x\n")
        << "d|test|delayed|-|-";
    QTest::newRow("rules when never")
        << "main"
        << QByteArray(
               "d:\n  rules:\n    - if: $CI_COMMIT_BRANCH\n      when: never\n    - when: on_success\n  script: x\n")
        << "d|test|never|-|-";
    QTest::newRow("global and job variables in rules, expanded")
        << "main"
        << QByteArray("variables:\n  BASE: main\n  TARGET: $BASE\nd:\n  variables:\n    MODE: gpu\n  rules:\n"
                      "    - if: $TARGET == $CI_COMMIT_BRANCH && $MODE == \"gpu\"\n  script: x\n")
        << "d|test|on_success|-|-";
    QTest::newRow("unset and empty variables")
        << "main"
        << QByteArray("variables:\n  EMPTY: \"\"\na:\n  rules:\n    - if: $UNSET == null && $EMPTY == \"\" && $EMPTY "
                      "!= null\n  script: x\n"
                      "b:\n  rules:\n    - if: $EMPTY\n  script: x\n")
        << "a|test|on_success|-|-\nb|test|never|-|-";
    QTest::newRow("parentheses and ||")
        << "dev"
        << QByteArray("a:\n  rules:\n    - if: ($CI_COMMIT_BRANCH == \"main\" || $CI_COMMIT_BRANCH == \"dev\") && "
                      "$CI_PIPELINE_SOURCE == \"push\"\n  script: x\n")
        << "a|test|on_success|-|-";
    QTest::newRow("only branch names and regex")
        << "release-1"
        << QByteArray("a:\n  only: [main]\n  script: x\nb:\n  only: [/^release-.*/]\n  script: x\nc:\n  except: "
                      "[/^release/]\n  script: x\n")
        << "a|test|never|-|-\nb|test|on_success|-|-\nc|test|never|-|-";
    QTest::newRow("only keywords")
        << "main"
        << QByteArray("a:\n  only: [branches]\n  script: x\nb:\n  only: [tags]\n  script: x\nc:\n  only: [schedules]\n "
                      " script: x\n"
                      "d:\n  only: [merge_requests]\n  script: x\ne:\n  except: [tags]\n  script: x\n")
        << "a|test|on_success|-|-\nb|test|never|-|-\nc|test|never|-|-\nd|test|never|-|-\ne|test|on_success|-|-";
    QTest::newRow("only refs and variables must both match")
        << "main"
        << QByteArray("variables:\n  DEPLOY: \"1\"\na:\n  only:\n    refs: [main]\n    variables: [$DEPLOY == \"1\"]\n "
                      " script: x\n"
                      "b:\n  only:\n    refs: [main]\n    variables: [$DEPLOY == \"2\"]\n  script: x\n")
        << "a|test|on_success|-|-\nb|test|never|-|-";
    QTest::newRow("needs forms")
        << "main"
        << QByteArray("stages: [build, test]\nb:\n  stage: build\n  script: x\nc:\n  stage: build\n  script: x\n"
                      "t:\n  needs: [b, {job: c, artifacts: false}, {job: gone, optional: true}]\n  script: x\n"
                      "u:\n  needs: []\n  script: x\n")
        << "b|build|on_success|-|-\nc|build|on_success|-|-\nt|test|on_success|-|b,c!a,gone?\nu|test|on_success|-|[]";
    QTest::newRow("needs in the same stage") << "main" << QByteArray("a:\n  script: x\nb:\n  needs: [a]\n  script: x\n")
                                             << "a|test|on_success|-|-\nb|test|on_success|-|a";
    QTest::newRow("parallel N") << "main" << QByteArray("p:\n  parallel: 3\n  script: x\n")
                                << "p 1/3|test|on_success|-|-\np 2/3|test|on_success|-|-\np 3/3|test|on_success|-|-";
    QTest::newRow("parallel matrix names")
        << "main"
        << QByteArray("m:\n  parallel:\n    matrix:\n      - PY: ['3.9', '3.10']\n        OS: linux\n      - PY: "
                      "'3.11'\n  script: x\n")
        << "m: [3.9, linux]|test|on_success|-|-\nm: [3.10, linux]|test|on_success|-|-\nm: [3.11]|test|on_success|-|-";
    QTest::newRow("matrix variables in rules")
        << "main"
        << QByteArray("m:\n  parallel:\n    matrix:\n      - GPU: ['yes', 'no']\n  rules:\n    - if: $GPU == \"yes\"\n "
                      " script: x\n")
        << "m: [yes]|test|on_success|-|-\nm: [no]|test|never|-|-";
    QTest::newRow("needs on a parallel job means all of it")
        << "main"
        << QByteArray(
               "stages: [build, test]\nb:\n  stage: build\n  parallel: 2\n  script: x\nt:\n  needs: [b]\n  script: x\n")
        << "b 1/2|build|on_success|-|-\nb 2/2|build|on_success|-|-\nt|test|on_success|-|b 1/2,b 2/2";
    QTest::newRow("needs on some instances of a matrix job")
        << "main"
        << QByteArray("stages: [build, test]\nb:\n  stage: build\n  parallel:\n    matrix:\n      - OS: [linux, mac]\n "
                      "       PY: ['3.10', '3.11']\n  script: x\n"
                      "t:\n  needs:\n    - job: b\n      parallel:\n        matrix:\n          - OS: mac\n            "
                      "PY: ['3.11']\n  script: x\n")
        << "b: [linux, 3.10]|build|on_success|-|-\nb: [linux, 3.11]|build|on_success|-|-\nb: [mac, "
           "3.10]|build|on_success|-|-\n"
           "b: [mac, 3.11]|build|on_success|-|-\nt|test|on_success|-|b: [mac, 3.11]";
    QTest::newRow("trigger job needs no script")
        << "main" << QByteArray("child:\n  trigger:\n    include: child.yml\n") << "child|test|on_success|-|-";
    QTest::newRow("default applies unless inherit says no")
        << "main"
        << QByteArray("default:\n  image: alpine:3\na:\n  script: x\nb:\n  inherit:\n    default: false\n  script: x\n")
        << "a|test|on_success|-|-\nb|test|on_success|-|-";
    QTest::newRow("anchors and merge keys")
        << "main" << QByteArray(".base: &base\n  stage: build\n  when: manual\njob:\n  <<: *base\n  script: x\n")
        << "job|build|manual|af|-";
    QTest::newRow("anchor inside !reference target")
        << "main"
        << QByteArray(".rules: &r\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n      when: manual\n"
                      ".tmpl:\n  <<: *r\njob:\n  rules:\n    - !reference [.tmpl, rules]\n  script: x\n")
        << "job|test|manual|-|-";
    QTest::newRow("extends chain with when")
        << "main"
        << QByteArray(".a:\n  when: manual\n.b:\n  extends: .a\n  stage: deploy\nc:\n  extends: .b\n  script: x\n")
        << "c|deploy|manual|af|-";
    QTest::newRow("extends list, last wins")
        << "main"
        << QByteArray(
               "stages: [one, two]\n.a:\n  stage: one\n.b:\n  stage: two\nc:\n  extends: [.a, .b]\n  script: x\n")
        << "c|two|on_success|-|-";
    QTest::newRow("rules needs replace job needs")
        << "main"
        << QByteArray("a:\n  script: x\nb:\n  script: x\nc:\n  needs: [a]\n  rules:\n    - needs: [b]\n  script: x\n")
        << "a|test|on_success|-|-\nb|test|on_success|-|-\nc|test|on_success|-|b";
}

void tst_GitlabCiReader::jobs()
{
    QFETCH(QString, branch);
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context(branch));
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    QCOMPARE(describe(p), expected);
}

void tst_GitlabCiReader::errors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected");

    QTest::newRow("invalid yaml") << QByteArray("a:\n  script: [x\n")
                                  << "t.yml:2:11: error: invalid YAML: this '[' is never closed";
    QTest::newRow("job without script") << QByteArray("stages: [test]\nbuild:\n  stage: test\n")
                                        << "t.yml:2:1: error: job 'build' has no script";
    QTest::newRow("needs undefined") << QByteArray("a:\n  needs: [nope]\n  script: x\n")
                                     << "t.yml:2:11: error: job 'a' needs 'nope', which is not defined";
    QTest::newRow("needs later stage")
        << QByteArray(
               "stages: [one, two]\na:\n  stage: one\n  needs: [b]\n  script: x\nb:\n  stage: two\n  script: x\n")
        << "t.yml:4:11: error: job 'a' (stage 'one') needs 'b', which is in the later stage 'two'";
    QTest::newRow("needs cycle")
        << QByteArray("a:\n  needs: [b]\n  script: x\nb:\n  needs: [c]\n  script: x\nc:\n  needs: [a]\n  script: x\n")
        << "error: needs cycle: a -> b -> c -> a";
    QTest::newRow("unknown stage")
        << QByteArray("stages: [build]\na:\n  stage: tset\n  script: x\n")
        << "t.yml:3:10: error: job 'a': stage 'tset' is not defined; the stages are .pre, build, .post";
    QTest::newRow("extends missing") << QByteArray("a:\n  extends: .nope\n  script: x\n")
                                     << "t.yml:2:12: error: 'a' extends '.nope', which is not defined";
    QTest::newRow("extends loop") << QByteArray(
                                         ".a:\n  extends: .b\n.b:\n  extends: .a\nc:\n  extends: .a\n  script: x\n")
                                  << "error: extends loop: .a -> .b -> .a";
    QTest::newRow("script is a hash")
        << QByteArray("a:\n  script:\n    x: 1\n")
        << "t.yml:3:5: error: job 'a': script should be a string or an array of strings, not hash";
    QTest::newRow("bad when") << QByteArray("a:\n  when: sometimes\n  script: x\n")
                              << "t.yml:2:9: error: job 'a': when should be one of";
    QTest::newRow("needs not an array") << QByteArray("a:\n  needs: b\n  script: x\n")
                                        << "t.yml:2:10: error: job 'a': needs should be an array, not string";
    QTest::newRow("retry too large") << QByteArray("a:\n  retry: 5\n  script: x\n")
                                     << "t.yml:2:10: error: job 'a': retry should be 0, 1 or 2";
    QTest::newRow("parallel zero") << QByteArray("a:\n  parallel: 0\n  script: x\n")
                                   << "t.yml:2:13: error: job 'a': parallel should be a number from 1 to 200";
    QTest::newRow("job is not a hash") << QByteArray("a: echo\n")
                                       << "t.yml:1:1: error: 'a' is not a keyword, so it is a job";
    QTest::newRow("bad rules:if") << QByteArray("a:\n  rules:\n    - if: $A == \n  script: x\n") << "t.yml:3:";
    QTest::newRow("!reference missing") << QByteArray("a:\n  script: !reference [.nope, script]\n")
                                        << "t.yml:2:11: error: !reference [.nope] could not be found";
    QTest::newRow("need on a job that is not created")
        << QByteArray("a:\n  rules:\n    - when: never\n  script: x\nb:\n  needs: [a]\n  script: x\n")
        << "t.yml:6:11: error: job 'b' needs 'a', which is not created in this pipeline";
    QTest::newRow("root is a list") << QByteArray("- a\n- b\n") << "t.yml:1:1: error: the file should be a hash";
}

void tst_GitlabCiReader::errors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context());
    QVERIFY(p.hasErrors());
    QVERIFY2(problems(p).contains(expected), qPrintable(problems(p)));
}

void tst_GitlabCiReader::severalErrorsAtOnce()
{
    const Pipeline p =
        GitlabCiReader::readText("a:\n  stage: nope\n  script: x\nb:\n  needs: [zz]\n  script: x\nc:\n  image: x:1\n",
                                 QStringLiteral("t.yml"), context());
    int errors = 0;
    for (const Error &e : p.problems)
        errors += e.isError();
    QCOMPARE(errors, 3);
}

void tst_GitlabCiReader::workflowBlocksPipeline()
{
    const QByteArray yaml = "workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\na:\n  script: x\n";
    QVERIFY(GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context(QStringLiteral("main"))).createdByWorkflow);
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context(QStringLiteral("feature")));
    QVERIFY(!p.createdByWorkflow);
    QVERIFY2(p.workflowReason.contains(QStringLiteral("t.yml:2:")), qPrintable(p.workflowReason));
    const QByteArray never = "workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH\n      when: never\na:\n  script: x\n";
    QVERIFY(!GitlabCiReader::readText(never, QStringLiteral("t.yml"), context()).createdByWorkflow);
}

void tst_GitlabCiReader::workflowVariables()
{
    const QByteArray yaml =
        "variables:\n  MODE: slow\nworkflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n"
        "      variables:\n        MODE: fast\nf:\n  rules:\n    - if: $MODE == \"fast\"\n  script: x\n";
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context());
    QCOMPARE(describe(p), QStringLiteral("f|test|on_success|-|-"));
}

void tst_GitlabCiReader::extendsMergesMetadata()
{
    const QByteArray yaml =
        ".base:\n  image: python:3.11\n  variables:\n    A: '1'\n    B: '2'\n  tags: [gpu-runner]\n  script: [base]\n"
        ".mid:\n  extends: .base\n  variables:\n    B: '3'\n  artifacts:\n    paths: [models/]\n"
        "job:\n  extends: .mid\n  variables:\n    C: '4'\n  script: [own]\n";
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context());
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    const Job *job = p.job(QStringLiteral("job"));
    QVERIFY(job);
    QCOMPARE(job->image.name, QStringLiteral("python:3.11"));
    QStringList vars;
    for (const Variable &v : job->variables)
        vars << v.name + u'=' + v.value;
    QCOMPARE(vars, QStringList({QStringLiteral("A=1"), QStringLiteral("B=3"), QStringLiteral("C=4")}));
    QCOMPARE(job->script, QStringList{QStringLiteral("own")}); // arrays are replaced, not merged
    QCOMPARE(job->artifacts.paths, QStringList{QStringLiteral("models/")});
    QCOMPARE(job->tags, QStringList{QStringLiteral("gpu-runner")});
    QVERIFY(job->needsGpu());
    QCOMPARE(job->extends, QStringList({QStringLiteral(".mid"), QStringLiteral(".base")}));
}

void tst_GitlabCiReader::scriptsAreFlattened()
{
    const QByteArray yaml = ".setup:\n  script:\n    - one\n    - [two, three]\n"
                            "default:\n  before_script: [pre]\n"
                            "job:\n  script:\n    - !reference [.setup, script]\n    - four\n  after_script: post\n";
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context());
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    const Job *job = p.job(QStringLiteral("job"));
    QCOMPARE(job->script, QStringList({QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three"),
                                       QStringLiteral("four")}));
    QCOMPARE(job->beforeScript, QStringList{QStringLiteral("pre")});
    QCOMPARE(job->afterScript, QStringList{QStringLiteral("post")});
}

void tst_GitlabCiReader::includesLocalAndReportsRemote()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("ci/common.yml")),
              "variables:\n  FROM_INCLUDE: '1'\n.tmpl:\n  stage: build\ninc-job:\n  script: x\n  stage: test\n");
    writeFile(dir.filePath(QStringLiteral("ci/extra.yml")), "include: ci/nested.yml\nextra:\n  script: x\n");
    writeFile(dir.filePath(QStringLiteral("ci/nested.yml")), "nested:\n  script: x\n");
    const QByteArray yaml =
        "include:\n  - local: /ci/common.yml\n  - 'ci/extra.yml'\n  - remote: https://example.com/x.yml\n"
        "  - local: ci/skipped.yml\n    rules:\n      - if: $CI_COMMIT_BRANCH == \"other\"\n"
        "inc-job:\n  stage: deploy\nmain-job:\n  extends: .tmpl\n  script: x\n";
    const Pipeline p = GitlabCiReader::readText(yaml, dir.filePath(QStringLiteral(".gitlab-ci.yml")),
                                                context(QStringLiteral("main"), dir.path()));
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    // Included jobs first, in include order; the main file wins for keys it sets.
    QCOMPARE(describe(p), QStringLiteral("inc-job|deploy|on_success|-|-\nnested|test|on_success|-|-\n"
                                         "extra|test|on_success|-|-\nmain-job|build|on_success|-|-"));
    QVERIFY(
        problems(p).contains(QStringLiteral("include of remote file")) ||
        problems(p).contains(QStringLiteral("include:remote 'https://example.com/x.yml' is not available offline")));
    const Pipeline missing = GitlabCiReader::readText("include: nope.yml\na:\n  script: x\n", QStringLiteral("m.yml"),
                                                      context(QStringLiteral("main"), dir.path()));
    QVERIFY2(
        problems(missing).contains(QStringLiteral("m.yml:1:10: error: include:local file 'nope.yml' does not exist")),
        qPrintable(problems(missing)));
}

void tst_GitlabCiReader::rulesChangesAndExists()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("src/model.py")), "x");
    writeFile(dir.filePath(QStringLiteral("Dockerfile")), "FROM scratch");
    EvaluationContext ctx = context(QStringLiteral("main"), dir.path());
    ctx.setChangedFiles(QStringList{QStringLiteral("src/model.py")});
    const QByteArray yaml = "a:\n  rules:\n    - exists: [Dockerfile]\n  script: x\n"
                            "b:\n  rules:\n    - exists: ['**/*.cpp']\n  script: x\n"
                            "c:\n  rules:\n    - changes: ['src/**/*.py']\n  script: x\n"
                            "d:\n  rules:\n    - changes: [docs/*]\n  script: x\n";
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), ctx);
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    QCOMPARE(describe(p),
             QStringLiteral("a|test|on_success|-|-\nb|test|never|-|-\nc|test|on_success|-|-\nd|test|never|-|-"));
    // Nothing to compare with (a new branch): GitLab takes changes as true.
    ctx.setChangedFiles(std::nullopt);
    const Pipeline q = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), ctx);
    QCOMPARE(q.job(QStringLiteral("d"))->when, When::OnSuccess);
}

void tst_GitlabCiReader::trainyardSettings()
{
    const QByteArray yaml =
        ".trainyard:\n  protected_branches: [main, release]\n  data:\n    mnist: {path: data/mnist, mount: "
        "/data/input}\n"
        "  images:\n    demo/trainer:1: {context: image}\n  jobs:\n    train:\n      gpus: 2\n      tensorboard: logs\n"
        "      shm_size: 2g\n      gates: ['accuracy >= 0.9', {metric: loss, op: '<', value: 0.5}]\n"
        "  colour: blue\ntrain:\n  script: x\n";
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context());
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    QCOMPARE(p.trainyard.protectedBranches, QStringList({QStringLiteral("main"), QStringLiteral("release")}));
    QCOMPARE(p.trainyard.data.size(), size_t(1));
    QCOMPARE(p.trainyard.data[0].mount, QStringLiteral("/data/input"));
    QCOMPARE(p.trainyard.images.at(0).tag, QStringLiteral("demo/trainer:1"));
    const Job *train = p.job(QStringLiteral("train"));
    QCOMPARE(train->trainyard.gpus, 2);
    QCOMPARE(train->trainyard.tensorboard, QStringLiteral("logs"));
    QCOMPARE(train->trainyard.gates.size(), size_t(2));
    QCOMPARE(train->trainyard.gates[1].op, QStringLiteral("<"));
    QVERIFY(train->needsGpu());
    // Unknown keys under .trainyard are warnings that name the place.
    QVERIFY2(problems(p).contains(QStringLiteral("t.yml:13:3: warning: unknown key 'colour' in .trainyard")),
             qPrintable(problems(p)));
}

void tst_GitlabCiReader::teamStoreUrlNeverCarriesAPassword()
{
    const auto read = [](const QByteArray &url) {
        return GitlabCiReader::readText(".trainyard:\n  lineage:\n    url: " + url + "\ntrain:\n  script: x\n",
                                        QStringLiteral("t.yml"), context());
    };
    const Pipeline ok = read("postgresql://ada@db.example.org:5432/lineage?sslmode=require");
    QVERIFY2(!ok.hasErrors(), qPrintable(problems(ok)));
    QCOMPARE(ok.trainyard.lineageUrl, QStringLiteral("postgresql://ada@db.example.org:5432/lineage?sslmode=require"));
    // A password would be committed with the file: refused where it is written, and not repeated.
    for (const QByteArray &secret : {QByteArray("postgresql://ada:s3cr3t-pw@db.example.org/lineage"),
                                     QByteArray("postgresql://ada@db.example.org/lineage?password=s3cr3t-pw"),
                                     QByteArray("postgresql://ada@db.example.org/lineage?sslpassword=s3cr3t-pw"),
                                     QByteArray("postgresql://ada:s3cr3t-pw#x@db.example.org/lineage")}) {
        const Pipeline refused = read(secret);
        QVERIFY(refused.hasErrors());
        QVERIFY(refused.trainyard.lineageUrl.isEmpty());
        QVERIFY2(problems(refused).contains(QStringLiteral("t.yml:3:10: error: .trainyard lineage url carries a "
                                                           "password")),
                 qPrintable(problems(refused)));
        QVERIFY(!problems(refused).contains(QStringLiteral("s3cr3t-pw")));
    }
    const Pipeline other = read("mysql://ada@db/lineage");
    QVERIFY2(problems(other).contains(QStringLiteral("not a PostgreSQL URL")), qPrintable(problems(other)));
}

void tst_GitlabCiReader::teamRegistryUrlNeverCarriesALogin()
{
    const auto read = [](const QByteArray &url) {
        return GitlabCiReader::readText(".trainyard:\n  registry:\n    url: " + url + "\ntrain:\n  script: x\n",
                                        QStringLiteral("t.yml"), context());
    };
    const Pipeline ok = read("127.0.0.1:5000/team/project");
    QVERIFY2(!ok.hasErrors(), qPrintable(problems(ok)));
    QCOMPARE(ok.trainyard.registryUrl, QStringLiteral("127.0.0.1:5000/team/project"));
    const Pipeline login = read("https://ada:s3cr3t-pw@registry.example.org/team/project");
    QVERIFY(login.trainyard.registryUrl.isEmpty());
    QVERIFY2(problems(login).contains(QStringLiteral("t.yml:3:10: error: .trainyard registry url carries a login")),
             qPrintable(problems(login)));
    QVERIFY(!problems(login).contains(QStringLiteral("s3cr3t-pw")));
    // A password with a slash in it is a login all the same.
    const Pipeline slash = read("ada:s3cr3t/pw@registry.example.org/team/project");
    QVERIFY(slash.trainyard.registryUrl.isEmpty());
    QVERIFY2(problems(slash).contains(QStringLiteral("carries a login")) &&
                 !problems(slash).contains(QStringLiteral("s3cr3t")),
             qPrintable(problems(slash)));
    const Pipeline bare = read("registry.example.org");
    QVERIFY2(
        problems(bare).contains(QStringLiteral("t.yml:3:10: error: .trainyard registry url \"registry.example.org\" "
                                               "names no repository")),
        qPrintable(problems(bare)));
}

void tst_GitlabCiReader::slurmSettings()
{
    const auto read = [](const QByteArray &slurm) {
        return GitlabCiReader::readText(".trainyard:\n  slurm:\n" + slurm + "train:\n  script: x\n",
                                        QStringLiteral("t.yml"), context());
    };
    const Pipeline none = read("    {}\n");
    QCOMPARE(none.trainyard.slurm.runtime, QStringLiteral("docker")); // the default
    QCOMPARE(none.trainyard.slurm.gpuDevices, QStringLiteral("/dev/nvidia{}"));
    QVERIFY(none.trainyard.slurm.url.isEmpty());
    const Pipeline ok = read("    url: http://slurm.example.org:6820\n    partition: gpu\n    account: ml\n"
                             "    qos: high\n    work_dir: /shared/trainyard\n    runtime: none\n"
                             "    gpu_devices: /dev/dri/renderD{}\n");
    QVERIFY2(!ok.hasErrors() && !problems(ok).contains(QStringLiteral("warning")), qPrintable(problems(ok)));
    const SlurmSettings &s = ok.trainyard.slurm;
    QCOMPARE(s.url, QStringLiteral("http://slurm.example.org:6820"));
    QCOMPARE(s.partition, QStringLiteral("gpu"));
    QCOMPARE(s.account, QStringLiteral("ml"));
    QCOMPARE(s.qos, QStringLiteral("high"));
    QCOMPARE(s.workDir, QStringLiteral("/shared/trainyard"));
    QCOMPARE(s.runtime, QStringLiteral("none"));
    QCOMPARE(s.gpuDevices, QStringLiteral("/dev/dri/renderD{}"));
    const Pipeline bad = read("    runtime: singularity\n    url: slurm.example.org\n    queue: x\n");
    QVERIFY2(problems(bad).contains(QStringLiteral("t.yml:3:14: error: .trainyard slurm runtime \"singularity\" is not "
                                                   "one of docker, podman, none")),
             qPrintable(problems(bad)));
    QVERIFY2(
        problems(bad).contains(QStringLiteral("t.yml:4:10: error: .trainyard slurm url is not slurmrestd's address")),
        qPrintable(problems(bad)));
    QVERIFY2(problems(bad).contains(QStringLiteral("queue")), qPrintable(problems(bad)));
    for (const QByteArray &devices :
         {QByteArray("/dev/nvidia0"), QByteArray("nvidia{}"), QByteArray("/dev/nvidia{}:/dev/sda")}) {
        const Pipeline wrong = read("    gpu_devices: " + devices + "\n");
        QVERIFY2(problems(wrong).contains(QStringLiteral("t.yml:3:18: error: .trainyard slurm gpu_devices \"%1\" is "
                                                         "not a device path with {} for the GPU's number")
                                              .arg(QString::fromUtf8(devices))),
                 qPrintable(problems(wrong)));
        QCOMPARE(wrong.trainyard.slurm.gpuDevices, QStringLiteral("/dev/nvidia{}"));
    }
    const Pipeline login = read("    url: http://ada:pw@slurm.example.org:6820\n");
    QVERIFY2(problems(login).contains(QStringLiteral("carries a login")) &&
                 !problems(login).contains(QStringLiteral("pw@")),
             qPrintable(problems(login)));
}

void tst_GitlabCiReader::scanSettings()
{
    const auto read = [](const QByteArray &scan) {
        return GitlabCiReader::readText(".trainyard:\n  scan:\n" + scan + "train:\n  script: x\n",
                                        QStringLiteral("t.yml"), context());
    };
    const Pipeline ok = read("    osv: security/osv\n    fail_on: High\n    on_run: true\n");
    QVERIFY2(!ok.hasErrors() && !problems(ok).contains(QStringLiteral("warning")), qPrintable(problems(ok)));
    QCOMPARE(ok.trainyard.scan.osv, QStringLiteral("security/osv"));
    QCOMPARE(ok.trainyard.scan.failOn, QStringLiteral("high"));
    QVERIFY(ok.trainyard.scan.onRun);
    const Pipeline none = read("    {}\n");
    QVERIFY(none.trainyard.scan.failOn.isEmpty()); // findings shown, never blocking
    QVERIFY(!none.trainyard.scan.onRun);
    const Pipeline bad = read("    fail_on: severe\n    on_run: true\n    trivy: yes\n");
    QVERIFY2(problems(bad).contains(QStringLiteral(
                 "t.yml:3:14: error: .trainyard scan fail_on \"severe\" is not one of critical, high, medium, low")),
             qPrintable(problems(bad)));
    QVERIFY2(problems(bad).contains(QStringLiteral("on_run needs osv")), qPrintable(problems(bad)));
    QVERIFY2(problems(bad).contains(QStringLiteral("trivy")), qPrintable(problems(bad)));
}

void tst_GitlabCiReader::readsProjectFromDisk()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral(".gitlab-ci.yml")),
              "a:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"exp\"\n  script: x\n");
    GitlabCiReader::Options options;
    options.projectDir = dir.path();
    options.branch = QStringLiteral("exp");
    const Pipeline p = GitlabCiReader::read(options);
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    QCOMPARE(p.branch, QStringLiteral("exp"));
    QCOMPARE(p.job(QStringLiteral("a"))->when, When::OnSuccess);
    options.file = QStringLiteral("missing.yml");
    const Pipeline m = GitlabCiReader::read(options);
    QVERIFY(m.hasErrors());
    QVERIFY(problems(m).contains(QStringLiteral("missing.yml: error: cannot read the pipeline file")));
}

void tst_GitlabCiReader::keywordsKeptAsData()
{
    const QByteArray yaml =
        "default:\n  image: {name: 'reg:5000/py:3.11', entrypoint: ['']}\n  services: [postgres:15, {name: redis:7, "
        "alias: cache}]\n"
        "  retry: {max: 2, when: [runner_system_failure]}\n  timeout: 3h\n  interruptible: true\n  tags: [docker]\n"
        "stages: [build, test, deploy]\n"
        "build:\n  stage: build\n  script: make\n  cache: {key: pip, paths: [.cache/]}\n"
        "  artifacts:\n    paths: [dist/]\n    exclude: ['dist/**/*.tmp']\n    expire_in: 1 week\n    when: always\n"
        "    reports: {junit: report.xml}\n"
        "test:\n  script: [pytest]\n  dependencies: [build]\n  resource_group: gpu-box\n"
        "  environment: {name: staging, url: 'https://x'}\n  allow_failure: {exit_codes: [137, 255]}\n"
        "deploy:\n  stage: deploy\n  trigger: {project: group/other, branch: main}\n";
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context());
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    const Job *build = p.job(QStringLiteral("build"));
    QCOMPARE(build->image.name, QStringLiteral("reg:5000/py:3.11"));
    QCOMPARE(build->image.entrypoint, QStringList{QString()});
    QCOMPARE(build->services.size(), size_t(2));
    QCOMPARE(build->services[1].alias, QStringLiteral("cache"));
    QCOMPARE(build->retry.max, 2);
    QCOMPARE(build->retry.when, QStringList{QStringLiteral("runner_system_failure")});
    QCOMPARE(build->timeout, QStringLiteral("3h"));
    QVERIFY(build->interruptible);
    QCOMPARE(build->tags, QStringList{QStringLiteral("docker")});
    QCOMPARE(build->cache.find(QStringLiteral("key"))->text(), QStringLiteral("pip"));
    QCOMPARE(build->artifacts.paths, QStringList{QStringLiteral("dist/")});
    QCOMPARE(build->artifacts.exclude, QStringList{QStringLiteral("dist/**/*.tmp")});
    QCOMPARE(build->artifacts.expireIn, QStringLiteral("1 week"));
    QCOMPARE(build->artifacts.when, QStringLiteral("always"));
    QCOMPARE(build->artifacts.reports.find(QStringLiteral("junit"))->text(), QStringLiteral("report.xml"));
    const Job *test = p.job(QStringLiteral("test"));
    QCOMPARE(*test->dependencies, QStringList{QStringLiteral("build")});
    QCOMPARE(test->resourceGroup, QStringLiteral("gpu-box"));
    QCOMPARE(test->environment.find(QStringLiteral("name"))->text(), QStringLiteral("staging"));
    QVERIFY(!test->allowFailure);
    QCOMPARE(test->allowFailureExitCodes, QList<int>({137, 255}));
    const Job *deploy = p.job(QStringLiteral("deploy"));
    QVERIFY(deploy->isTrigger());
    QCOMPARE(deploy->trigger.find(QStringLiteral("project"))->text(), QStringLiteral("group/other"));
}

void tst_GitlabCiReader::inheritVariables()
{
    const QByteArray yaml = "variables:\n  A: a\n  B: b\n"
                            "x:\n  inherit:\n    variables: false\n  rules:\n    - if: $A\n  script: s\n"
                            "y:\n  inherit:\n    variables: [B]\n  rules:\n    - if: $B && $A == null\n  script: s\n"
                            "z:\n  inherit:\n    default: [image]\n  script: s\n"
                            "default:\n  image: alpine:3\n  tags: [docker]\n";
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context());
    QVERIFY2(!p.hasErrors(), qPrintable(problems(p)));
    QCOMPARE(p.job(QStringLiteral("x"))->when, When::Never);
    QCOMPARE(p.job(QStringLiteral("y"))->when, When::OnSuccess);
    QCOMPARE(p.job(QStringLiteral("z"))->image.name, QStringLiteral("alpine:3"));
    QVERIFY(p.job(QStringLiteral("z"))->tags.isEmpty());
}

// The hardening issue: validate passed what failed only at run time. Artifact paths outside the
// workspace and a docker:dind service are GitLab-valid (warnings: `trainyard run` refuses them
// before any job starts); a NUL in a job name is an error.
void tst_GitlabCiReader::runtimeOnlyFailuresAreReported()
{
    QByteArray yaml = "build:\n"
                      "  services: ['docker:24-dind']\n"
                      "  script: [docker info]\n"
                      "  artifacts:\n"
                      "    paths:\n"
                      "      - ../outside.txt\n"
                      "      - /etc/hostname\n"
                      "      - dist/\n";
    const Pipeline p = GitlabCiReader::readText(yaml, QStringLiteral("t.yml"), context());
    const QString found = problems(p);
    QVERIFY2(
        found.contains(QStringLiteral("t.yml:2:14: warning: job 'build': service docker:24-dind needs a privileged")),
        qPrintable(found));
    QVERIFY2(found.contains(
                 QStringLiteral("t.yml:6:9: warning: job 'build': artifacts:paths entry '../outside.txt' is outside")),
             qPrintable(found));
    QVERIFY2(found.contains(
                 QStringLiteral("t.yml:7:9: warning: job 'build': artifacts:paths entry '/etc/hostname' is outside")),
             qPrintable(found));
    QVERIFY(!found.contains(QStringLiteral("'dist/'")));
    QVERIFY(!p.hasErrors());

    // A NUL byte: yaml-cpp read "bad\0name" as "bad", a line break and "ame".
    const QByteArray nul = "a:\n  script: [true]\nbad" + QByteArray(1, '\0') + "name:\n  script: [true]\n";
    const Pipeline q = GitlabCiReader::readText(nul, QStringLiteral("t.yml"), context());
    QCOMPARE(problems(q),
             QStringLiteral("t.yml:3:4: error: invalid YAML: the file contains a NUL byte, which YAML does not allow"));
}

// What a job's reading depends on: global variables, default:, a chain of templates, rules,
// needs, a parallel job. Edits below replace one line of job `test` (or `deploy`) in place.
static const char kRereadBase[] = "stages: [build, test, deploy]\n"
                                  "variables:\n"
                                  "  GLOBAL: \"1\"\n"
                                  "default:\n"
                                  "  image: alpine:3.19\n"
                                  ".base:\n"
                                  "  tags: [docker]\n"
                                  ".tpl:\n"
                                  "  extends: .base\n"
                                  "  script: [echo tpl]\n"
                                  ".unused:\n"
                                  "  script: [echo unused]\n"
                                  "build:\n"
                                  "  stage: build\n"
                                  "  parallel: 2\n"
                                  "  script: [make]\n"
                                  "test:\n"
                                  "  extends: .tpl\n"
                                  "  stage: test\n"
                                  "  image: python:3.11\n"
                                  "  needs: [build]\n"
                                  "  rules:\n"
                                  "    - if: $CI_COMMIT_BRANCH == \"main\"\n"
                                  "deploy:\n"
                                  "  stage: deploy\n"
                                  "  script: [deploy]\n"
                                  "  needs: [test]\n";

static YamlNode rootOf(const QByteArray &text)
{
    auto read = YamlLoader::read(text, QStringLiteral("t.yml"));
    if (!read || !read->warnings.empty())
        QTest::qFail("the test's YAML should read without warnings", __FILE__, __LINE__);
    return read ? read->root : YamlNode();
}

void tst_GitlabCiReader::rereadEntryReadsAsAWholeReading_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArrayList>("edits"); // pairs: a line of the text, and its replacement, in turn

    QTest::newRow("a value") << "test" << QByteArrayList{"  image: python:3.11\n", "  image: python:3.12\n"};
    QTest::newRow("an unknown stage, then fixed")
        << "test" << QByteArrayList{"  stage: test\n", "  stage: nowhere\n", "  stage: nowhere\n", "  stage: test\n"};
    QTest::newRow("needs a job that is not there")
        << "test" << QByteArrayList{"  needs: [build]\n", "  needs: [missing]\n"};
    QTest::newRow("a bad when, then fixed")
        << "test"
        << QByteArrayList{"  image: python:3.11\n", "  when: sometimes\n", "  when: sometimes\n", "  when: manual\n"};
    QTest::newRow("rules leave it out, so what needs it fails")
        << "test"
        << QByteArrayList{"    - if: $CI_COMMIT_BRANCH == \"main\"\n", "    - if: $CI_COMMIT_BRANCH == \"dev\"\n"};
    QTest::newRow("another chain") << "test" << QByteArrayList{"  extends: .tpl\n", "  extends: .base\n"};
    QTest::newRow("the last entry") << "deploy"
                                    << QByteArrayList{"  script: [deploy]\n", "  script: [deploy, again]\n"};
    QTest::newRow("the last entry gains lines: nothing after it moves")
        << "deploy" << QByteArrayList{"  script: [deploy]\n", "  script:\n    - deploy\n    - again\n"};
}

void tst_GitlabCiReader::rereadEntryReadsAsAWholeReading()
{
    QFETCH(QString, key);
    QFETCH(QByteArrayList, edits);
    const EvaluationContext ctx = context();
    QByteArray text = kRereadBase;
    std::shared_ptr<GitlabCiReader::Memo> memo;
    Pipeline pipeline = GitlabCiReader::readDocument(rootOf(text), {}, QStringLiteral("t.yml"), ctx, memo);
    QVERIFY(memo);
    for (qsizetype i = 0; i + 1 < edits.size(); i += 2) {
        QVERIFY2(text.contains(edits[i]), edits[i].constData());
        text.replace(edits[i], edits[i + 1]);
        const YamlNode root = rootOf(text);
        QVERIFY(GitlabCiReader::rereadEntry(pipeline, *memo, root, key, ctx));
        const Pipeline whole = GitlabCiReader::readDocument(root, {}, QStringLiteral("t.yml"), ctx);
        QCOMPARE(describe(pipeline), describe(whole));
        QCOMPARE(problems(pipeline), problems(whole));
        QVERIFY(pipeline.jobs == whole.jobs); // every field, positions included
        QVERIFY(pipeline.problems == whole.problems);
    }
}

void tst_GitlabCiReader::rereadEntryRefusesWhatItCannotReadAlone_data()
{
    QTest::addColumn<QByteArray>("base");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("from");
    QTest::addColumn<QByteArray>("to");
    QTest::addColumn<bool>("rereadable"); // whether other edits of `base` are still read alone

    const QByteArray base = kRereadBase;
    const QByteArray image = "  image: python:3.11\n";
    QTest::newRow("a template") << base << ".unused" << QByteArray("  script: [echo unused]\n")
                                << QByteArray("  script: [echo used]\n") << true;
    QTest::newRow("a base of extends") << base << ".base" << QByteArray("  tags: [docker]\n")
                                       << QByteArray("  tags: [gpu]\n") << true;
    QTest::newRow("a keyword") << base << "variables" << QByteArray("  GLOBAL: \"1\"\n")
                               << QByteArray("  GLOBAL: \"2\"\n") << true;
    QTest::newRow("a parallel job") << base << "build" << QByteArray("  parallel: 2\n") << QByteArray("  parallel: 3\n")
                                    << true;
    QTest::newRow("becomes parallel") << base << "test" << image << QByteArray("  parallel: 3\n") << true;
    QTest::newRow("lines gained") << base << "test" << image << QByteArray("  image: python:3.11\n  tags: [gpu]\n")
                                  << true;
    QTest::newRow("lines lost") << base << "test" << image + "  needs: [build]\n"
                                << QByteArray("  needs: [build]\n") << true;
    QTest::newRow("a job another extends") << base + "late:\n  extends: test\n"
                                           << "test" << image << QByteArray("  image: python:3.12\n") << true;
    QTest::newRow("extends what is not there")
        << base << "test" << QByteArray("  extends: .tpl\n") << QByteArray("  extends: .nowhere\n") << true;
    QTest::newRow("a file with includes") << base + "include:\n  - local: other.yml\n"
                                          << "test" << image << QByteArray("  image: python:3.12\n") << false;
    QTest::newRow("a file with !reference") << base + "ref:\n  script: !reference [.tpl, script]\n"
                                            << "test" << image << QByteArray("  image: python:3.12\n") << false;
    // A top-level `<<` gives `lint` the anchor's line, at the top: lines gained in `deploy` would
    // not move it, though `after` moves.
    QTest::newRow("a top-level merge") << QByteArray(".shared: &shared\n  lint:\n    script: [lint]\n") + base +
                                              "<<: *shared\nafter:\n  script: [x]\n"
                                       << "deploy" << QByteArray("  script: [deploy]\n")
                                       << QByteArray("  script:\n    - deploy\n    - again\n") << false;
    // compare_to asks git at every reading: a job read before would keep an old answer.
    QTest::newRow("compare_to") << base + "lint:\n  script: [lint]\n  rules:\n    - changes: {paths: [a.yml], "
                                          "compare_to: refs/heads/main}\n"
                                << "test" << image << QByteArray("  image: python:3.12\n") << false;
}

void tst_GitlabCiReader::rereadEntryRefusesWhatItCannotReadAlone()
{
    QFETCH(QByteArray, base);
    QFETCH(QString, key);
    QFETCH(QByteArray, from);
    QFETCH(QByteArray, to);
    const EvaluationContext ctx = context();
    std::shared_ptr<GitlabCiReader::Memo> memo;
    Pipeline pipeline = GitlabCiReader::readDocument(rootOf(base), {}, QStringLiteral("t.yml"), ctx, memo);
    const Pipeline before = pipeline;
    QByteArray edited = base;
    QVERIFY(edited.contains(from));
    edited.replace(from, to);
    QVERIFY(!GitlabCiReader::rereadEntry(pipeline, *memo, rootOf(edited), key, ctx));
    QVERIFY(pipeline.jobs == before.jobs); // unchanged, to be read whole
    QVERIFY(pipeline.problems == before.problems);

    // The memo still serves the text it was made from: another edit of it is read alone, when the file allows.
    QFETCH(bool, rereadable);
    QByteArray other = base;
    other.replace("  needs: [test]\n", "  needs: []\n");
    const YamlNode otherRoot = rootOf(other);
    QCOMPARE(GitlabCiReader::rereadEntry(pipeline, *memo, otherRoot, QStringLiteral("deploy"), ctx), rereadable);
    if (rereadable) {
        const Pipeline whole = GitlabCiReader::readDocument(otherRoot, {}, QStringLiteral("t.yml"), ctx);
        QVERIFY(pipeline.jobs == whole.jobs);
        QVERIFY(pipeline.problems == whole.problems);
    }
}

QTEST_GUILESS_MAIN(tst_GitlabCiReader)
#include "tst_gitlabcireader.moc"
