// LineageSync: pushing a project's runs to the team's lineage store.
#include "lineagesync.h"

#include <QLockFile>
#include <QMap>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>

namespace trainyard::core {

namespace {

/// `items` by job, every job of `jobs` (and `alsoEmpty`) there even without any: a set emptied in
/// the project is emptied in the team's store too.
template <typename T>
std::map<QString, std::vector<T>> byJob(const std::vector<T> &items, const std::vector<LineageJob> &jobs,
                                        const QStringList &alsoEmpty = {})
{
    std::map<QString, std::vector<T>> out;
    for (const LineageJob &j : jobs)
        out[j.name];
    for (const QString &name : alsoEmpty)
        out[name];
    for (const T &item : items)
        out[item.job].push_back(item);
    return out;
}

/// The same sign-off: given by the same person, the same way, at the same moment, on the same
/// provenance (sign-offs are append-only: one is never pushed twice).
bool sameSignOff(const LineageSignOff &a, const LineageSignOff &b)
{
    return a.artifactSha256 == b.artifactSha256 && a.runId == b.runId && a.reviewer == b.reviewer &&
           a.decision == b.decision && a.comment == b.comment && a.fingerprint == b.fingerprint &&
           a.signedAt.toMSecsSinceEpoch() == b.signedAt.toMSecsSinceEpoch();
}

/// Everything recorded of one run, read from the project's store.
struct RunRecords
{
    LineageRun run;
    std::optional<LineageCommit> commit;
    std::vector<LineageJob> jobs;
    std::map<QString, QStringList> edges;
    std::vector<LineageImage> images;
    std::vector<LineageDataVersion> data;
    std::vector<LineageArtifact> artifacts;
    std::vector<LineageConsumption> consumed;
    std::vector<LineageVariable> variables;
    std::vector<LineageScalar> scalars;
    std::vector<LineageMetric> metrics;
    std::vector<LineageGate> gates;
    std::vector<LineageReproduction> reproductions;
    QMap<QString, std::vector<LineageSignOff>> signOffs; ///< of this run's artifacts, by sha256
    std::vector<LineageImageSbom> imageSboms;            ///< of this run's images, when made
    std::vector<LineageImageScan> imageScans;            ///< the latest scan of each, when scanned
};

/// Moves what `r` read into `into`, or says which part of run `runId` could not be read.
template <typename T> Result<void> read(Result<T> r, T &into, const QString &what, const QString &runId)
{
    if (!r)
        return tl::unexpected(Error::error(QStringLiteral("reading the %1 of run %2 from the project's store: %3")
                                               .arg(what, runId, r.error().message)));
    into = std::move(*r);
    return {};
}

Result<RunRecords> readRun(const LineageStore &from, const QString &runId)
{
    RunRecords rec;
    std::optional<LineageRun> run;
    if (auto ok = read(from.run(runId), run, QStringLiteral("run"), runId); !ok)
        return tl::unexpected(ok.error());
    if (!run)
        return tl::unexpected(Error::error(QStringLiteral("run %1 is not in the project's store").arg(runId)));
    rec.run = *run;
    if (!rec.run.commitSha.isEmpty()) {
        if (auto ok = read(from.commit(rec.run.commitSha), rec.commit, QStringLiteral("commit"), runId); !ok)
            return tl::unexpected(ok.error());
    }
    for (const Result<void> &ok :
         {read(from.jobs(runId), rec.jobs, QStringLiteral("jobs"), runId),
          read(from.images(runId), rec.images, QStringLiteral("images"), runId),
          read(from.dataVersions(runId), rec.data, QStringLiteral("data versions"), runId),
          read(from.artifacts(runId), rec.artifacts, QStringLiteral("artifacts"), runId),
          read(from.consumptions(runId), rec.consumed, QStringLiteral("consumptions"), runId),
          read(from.variables(runId), rec.variables, QStringLiteral("variables"), runId),
          read(from.scalars(runId), rec.scalars, QStringLiteral("scalars"), runId),
          read(from.metrics(runId), rec.metrics, QStringLiteral("metrics"), runId),
          read(from.gates(runId), rec.gates, QStringLiteral("gates"), runId),
          read(from.reproductions(runId), rec.reproductions, QStringLiteral("reproductions"), runId)}) {
        if (!ok)
            return tl::unexpected(ok.error());
    }
    for (const LineageJob &j : rec.jobs) {
        if (auto ok = read(from.jobEdges(runId, j.name), rec.edges[j.name], QStringLiteral("job edges"), runId); !ok)
            return tl::unexpected(ok.error());
    }
    QStringList imageIds;
    for (const LineageImage &i : rec.images) {
        if (i.imageId.isEmpty() || imageIds.contains(i.imageId))
            continue;
        imageIds << i.imageId;
        std::optional<LineageImageSbom> sbom;
        std::optional<LineageImageScan> scan;
        if (auto ok = read(from.imageSbom(i.imageId), sbom, QStringLiteral("image SBOMs"), runId); !ok)
            return tl::unexpected(ok.error());
        if (auto ok = read(from.imageScan(i.imageId), scan, QStringLiteral("image scans"), runId); !ok)
            return tl::unexpected(ok.error());
        if (sbom)
            rec.imageSboms.push_back(*sbom);
        if (scan)
            rec.imageScans.push_back(*scan);
    }
    for (const LineageArtifact &a : rec.artifacts) {
        if (rec.signOffs.contains(a.sha256))
            continue;
        std::vector<LineageSignOff> given;
        if (auto ok = read(from.signOffs(a.sha256), given, QStringLiteral("sign-offs"), runId); !ok)
            return tl::unexpected(ok.error());
        std::vector<LineageSignOff> ofThisRun;
        std::copy_if(given.cbegin(), given.cend(), std::back_inserter(ofThisRun),
                     [&](const LineageSignOff &s) { return s.runId == runId; });
        rec.signOffs.insert(a.sha256, ofThisRun);
    }
    return rec;
}

/// Writes `rec` to the team store `to`, in one transaction.
Result<void> writeRun(LineageStore &to, const RunRecords &rec)
{
    const QString &runId = rec.run.id;
    // Sets emptied since the last push are emptied there too; a first push has nothing to empty
    // (and spares a pipeline of 2,000 jobs its 10,000 deletes).
    const auto there = to.run(runId);
    const std::vector<LineageJob> noJobs;
    const std::vector<LineageJob> &emptied = there && *there ? rec.jobs : noJobs;
    return to.transaction([&]() -> Result<void> {
        if (rec.commit) {
            if (auto ok = to.recordCommit(*rec.commit); !ok)
                return ok;
        }
        if (auto ok = to.recordRun(rec.run); !ok)
            return ok;
        if (auto ok = to.annotateRun(runId, rec.run.annotation); !ok)
            return ok;
        for (const LineageJob &j : rec.jobs) {
            if (auto ok = to.recordJob(j); !ok)
                return ok;
        }
        for (const auto &[job, upstream] : rec.edges) {
            if (auto ok = to.recordJobEdges(runId, job, upstream); !ok)
                return ok;
        }
        for (const LineageImage &i : rec.images) {
            if (auto ok = to.recordImage(i); !ok)
                return ok;
        }
        for (const LineageDataVersion &d : rec.data) {
            if (auto ok = to.recordDataVersion(d); !ok)
                return ok;
        }
        // What is inside the images: a newer scan (from any machine) is not replaced by an older one.
        // A team store its owner has not yet brought to schema 12 takes the run without them.
        if (to.schemaVersion() >= 12) {
            for (const LineageImageSbom &sbom : rec.imageSboms) {
                if (auto ok = to.recordImageSbom(sbom); !ok)
                    return ok;
            }
            for (const LineageImageScan &scan : rec.imageScans) {
                if (auto ok = to.recordImageScanIfNewer(scan); !ok)
                    return tl::unexpected(ok.error());
            }
        }
        // Each set replaces the job's set in the team store, as it does in the project's.
        for (const auto &[job, list] : byJob(rec.artifacts, emptied)) {
            if (auto ok = to.recordArtifacts(runId, job, list); !ok)
                return ok;
        }
        for (const auto &[job, list] : byJob(rec.consumed, emptied)) {
            if (auto ok = to.recordConsumption(runId, job, list); !ok)
                return ok;
        }
        // (The pipeline's own variables are kept under the job "".)
        for (const auto &[job, list] : byJob(rec.variables, emptied, {QString()})) {
            if (auto ok = to.recordVariables(runId, job, list); !ok)
                return ok;
        }
        for (const auto &[job, list] : byJob(rec.scalars, {})) { // final values: never removed, only updated
            QMap<QString, double> finalValues;
            for (const LineageScalar &s : list)
                finalValues.insert(s.tag, s.value);
            if (auto ok = to.recordScalars(runId, job, finalValues); !ok)
                return ok;
        }
        for (const auto &[job, list] : byJob(rec.metrics, emptied)) {
            if (auto ok = to.recordMetrics(runId, job, list); !ok)
                return ok;
        }
        // Gates last, with their values and outcomes as the project's store has them.
        for (const auto &[job, list] : byJob(rec.gates, emptied)) {
            if (auto ok = to.recordGates(runId, job, list); !ok)
                return ok;
        }
        for (const LineageReproduction &rep : rec.reproductions) {
            if (auto ok = to.recordReproduction(rep); !ok)
                return ok;
        }
        return {};
    });
}

/// True when `to` still answers a read: a write it failed was its answer (a refusal, a value it
/// cannot take), not a connection gone.
bool answers(const LineageStore &to)
{
    return bool(to.setting(QStringLiteral("trainyard.ping")));
}

/// Adds the run's sign-offs the team store does not have yet, each in its own transaction: the
/// team store decides who may sign off, and a sign-off it refuses (given locally by someone who
/// is not a lead there) must not keep the run's lineage from being pushed. Returns the refusals.
Result<QStringList> writeSignOffs(LineageStore &to, const RunRecords &rec)
{
    QStringList refused;
    for (auto it = rec.signOffs.cbegin(); it != rec.signOffs.cend(); ++it) {
        if (it->empty())
            continue;
        auto there = to.signOffs(it.key());
        if (!there)
            return tl::unexpected(there.error());
        for (const LineageSignOff &s : *it) {
            const bool known =
                std::any_of(there->cbegin(), there->cend(), [&](const LineageSignOff &t) { return sameSignOff(s, t); });
            if (known)
                continue;
            if (auto id = to.addSignOff(s); !id) {
                // Refused, or the store gone? Only a store that still answers refused it.
                if (!answers(to))
                    return tl::unexpected(id.error());
                refused << QStringLiteral("the sign-off of %1 by %2 was not pushed: %3")
                               .arg(it.key().left(12), s.reviewer, id.error().message);
            }
        }
    }
    return refused;
}

/// Writes `rec` to `to`: the run's lineage in one transaction, then its sign-offs.
Result<QStringList> pushRecords(LineageStore &to, const RunRecords &rec)
{
    if (auto ok = writeRun(to, rec); !ok) {
        // Refused by a server that holds the run as someone else's? Say whose.
        Error e = ok.error();
        if (auto there = to.run(rec.run.id);
            e.message.contains(QLatin1String("row-level security")) && there && *there && !(*there)->pushedBy.isEmpty())
            e.message += QStringLiteral(" (the team store has run %1 as pushed by %2: a run is changed only by the "
                                        "login that pushed it)")
                             .arg(rec.run.id, (*there)->pushedBy);
        return tl::unexpected(e);
    }
    return writeSignOffs(to, rec);
}

} // namespace

Result<QStringList> LineageSync::pushRun(const LineageStore &from, LineageStore &to, const QString &runId)
{
    // Everything is read first: the team store's transaction holds its lock only while it writes.
    auto records = readRun(from, runId);
    if (!records)
        return tl::unexpected(records.error());
    auto refused = pushRecords(to, *records);
    if (!refused)
        return tl::unexpected(refused.error());
    return *refused;
}

Result<LineageSync::Report> LineageSync::pushQueued(LineageStore &from, LineageStore &to, const Progress &progress,
                                                    const std::atomic_bool *cancel, const BeforeRun &beforeRun)
{
    // One push of a project at a time (two runs ending together, a sync beside them): a push that
    // read a run before another wrote a newer revision of it would write the older one last.
    QLockFile pushing(from.path() + QStringLiteral(".push.lock"));
    pushing.setStaleLockTime(0); // a lock of a process that died is taken over (QLockFile checks its pid)
    if (!pushing.tryLock(kPushLockWaitMs))
        return tl::unexpected(Error::error(
            QStringLiteral("another push of this project's runs is still going (%1): nothing was pushed; the runs "
                           "stay queued")
                .arg(pushing.fileName()),
            SourceLocation{from.path()}));
    auto queued = from.outbox();
    if (!queued)
        return tl::unexpected(queued.error());
    Report report;
    const int total = int(queued->size());
    if (progress)
        progress(0, total);
    for (int i = 0; i < total; ++i) {
        if (cancel && cancel->load())
            break;
        const LineageOutboxEntry &entry = (*queued)[size_t(i)];
        if (auto run = from.run(entry.runId); run && !*run) {
            // Queued by a write that came before its run's row (a number handed out), and the
            // run never recorded: nothing to push.
            (void)from.markPushed(entry);
            continue;
        }
        auto records = readRun(from, entry.runId);
        if (!records) { // this run's own problem: the others are still pushed
            report.failed << QStringLiteral("%1: %2").arg(entry.runId, records.error().message);
            continue;
        }
        if (beforeRun) {
            bool stopAll = false;
            if (auto ok = beforeRun(entry.runId, records->artifacts, records->images, stopAll); !ok) {
                report.failed << QStringLiteral("%1: %2").arg(entry.runId, ok.error().message);
                if (stopAll)
                    break;
                continue;
            }
        }
        auto written = pushRecords(to, *records);
        if (!written) {
            report.failed << QStringLiteral("%1: %2").arg(entry.runId, written.error().message);
            // The team store gone: every other run would fail the same way. A store that still
            // answers refused this run only (a value it cannot take): the others are pushed.
            if (!answers(to))
                break;
            continue;
        }
        for (const QString &refusal : std::as_const(*written))
            report.refused << QStringLiteral("%1: %2").arg(entry.runId, refusal);
        if (!written->isEmpty()) {
            // A refused sign-off stays queued with its run: pushed again by each sync (by a lead's,
            // or once its author is made one), said again each time.
            ++report.pushed;
            if (progress)
                progress(i + 1, total);
            continue;
        }
        auto taken = from.markPushed(entry);
        if (!taken) {
            report.failed << QStringLiteral("%1: %2").arg(entry.runId, taken.error().message);
            break;
        }
        if (*taken)
            ++report.pushed;
        else
            ++report.requeued;
        if (progress)
            progress(i + 1, total);
    }
    return report;
}

} // namespace trainyard::core
