#include "engine/jobenvironment.h"

#include <QTest>

using namespace trainyard::core;

class tst_JobEnvironment final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void precedenceAndExpansion();
};

static QHash<QString, QString> toHash(const QStringList &env)
{
    QHash<QString, QString> out;
    for (const QString &kv : env)
        out.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    return out;
}

void tst_JobEnvironment::precedenceAndExpansion()
{
    Pipeline pipeline;
    pipeline.variables = {Variable{QStringLiteral("MODEL"), QStringLiteral("resnet"), true, {}},
                          Variable{QStringLiteral("OUT"), QStringLiteral("$CI_PROJECT_DIR/out"), true, {}},
                          Variable{QStringLiteral("RAW"), QStringLiteral("$NOT_EXPANDED"), false, {}}};
    pipeline.trainyard.data = {
        DataInput{QStringLiteral("mnist-v2"), QStringLiteral("data"), QStringLiteral("/data/in"), {}}};
    Job job;
    job.name = QStringLiteral("train 2/3");
    job.stage = QStringLiteral("train");
    job.parallelIndex = 2;
    job.parallelTotal = 3;
    job.variables = {Variable{QStringLiteral("MODEL"), QStringLiteral("$MODEL-large"), true, {}}};
    job.matrixVariables.insert(QStringLiteral("GPU"), QStringLiteral("a100"));
    JobEnvironment::Run run;
    run.predefined.insert(QStringLiteral("CI_COMMIT_BRANCH"), QStringLiteral("main"));
    run.predefined.insert(QStringLiteral("CI_PROJECT_DIR"), QStringLiteral("/builds/wrong"));
    run.runId = QStringLiteral("r1");
    run.pipelineIid = 7;
    run.projectDirInJob = QStringLiteral("/builds/demo");
    run.secrets.insert(QStringLiteral("MODEL"), QStringLiteral("secret-wins"));
    const auto env = toHash(JobEnvironment::build(pipeline, job, run, 3));
    QCOMPARE(env.value(QStringLiteral("CI_COMMIT_BRANCH")), QStringLiteral("main"));
    QCOMPARE(env.value(QStringLiteral("CI_PROJECT_DIR")), QStringLiteral("/builds/demo"));
    QCOMPARE(env.value(QStringLiteral("CI_JOB_ID")), QStringLiteral("7003"));
    QCOMPARE(env.value(QStringLiteral("CI_NODE_INDEX")), QStringLiteral("2"));
    QCOMPARE(env.value(QStringLiteral("CI_NODE_TOTAL")), QStringLiteral("3"));
    QCOMPARE(env.value(QStringLiteral("OUT")), QStringLiteral("/builds/demo/out"));
    QCOMPARE(env.value(QStringLiteral("RAW")), QStringLiteral("$NOT_EXPANDED"));
    QCOMPARE(env.value(QStringLiteral("GPU")), QStringLiteral("a100"));
    QCOMPARE(env.value(QStringLiteral("TRAINYARD_DATA_MNIST_V2")), QStringLiteral("/data/in"));
    QCOMPARE(env.value(QStringLiteral("MODEL")), QStringLiteral("secret-wins")); // secrets last
    run.secrets.clear();
    const auto plain = toHash(JobEnvironment::build(pipeline, job, run, 3));
    QCOMPARE(plain.value(QStringLiteral("MODEL")), QStringLiteral("resnet-large")); // job over pipeline, expanded
    // The shell engine has no mounts: the input's folder on the host instead.
    run.dataPaths.insert(QStringLiteral("mnist-v2"), QStringLiteral("/srv/datasets/mnist"));
    const auto shell = toHash(JobEnvironment::build(pipeline, job, run, 3));
    QCOMPARE(shell.value(QStringLiteral("TRAINYARD_DATA_MNIST_V2")), QStringLiteral("/srv/datasets/mnist"));
}

QTEST_GUILESS_MAIN(tst_JobEnvironment)
#include "tst_jobenvironment.moc"
