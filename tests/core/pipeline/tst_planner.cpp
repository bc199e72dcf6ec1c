#include "pipeline/planner.h"

#include <QTest>

using namespace trainyard::core;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(trainyard::core::Pipeline)

namespace {

const QString kFile = QStringLiteral(".gitlab-ci.yml");

/// One need, written at `line`; `?name` is an optional need.
Need need(QString name, int line = 0)
{
    Need n;
    if (name.startsWith(u'?')) {
        n.optional = true;
        name.remove(0, 1);
    }
    n.job = name;
    n.location = line > 0 ? SourceLocation{kFile, line, 7} : SourceLocation{};
    return n;
}

/// A job in `stage`; `needs` nullopt means no `needs:` key, an empty list means `needs: []`.
Job job(const QString &name, const QString &stage, std::optional<QStringList> needs = std::nullopt,
        When when = When::OnSuccess)
{
    static int line = 0;
    Job j;
    j.name = name;
    j.baseName = name;
    j.stage = stage;
    j.location = SourceLocation{kFile, ++line, 1};
    j.script = {u"true"_s};
    j.when = when;
    if (needs) {
        j.needs = std::vector<Need>{};
        for (const QString &n : *needs)
            j.needs->push_back(need(n, j.location.line));
    }
    return j;
}

Pipeline pipeline(const QStringList &stages, std::vector<Job> jobs)
{
    Pipeline p;
    p.fileName = kFile;
    p.stages = stages;
    p.jobs = std::move(jobs);
    return p;
}

const QStringList kStages{u".pre"_s, u"build"_s, u"test"_s, u"deploy"_s, u".post"_s};

/// "job stage [a b]" for a job waiting on its earlier stages, "job needs [a b]" for one with needs.
QStringList describe(const Plan &plan)
{
    QStringList out;
    for (const PlanNode &n : plan.nodes)
        out << u"%1 %2 [%3]"_s.arg(n.job, n.implicitStageDependency ? u"stage"_s : u"needs"_s, n.dependsOn.join(u' '));
    return out;
}

} // namespace

class tst_Planner final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plan_data();
    void plan();
    void stageIndexes();
    void queries();
    void cycleErrorLocation();
    void emptyPipeline();
    void closestJobName_data();
    void closestJobName();
};

void tst_Planner::plan_data()
{
    QTest::addColumn<Pipeline>("pipeline");
    QTest::addColumn<QStringList>("onlyJobs");
    QTest::addColumn<QStringList>("expected"); ///< describe() of the plan
    QTest::addColumn<QString>("error");        ///< what the error message starts with; empty: success

    const QStringList all;
    const QString ok;
    const When never = When::Never;

    QTest::newRow("stage order") << pipeline(kStages, {job(u"compile"_s, u"build"_s), job(u"unit"_s, u"test"_s),
                                                       job(u"lint"_s, u"test"_s), job(u"ship"_s, u"deploy"_s)})
                                 << all
                                 << QStringList{u"compile stage []"_s, u"unit stage [compile]"_s,
                                                u"lint stage [compile]"_s, u"ship stage [compile unit lint]"_s}
                                 << ok;
    QTest::newRow("stage order wins over file order")
        << pipeline(kStages, {job(u"ship"_s, u"deploy"_s), job(u"unit"_s, u"test"_s), job(u"compile"_s, u"build"_s)})
        << all << QStringList{u"compile stage []"_s, u"unit stage [compile]"_s, u"ship stage [compile unit]"_s} << ok;
    QTest::newRow("needs") << pipeline(kStages,
                                       {job(u"a"_s, u"build"_s), job(u"b"_s, u"build"_s),
                                        job(u"train"_s, u"test"_s, QStringList{u"a"_s}), job(u"ship"_s, u"deploy"_s)})
                           << all
                           << QStringList{u"a stage []"_s, u"b stage []"_s, u"train needs [a]"_s,
                                          u"ship stage [a b train]"_s}
                           << ok;
    QTest::newRow("needs listed in plan order")
        << pipeline(kStages, {job(u"a"_s, u"build"_s), job(u"b"_s, u"build"_s),
                              job(u"c"_s, u"test"_s, QStringList{u"b"_s, u"a"_s})})
        << all << QStringList{u"a stage []"_s, u"b stage []"_s, u"c needs [a b]"_s} << ok;
    QTest::newRow("duplicate needs") << pipeline(kStages, {job(u"a"_s, u"build"_s),
                                                           job(u"c"_s, u"test"_s, QStringList{u"a"_s, u"a"_s})})
                                     << all << QStringList{u"a stage []"_s, u"c needs [a]"_s} << ok;
    QTest::newRow("needs: [] starts at once")
        << pipeline(kStages, {job(u"compile"_s, u"build"_s), job(u"unit"_s, u"test"_s),
                              job(u"docs"_s, u"deploy"_s, QStringList{})})
        << all << QStringList{u"compile stage []"_s, u"unit stage [compile]"_s, u"docs needs []"_s} << ok;
    QTest::newRow("need on a later stage still runs first")
        << pipeline(kStages, {job(u"a"_s, u"build"_s, QStringList{u"b"_s}), job(u"b"_s, u"test"_s, QStringList{}),
                              job(u"c"_s, u"test"_s)})
        << all << QStringList{u"b needs []"_s, u"a needs [b]"_s, u"c stage [a]"_s} << ok;
    QTest::newRow(".pre and .post")
        << pipeline(kStages, {job(u"cleanup"_s, u".post"_s), job(u"compile"_s, u"build"_s), job(u"setup"_s, u".pre"_s)})
        << all << QStringList{u"setup stage []"_s, u"compile stage [setup]"_s, u"cleanup stage [setup compile]"_s}
        << ok;
    QTest::newRow(".pre and .post not declared")
        << pipeline({u"build"_s},
                    {job(u"cleanup"_s, u".post"_s), job(u"compile"_s, u"build"_s), job(u"setup"_s, u".pre"_s)})
        << all << QStringList{u"setup stage []"_s, u"compile stage [setup]"_s, u"cleanup stage [setup compile]"_s}
        << ok;
    QTest::newRow(".pre and .post declared out of place")
        << pipeline({u".post"_s, u"build"_s, u".pre"_s}, {job(u"cleanup"_s, u".post"_s), job(u"setup"_s, u".pre"_s)})
        << all << QStringList{u"setup stage []"_s, u"cleanup stage [setup]"_s} << ok;
    QTest::newRow("when: never left out")
        << pipeline(kStages, {job(u"compile"_s, u"build"_s), job(u"flaky"_s, u"build"_s, std::nullopt, never),
                              job(u"unit"_s, u"test"_s)})
        << all << QStringList{u"compile stage []"_s, u"unit stage [compile]"_s} << ok;
    QTest::newRow("manual jobs are planned")
        << pipeline(kStages, {job(u"compile"_s, u"build"_s), job(u"ship"_s, u"deploy"_s, std::nullopt, When::Manual)})
        << all << QStringList{u"compile stage []"_s, u"ship stage [compile]"_s} << ok;
    QTest::newRow("optional need on a never job dropped")
        << pipeline(kStages, {job(u"prep"_s, u"build"_s, std::nullopt, never),
                              job(u"train"_s, u"test"_s, QStringList{u"?prep"_s})})
        << all << QStringList{u"train needs []"_s} << ok;
    QTest::newRow("optional need on a missing job dropped")
        << pipeline(kStages, {job(u"a"_s, u"build"_s), job(u"train"_s, u"test"_s, QStringList{u"?nope"_s, u"a"_s})})
        << all << QStringList{u"a stage []"_s, u"train needs [a]"_s} << ok;
    QTest::newRow("optional need on a present job kept")
        << pipeline(kStages, {job(u"a"_s, u"build"_s), job(u"train"_s, u"test"_s, QStringList{u"?a"_s})}) << all
        << QStringList{u"a stage []"_s, u"train needs [a]"_s} << ok;
    QTest::newRow("required need on a never job")
        << pipeline(kStages, {job(u"prep"_s, u"build"_s, std::nullopt, never),
                              job(u"train"_s, u"test"_s, QStringList{u"prep"_s})})
        << all << QStringList{} << u"job 'train' needs 'prep', which is not created in this pipeline (when: never)"_s;
    QTest::newRow("required need on a missing job")
        << pipeline(kStages, {job(u"train"_s, u"test"_s, QStringList{u"nope"_s})}) << all << QStringList{}
        << u"job 'train' needs 'nope', which is not defined in this pipeline"_s;

    Pipeline crossPipeline = pipeline(kStages, {job(u"train"_s, u"test"_s, QStringList{})});
    Need upstream = need(u"build"_s);
    upstream.pipeline = u"$PARENT_PIPELINE_ID"_s;
    crossPipeline.jobs[0].needs->push_back(upstream);
    QTest::newRow("need from another pipeline ignored")
        << crossPipeline << all << QStringList{u"train needs []"_s} << ok;

    const Pipeline chain = pipeline(kStages, {job(u"a"_s, u"build"_s), job(u"b"_s, u"build"_s),
                                              job(u"c"_s, u"test"_s, QStringList{u"a"_s}),
                                              job(u"d"_s, u"deploy"_s, QStringList{u"c"_s}), job(u"e"_s, u"deploy"_s)});
    QTest::newRow("onlyJobs: closure through needs")
        << chain << QStringList{u"d"_s} << QStringList{u"a stage []"_s, u"c needs [a]"_s, u"d needs [c]"_s} << ok;
    QTest::newRow("onlyJobs: closure through stages")
        << chain << QStringList{u"e"_s}
        << QStringList{u"a stage []"_s, u"b stage []"_s, u"c needs [a]"_s, u"e stage [a b c]"_s} << ok;
    QTest::newRow("onlyJobs: several") << chain << QStringList{u"b"_s, u"c"_s}
                                       << QStringList{u"a stage []"_s, u"b stage []"_s, u"c needs [a]"_s} << ok;
    QTest::newRow("onlyJobs: a root") << chain << QStringList{u"a"_s} << QStringList{u"a stage []"_s} << ok;
    QTest::newRow("onlyJobs: unknown job") << chain << QStringList{u"d"_s, u"zz"_s} << QStringList{}
                                           << u"cannot run job 'zz': it is not defined in this pipeline"_s;
    QTest::newRow("onlyJobs: typo")
        << pipeline(kStages, {job(u"train_model"_s, u"build"_s)}) << QStringList{u"train_modle"_s} << QStringList{}
        << u"cannot run job 'train_modle': it is not defined in this pipeline (did you mean 'train_model'?)"_s;
    QTest::newRow("onlyJobs: never job") << pipeline(kStages, {job(u"a"_s, u"build"_s, std::nullopt, never)})
                                         << QStringList{u"a"_s} << QStringList{}
                                         << u"cannot run job 'a': it is not created in this pipeline (when: never)"_s;

    QTest::newRow("cycle") << pipeline(kStages, {job(u"a"_s, u"test"_s, QStringList{u"b"_s}),
                                                 job(u"b"_s, u"test"_s, QStringList{u"a"_s})})
                           << all << QStringList{} << u"needs cycle: a -> b -> a"_s;
    QTest::newRow("three-job cycle") << pipeline(kStages, {job(u"root"_s, u"build"_s),
                                                           job(u"a"_s, u"test"_s, QStringList{u"root"_s, u"b"_s}),
                                                           job(u"b"_s, u"test"_s, QStringList{u"c"_s}),
                                                           job(u"c"_s, u"test"_s, QStringList{u"a"_s})})
                                     << all << QStringList{} << u"needs cycle: a -> b -> c -> a"_s;
    QTest::newRow("self need") << pipeline(kStages, {job(u"a"_s, u"test"_s, QStringList{u"a"_s})}) << all
                               << QStringList{} << u"needs cycle: a -> a"_s;
    QTest::newRow("cycle through stage order")
        << pipeline(kStages, {job(u"early"_s, u"build"_s, QStringList{u"late"_s}), job(u"late"_s, u"test"_s)}) << all
        << QStringList{} << u"needs cycle: early -> late -> early"_s;
    QTest::newRow("cycle outside onlyJobs is not planned")
        << pipeline(kStages, {job(u"ok"_s, u"build"_s, QStringList{}), job(u"a"_s, u"test"_s, QStringList{u"b"_s}),
                              job(u"b"_s, u"test"_s, QStringList{u"a"_s})})
        << QStringList{u"ok"_s} << QStringList{u"ok needs []"_s} << ok;
    QTest::newRow("undeclared stage") << pipeline(kStages, {job(u"a"_s, u"nope"_s)}) << all << QStringList{}
                                      << u"job 'a': stage 'nope' is not defined"_s;
    QTest::newRow("undeclared stage of a never job")
        << pipeline(kStages, {job(u"a"_s, u"nope"_s, std::nullopt, never), job(u"b"_s, u"build"_s)}) << all
        << QStringList{u"b stage []"_s} << ok;
}

void tst_Planner::plan()
{
    QFETCH(Pipeline, pipeline);
    QFETCH(QStringList, onlyJobs);
    QFETCH(QStringList, expected);
    QFETCH(QString, error);

    const Result<Plan> plan = Planner::plan(pipeline, onlyJobs);
    if (!error.isEmpty()) {
        QVERIFY2(!plan, qPrintable(plan ? describe(*plan).join(u", ") : QString()));
        QVERIFY2(plan.error().message.startsWith(error), qPrintable(plan.error().message));
        QVERIFY(plan.error().isError());
        return;
    }
    QVERIFY2(plan, qPrintable(plan ? QString() : plan.error().message));
    QCOMPARE(describe(*plan), expected);
}

void tst_Planner::stageIndexes()
{
    const Pipeline p = pipeline(kStages, {job(u"setup"_s, u".pre"_s), job(u"compile"_s, u"build"_s),
                                          job(u"ship"_s, u"deploy"_s), job(u"cleanup"_s, u".post"_s)});
    const Result<Plan> plan = Planner::plan(p);
    QVERIFY(plan);
    for (const PlanNode &n : plan->nodes)
        QCOMPARE(n.stageIndex, p.stageIndex(p.job(n.job)->stage));

    // Without .pre/.post in `stages` they are still first and last.
    const Result<Plan> bare = Planner::plan(pipeline(
        {u"build"_s}, {job(u"cleanup"_s, u".post"_s), job(u"compile"_s, u"build"_s), job(u"setup"_s, u".pre"_s)}));
    QVERIFY(bare);
    QCOMPARE(bare->node(u"setup"_s)->stageIndex, 0);
    QCOMPARE(bare->node(u"compile"_s)->stageIndex, 1);
    QCOMPARE(bare->node(u"cleanup"_s)->stageIndex, 2);
}

void tst_Planner::queries()
{
    const Pipeline p = pipeline(
        kStages, {job(u"compile"_s, u"build"_s), job(u"lint"_s, u"build"_s),
                  job(u"train"_s, u"test"_s, QStringList{u"compile"_s}), job(u"docs"_s, u"test"_s, QStringList{}),
                  job(u"evaluate"_s, u"deploy"_s, QStringList{u"train"_s}), job(u"ship"_s, u"deploy"_s)});
    const Result<Plan> plan = Planner::plan(p);
    QVERIFY2(plan, qPrintable(plan ? QString() : plan.error().message));

    QCOMPARE(plan->jobNames(), (QStringList{u"compile"_s, u"lint"_s, u"train"_s, u"docs"_s, u"evaluate"_s, u"ship"_s}));
    QCOMPARE(plan->roots(), (QStringList{u"compile"_s, u"lint"_s, u"docs"_s}));
    QCOMPARE(plan->upstreamOf(u"evaluate"_s), (QStringList{u"compile"_s, u"train"_s}));
    QCOMPARE(plan->upstreamOf(u"ship"_s), (QStringList{u"compile"_s, u"lint"_s, u"train"_s, u"docs"_s}));
    QCOMPARE(plan->upstreamOf(u"compile"_s), QStringList{});
    QCOMPARE(plan->upstreamOf(u"nope"_s), QStringList{});
    QCOMPARE(plan->downstreamOf(u"train"_s), (QStringList{u"evaluate"_s, u"ship"_s})); // ship: by stage
    QCOMPARE(plan->downstreamOf(u"lint"_s), QStringList{u"ship"_s});
    QCOMPARE(plan->downstreamOf(u"evaluate"_s), QStringList{});
    QCOMPARE(plan->downstreamOf(u"nope"_s), QStringList{});

    const PlanNode *train = plan->node(u"train"_s);
    QVERIFY(train);
    QCOMPARE(train->job, u"train"_s);
    QCOMPARE(train->dependsOn, QStringList{u"compile"_s});
    QVERIFY(!train->implicitStageDependency);
    QVERIFY(plan->node(u"ship"_s)->implicitStageDependency);
    QVERIFY(!plan->node(u"docs"_s)->implicitStageDependency);
    QCOMPARE(plan->node(u"nope"_s), nullptr);
}

void tst_Planner::cycleErrorLocation()
{
    const Pipeline p =
        pipeline(kStages, {job(u"a"_s, u"test"_s, QStringList{u"b"_s}), job(u"b"_s, u"test"_s, QStringList{u"a"_s})});
    const Result<Plan> plan = Planner::plan(p);
    QVERIFY(!plan);
    QCOMPARE(plan.error().job, u"a"_s);
    // The need of 'a' on 'b' is written on a's line (see job()), column 7.
    QCOMPARE(plan.error().location.line, p.jobs[0].location.line);
    QCOMPARE(plan.error().location.column, 7);
}

void tst_Planner::closestJobName_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("expected");
    QTest::newRow("swap") << u"trian"_s << u"train"_s;
    QTest::newRow("case") << u"EVALUATE"_s << u"evaluate"_s;
    QTest::newRow("missing letter") << u"evalute"_s << u"evaluate"_s;
    QTest::newRow("closest of two") << u"test:gpu"_s << u"test:cpu"_s;
    QTest::newRow("too far") << u"deploy"_s << QString();
    QTest::newRow("short names need to be close") << u"ab"_s << QString();
    QTest::newRow("empty") << QString() << QString();
}

void tst_Planner::closestJobName()
{
    QFETCH(QString, typed);
    QFETCH(QString, expected);
    const Pipeline p = pipeline(kStages, {job(u"train"_s, u"build"_s), job(u"evaluate"_s, u"test"_s),
                                          job(u"test:cpu"_s, u"test"_s), job(u"xy"_s, u"test"_s)});
    QCOMPARE(p.closestJobName(typed), expected);
}

void tst_Planner::emptyPipeline()
{
    const Result<Plan> plan = Planner::plan(pipeline(kStages, {}));
    QVERIFY(plan);
    QVERIFY(plan->nodes.empty());
    QVERIFY(plan->roots().isEmpty());
}

QTEST_GUILESS_MAIN(tst_Planner)
#include "tst_planner.moc"
