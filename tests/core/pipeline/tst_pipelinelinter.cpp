#include "pipeline/pipelinelinter.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(trainyard::core::When)

namespace {

const QString kFile = QStringLiteral(".gitlab-ci.yml");

SourceLocation at(int line, int column = 1)
{
    return SourceLocation{kFile, line, column};
}

Job makeJob(const QString &name, int line, const QString &stage = QStringLiteral("test"))
{
    Job job;
    job.name = name;
    job.baseName = name;
    job.stage = stage;
    job.location = at(line);
    job.script = {QStringLiteral("true")};
    return job;
}

Pipeline makePipeline(std::vector<Job> jobs = {})
{
    Pipeline p;
    p.fileName = kFile;
    p.stages = {QStringLiteral(".pre"), QStringLiteral("test"), QStringLiteral("train"), QStringLiteral("deploy"),
                QStringLiteral(".post")};
    p.jobs = std::move(jobs);
    return p;
}

/// "NAME=value" pairs as Variables.
Variables variables(const QStringList &pairs)
{
    Variables out;
    for (const QString &pair : pairs) {
        const auto eq = pair.indexOf(u'=');
        out.push_back(Variable{pair.left(eq), pair.mid(eq + 1), true, {}});
    }
    return out;
}

QStringList messages(const std::vector<Error> &errors)
{
    QStringList out;
    for (const Error &e : errors)
        out << e.message;
    return out;
}

} // namespace

class tst_PipelineLinter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void imagePinning_data();
    void imagePinning();
    void imageMessageAndLocation();
    void gpuCheck_data();
    void gpuCheck();
    void neededArtifacts_data();
    void neededArtifacts();
    void neededArtifactsLocationFallback();
    void dataInputs_data();
    void dataInputs();
    void imageBuilds_data();
    void imageBuilds();
    void trainyardJobs_data();
    void trainyardJobs();
    void seedPipeline();
    void seedPipelineGoneWrong();
};

void tst_PipelineLinter::imagePinning_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<QStringList>("services");
    QTest::addColumn<QStringList>("globals");
    QTest::addColumn<QStringList>("jobVariables");
    QTest::addColumn<QStringList>("expected"); ///< what each warning names, in order

    const QStringList none;
    QTest::newRow("bare name") << "python" << none << none << none << QStringList{u"image 'python' is not pinned"_s};
    QTest::newRow("latest") << "python:latest" << none << none << none
                            << QStringList{u"image 'python:latest' is not pinned"_s};
    QTest::newRow("path without tag") << "tensorflow/tensorflow" << none << none << none
                                      << QStringList{u"image 'tensorflow/tensorflow' is not pinned"_s};
    QTest::newRow("registry port, no tag")
        << "registry:5000/img" << none << none << none << QStringList{u"image 'registry:5000/img' is not pinned"_s};
    QTest::newRow("registry port, latest") << "registry:5000/team/img:latest" << none << none << none
                                           << QStringList{u"image 'registry:5000/team/img:latest' is not pinned"_s};
    QTest::newRow("registry port, tag") << "registry:5000/img:1.2" << none << none << none << none;
    QTest::newRow("version tag") << "img:1.2" << none << none << none << none;
    QTest::newRow("digest") << "img@sha256:0123456789abcdef" << none << none << none << none;
    QTest::newRow("latest with digest") << "img:latest@sha256:0123456789abcdef" << none << none << none << none;
    QTest::newRow("seed test image") << "tensorflow/tensorflow:2.16.0" << none << none << none << none;
    QTest::newRow("seed registry image") << "myregistry.com/project/tf-train:2.16-gpu" << none << none << none << none;
    QTest::newRow("no image") << "" << none << none << none << none;

    QTest::newRow("global variable, no tag")
        << "$DOCKER_IMAGE" << none << QStringList{u"DOCKER_IMAGE=tensorflow/tensorflow"_s} << none
        << QStringList{u"image '$DOCKER_IMAGE' ('tensorflow/tensorflow') is not pinned"_s};
    QTest::newRow("braced global variable, latest")
        << "${DOCKER_IMAGE}" << none << QStringList{u"DOCKER_IMAGE=img:latest"_s} << none
        << QStringList{u"image '${DOCKER_IMAGE}' ('img:latest') is not pinned"_s};
    QTest::newRow("global variable, pinned")
        << "$DOCKER_IMAGE" << none << QStringList{u"DOCKER_IMAGE=myregistry.com/project/tf-train:2.16-gpu"_s} << none
        << none;
    QTest::newRow("undefined variable") << "$DOCKER_IMAGE" << none << none << none << none;
    QTest::newRow("variable inside the name")
        << "$CI_REGISTRY/img:latest" << none << QStringList{u"CI_REGISTRY=r.io"_s} << none << none;
    QTest::newRow("variable in the value")
        << "$DOCKER_IMAGE" << none << QStringList{u"DOCKER_IMAGE=$CI_REGISTRY_IMAGE/train"_s} << none << none;
    QTest::newRow("job variable overrides global")
        << "$DOCKER_IMAGE" << none << QStringList{u"DOCKER_IMAGE=img:latest"_s}
        << QStringList{u"DOCKER_IMAGE=img:1.0"_s} << none;

    QTest::newRow("service without tag") << "img:1.2" << QStringList{u"postgres"_s} << none << none
                                         << QStringList{u"service image 'postgres' is not pinned"_s};
    QTest::newRow("seed service") << "img:1.2" << QStringList{u"docker:dind"_s} << none << none << none;
    QTest::newRow("image and service latest")
        << "python:latest" << QStringList{u"redis:7"_s, u"docker:latest"_s} << none << none
        << QStringList{u"image 'python:latest' is not pinned"_s, u"service image 'docker:latest' is not pinned"_s};
    QTest::newRow("service from a variable")
        << "" << QStringList{u"$DB_IMAGE"_s} << QStringList{u"DB_IMAGE=postgres"_s} << none
        << QStringList{u"service image '$DB_IMAGE' ('postgres') is not pinned"_s};
    QTest::newRow("service with unknown variable") << "" << QStringList{u"$DB_IMAGE:latest"_s} << none << none << none;
}

void tst_PipelineLinter::imagePinning()
{
    QFETCH(QString, image);
    QFETCH(QStringList, services);
    QFETCH(QStringList, globals);
    QFETCH(QStringList, jobVariables);
    QFETCH(QStringList, expected);

    Job job = makeJob(QStringLiteral("train"), 3);
    job.image.name = image;
    for (const QString &s : services)
        job.services.push_back(Service{s, {}, {}, {}, {}, {}});
    job.variables = variables(jobVariables);
    Pipeline pipeline = makePipeline({job});
    pipeline.variables = variables(globals);

    const std::vector<Error> warnings = PipelineLinter::lint(pipeline);
    QCOMPARE(warnings.size(), size_t(expected.size()));
    for (size_t i = 0; i < warnings.size(); ++i) {
        const Error &w = warnings[i];
        QVERIFY2(w.message.contains(expected.at(qsizetype(i))), qPrintable(w.message));
        QVERIFY(!w.isError());
        QCOMPARE(w.job, QStringLiteral("train"));
        QCOMPARE(w.location.line, 3);
    }
}

void tst_PipelineLinter::imageMessageAndLocation()
{
    Job job = makeJob(QStringLiteral("x"), 4);
    job.image.name = QStringLiteral("python");
    std::vector<Error> warnings = PipelineLinter::lint(makePipeline({job}));
    QCOMPARE(warnings.size(), size_t(1));
    QCOMPARE(warnings[0].message,
             QStringLiteral("job 'x': image 'python' is not pinned; pin a version tag or a digest (never latest)"));
    QCOMPARE(warnings[0].severity, Error::Severity::Warning);
    QCOMPARE(warnings[0].location.toString(), QStringLiteral(".gitlab-ci.yml:4:1"));

    // Where the merged configuration says `image:` is written, that is the better place.
    job.raw = YamlNode::map(at(4, 1));
    job.raw.insert(QStringLiteral("image"), YamlNode::scalar(QStringLiteral("python"), at(6, 10)), at(6, 3));
    warnings = PipelineLinter::lint(makePipeline({job}));
    QCOMPARE(warnings.size(), size_t(1));
    QCOMPARE(warnings[0].location.toString(), QStringLiteral(".gitlab-ci.yml:6:3"));
}

void tst_PipelineLinter::gpuCheck_data()
{
    QTest::addColumn<int>("gpus");
    QTest::addColumn<QStringList>("tags");
    QTest::addColumn<QStringList>("beforeScript");
    QTest::addColumn<QStringList>("script");
    QTest::addColumn<QString>("expected"); ///< empty: no warning

    const QStringList gpuRunner{u"gpu-runner"_s};
    const QStringList none;
    const QString train =
        QStringLiteral("python train.py --data-path /data/input --model-dir /data/models --epochs 50");
    const QString never = QStringLiteral("never calls nvidia-smi");

    QTest::newRow("seed: check first") << 0 << gpuRunner << none << QStringList{u"nvidia-smi"_s, train} << "";
    QTest::newRow("no check") << 0 << gpuRunner << none << QStringList{train} << never;
    QTest::newRow("empty script") << 0 << gpuRunner << none << none << never;
    QTest::newRow("check after training") << 0 << gpuRunner << none << QStringList{train, u"nvidia-smi"_s}
                                          << QString(u"calls nvidia-smi only after '"_s + train + u"'"_s);
    QTest::newRow("check in before_script")
        << 0 << gpuRunner << QStringList{u"nvidia-smi"_s} << QStringList{train} << "";
    QTest::newRow("install before the check")
        << 0 << gpuRunner << QStringList{u"pip install -r requirements.txt"_s} << QStringList{u"nvidia-smi"_s, train}
        << "calls nvidia-smi only after 'pip install -r requirements.txt'";
    QTest::newRow("echo before the check")
        << 0 << gpuRunner << none << QStringList{u"echo start"_s, u"nvidia-smi"_s, train} << "";
    QTest::newRow("check with arguments") << 0 << gpuRunner << none << QStringList{u"nvidia-smi -L"_s, train} << "";
    QTest::newRow("check by path") << 0 << gpuRunner << none << QStringList{u"/usr/bin/nvidia-smi"_s, train} << "";
    QTest::newRow("check as a guard") << 0 << gpuRunner << none
                                      << QStringList{u"if ! nvidia-smi; then exit 1; fi"_s, train} << "";
    QTest::newRow("check chained") << 0 << gpuRunner << none << QStringList{u"nvidia-smi && "_s + train} << "";
    QTest::newRow("check chained last") << 0 << gpuRunner << none << QStringList{train + u" && nvidia-smi"_s}
                                        << "calls nvidia-smi only after";
    QTest::newRow("multi-line entry") << 0 << gpuRunner << none << QStringList{u"nvidia-smi\n"_s + train} << "";
    QTest::newRow("look-alike command") << 0 << gpuRunner << none << QStringList{u"nvidia-smi-exporter"_s, train}
                                        << never;
    QTest::newRow("gpus setting") << 1 << none << none << QStringList{train} << never;
    QTest::newRow("all gpus") << -1 << none << none << QStringList{train} << never;
    QTest::newRow("gpu tag") << 0 << QStringList{u"docker"_s, u"gpu"_s} << none << QStringList{train} << never;
    QTest::newRow("cpu job") << 0 << QStringList{u"docker"_s} << none
                             << QStringList{u"python -m pytest tests/ --cov=src"_s} << "";
}

void tst_PipelineLinter::gpuCheck()
{
    QFETCH(int, gpus);
    QFETCH(QStringList, tags);
    QFETCH(QStringList, beforeScript);
    QFETCH(QStringList, script);
    QFETCH(QString, expected);

    Job job = makeJob(QStringLiteral("train_model"), 12, QStringLiteral("train"));
    job.image.name = QStringLiteral("tensorflow/tensorflow:2.16.0-gpu");
    job.trainyard.gpus = gpus;
    job.tags = tags;
    job.beforeScript = beforeScript;
    job.script = script;

    const std::vector<Error> warnings = PipelineLinter::lint(makePipeline({job}));
    if (expected.isEmpty()) {
        QVERIFY2(warnings.empty(), qPrintable(messages(warnings).join(u'\n')));
        return;
    }
    QCOMPARE(warnings.size(), size_t(1));
    QVERIFY2(warnings[0].message.startsWith(QString(u"job 'train_model' runs on a GPU but "_s + expected)),
             qPrintable(warnings[0].message));
    QVERIFY(warnings[0].message.contains(QStringLiteral("hours of training")));
    QCOMPARE(warnings[0].job, QStringLiteral("train_model"));
    QCOMPARE(warnings[0].location.line, 12);
    QVERIFY(!warnings[0].isError());
}

void tst_PipelineLinter::neededArtifacts_data()
{
    QTest::addColumn<bool>("wantsArtifacts");
    QTest::addColumn<QString>("declared"); ///< what the needed job declares: none, paths, untracked, reports
    QTest::addColumn<When>("neederWhen");
    QTest::addColumn<When>("targetWhen");
    QTest::addColumn<QString>("needed"); ///< the needed job's name ("train_model" exists)
    QTest::addColumn<QString>("otherPipeline");
    QTest::addColumn<bool>("warns");

    const QString train = QStringLiteral("train_model");
    const When ok = When::OnSuccess;
    QTest::newRow("default artifacts, none declared") << true << "none" << ok << ok << train << "" << true;
    QTest::newRow("artifacts: false") << false << "none" << ok << ok << train << "" << false;
    QTest::newRow("paths declared") << true << "paths" << ok << ok << train << "" << false;
    QTest::newRow("untracked declared") << true << "untracked" << ok << ok << train << "" << false;
    QTest::newRow("reports declared") << true << "reports" << ok << ok << train << "" << false;
    QTest::newRow("manual job needing") << true << "none" << When::Manual << ok << train << "" << true;
    QTest::newRow("needing job never created") << true << "none" << When::Never << ok << train << "" << false;
    QTest::newRow("needed job never created") << true << "none" << ok << When::Never << train << "" << false;
    QTest::newRow("needed job missing") << true << "none" << ok << ok << "no_such_job"
                                        << "" << false;
    QTest::newRow("other pipeline") << true << "none" << ok << ok << train << "$PARENT_PIPELINE_ID" << false;
}

void tst_PipelineLinter::neededArtifacts()
{
    QFETCH(bool, wantsArtifacts);
    QFETCH(QString, declared);
    QFETCH(When, neederWhen);
    QFETCH(When, targetWhen);
    QFETCH(QString, needed);
    QFETCH(QString, otherPipeline);
    QFETCH(bool, warns);

    Job target = makeJob(QStringLiteral("train_model"), 2, QStringLiteral("train"));
    target.when = targetWhen;
    if (declared == QLatin1String("paths"))
        target.artifacts.paths = {QStringLiteral("models/")};
    else if (declared == QLatin1String("untracked"))
        target.artifacts.untracked = true;
    else if (declared == QLatin1String("reports"))
        target.artifacts.reports = YamlNode::map(at(5));

    Job deploy = makeJob(QStringLiteral("deploy"), 10, QStringLiteral("deploy"));
    deploy.when = neederWhen;
    deploy.needs = std::vector<Need>{Need{needed, wantsArtifacts, false, otherPipeline, {}, at(12, 7)}};

    const std::vector<Error> warnings = PipelineLinter::lint(makePipeline({target, deploy}));
    if (!warns) {
        QVERIFY2(warnings.empty(), qPrintable(messages(warnings).join(u'\n')));
        return;
    }
    QCOMPARE(warnings.size(), size_t(1));
    QVERIFY2(warnings[0].message.startsWith(
                 QStringLiteral("job 'deploy' needs artifacts from 'train_model', which declares none")),
             qPrintable(warnings[0].message));
    QCOMPARE(warnings[0].job, QStringLiteral("deploy"));
    QCOMPARE(warnings[0].location.toString(), QStringLiteral(".gitlab-ci.yml:12:7"));
}

void tst_PipelineLinter::neededArtifactsLocationFallback()
{
    Job target = makeJob(QStringLiteral("build"), 2);
    Job deploy = makeJob(QStringLiteral("deploy"), 10, QStringLiteral("deploy"));
    Need need;
    need.job = QStringLiteral("build");
    deploy.needs = std::vector<Need>{need};
    const std::vector<Error> warnings = PipelineLinter::lint(makePipeline({target, deploy}));
    QCOMPARE(warnings.size(), size_t(1));
    QCOMPARE(warnings[0].location.line, 10);
}

void tst_PipelineLinter::dataInputs_data()
{
    QTest::addColumn<QString>("path"); ///< "%1" stands for the project directory
    QTest::addColumn<bool>("withProjectDir");
    QTest::addColumn<bool>("warns");

    QTest::newRow("existing directory") << "data/raw" << true << false;
    QTest::newRow("existing file") << "data/labels.csv" << true << false;
    QTest::newRow("dot-relative") << "./data/raw" << true << false;
    QTest::newRow("missing") << "data/missing" << true << true;
    QTest::newRow("missing file in existing directory") << "data/raw/x.csv" << true << true;
    QTest::newRow("absolute existing") << "%1/data/raw" << true << false;
    QTest::newRow("absolute missing") << "%1/nowhere" << true << true;
    QTest::newRow("relative, no project directory") << "data/missing" << false << false;
    QTest::newRow("absolute missing, no project directory") << "%1/nowhere" << false << true;
}

void tst_PipelineLinter::dataInputs()
{
    QFETCH(QString, path);
    QFETCH(bool, withProjectDir);
    QFETCH(bool, warns);

    QTemporaryDir project;
    QVERIFY(project.isValid());
    QVERIFY(QDir(project.path()).mkpath(QStringLiteral("data/raw")));
    QFile labels(project.filePath(QStringLiteral("data/labels.csv")));
    QVERIFY(labels.open(QIODevice::WriteOnly));
    labels.close();

    Pipeline pipeline = makePipeline({makeJob(QStringLiteral("train"), 2)});
    if (withProjectDir)
        pipeline.projectDir = project.path();
    const QString written = path.contains(QLatin1String("%1")) ? path.arg(project.path()) : path;
    pipeline.trainyard.data.push_back(
        DataInput{QStringLiteral("input"), written, QStringLiteral("/data/input"), at(40, 5)});

    const std::vector<Error> warnings = PipelineLinter::lint(pipeline);
    if (!warns) {
        QVERIFY2(warnings.empty(), qPrintable(messages(warnings).join(u'\n')));
        return;
    }
    QCOMPARE(warnings.size(), size_t(1));
    QVERIFY2(
        warnings[0].message.startsWith(QStringLiteral("data input 'input': path '%1' does not exist").arg(written)),
        qPrintable(warnings[0].message));
    QCOMPARE(warnings[0].location.toString(), QStringLiteral(".gitlab-ci.yml:40:5"));
    QVERIFY(warnings[0].job.isEmpty());
    QVERIFY(!warnings[0].isError());
}

void tst_PipelineLinter::imageBuilds_data()
{
    QTest::addColumn<QString>("context");
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QString>("warning"); ///< the start of the one warning, or empty for none

    QTest::newRow("context with its Dockerfile") << "image"
                                                 << "Dockerfile" << QString();
    QTest::newRow("another Dockerfile name") << "image"
                                             << "train.Dockerfile" << QString();
    QTest::newRow("missing context") << "imag"
                                     << "Dockerfile"
                                     << "image trainer:1: build context 'imag' is not a folder";
    QTest::newRow("context is a file") << "image/Dockerfile"
                                       << "Dockerfile"
                                       << "image trainer:1: build context 'image/Dockerfile' is not a folder";
    QTest::newRow("no Dockerfile") << "image"
                                   << "Containerfile"
                                   << "image trainer:1: no Containerfile in its build context 'image'";
}

void tst_PipelineLinter::imageBuilds()
{
    QFETCH(QString, context);
    QFETCH(QString, dockerfile);
    QFETCH(QString, warning);
    QTemporaryDir project;
    QVERIFY(QDir(project.path()).mkpath(QStringLiteral("image")));
    for (const char *name : {"image/Dockerfile", "image/train.Dockerfile"}) {
        QFile f(project.filePath(QString::fromLatin1(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    Pipeline pipeline = makePipeline({makeJob(QStringLiteral("train"), 0)});
    pipeline.projectDir = project.path();
    pipeline.trainyard.images.push_back(ImageBuild{QStringLiteral("trainer:1"), context, dockerfile, at(19, 5)});
    std::vector<Error> warnings;
    for (const Error &e : PipelineLinter::lint(pipeline))
        if (e.message.startsWith(QStringLiteral("image trainer:1")))
            warnings.push_back(e);
    if (warning.isEmpty()) {
        QVERIFY2(warnings.empty(), qPrintable(messages(warnings).join(u'\n')));
        return;
    }
    QCOMPARE(warnings.size(), size_t(1));
    QVERIFY2(warnings[0].message.startsWith(warning), qPrintable(warnings[0].message));
    QCOMPARE(warnings[0].location.toString(), QStringLiteral(".gitlab-ci.yml:19:5"));
}

void tst_PipelineLinter::trainyardJobs_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("withGate");
    QTest::addColumn<bool>("warns");

    QTest::newRow("job name") << "train_model" << false << false;
    QTest::newRow("parallel base name") << "sweep" << false << false;
    QTest::newRow("parallel instance name") << "sweep 2/2" << false << false;
    QTest::newRow("typo") << "trian_model" << false << true;
    QTest::newRow("typo with a gate") << "trian_model" << true << true;
    QTest::newRow("template name") << ".gpu" << false << true;
}

void tst_PipelineLinter::trainyardJobs()
{
    QFETCH(QString, key);
    QFETCH(bool, withGate);
    QFETCH(bool, warns);

    std::vector<Job> jobs{makeJob(QStringLiteral("train_model"), 2, QStringLiteral("train"))};
    for (int i = 1; i <= 2; ++i) {
        Job sweep = makeJob(QStringLiteral("sweep %1/2").arg(i), 8, QStringLiteral("train"));
        sweep.baseName = QStringLiteral("sweep");
        jobs.push_back(sweep);
    }
    Pipeline pipeline = makePipeline(jobs);
    JobTrainyardSettings settings;
    if (withGate)
        settings.gates.push_back(
            JobTrainyardSettings::Gate{QStringLiteral("accuracy"), QStringLiteral(">="), 0.9, at(30, 9)});
    pipeline.trainyard.jobs.insert(key, settings);

    const std::vector<Error> warnings = PipelineLinter::lint(pipeline);
    if (!warns) {
        QVERIFY2(warnings.empty(), qPrintable(messages(warnings).join(u'\n')));
        return;
    }
    QCOMPARE(warnings.size(), size_t(1));
    QVERIFY2(warnings[0].message.startsWith(QStringLiteral("'.trainyard: jobs: %1' names no job").arg(key)),
             qPrintable(warnings[0].message));
    QCOMPARE(warnings[0].location.toString(), withGate ? QStringLiteral(".gitlab-ci.yml:30:9") : kFile);
    QVERIFY(!warnings[0].isError());
}

namespace {

/// The seed article's pipeline, as the reader would produce it.
Pipeline seedPipeline(const QString &projectDir)
{
    Job test = makeJob(QStringLiteral("test_model"), 8, QStringLiteral("test"));
    test.image.name = QStringLiteral("tensorflow/tensorflow:2.16.0");
    test.script = {QStringLiteral("pip install -r requirements.txt"),
                   QStringLiteral("python -m pytest tests/ --cov=src")};
    test.tags = {QStringLiteral("docker")};

    Job train = makeJob(QStringLiteral("train_model"), 16, QStringLiteral("train"));
    train.image.name = QStringLiteral("$DOCKER_IMAGE");
    train.services.push_back(Service{QStringLiteral("docker:dind"), {}, {}, {}, {}, {}});
    train.script = {QStringLiteral("nvidia-smi"),
                    QStringLiteral("python train.py --data-path /data/input --model-dir /data/models --epochs 50")};
    train.artifacts.paths = {QStringLiteral("models/")};
    train.artifacts.expireIn = QStringLiteral("1 week");
    train.tags = {QStringLiteral("gpu-runner")};

    Job deploy = makeJob(QStringLiteral("deploy_model"), 30, QStringLiteral("deploy"));
    deploy.image.name = QStringLiteral("tensorflow/serving:2.16.1");
    deploy.needs = std::vector<Need>{Need{QStringLiteral("train_model"), true, false, {}, {}, at(32, 7)}};

    Pipeline p = makePipeline({test, train, deploy});
    p.projectDir = projectDir;
    p.variables = variables({QStringLiteral("DOCKER_IMAGE=myregistry.com/project/tf-train:2.16-gpu")});
    p.trainyard.data.push_back(
        DataInput{QStringLiteral("input"), QStringLiteral("data"), QStringLiteral("/data/input"), at(40)});
    p.trainyard.jobs.insert(QStringLiteral("train_model"), JobTrainyardSettings{});
    return p;
}

} // namespace

void tst_PipelineLinter::seedPipeline()
{
    QTemporaryDir project;
    QVERIFY(QDir(project.path()).mkpath(QStringLiteral("data")));
    const std::vector<Error> warnings = PipelineLinter::lint(::seedPipeline(project.path()));
    QVERIFY2(warnings.empty(), qPrintable(messages(warnings).join(u'\n')));
}

void tst_PipelineLinter::seedPipelineGoneWrong()
{
    QTemporaryDir project; // no data/ in it
    Pipeline p = ::seedPipeline(project.path());
    p.variables = variables({QStringLiteral("DOCKER_IMAGE=myregistry.com/project/tf-train:latest")});
    p.job(QStringLiteral("train_model"))->script.removeFirst();
    p.job(QStringLiteral("deploy_model"))
        ->needs->push_back(Need{QStringLiteral("test_model"), true, false, {}, {}, at(33, 7)});
    p.trainyard.jobs.insert(QStringLiteral("train"), JobTrainyardSettings{});

    const std::vector<Error> warnings = PipelineLinter::lint(p);
    QCOMPARE(warnings.size(), size_t(5));
    const QStringList expectedStarts{
        QStringLiteral(
            "job 'train_model': image '$DOCKER_IMAGE' ('myregistry.com/project/tf-train:latest') is not pinned"),
        QStringLiteral("job 'train_model' runs on a GPU but never calls nvidia-smi"),
        QStringLiteral("job 'deploy_model' needs artifacts from 'test_model', which declares none"),
        QStringLiteral("data input 'input': path 'data' does not exist"),
        QStringLiteral("'.trainyard: jobs: train' names no job"),
    };
    const QStringList expectedJobs{QStringLiteral("train_model"), QStringLiteral("train_model"),
                                   QStringLiteral("deploy_model"), QString(), QString()};
    for (size_t i = 0; i < warnings.size(); ++i) {
        QVERIFY2(warnings[i].message.startsWith(expectedStarts.at(qsizetype(i))), qPrintable(warnings[i].message));
        QCOMPARE(warnings[i].job, expectedJobs.at(qsizetype(i)));
        QCOMPARE(warnings[i].severity, Error::Severity::Warning);
    }
}

QTEST_GUILESS_MAIN(tst_PipelineLinter)
#include "tst_pipelinelinter.moc"
