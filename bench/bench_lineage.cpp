// bench_lineage: the lineage store's numbers.
//   1. Hashing throughput, cold (no stat cache), of DataVersioner on every core against coreutils'
//      `sha256sum` over the same files (2 GB by default; both read from the page cache: the files
//      are read once before either is timed). Target: >= 5x.
//   2. Warm re-verification of 100,000 unchanged files with the stat cache in a lineage database.
//      Target: < 1 s, and no byte read.
//   3. With 100,000 runs and 1,000,000 artifacts generated through LineageStore: opening the store
//      against a full integrity_check of it (what every open did before), the provenance of one
//      artifact (target < 20 ms) and reverse queries by data version, image and commit (target
//      < 50 ms), medians and 95th percentiles over random keys; then `trainyard runs --json
//      --limit 50`, `lineage --json ARTIFACT` and `lineage --uses COMMIT` as processes, end to end
//      (target < 100 ms each); and the window opened on that project, to its pipeline drawn, its
//      Runs list filled and their artifacts in Lineage (target < 1 s).
//   4. Pushing 1,000 recorded runs (the runs of part 3's shape) from a project's store to a team's
//      PostgreSQL store over loopback with LineageSync (target < 10 s), against the same push
//      into a new SQLite file (the baseline, measured in the same run). Needs BENCH_POSTGRES_URL
//      (bench/run.sh starts a server with tests/tools/postgres-server.sh); without it, not measured.
//   5. Part 3's provenance (target < 20 ms) and reverse queries (< 50 ms) on a team's PostgreSQL
//      store holding as many runs (1,000,000 artifacts by default), filled on the server from one
//      run recorded through LineageStore. Needs BENCH_POSTGRES_URL too.
//
// Usage: bench_lineage
//   BENCH_LINEAGE_BYTES=N   bytes to hash in part 1 (default 2000000000; e.g. 200000000 for a quick check)
//   BENCH_LINEAGE_FILES=N   files in part 2 (default 100000)
//   BENCH_LINEAGE_RUNS=N    runs in part 3, 10 artifacts each (default 100000)
//   BENCH_LINEAGE_DIR=DIR   where to write (default: a temporary folder, removed at the end)
//   BENCH_LINEAGE_PARTS=12345 which parts to run (default all five)
//   BENCH_POSTGRES_URL=URL  the team store of part 4 (emptied first: a server of the bench's own)
// Exit: 0 when everything ran (targets are reported, not enforced), 1 when something failed.
#include "benchsupport.h"

#include "lineage/dataversioner.h"
#include "lineage/lineagestore.h"
#include "lineage/lineagesync.h"
#include "lineage/provenance.h"
#include "lineage/runhistory.h"

#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "mainwindow.h"
#include "runs/runslist.h"

#include <QApplication>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>
#include <QTreeWidget>
#include <QUrl>

#include <algorithm>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>

using namespace trainyard;
using namespace trainyard::bench;
using namespace trainyard::core;

namespace {

qint64 envNumber(const char *name, qint64 fallback)
{
    bool ok = false;
    const qint64 v = qEnvironmentVariable(name).toLongLong(&ok);
    return ok && v > 0 ? v : fallback;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

QString hex(quint64 seed, int width = 64)
{
    // Deterministic, distinct, hex-looking keys.
    QString s;
    quint64 x = seed * 0x9E3779B97F4A7C15ull + 1;
    while (s.size() < width) {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
        x ^= x >> 29;
        s += QStringLiteral("%1").arg(x, 16, 16, QLatin1Char('0'));
    }
    return s.left(width);
}

// --- 1. cold hashing against sha256sum ---

bool hashingThroughput(const QString &dir, qint64 bytes)
{
    out() << "## 1. Hashing, cold: DataVersioner (" << QThread::idealThreadCount() << " threads) vs sha256sum\n";
    const qint64 fileSize = qint64(64) << 20;
    const int files = int(std::max<qint64>(1, bytes / fileSize));
    QDir().mkpath(dir);
    QByteArray block(1 << 20, Qt::Uninitialized);
    auto *rng = QRandomGenerator::global();
    QStringList paths;
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < files; ++i) {
        const QString path = QStringLiteral("%1/part-%2.bin").arg(dir).arg(i, 4, 10, QLatin1Char('0'));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) {
            err() << "cannot write " << path << "\n";
            return false;
        }
        for (qint64 written = 0; written < fileSize; written += block.size()) {
            rng->fillRange(reinterpret_cast<quint32 *>(block.data()), block.size() / 4);
            f.write(block);
        }
        paths << path;
    }
    const double total = double(files) * double(fileSize);
    out() << QStringLiteral("   %1 files of 64 MiB = %2 GB written in %3 s\n")
                 .arg(files)
                 .arg(total / 1e9, 0, 'f', 2)
                 .arg(t.elapsed() / 1000.0, 0, 'f', 1);
    // Both read from the page cache: read everything once first.
    runProcess(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("cat %1/*.bin > /dev/null").arg(dir)}, dir);

    const ProcessResult coreutils = runProcess(QStringLiteral("sha256sum"), paths, dir);
    if (!coreutils.ok) {
        err() << "sha256sum failed: " << QString::fromUtf8(coreutils.stdErr) << "\n";
        return false;
    }
    DataVersioner versioner; // no cache: cold
    t.restart();
    const auto version = versioner.version(dir);
    const double ours = double(t.nsecsElapsed()) / 1e9;
    if (!version) {
        err() << version.error().toString() << "\n";
        return false;
    }
    // Same answers: each file's hash as sha256sum printed it.
    const QStringList lines = QString::fromUtf8(coreutils.stdOut).split(u'\n', Qt::SkipEmptyParts);
    for (int i = 0; i < lines.size(); ++i) {
        if (lines[i].left(64) != version->files[size_t(i)].sha256) {
            err() << "hash mismatch for " << version->files[size_t(i)].path << "\n";
            return false;
        }
    }
    const double gbpsCoreutils = total / coreutils.seconds / 1e9;
    const double gbpsOurs = total / ours / 1e9;
    out() << QStringLiteral("   sha256sum:     %1 s  %2 GB/s\n")
                 .arg(coreutils.seconds, 0, 'f', 2)
                 .arg(gbpsCoreutils, 0, 'f', 2);
    out() << QStringLiteral("   DataVersioner: %1 s  %2 GB/s  (%3 bytes read)\n")
                 .arg(ours, 0, 'f', 2)
                 .arg(gbpsOurs, 0, 'f', 2)
                 .arg(version->bytesRead);
    out() << QStringLiteral("   ratio: %1x (target >= 5x: %2)\n\n")
                 .arg(gbpsOurs / gbpsCoreutils, 0, 'f', 2)
                 .arg(gbpsOurs / gbpsCoreutils >= 5 ? QStringLiteral("met") : QStringLiteral("missed"));
    QDir(dir).removeRecursively();
    return true;
}

// --- 2. warm re-verification ---

bool warmReverification(const QString &dir, int count)
{
    out() << "## 2. Warm re-verification of " << count << " unchanged files (stat cache in the lineage database)\n";
    const QString data = dir + QStringLiteral("/data");
    QElapsedTimer t;
    t.start();
    const qint64 old = QDateTime::currentSecsSinceEpoch() - 3600;
    for (int i = 0; i < count; ++i) {
        const QString sub = QStringLiteral("%1/d%2").arg(data).arg(i / 1000, 3, 10, QLatin1Char('0'));
        if (i % 1000 == 0)
            QDir().mkpath(sub);
        const QString path = QStringLiteral("%1/f%2.txt").arg(sub).arg(i);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write(QByteArray::number(i).repeated(20));
        f.close();
        // Older than the racy window, as a dataset is.
        struct timespec times[2] = {{old, 0}, {old, 0}};
        ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0);
    }
    out() << QStringLiteral("   files written in %1 s\n").arg(t.elapsed() / 1000.0, 0, 'f', 1);
    auto store = LineageStore::open(dir + QStringLiteral("/cache.db"));
    if (!store) {
        err() << store.error().toString() << "\n";
        return false;
    }
    auto cache = (*store)->hashCache();
    DataVersioner versioner(cache.get());
    t.restart();
    const auto cold = versioner.version(data);
    const double coldSeconds = double(t.nsecsElapsed()) / 1e9;
    if (!cold)
        return false;
    std::vector<double> warm;
    qint64 warmBytes = 0;
    for (int i = 0; i < 3; ++i) {
        t.restart();
        const auto again = versioner.version(data);
        warm.push_back(double(t.nsecsElapsed()) / 1e9);
        if (!again || again->hash != cold->hash)
            return false;
        warmBytes += again->bytesRead;
    }
    out() << QStringLiteral("   first (cold, fills the cache): %1 s\n").arg(coldSeconds, 0, 'f', 2);
    out() << QStringLiteral("   warm: median %1 s over 3, %2 bytes read (target < 1 s: %3)\n\n")
                 .arg(median(warm), 0, 'f', 3)
                 .arg(warmBytes)
                 .arg(median(warm) < 1.0 && warmBytes == 0 ? QStringLiteral("met") : QStringLiteral("missed"));
    QDir(data).removeRecursively();
    return true;
}

// --- 3. queries at scale ---

constexpr int kArtifactsPerRun = 10;
constexpr int kDataVersions = 1000; // each used by runs/1000 runs
constexpr int kRunsPerCommit = 10;
constexpr int kRunsPerImage = 100;

QString runId(int i)
{
    // Run ids sort by time, as RunExport's do.
    return QDateTime(QDate(2024, 1, 1), QTime(0, 0), QTimeZone::utc())
               .addSecs(qint64(i) * 60)
               .toString(QStringLiteral("yyyyMMdd-HHmmss-")) +
           QStringLiteral("%1").arg(i % 0x10000, 4, 16, QLatin1Char('0'));
}

QString artifactSha(int run, int k)
{
    return hex(quint64(run) * 16 + quint64(k) + 1);
}

bool generate(LineageStore &store, int runs)
{
    static const QStringList jobs{QStringLiteral("prepare"), QStringLiteral("train"), QStringLiteral("evaluate"),
                                  QStringLiteral("export")};
    // Which artifacts each job makes (of the run's 10), and what it is staged from whom.
    static const std::vector<std::pair<int, int>> made{{0, 2}, {2, 6}, {6, 8}, {8, 10}};
    const QDateTime t0(QDate(2024, 1, 1), QTime(0, 0), QTimeZone::utc());
    constexpr int kBatch = 1000;
    for (int start = 0; start < runs; start += kBatch) {
        auto ok = store.transaction([&]() -> Result<void> {
            for (int i = start; i < std::min(runs, start + kBatch); ++i) {
                const QString id = runId(i);
                const QString commit = hex(quint64(1'000'000 + i / kRunsPerCommit), 40);
                const QString image = QStringLiteral("sha256:") + hex(quint64(2'000'000 + i / kRunsPerImage));
                if (i % kRunsPerCommit == 0) {
                    if (auto r = store.recordCommit(
                            LineageCommit{commit, QStringLiteral("Ada"), QStringLiteral("ada@example.org"),
                                          QStringLiteral("commit %1").arg(i / kRunsPerCommit), t0.addSecs(i)});
                        !r)
                        return r;
                }
                LineageRun run;
                run.id = id;
                run.pipelineIid = i + 1;
                run.branch = QStringLiteral("main");
                run.commitSha = commit;
                run.user = QStringLiteral("ada");
                run.host = QStringLiteral("bench");
                run.trigger = QStringLiteral("cli");
                run.engine = QStringLiteral("docker");
                run.status = QStringLiteral("success");
                run.started = t0.addSecs(qint64(i) * 60);
                run.finished = run.started.addSecs(50);
                run.durationMs = 50000;
                run.protectedBranches = {QStringLiteral("main")};
                if (auto r = store.recordRun(run); !r)
                    return r;
                for (int j = 0; j < jobs.size(); ++j) {
                    LineageJob job;
                    job.runId = id;
                    job.name = jobs[j];
                    job.stage = jobs[j];
                    job.status = QStringLiteral("success");
                    job.exitCode = 0;
                    job.attempts = 1;
                    job.started = run.started.addSecs(10 * j);
                    job.finished = job.started.addSecs(9);
                    job.engine = QStringLiteral("docker");
                    job.image = QStringLiteral("trainer:1");
                    job.imageId = image;
                    if (auto r = store.recordJob(job); !r)
                        return r;
                    if (j > 0) {
                        if (auto r = store.recordJobEdges(id, jobs[j], {jobs[j - 1]}); !r)
                            return r;
                    }
                    std::vector<LineageArtifact> artifacts;
                    for (int k = made[size_t(j)].first; k < made[size_t(j)].second; ++k)
                        artifacts.push_back(LineageArtifact{id,
                                                            jobs[j],
                                                            QStringLiteral("%1/file-%2").arg(jobs[j]).arg(k),
                                                            artifactSha(i, k),
                                                            1000 + k,
                                                            false,
                                                            {}});
                    if (auto r = store.recordArtifacts(id, jobs[j], artifacts); !r)
                        return r;
                    if (j > 0) {
                        std::vector<LineageConsumption> consumed;
                        for (int k = made[size_t(j - 1)].first; k < made[size_t(j - 1)].second; ++k)
                            consumed.push_back(LineageConsumption{id, jobs[j], jobs[j - 1],
                                                                  QStringLiteral("%1/file-%2").arg(jobs[j - 1]).arg(k),
                                                                  artifactSha(i, k)});
                        if (auto r = store.recordConsumption(id, jobs[j], consumed); !r)
                            return r;
                    }
                }
                if (auto r = store.recordImage(LineageImage{id,
                                                            QStringLiteral("trainer:1"),
                                                            image,
                                                            {QStringLiteral("registry.example/trainer@") + image},
                                                            hex(quint64(3'000'000 + i / kRunsPerImage))});
                    !r)
                    return r;
                if (auto r = store.recordDataVersion(LineageDataVersion{id,
                                                                        QStringLiteral("dataset"),
                                                                        QStringLiteral("data"),
                                                                        hex(quint64(4'000'000 + i % kDataVersions)),
                                                                        100,
                                                                        1 << 20,
                                                                        {},
                                                                        {}});
                    !r)
                    return r;
            }
            return {};
        });
        if (!ok) {
            err() << ok.error().toString() << "\n";
            return false;
        }
        if ((start / kBatch) % 10 == 9)
            out() << "   " << start + kBatch << " runs\n" << Qt::flush;
    }
    return true;
}

/// The trainyard CLI against the project in `project`, as a user runs it: median wall time of 5.
bool commandsAtScale(const QString &project, int runs)
{
    auto *rng = QRandomGenerator::global();
    const QString exe = QStringLiteral(TRAINYARD_EXE);
    const auto timed = [&](const QString &what, const std::function<QStringList(int)> &arguments,
                           const QByteArray &expect) {
        std::vector<double> times;
        for (int n = 0; n < 5; ++n) {
            const QStringList args = arguments(int(rng->bounded(runs)));
            const ProcessResult r = runProcess(exe, args, project);
            if (!r.ok || !r.stdOut.contains(expect)) {
                err() << "trainyard " << args.join(u' ') << " failed: " << r.stdErr.left(400) << "\n";
                return false;
            }
            times.push_back(r.seconds * 1000);
        }
        const double ms = median(times);
        out() << QStringLiteral("   %1: median %2 ms end to end (target < 100 ms: %3)\n")
                     .arg(what)
                     .arg(ms, 0, 'f', 1)
                     .arg(ms < 100 ? QStringLiteral("met") : QStringLiteral("missed"));
        return true;
    };
    std::vector<double> startup;
    for (int n = 0; n < 5; ++n)
        startup.push_back(runProcess(exe, {QStringLiteral("--version")}, project).seconds * 1000);
    out() << QStringLiteral("   trainyard --version (start-up alone): median %1 ms\n").arg(median(startup), 0, 'f', 1);
    return timed(
               QStringLiteral("trainyard runs --json --limit 50"),
               [](int) {
                   return QStringList{QStringLiteral("runs"), QStringLiteral("--json"), QStringLiteral("--limit"),
                                      QStringLiteral("50")};
               },
               "\"pipeline_iid\"") &&
           timed(
               QStringLiteral("trainyard lineage --json ARTIFACT"),
               [](int i) {
                   return QStringList{QStringLiteral("lineage"), QStringLiteral("--json"), artifactSha(i, 9)};
               },
               "\"commit\"") &&
           timed(
               QStringLiteral("trainyard lineage --uses COMMIT (40 hex)"),
               [](int i) {
                   return QStringList{QStringLiteral("lineage"), QStringLiteral("--uses"),
                                      hex(quint64(1'000'000 + i / kRunsPerCommit), 40)};
               },
               "run");
}

/// The window opened on the project as a user opens it: from MainWindow::openProject() to its
/// pipeline on the canvas, the newest runs in its Runs list and their artifacts in Lineage's list
/// (all read on workers), each time in a new window; the median of 3 against 1 s.
bool windowAtScale(const QString &project, int runs)
{
    // The pipeline the runs came from, for the canvas to draw.
    QFile pipeline(project + QStringLiteral("/.gitlab-ci.yml"));
    if (!pipeline.open(QIODevice::WriteOnly) ||
        pipeline.write("stages: [train]\ntrain:\n  stage: train\n  script: [python train.py]\n") < 0)
        return false;
    pipeline.close();
    const size_t listed = size_t(std::min(runs, RunHistory::kListed));
    std::vector<double> times;
    for (int n = 0; n < 3; ++n) {
        ui::MainWindow window;
        window.resize(1280, 800);
        window.show();
        QElapsedTimer t;
        t.start();
        window.openProject(project);
        const auto *list = window.findChild<ui::RunsList *>();
        const auto *canvas = window.findChild<ui::PipelineCanvas *>();
        const auto *artifacts = window.findChild<QTreeWidget *>(QStringLiteral("artifacts")); // Lineage's list
        if (!list || !canvas || !artifacts) {
            err() << "the window has no Runs list, canvas or Lineage list of artifacts\n";
            return false;
        }
        while (list->runs().size() < listed || !canvas->pipelineScene()->card(QStringLiteral("train")) ||
               artifacts->topLevelItemCount() == 0) {
            if (t.elapsed() > 60'000) {
                err() << "the window did not show the project within 60 s (" << list->runs().size()
                      << " runs listed)\n";
                return false;
            }
            QTest::qWait(2);
        }
        times.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    const double ms = median(times);
    out() << QStringLiteral("   the window opening this project (its pipeline drawn, the newest %1 runs listed, their "
                            "artifacts in Lineage): median %2 ms of 3 (target < 1000 ms: %3)\n")
                 .arg(listed)
                 .arg(ms, 0, 'f', 0)
                 .arg(ms < 1000 ? QStringLiteral("met") : QStringLiteral("missed"));
    return true;
}

bool queriesAtScale(const QString &dir, int runs)
{
    out() << "## 3. Queries with " << runs << " runs and " << qint64(runs) * kArtifactsPerRun << " artifacts\n"
          << Qt::flush;
    // A project folder, so that the CLI finds the database where it looks (.trainyard/lineage.db).
    const QString project = dir + QStringLiteral("/project");
    const QString path = LineageStore::defaultPath(project);
    QElapsedTimer t;
    t.start();
    {
        auto store = LineageStore::open(path);
        if (!store || !generate(**store, runs))
            return false;
    }
    out() << QStringLiteral("   generated through LineageStore in %1 s; database %2 MB\n")
                 .arg(t.elapsed() / 1000.0, 0, 'f', 1)
                 .arg(double(QFileInfo(path).size()) / 1e6, 0, 'f', 0);
    double fullMs = 0;
    {
        LineageStore::Options full;
        full.integrity = LineageStore::IntegrityCheck::Full;
        t.restart();
        auto checked = LineageStore::open(path, full);
        fullMs = double(t.nsecsElapsed()) / 1e6;
        if (!checked || (*checked)->isReadOnly())
            return false;
    }
    std::vector<double> opens;
    for (int n = 0; n < 5; ++n) {
        t.restart();
        auto store = LineageStore::open(path);
        opens.push_back(double(t.nsecsElapsed()) / 1e6);
        if (!store)
            return false;
    }
    out() << QStringLiteral("   open: median %1 ms; with a full integrity_check (every open before): %2 ms "
                            "(%3x faster)\n")
                 .arg(median(opens), 0, 'f', 2)
                 .arg(fullMs, 0, 'f', 0)
                 .arg(fullMs / std::max(median(opens), 0.001), 0, 'f', 0);
    auto opened = LineageStore::open(path);
    if (!opened)
        return false;
    const LineageStore &store = **opened;
    const Provenance provenance(store);
    auto *rng = QRandomGenerator::global();

    std::vector<double> prov;
    for (int n = 0; n < 200; ++n) {
        const int i = int(rng->bounded(runs));
        t.restart();
        const auto artifact = provenance.resolveArtifact(artifactSha(i, 9));
        const auto p =
            artifact ? provenance.ofArtifact(*artifact) : Result<ArtifactProvenance>(tl::unexpected(artifact.error()));
        prov.push_back(double(t.nsecsElapsed()) / 1e6);
        if (!p || p->jobs.size() != 4 || p->inputs.size() != 8) {
            err() << "provenance of run " << i << " is wrong\n";
            return false;
        }
    }
    out() << QStringLiteral(
                 "   provenance of one artifact (4 jobs, 8 inputs): median %1 ms, p95 %2 ms (target < 20 ms: %3)\n")
                 .arg(median(prov), 0, 'f', 2)
                 .arg(percentile(prov, 0.95), 0, 'f', 2)
                 .arg(median(prov) < 20 ? QStringLiteral("met") : QStringLiteral("missed"));

    const auto reverse = [&](const QString &what, const std::function<QString(int)> &key, size_t expectedRuns) {
        std::vector<double> times;
        size_t artifacts = 0;
        for (int n = 0; n < 50; ++n) {
            const int i = int(rng->bounded(runs));
            t.restart();
            const auto uses = provenance.uses(key(i));
            times.push_back(double(t.nsecsElapsed()) / 1e6);
            if (!uses || uses->runs.size() != expectedRuns) {
                err() << what << " " << key(i) << ": expected " << expectedRuns << " runs, got "
                      << (uses ? QString::number(uses->runs.size()) : uses.error().toString()) << "\n";
                return false;
            }
            artifacts = uses->artifacts.size();
        }
        out() << QStringLiteral(
                     "   reverse by %1 (%2 runs, %3 artifacts): median %4 ms, p95 %5 ms (target < 50 ms: %6)\n")
                     .arg(what)
                     .arg(expectedRuns)
                     .arg(artifacts)
                     .arg(median(times), 0, 'f', 2)
                     .arg(percentile(times, 0.95), 0, 'f', 2)
                     .arg(median(times) < 50 ? QStringLiteral("met") : QStringLiteral("missed"));
        return true;
    };
    const size_t perData = size_t(std::max(1, runs / kDataVersions));
    if (!reverse(
            QStringLiteral("data version"), [](int i) { return hex(quint64(4'000'000 + i % kDataVersions)); }, perData))
        return false;
    if (!reverse(
            QStringLiteral("image digest"),
            [](int i) -> QString {
                return QStringLiteral("registry.example/trainer@sha256:") + hex(quint64(2'000'000 + i / kRunsPerImage));
            },
            size_t(std::min(kRunsPerImage, runs))))
        return false;
    if (!reverse(
            QStringLiteral("commit"), [](int i) { return hex(quint64(1'000'000 + i / kRunsPerCommit), 40); },
            size_t(std::min(kRunsPerCommit, runs))))
        return false;
    // What the window reads for its Runs list (and the Compare view's list of runs), on a worker:
    // the newest RunHistory::kListed runs with their jobs and artifacts.
    std::vector<double> lists;
    for (int n = 0; n < 3; ++n) {
        t.restart();
        auto history = RunHistory::read(**opened, RunHistory::kListed + 1);
        lists.push_back(double(t.nsecsElapsed()) / 1e6);
        if (!history || history->size() != size_t(std::min(runs, RunHistory::kListed + 1))) {
            err() << "the Runs list's read failed\n";
            return false;
        }
    }
    out() << QStringLiteral("   the window's Runs list (newest %1 runs, jobs and artifacts): median %2 ms (target "
                            "< 1000 ms: %3)\n")
                 .arg(RunHistory::kListed)
                 .arg(median(lists), 0, 'f', 1)
                 .arg(median(lists) < 1000 ? QStringLiteral("met") : QStringLiteral("missed"));
    opened->reset(); // the processes open it themselves
    if (!commandsAtScale(project, runs) || !windowAtScale(project, runs))
        return false;
    out() << "\n";
    return true;
}

} // namespace

// --- 4. pushing runs to a team store ---

/// Empties the bench's PostgreSQL database (its own server: bench/run.sh starts it).
bool emptyServer(const QString &url)
{
    const QUrl u(url);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("bench-reset"));
        db.setHostName(u.host());
        db.setPort(u.port());
        db.setDatabaseName(u.path().mid(1));
        db.setUserName(u.userName());
        if (!u.password().isEmpty())
            db.setPassword(u.password());
        QSqlQuery q(db);
        ok = db.open() && q.exec(QStringLiteral("SET client_min_messages = warning")) &&
             q.exec(QStringLiteral("DROP SCHEMA IF EXISTS public CASCADE")) &&
             q.exec(QStringLiteral("CREATE SCHEMA public"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench-reset"));
    return ok;
}

/// Pushes every queued run of a copy of `source` to `target`; seconds, or -1 on failure.
double timePush(const QString &source, const QString &copy, const QString &target)
{
    QFile::remove(copy);
    if (!QFile::copy(source, copy))
        return -1;
    auto from = LineageStore::open(copy);
    auto to = LineageStore::open(target);
    if (!from || !to) {
        err() << (from ? to.error().toString() : from.error().toString()) << "\n";
        return -1;
    }
    QElapsedTimer t;
    t.start();
    auto report = LineageSync::pushQueued(**from, **to);
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    if (!report || !report->failed.isEmpty() || !(*from)->outbox()->empty()) {
        err() << "push failed: " << (report ? report->failed.join(u'\n') : report.error().toString()) << "\n";
        return -1;
    }
    return seconds;
}

bool pushToTeamStore(const QString &dir, int runs)
{
    out() << "## 4. Pushing " << runs << " recorded runs to a team store (LineageSync)\n" << Qt::flush;
    const QString url = qEnvironmentVariable("BENCH_POSTGRES_URL");
    if (url.isEmpty()) {
        out() << "   not measured: BENCH_POSTGRES_URL is not set (bench/run.sh starts a server)\n\n";
        return true;
    }
    QDir().mkpath(dir);
    const QString source = dir + QStringLiteral("/project.db");
    {
        QFile::remove(source);
        auto store = LineageStore::open(source);
        if (!store || !generate(**store, runs))
            return false;
    }
    std::vector<double> sqlite, server;
    for (int i = 0; i < 3; ++i) {
        const QString file = dir + QStringLiteral("/team-%1.db").arg(i);
        QFile::remove(file);
        sqlite.push_back(timePush(source, dir + QStringLiteral("/copy.db"), file));
        if (!emptyServer(url)) {
            err() << "cannot empty the bench's PostgreSQL database\n";
            return false;
        }
        server.push_back(timePush(source, dir + QStringLiteral("/copy.db"), url));
        if (sqlite.back() < 0 || server.back() < 0)
            return false;
    }
    const double s = median(sqlite), p = median(server);
    out() << QStringLiteral("   into a new SQLite file (baseline): median %1 s\n").arg(s, 0, 'f', 2);
    out() << QStringLiteral("   into PostgreSQL over loopback: median %1 s (%2x the baseline; target < 10 s: %3)\n\n")
                 .arg(p, 0, 'f', 2)
                 .arg(p / s, 0, 'f', 1)
                 .arg(p < 10 ? QStringLiteral("met") : QStringLiteral("missed"));
    return true;
}

// --- 5. the same queries on a team's PostgreSQL store at scale ---

/// Keys of the runs part 5 makes on the server, as its SQL makes them (md5 hex, which both sides
/// compute alike): run `i`'s artifact at `path`, its commit, image and data version.
QString md5Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Md5).toHex());
}
QString serverSha(int i, const QString &path)
{
    return md5Hex(QStringLiteral("a%1%2").arg(i).arg(path)) + md5Hex(QStringLiteral("b%1%2").arg(i).arg(path));
}
QString serverCommit(int i)
{
    const QString both =
        md5Hex(QStringLiteral("c%1").arg(i / kRunsPerCommit)) + md5Hex(QStringLiteral("d%1").arg(i / kRunsPerCommit));
    return both.left(40);
}
QString serverImage(int i)
{
    return QStringLiteral("sha256:") + md5Hex(QStringLiteral("i%1").arg(i / kRunsPerImage)) +
           md5Hex(QStringLiteral("j%1").arg(i / kRunsPerImage));
}
QString serverData(int i)
{
    return md5Hex(QStringLiteral("v%1").arg(i % kDataVersions)) + md5Hex(QStringLiteral("w%1").arg(i % kDataVersions));
}

/// Fills the team store at `url` with `runs` runs of part 3's shape: one recorded through
/// LineageStore (the template: every column as Trainyard writes it), copied on the server for
/// the others with their own keys (INSERT … SELECT over generate_series: generating a million
/// artifacts through the client would take the better part of an hour).
bool fillServer(const QString &url, int runs)
{
    {
        auto store = LineageStore::open(url);
        if (!store || !generate(**store, 1)) {
            if (!store)
                err() << store.error().toString() << "\n";
            return false;
        }
    }
    const QUrl u(url);
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("bench-fill"));
        db.setHostName(u.host());
        db.setPort(u.port());
        db.setDatabaseName(u.path().mid(1));
        db.setUserName(u.userName());
        ok = db.open();
        const QString run = QStringLiteral("'r' || lpad(i::text, 7, '0')");
        const QString sha = QStringLiteral("md5('a' || i || t.path) || md5('b' || i || t.path)");
        const QString image =
            QStringLiteral("'sha256:' || md5('i' || (i / %1)) || md5('j' || (i / %1))").arg(kRunsPerImage);
        const QString time = QStringLiteral("to_char(timestamp '2024-01-01' + i * interval '1 minute' + interval '%1 "
                                            "second', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
        // Each table: the columns given a value of run i's own; the others are the template's.
        const std::vector<std::pair<QString, QMap<QString, QString>>> tables{
            {QStringLiteral("runs"),
             {{QStringLiteral("id"), run},
              {QStringLiteral("pipeline_iid"), QStringLiteral("i + 1")},
              {QStringLiteral("commit_sha"),
               QStringLiteral("substr(md5('c' || (i / %1)) || md5('d' || (i / %1)), 1, 40)").arg(kRunsPerCommit)},
              {QStringLiteral("started_at"), time.arg(0)},
              {QStringLiteral("finished_at"), time.arg(50)}}},
            {QStringLiteral("jobs"), {{QStringLiteral("run_id"), run}, {QStringLiteral("image_id"), image}}},
            {QStringLiteral("job_edges"), {{QStringLiteral("run_id"), run}}},
            {QStringLiteral("images"),
             {{QStringLiteral("run_id"), run},
              {QStringLiteral("image_id"), image},
              {QStringLiteral("repo_digests"), QStringLiteral("'registry.example/trainer@' || ") + image}}},
            {QStringLiteral("image_digests"),
             {{QStringLiteral("run_id"), run},
              {QStringLiteral("repo_digest"), QStringLiteral("'registry.example/trainer@' || ") + image},
              {QStringLiteral("digest"), image}}},
            {QStringLiteral("data_versions"),
             {{QStringLiteral("run_id"), run},
              {QStringLiteral("hash"),
               QStringLiteral("md5('v' || (i % %1)) || md5('w' || (i % %1))").arg(kDataVersions)}}},
            {QStringLiteral("artifacts"), {{QStringLiteral("run_id"), run}, {QStringLiteral("sha256"), sha}}},
            {QStringLiteral("consumptions"), {{QStringLiteral("run_id"), run}, {QStringLiteral("sha256"), sha}}},
        };
        QSqlQuery q(db);
        const auto exec = [&](const QString &sql) {
            if (ok && !q.exec(sql)) {
                err() << "part 5: " << q.lastError().text() << "\n   " << sql.left(300) << "\n";
                ok = false;
            }
        };
        exec(QStringLiteral("INSERT INTO commits (sha, author_name, author_email, message) SELECT DISTINCT "
                            "substr(md5('c' || (i / %1)) || md5('d' || (i / %1)), 1, 40), 'Ada', 'ada@example.org', "
                            "'commit' FROM generate_series(1, %2) i ON CONFLICT DO NOTHING")
                 .arg(kRunsPerCommit)
                 .arg(runs - 1));
        const QString templateRun = runId(0);
        for (const auto &[table, own] : tables) {
            QStringList columns, values;
            QSqlQuery c(db);
            if (!ok || !c.exec(QStringLiteral("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                              "'%1' AND table_schema = current_schema() ORDER BY ordinal_position")
                                   .arg(table)))
                return false;
            while (c.next()) {
                const QString column = c.value(0).toString();
                columns << column;
                values << own.value(column, QStringLiteral("t.") + column);
            }
            const QString key = table == QLatin1String("runs") ? QStringLiteral("id") : QStringLiteral("run_id");
            exec(QStringLiteral("INSERT INTO %1 (%2) SELECT %3 FROM %1 t, generate_series(1, %4) i WHERE t.%5 = '%6'")
                     .arg(table, columns.join(QStringLiteral(", ")), values.join(QStringLiteral(", ")))
                     .arg(runs - 1)
                     .arg(key, templateRun));
        }
        exec(QStringLiteral("ANALYZE"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench-fill"));
    return ok;
}

bool serverQueriesAtScale(int runs)
{
    out() << "## 5. Queries on a team's PostgreSQL store with " << runs << " runs and "
          << qint64(runs) * kArtifactsPerRun << " artifacts\n"
          << Qt::flush;
    const QString url = qEnvironmentVariable("BENCH_POSTGRES_URL");
    if (url.isEmpty()) {
        out() << "   not measured: BENCH_POSTGRES_URL is not set (bench/run.sh starts a server)\n\n";
        return true;
    }
    if (!emptyServer(url))
        return false;
    QElapsedTimer t;
    t.start();
    if (!fillServer(url, runs))
        return false;
    out() << QStringLiteral("   filled on the server in %1 s\n").arg(t.elapsed() / 1000.0, 0, 'f', 1);
    auto opened = LineageStore::open(url);
    if (!opened) {
        err() << opened.error().toString() << "\n";
        return false;
    }
    const Provenance provenance(**opened);
    auto *rng = QRandomGenerator::global();
    std::vector<double> prov;
    for (int n = 0; n < 200; ++n) {
        const int i = 1 + int(rng->bounded(runs - 1));
        t.restart();
        const auto artifact = provenance.resolveArtifact(serverSha(i, QStringLiteral("export/file-9")));
        const auto p =
            artifact ? provenance.ofArtifact(*artifact) : Result<ArtifactProvenance>(tl::unexpected(artifact.error()));
        prov.push_back(double(t.nsecsElapsed()) / 1e6);
        if (!p || p->jobs.size() != 4 || p->inputs.size() != 8) {
            err() << "provenance of run " << i << " on the server is wrong: "
                  << (p ? QStringLiteral("%1 jobs, %2 inputs").arg(p->jobs.size()).arg(p->inputs.size())
                        : p.error().toString())
                  << "\n";
            return false;
        }
    }
    out() << QStringLiteral("   provenance of one artifact (4 jobs, 8 inputs): median %1 ms, p95 %2 ms (target < 20 "
                            "ms: %3)\n")
                 .arg(median(prov), 0, 'f', 2)
                 .arg(percentile(prov, 0.95), 0, 'f', 2)
                 .arg(median(prov) < 20 ? QStringLiteral("met") : QStringLiteral("missed"));
    const auto reverse = [&](const QString &what, const std::function<QString(int)> &key) {
        std::vector<double> times;
        size_t found = 0;
        for (int n = 0; n < 50; ++n) {
            const int i = 1 + int(rng->bounded(runs - 1));
            t.restart();
            const auto uses = provenance.uses(key(i));
            times.push_back(double(t.nsecsElapsed()) / 1e6);
            if (!uses || uses->runs.empty()) {
                err() << what << " " << key(i) << ": " << (uses ? QStringLiteral("no run") : uses.error().toString())
                      << "\n";
                return false;
            }
            found = std::max(found, uses->runs.size());
        }
        out() << QStringLiteral("   reverse by %1 (up to %2 runs): median %3 ms, p95 %4 ms (target < 50 ms: %5)\n")
                     .arg(what)
                     .arg(found)
                     .arg(median(times), 0, 'f', 2)
                     .arg(percentile(times, 0.95), 0, 'f', 2)
                     .arg(median(times) < 50 ? QStringLiteral("met") : QStringLiteral("missed"));
        return true;
    };
    const bool ok =
        reverse(QStringLiteral("data version"), serverData) &&
        reverse(QStringLiteral("image digest"),
                [](int i) -> QString { return QStringLiteral("registry.example/trainer@") + serverImage(i); }) &&
        reverse(QStringLiteral("commit"), serverCommit);
    out() << "\n";
    return ok;
}

int main(int argc, char **argv)
{
    // Part 3 opens the window on its project too: offscreen unless a display is asked for, with
    // settings of its own (no recent projects of the user's touched).
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir settings;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());
    const qint64 bytes = envNumber("BENCH_LINEAGE_BYTES", 2'000'000'000);
    const int files = int(envNumber("BENCH_LINEAGE_FILES", 100'000));
    const int runs = int(envNumber("BENCH_LINEAGE_RUNS", 100'000));
    QTemporaryDir temp;
    const QString dir = qEnvironmentVariable("BENCH_LINEAGE_DIR", temp.path());
    QDir().mkpath(dir);
    out() << "# bench_lineage in " << dir << "\n\n" << Qt::flush;
    const QString parts = qEnvironmentVariable("BENCH_LINEAGE_PARTS", QStringLiteral("12345"));
    bool ok = true;
    if (parts.contains(u'1'))
        ok = hashingThroughput(dir + QStringLiteral("/hash"), bytes) && ok;
    out() << Qt::flush;
    if (parts.contains(u'2'))
        ok = warmReverification(dir + QStringLiteral("/warm"), files) && ok;
    out() << Qt::flush;
    if (parts.contains(u'3'))
        ok = queriesAtScale(dir + QStringLiteral("/queries"), runs) && ok;
    out() << Qt::flush;
    if (parts.contains(u'4'))
        ok = pushToTeamStore(dir + QStringLiteral("/push"), int(envNumber("BENCH_PUSH_RUNS", 1000))) && ok;
    out() << Qt::flush;
    if (parts.contains(u'5'))
        ok = serverQueriesAtScale(runs) && ok;
    out() << Qt::flush;
    if (!qEnvironmentVariableIsSet("BENCH_LINEAGE_DIR"))
        QDir(dir).removeRecursively();
    return ok ? 0 : 1;
}
