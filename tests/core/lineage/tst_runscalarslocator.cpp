// RunScalarsLocator: the TensorBoard event files among a project's recorded runs, written here
// through the real lineage store and ArtifactStore: which jobs and sub-runs, the store paths in name
// order, the parameters (secrets left out), a running job's workspace, damaged records.
#include "lineage/lineagestore.h"
#include "lineage/runrecordimport.h"
#include "lineage/runscalarslocator.h"

#include "common/safename.h"
#include "engine/artifactstore.h"
#include "engine/runrecord.h"
#include "support/demoproject.h"
#include "support/eventfilewriter.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace trainyard::core;
using namespace trainyard::test;
using trainyard::test::shell;

namespace {

const QByteArray kPipeline = "variables:\n"
                             "  EPOCHS: \"30\"\n"
                             "  LEARNING_RATE: \"0.1\"\n"
                             "  API_TOKEN: \"written-in-the-file\"\n"
                             "  MIRROR: \"https://u:hunter2@mirror.example\"\n"
                             ".trainyard:\n"
                             "  secrets: [API_TOKEN]\n"
                             "  jobs:\n"
                             "    train:\n"
                             "      tensorboard: ./logs/\n"
                             "train:\n"
                             "  image: trainer:1\n"
                             "  variables:\n"
                             "    SEED: \"7\"\n"
                             "    LEARNING_RATE: \"0.05\"\n"
                             "  script: [train]\n"
                             "export:\n"
                             "  image: trainer:1\n"
                             "  script: [export]\n";

bool writeFileIn(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    return trainyard::test::writeFile(path, bytes);
}

/// Event file: `count` simple values of `tag`, steps first…first+count-1, value = step * 10.
QByteArray lossFile(int first, int count, const QByteArray &tag = "loss")
{
    QList<QByteArray> payloads{fileVersionEvent(1000)};
    for (int s = first; s < first + count; ++s)
        payloads.append(summaryEvent(1000 + s, s, {simpleValue(tag, float(s * 10))}));
    return records(payloads);
}

QList<qint64> stepsOf(const RunScalars &run, const QString &tag)
{
    if (!run.series.count(tag))
        return {};
    const auto steps = run.series.at(tag).steps();
    return QList<qint64>(steps.begin(), steps.end());
}

QString valueOf(const RunParameters &p, const QString &name)
{
    for (const auto &[n, v] : p.variables) {
        if (n == name)
            return v;
    }
    return QStringLiteral("<absent>");
}

} // namespace

class tst_RunScalarsLocator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void listsJobsWithEventFiles();
    void eventFilesInNameOrderAreMerged();
    void parametersLeaveSecretsOut();
    void recordedVariablesWin();
    void variablesOfTheRunsCommit();
    void runningJobPointsAtItsWorkspace();
    void failedRunKeepsItsWorkspace();
    void jobWithoutTensorboardDirUsesItsFolders();
    void missingStoreFileIsDamage();
    void missingProjectFails();

private:
    QString project() const { return m_dir->path() + QStringLiteral("/project"); }
    QString workspace(const QString &name) const { return m_dir->path() + QStringLiteral("/ws/") + name; }
    QString storeRoot() const { return project() + QStringLiteral("/.trainyard/artifacts"); }
    /// Collects `paths` of workspace `ws` as `job`'s artifacts.
    QJsonObject collect(const QString &job, const QString &ws, const QStringList &paths) const;
    RunRecord record(const QString &id, qint64 iid, RunStatus status) const;
    static void addJob(RunRecord &r, const QString &name, JobStatus status, const QJsonObject &artifacts = {});
    RecordedScalarRuns listed() const;
    /// Records `r` in the project's lineage store, as a run records itself.
    bool save(const RunRecord &r) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_RunScalarsLocator::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(writeFileIn(project() + QStringLiteral("/.gitlab-ci.yml"), kPipeline));
    // Every key of secrets.env is a secret; its value is masked wherever it appears.
    QVERIFY(writeFileIn(project() + QStringLiteral("/.trainyard/secrets.env"), "DB_PASSWORD=hunter2\n"));
}

QJsonObject tst_RunScalarsLocator::collect(const QString &job, const QString &ws, const QStringList &paths) const
{
    const auto set = ArtifactStore(storeRoot()).collect(job, ws, paths, {});
    if (!set) {
        qWarning("%s", qPrintable(set.error().toString()));
        return {};
    }
    return ArtifactStore::toJson(*set);
}

RunRecord tst_RunScalarsLocator::record(const QString &id, qint64 iid, RunStatus status) const
{
    RunRecord r;
    r.id = id;
    r.pipelineIid = iid;
    r.projectDir = project();
    r.branch = QStringLiteral("main");
    r.commitSha = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
    r.dirty = iid == 2;
    r.status = status;
    r.started = QDateTime(QDate(2024, 5, 1), QTime(9, 0), Qt::UTC).addSecs(iid * 3600);
    return r;
}

void tst_RunScalarsLocator::addJob(RunRecord &r, const QString &name, JobStatus status, const QJsonObject &artifacts)
{
    JobRecord j;
    j.name = name;
    j.status = status;
    j.image = QStringLiteral("trainer:1");
    j.imageId = QStringLiteral("sha256:1111");
    j.repoDigests = {QStringLiteral("trainer@sha256:2222")};
    j.started = r.started;
    j.artifacts = artifacts;
    r.jobs[name] = j;
    r.jobOrder << name;
}

bool tst_RunScalarsLocator::save(const RunRecord &r) const
{
    auto store = LineageStore::open(LineageStore::defaultPath(project()));
    if (!store)
        return false;
    auto imported = RunRecordImport::importRecord(**store, r);
    return imported && *imported;
}

RecordedScalarRuns tst_RunScalarsLocator::listed() const
{
    const auto result = RunScalarsLocator::list(project());
    if (!result) {
        qWarning("%s", qPrintable(result.error().toString()));
        return {};
    }
    return *result;
}

void tst_RunScalarsLocator::listsJobsWithEventFiles()
{
    // Run 1: train wrote logs/ (a run) and logs/eval/ (a sub-run), plus files that are not
    // TensorBoard's; export collected an event file outside any tensorboard directory.
    const QString ws = workspace(QStringLiteral("1-train"));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/events.out.tfevents.100.host"), lossFile(0, 3)));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/eval/events.out.tfevents.100.host"), lossFile(0, 2, "acc")));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/notes.txt"), "not an event file"));
    QVERIFY(writeFileIn(ws + QStringLiteral("/models/events.out.tfevents.1.x"), lossFile(0, 1)));
    RunRecord r1 = record(QStringLiteral("run-1"), 1, RunStatus::Success);
    addJob(r1, QStringLiteral("train"), JobStatus::Success,
           collect(QStringLiteral("train"), ws, {QStringLiteral("logs/"), QStringLiteral("models/")}));
    // A job with artifacts but no event files, and one with none at all.
    const QString ws2 = workspace(QStringLiteral("1-export"));
    QVERIFY(writeFileIn(ws2 + QStringLiteral("/export/model.tar"), "tar"));
    addJob(r1, QStringLiteral("export"), JobStatus::Success,
           collect(QStringLiteral("export"), ws2, {QStringLiteral("export/")}));
    addJob(r1, QStringLiteral("lint"), JobStatus::Success);
    QVERIFY(save(r1));

    const RecordedScalarRuns found = listed();
    QVERIFY2(found.problems.empty(), found.problems.empty() ? "" : qPrintable(found.problems.front().toString()));
    QCOMPARE(found.runs.size(), size_t(2));
    const RecordedScalarRun &train = found.runs[0];
    QCOMPARE(train.displayName, QStringLiteral("#1 train"));
    QCOMPARE(train.subRun, QString());
    QCOMPARE(train.runId, QStringLiteral("run-1"));
    QCOMPARE(train.job, QStringLiteral("train"));
    QCOMPARE(train.status, JobStatus::Success);
    QVERIFY(!train.running);
    QVERIFY(train.workspaceLogdir.isEmpty());
    const QString sha =
        QString::fromLatin1(*ArtifactStore::sha256File(ws + QStringLiteral("/logs/events.out.tfevents.100.host")));
    QCOMPARE(train.eventFiles, QStringList{ArtifactStore::objectPath(storeRoot(), sha)});
    QVERIFY(QFile::exists(train.eventFiles.first()));
    QCOMPARE(found.runs[1].displayName, QStringLiteral("#1 train/eval"));
    QCOMPARE(found.runs[1].subRun, QStringLiteral("eval"));

    ReadReport report;
    const RunScalars scalars = RunScalarsLocator::read(train, report);
    QCOMPARE(scalars.name, QStringLiteral("#1 train"));
    QCOMPARE(stepsOf(scalars, QStringLiteral("loss")), (QList<qint64>{0, 1, 2}));
    QCOMPARE(scalars.series.at(QStringLiteral("loss")).values()[2], 20.0);
    QVERIFY(!report.isDamaged());
    QCOMPARE(report.pointsAdded, qint64(3));
}

void tst_RunScalarsLocator::eventFilesInNameOrderAreMerged()
{
    // A resumed run: three files whose names sort in the order they were written; the TF2
    // `scalars` metadata comes only with the tag's first value, in the first file.
    const QString ws = workspace(QStringLiteral("2-train"));
    auto tensorEvent = [](qint64 step, bool withMetadata) {
        return summaryEvent(2000 + step, step,
                            {tensorValue("lr", tensor(DType::Double, Encoding::Packed, 0.5 / double(step + 1)),
                                         withMetadata ? QByteArray("scalars") : QByteArray())});
    };
    // Written in another order than their names sort; "…tfevents.900…" sorts last.
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/events.out.tfevents.900.host"), records({tensorEvent(3, false)})));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/events.out.tfevents.2000.host"), records({tensorEvent(2, false)})));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/events.out.tfevents.1000.host"),
                        records({fileVersionEvent(2000), tensorEvent(0, true), tensorEvent(1, false)})));
    RunRecord r = record(QStringLiteral("run-2"), 2, RunStatus::Success);
    addJob(r, QStringLiteral("train"), JobStatus::Success,
           collect(QStringLiteral("train"), ws, {QStringLiteral("logs")}));
    QVERIFY(save(r));

    const RecordedScalarRuns found = listed();
    QCOMPARE(found.runs.size(), size_t(1));
    QStringList expected;
    for (const char *name :
         {"events.out.tfevents.1000.host", "events.out.tfevents.2000.host", "events.out.tfevents.900.host"})
        expected << ArtifactStore::objectPath(storeRoot(), QString::fromLatin1(*ArtifactStore::sha256File(
                                                               ws + QStringLiteral("/logs/") + QLatin1String(name))));
    QCOMPARE(found.runs[0].eventFiles, expected);

    // One decoder for the run: the later files' values are scalars by the first file's metadata.
    ReadReport report;
    const RunScalars scalars = RunScalarsLocator::read(found.runs[0], report);
    QCOMPARE(stepsOf(scalars, QStringLiteral("lr")), (QList<qint64>{0, 1, 2, 3}));
    QCOMPARE(scalars.series.at(QStringLiteral("lr")).values()[1], 0.25);
    QCOMPARE(scalars.series.at(QStringLiteral("lr")).values()[3], 0.125);
}

void tst_RunScalarsLocator::parametersLeaveSecretsOut()
{
    const QString ws = workspace(QStringLiteral("3-train"));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/events.out.tfevents.1.h"), lossFile(0, 2)));
    RunRecord r = record(QStringLiteral("run-3"), 2, RunStatus::Success);
    addJob(r, QStringLiteral("train"), JobStatus::Success,
           collect(QStringLiteral("train"), ws, {QStringLiteral("logs")}));
    QVERIFY(save(r));

    const RecordedScalarRuns found = listed();
    QCOMPARE(found.runs.size(), size_t(1));
    const RunParameters &p = found.runs[0].parameters;
    QCOMPARE(p.image, QStringLiteral("trainer:1"));
    QCOMPARE(p.imageDigest, QStringLiteral("trainer@sha256:2222"));
    QCOMPARE(p.commit, QStringLiteral("01234567"));
    QVERIFY(p.dirty);
    QCOMPARE(p.branch, QStringLiteral("main"));
    QCOMPARE(p.variablesSource, RunParameters::VariablesSource::CurrentFile); // no git here
    QVERIFY(p.variablesUncertain());
    // Job variables override pipeline ones; the listed secret is left out; a secret value
    // (from secrets.env) inside another value is masked.
    QStringList names;
    for (const auto &[name, value] : p.variables)
        names << name;
    QCOMPARE(names, (QStringList{QStringLiteral("EPOCHS"), QStringLiteral("LEARNING_RATE"), QStringLiteral("MIRROR"),
                                 QStringLiteral("SEED")}));
    QCOMPARE(valueOf(p, QStringLiteral("LEARNING_RATE")), QStringLiteral("0.05"));
    QCOMPARE(valueOf(p, QStringLiteral("SEED")), QStringLiteral("7"));
    QCOMPARE(valueOf(p, QStringLiteral("MIRROR")), QStringLiteral("https://u:[MASKED]@mirror.example"));
    for (const auto &[name, value] : p.variables)
        QVERIFY2(!value.contains(QLatin1String("hunter2")) && !value.contains(QLatin1String("written-in-the-file")),
                 qPrintable(name));
}

void tst_RunScalarsLocator::recordedVariablesWin()
{
    const QString ws = workspace(QStringLiteral("4-train"));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/events.out.tfevents.1.h"), lossFile(0, 2)));
    RunRecord r = record(QStringLiteral("run-4"), 4, RunStatus::Success);
    addJob(r, QStringLiteral("train"), JobStatus::Success,
           collect(QStringLiteral("train"), ws, {QStringLiteral("logs")}));
    QVERIFY(save(r));
    // Variables the store recorded with the run (the recorder leaves secrets out by name; one
    // that slipped through is still left out by the locator): those are the run's own.
    auto store = LineageStore::open(LineageStore::defaultPath(project()));
    QVERIFY(store);
    QVERIFY((*store)->recordVariables(QStringLiteral("run-4"), QStringLiteral("train"),
                                      {LineageVariable{QStringLiteral("run-4"), QStringLiteral("train"),
                                                       QStringLiteral("LEARNING_RATE"), QStringLiteral("0.2")},
                                       LineageVariable{QStringLiteral("run-4"), QStringLiteral("train"),
                                                       QStringLiteral("DB_PASSWORD"), QStringLiteral("hunter2")}}));

    const RecordedScalarRuns found = listed();
    QCOMPARE(found.runs.size(), size_t(1));
    const RunParameters &p = found.runs[0].parameters;
    QCOMPARE(p.variablesSource, RunParameters::VariablesSource::Recorded);
    QVERIFY(!p.variablesUncertain());
    QCOMPARE(p.variables.size(), size_t(1));
    QCOMPARE(valueOf(p, QStringLiteral("LEARNING_RATE")), QStringLiteral("0.2"));
}

void tst_RunScalarsLocator::variablesOfTheRunsCommit()
{
    // The offline demo's way: run, change LEARNING_RATE, commit, run again. Each run shows the
    // value its own commit had, not today's.
    const QString git = QStringLiteral("git -c user.name=t -c user.email=t@t ");
    shell(project(), QStringLiteral("printf '.trainyard/\\n' > .gitignore && git init -q -b main && git add -A && ") +
                         git + QStringLiteral("commit -qm one"));
    QProcess rev;
    rev.setWorkingDirectory(project());
    rev.start(QStringLiteral("git"), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    QVERIFY(rev.waitForFinished(10000));
    const QString commit1 = QString::fromLatin1(rev.readAllStandardOutput()).trimmed();
    QCOMPARE(commit1.size(), 40);
    QByteArray changed = kPipeline;
    changed.replace("    LEARNING_RATE: \"0.05\"\n", "    LEARNING_RATE: \"0.01\"\n");
    changed.replace("      tensorboard: ./logs/\n", "      tensorboard: tb\n");
    QVERIFY(changed != kPipeline);
    QVERIFY(writeFileIn(project() + QStringLiteral("/.gitlab-ci.yml"), changed));
    shell(project(), git + QStringLiteral("commit -qam two"));
    rev.start(QStringLiteral("git"), {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    QVERIFY(rev.waitForFinished(10000));
    const QString commit2 = QString::fromLatin1(rev.readAllStandardOutput()).trimmed();
    QVERIFY(commit2 != commit1);
    QCOMPARE(RunScalarsLocator::pipelineFileAt(project(), commit1), std::optional<QByteArray>(kPipeline));
    QVERIFY(!RunScalarsLocator::pipelineFileAt(project(), QStringLiteral("0123456789abcdef0123456789abcdef01234567")));

    // Run 1 wrote logs/ (its tensorboard dir then), run 2 tb/.
    const QString ws1 = workspace(QStringLiteral("c1"));
    const QString ws2 = workspace(QStringLiteral("c2"));
    QVERIFY(writeFileIn(ws1 + QStringLiteral("/logs/events.out.tfevents.1.h"), lossFile(0, 2)));
    QVERIFY(writeFileIn(ws2 + QStringLiteral("/tb/events.out.tfevents.1.h"), lossFile(0, 3)));
    RunRecord r1 = record(QStringLiteral("run-c1"), 1, RunStatus::Success);
    r1.commitSha = commit1;
    r1.dirty = false;
    addJob(r1, QStringLiteral("train"), JobStatus::Success,
           collect(QStringLiteral("train"), ws1, {QStringLiteral("logs")}));
    RunRecord r2 = record(QStringLiteral("run-c2"), 2, RunStatus::Success);
    r2.commitSha = commit2;
    r2.dirty = true;
    addJob(r2, QStringLiteral("train"), JobStatus::Success,
           collect(QStringLiteral("train"), ws2, {QStringLiteral("tb")}));
    QVERIFY(save(r1));
    QVERIFY(save(r2));

    const RecordedScalarRuns found = listed();
    QCOMPARE(found.runs.size(), size_t(2));
    QCOMPARE(found.runs[0].displayName, QStringLiteral("#1 train"));
    QCOMPARE(valueOf(found.runs[0].parameters, QStringLiteral("LEARNING_RATE")), QStringLiteral("0.05"));
    QCOMPARE(found.runs[0].parameters.variablesSource, RunParameters::VariablesSource::RunCommit);
    QVERIFY(!found.runs[0].parameters.variablesUncertain());
    QCOMPARE(valueOf(found.runs[1].parameters, QStringLiteral("LEARNING_RATE")), QStringLiteral("0.01"));
    QVERIFY(found.runs[1].parameters.variablesUncertain()); // a dirty run: its file may have differed
    QCOMPARE(found.runs[1].eventFiles.size(), 1);           // found under tb/, as its commit said
}

void tst_RunScalarsLocator::runningJobPointsAtItsWorkspace()
{
    RunRecord r = record(QStringLiteral("run-5"), 5, RunStatus::Running);
    addJob(r, QStringLiteral("train"), JobStatus::Running);
    addJob(r, QStringLiteral("export"), JobStatus::Pending);
    QVERIFY(save(r));

    const RecordedScalarRuns found = listed();
    QCOMPARE(found.runs.size(), size_t(1));
    const RecordedScalarRun &run = found.runs[0];
    QVERIFY(run.running);
    QVERIFY(run.eventFiles.isEmpty());
    QCOMPARE(run.displayName, QStringLiteral("#5 train"));
    QCOMPARE(run.workspaceLogdir, project() + QStringLiteral("/.trainyard/workspaces/run-5/train/logs"));
    QCOMPARE(RunScalarsLocator::workspaceDir(project(), QStringLiteral("r"), QStringLiteral("train: [a, 1/2]")),
             project() + QStringLiteral("/.trainyard/workspaces/r/") + safeName(QStringLiteral("train: [a, 1/2]")));
}

void tst_RunScalarsLocator::failedRunKeepsItsWorkspace()
{
    RunRecord r = record(QStringLiteral("run-6"), 6, RunStatus::Failed);
    addJob(r, QStringLiteral("train"), JobStatus::Failed);
    QVERIFY(save(r));
    // No workspace left: nothing to show.
    QCOMPARE(listed().runs.size(), size_t(0));

    const QString logdir =
        RunScalarsLocator::workspaceDir(project(), r.id, QStringLiteral("train")) + QStringLiteral("/logs");
    QVERIFY(writeFileIn(logdir + QStringLiteral("/events.out.tfevents.1.h"), lossFile(0, 4)));
    const RecordedScalarRuns found = listed();
    QCOMPARE(found.runs.size(), size_t(1));
    QVERIFY(!found.runs[0].running);
    QCOMPARE(found.runs[0].workspaceLogdir, logdir);
    QCOMPARE(found.runs[0].status, JobStatus::Failed);
}

void tst_RunScalarsLocator::jobWithoutTensorboardDirUsesItsFolders()
{
    const QString ws = workspace(QStringLiteral("7-export"));
    QVERIFY(writeFileIn(ws + QStringLiteral("/runs/a/events.out.tfevents.1.h"), lossFile(0, 2)));
    RunRecord r = record(QStringLiteral("run-7"), 7, RunStatus::Success);
    addJob(r, QStringLiteral("export"), JobStatus::Success,
           collect(QStringLiteral("export"), ws, {QStringLiteral("runs")}));
    QVERIFY(save(r));

    const RecordedScalarRuns found = listed();
    QCOMPARE(found.runs.size(), size_t(1));
    QCOMPARE(found.runs[0].displayName, QStringLiteral("#7 export/runs/a"));
    QCOMPARE(found.runs[0].subRun, QStringLiteral("runs/a"));
}

void tst_RunScalarsLocator::missingStoreFileIsDamage()
{
    const QString ws = workspace(QStringLiteral("10-train"));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/events.out.tfevents.1.h"), lossFile(0, 2)));
    QVERIFY(writeFileIn(ws + QStringLiteral("/logs/events.out.tfevents.2.h"), lossFile(2, 2)));
    RunRecord r = record(QStringLiteral("run-10"), 10, RunStatus::Success);
    addJob(r, QStringLiteral("train"), JobStatus::Success,
           collect(QStringLiteral("train"), ws, {QStringLiteral("logs")}));
    QVERIFY(save(r));
    const RecordedScalarRuns found = listed();
    QCOMPARE(found.runs.size(), size_t(1));
    QCOMPARE(found.runs[0].eventFiles.size(), 2);
    QVERIFY(QFile::remove(found.runs[0].eventFiles[1]));

    ReadReport report;
    const RunScalars scalars = RunScalarsLocator::read(found.runs[0], report);
    QCOMPARE(stepsOf(scalars, QStringLiteral("loss")), (QList<qint64>{0, 1}));
    QVERIFY(report.isDamaged());
    QCOMPARE(report.damage.size(), size_t(1));
    QVERIFY2(report.damage[0].location.file == found.runs[0].eventFiles[1] &&
                 report.damage[0].message.contains(QLatin1String("#10 train")),
             qPrintable(report.damage[0].toString()));
}

void tst_RunScalarsLocator::missingProjectFails()
{
    const QString missing = m_dir->path() + QStringLiteral("/nowhere");
    const auto result = RunScalarsLocator::list(missing);
    QVERIFY(!result);
    QCOMPARE(result.error().location.file, missing);
    // A project without runs lists nothing, without problems.
    const auto empty = RunScalarsLocator::list(project());
    QVERIFY(empty);
    QVERIFY(empty->runs.empty());
    QVERIFY(empty->problems.empty());
}

QTEST_GUILESS_MAIN(tst_RunScalarsLocator)
#include "tst_runscalarslocator.moc"
