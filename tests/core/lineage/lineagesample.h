#pragma once

// Test support for the lineage tests: a small, fully populated lineage written through the
// store's public API, the shape the recorder writes for the offline demo.
//
//   run A (main, clean): prepare → train → evaluate → export
//       prepare produces data/clean.csv; train consumes it and produces models/model.txt;
//       evaluate consumes the model (gate accuracy >= 0.85); export consumes the model and
//       produces export/model.tar.
//   The cleaned data has the same sha256 in every sample run; the model and export do not.
//   Images: trainer:1 built here (context hash), alpine pinned by digest.
//   Data: dataset (hash DATA_A, DVC md5).

#include "lineage/lineagestore.h"

#include <QTest>
#include <QTimeZone>

namespace trainyard::test {

inline QString hex64(char c)
{
    return QString(64, QLatin1Char(c));
}

struct SampleRun
{
    QString runId;
    QString commit;
    QString dataHash;
    QString imageId;
    QString modelSha;
    QString exportSha;
    QString cleanSha;
};

/// Writes one complete run. `variant` changes hashes, so several runs can coexist.
inline SampleRun writeSampleRun(core::LineageStore &store, const QString &runId, const QString &commit,
                                const QString &dataHash, const QString &modelSha,
                                const QString &branch = QStringLiteral("main"), bool dirty = false)
{
    using namespace core;
    // The export differs per run (it follows the model); the cleaned data is the same in every run.
    SampleRun s{runId,     commit,
                dataHash,  QStringLiteral("sha256:") + hex64('e'),
                modelSha,  QStringLiteral("7") + modelSha.mid(1),
                hex64('c')};
    const QDateTime t0 =
        QDateTime(QDate(2024, 5, 1), QTime(12, 0, 0), QTimeZone::utc()).addSecs(runId.right(2).toInt(nullptr, 16));
    const auto ok = store.transaction([&]() -> Result<void> {
        LineageCommit c{commit, QStringLiteral("Ada"), QStringLiteral("ada@example.org"),
                        QStringLiteral("Train v1\n\nbody"), t0};
        if (auto r = store.recordCommit(c); !r)
            return r;
        LineageRun run;
        run.id = runId;
        run.pipelineIid = 7;
        run.projectDir = QStringLiteral("/work/project");
        run.pipelineFile = QStringLiteral(".gitlab-ci.yml");
        run.branch = branch;
        run.commitSha = commit;
        run.dirty = dirty;
        run.diffHash = dirty ? hex64('d') : QString();
        run.user = QStringLiteral("ada");
        run.host = QStringLiteral("elsewhere"); // not this machine: never marked interrupted here
        run.pid = 1;
        run.trigger = QStringLiteral("cli");
        run.engine = QStringLiteral("docker");
        run.status = QStringLiteral("success");
        run.started = t0;
        run.finished = t0.addSecs(90);
        run.durationMs = 90000;
        run.protectedBranches = {QStringLiteral("main"), QStringLiteral("release")};
        if (auto r = store.recordRun(run); !r)
            return r;
        const QStringList names{QStringLiteral("prepare"), QStringLiteral("train"), QStringLiteral("evaluate"),
                                QStringLiteral("export")};
        for (int i = 0; i < names.size(); ++i) {
            LineageJob j;
            j.runId = runId;
            j.name = names[i];
            j.stage = names[i];
            j.status = QStringLiteral("success");
            j.exitCode = 0;
            j.attempts = 1;
            j.started = t0.addSecs(10 * i);
            j.finished = t0.addSecs(10 * i + 9);
            j.engine = QStringLiteral("docker");
            j.isolation = QStringLiteral("docker container");
            j.image = i == 0 ? QStringLiteral("alpine@sha256:") + hex64('a') : QStringLiteral("trainer:1");
            j.imageId = i == 0 ? QStringLiteral("sha256:") + hex64('a') : s.imageId;
            j.gpus = i == 1 ? QStringList{QStringLiteral("0"), QStringLiteral("1")} : QStringList{};
            j.cpuFallback = false;
            j.logFile = QStringLiteral(".trainyard/logs/%1/%2.log").arg(runId, names[i]);
            j.tensorboardDir = i == 1 ? QStringLiteral("logs") : QString();
            if (auto r = store.recordJob(j); !r)
                return r;
        }
        if (auto r = store.recordJobEdges(runId, QStringLiteral("train"), {QStringLiteral("prepare")}); !r)
            return r;
        if (auto r = store.recordJobEdges(runId, QStringLiteral("evaluate"), {QStringLiteral("train")}); !r)
            return r;
        if (auto r = store.recordJobEdges(runId, QStringLiteral("export"),
                                          {QStringLiteral("evaluate"), QStringLiteral("train")});
            !r)
            return r;
        if (auto r = store.recordImage(LineageImage{runId, QStringLiteral("trainer:1"), s.imageId, {}, hex64('b')}); !r)
            return r;
        if (auto r = store.recordImage(LineageImage{runId,
                                                    QStringLiteral("alpine@sha256:") + hex64('a'),
                                                    QStringLiteral("sha256:") + hex64('a'),
                                                    {QStringLiteral("alpine@sha256:") + hex64('a')},
                                                    {}});
            !r)
            return r;
        if (auto r = store.recordDataVersion(
                LineageDataVersion{runId, QStringLiteral("dataset"), QStringLiteral("data"), dataHash, 2, 1234,
                                   QStringLiteral("0123456789abcdef0123456789abcdef.dir"), QStringLiteral("data.dvc")});
            !r)
            return r;
        const QDateTime expiry = t0.addDays(7);
        if (auto r = store.recordArtifacts(
                runId, QStringLiteral("prepare"),
                {LineageArtifact{
                    runId, QStringLiteral("prepare"), QStringLiteral("data/clean.csv"), s.cleanSha, 10, false, {}}});
            !r)
            return r;
        if (auto r =
                store.recordArtifacts(runId, QStringLiteral("train"),
                                      {LineageArtifact{runId, QStringLiteral("train"),
                                                       QStringLiteral("models/model.txt"), modelSha, 42, false, expiry},
                                       LineageArtifact{runId, QStringLiteral("train"), QStringLiteral("logs/events"),
                                                       hex64('9'), 7, false, expiry}});
            !r)
            return r;
        if (auto r = store.recordArtifacts(
                runId, QStringLiteral("export"),
                {LineageArtifact{
                    runId, QStringLiteral("export"), QStringLiteral("export/model.tar"), s.exportSha, 99, true, {}}});
            !r)
            return r;
        if (auto r =
                store.recordConsumption(runId, QStringLiteral("train"),
                                        {LineageConsumption{runId, QStringLiteral("train"), QStringLiteral("prepare"),
                                                            QStringLiteral("data/clean.csv"), s.cleanSha}});
            !r)
            return r;
        if (auto r =
                store.recordConsumption(runId, QStringLiteral("evaluate"),
                                        {LineageConsumption{runId, QStringLiteral("evaluate"), QStringLiteral("train"),
                                                            QStringLiteral("models/model.txt"), modelSha}});
            !r)
            return r;
        if (auto r =
                store.recordConsumption(runId, QStringLiteral("export"),
                                        {LineageConsumption{runId, QStringLiteral("export"), QStringLiteral("train"),
                                                            QStringLiteral("models/model.txt"), modelSha}});
            !r)
            return r;
        if (auto r = store.recordVariables(
                runId, QString(), {LineageVariable{runId, QString(), QStringLiteral("EPOCHS"), QStringLiteral("30")}});
            !r)
            return r;
        if (auto r = store.recordVariables(
                runId, QStringLiteral("train"),
                {LineageVariable{runId, QStringLiteral("train"), QStringLiteral("LR"), QStringLiteral("0.1")}});
            !r)
            return r;
        if (auto r = store.recordGates(runId, QStringLiteral("evaluate"),
                                       {LineageGate{runId,
                                                    QStringLiteral("evaluate"),
                                                    QStringLiteral("accuracy"),
                                                    QStringLiteral(">="),
                                                    0.85,
                                                    std::nullopt,
                                                    QStringLiteral("pending"),
                                                    {}}});
            !r)
            return r;
        if (auto r = store.recordGateValues(runId, QStringLiteral("evaluate"), {{QStringLiteral("accuracy"), 0.9}},
                                            QStringLiteral("metrics.json"));
            !r)
            return r;
        return store.recordScalars(runId, QStringLiteral("train"),
                                   {{QStringLiteral("loss"), 0.25}, {QStringLiteral("accuracy"), 0.91}});
    });
    if (!ok)
        qWarning("writeSampleRun: %s", qPrintable(ok.error().toString()));
    return s;
}

} // namespace trainyard::test
