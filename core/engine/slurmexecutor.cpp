#include "slurmexecutor.h"

#include "dockerclient.h"

#include "common/safename.h"
#include "containerspec.h"
#include "jobscript.h"
#include "slurmclient.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSaveFile>
#include <QScopeGuard>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace trainyard::core {

namespace {

/// How often a job's state is asked (its output file is read as often).
constexpr int kPollMs = 1000;
/// How long a cluster that stops answering is waited for in the middle of a job.
constexpr int kUnreachableLimitMs = 5 * 60 * 1000;

QString quote(const QString &text)
{
    return JobScript::shellQuote(text);
}

/// Writes a new file created with `permissions` from the start (never readable by others, not
/// even for a moment, when they say so).
Result<void> writeFile(const QString &path, const QString &text, QFileDevice::Permissions permissions)
{
    QFile::remove(path);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, permissions))
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(path, file.errorString())));
    const QByteArray bytes = text.toUtf8();
    if (file.write(bytes) != bytes.size() || !file.flush())
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(path, file.errorString())));
    return {};
}

/// `cp -a` of a folder's contents (its files, links and modes), or of one file into the folder
/// `to`, for a work folder the nodes see. As long as it takes (data can be large); `cancel` stops it.
Result<void> copyTree(const QString &from, const QString &to, const std::atomic_bool *cancel = nullptr)
{
    if (!QDir().mkpath(to))
        return tl::unexpected(Error::error(QStringLiteral("cannot create %1").arg(to)));
    QProcess cp;
    cp.start(QStringLiteral("cp"),
             {QStringLiteral("-a"), QFileInfo(from).isDir() ? from + QStringLiteral("/.") : from, to});
    while (!cp.waitForFinished(500)) {
        if (cp.state() == QProcess::NotRunning)
            break;
        if (cancel && cancel->load()) {
            cp.kill();
            cp.waitForFinished(5000);
            return tl::unexpected(Error::error(QStringLiteral("copying %1 to %2 was cancelled").arg(from, to)));
        }
    }
    if (cp.exitStatus() != QProcess::NormalExit || cp.exitCode() != 0)
        return tl::unexpected(Error::error(QStringLiteral("cannot copy %1 to %2: %3")
                                               .arg(from, to, QString::fromUtf8(cp.readAllStandardError()).trimmed())));
    return {};
}

/// Follows a job's output file from `offset`, line by line; a requeued job's file starts again.
class OutputTail
{
public:
    explicit OutputTail(QString path)
        : m_path(std::move(path))
    {}
    /// Reads what was added since the last call and hands over its complete lines.
    void read(const std::function<void(const LogLine &)> &log)
    {
        QFile file(m_path);
        if (!file.open(QIODevice::ReadOnly))
            return;
        if (file.size() < m_offset) { // written again from the start (a requeue)
            m_offset = 0;
            m_partial.clear();
        }
        if (!file.seek(m_offset))
            return;
        const QByteArray bytes = file.readAll();
        m_offset += bytes.size();
        m_partial += bytes;
        qsizetype nl;
        while ((nl = m_partial.indexOf('\n')) >= 0) {
            QByteArray line = m_partial.left(nl);
            if (line.endsWith('\r'))
                line.chop(1);
            m_partial.remove(0, nl + 1);
            if (log)
                log(LogLine{LogLine::Stream::Stdout, QString::fromUtf8(line)});
        }
    }
    void finish(const std::function<void(const LogLine &)> &log)
    {
        read(log);
        if (!m_partial.isEmpty() && log)
            log(LogLine{LogLine::Stream::Stdout, QString::fromUtf8(m_partial)});
        m_partial.clear();
    }
    qint64 size() const { return QFileInfo(m_path).size(); }

private:
    QString m_path;
    qint64 m_offset = 0;
    QByteArray m_partial;
};

void say(const ExecutionCallbacks &cb, const QString &text)
{
    if (cb.log)
        cb.log(LogLine{LogLine::Stream::System, text});
}

/// The outcome of a job queued ahead that never runs: `need` did not succeed (GitLab skips it).
JobOutcome skippedFor(const QString &need, const ExecutionCallbacks &cb)
{
    JobOutcome outcome;
    outcome.skipped = QStringLiteral("'%1' did not succeed").arg(need);
    say(cb, QStringLiteral("not run: %1").arg(outcome.skipped));
    return outcome;
}

/// Waits until the jobs a job queued ahead needs have ended, as the run sees them (or it is
/// cancelled: Waiting then); `*failed` names one that did not succeed.
NeedsVerdict awaitNeeds(const JobExecution &e, const std::atomic_bool &cancel, QString *failed)
{
    NeedsVerdict verdict = NeedsVerdict::Waiting;
    while (!cancel.load() && (verdict = e.needsVerdict(failed)) == NeedsVerdict::Waiting)
        QThread::msleep(kPollMs);
    return verdict;
}

/// The text of a small file the job's script wrote; empty when there is none.
QString readSmallFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.read(4096)) : QString();
}

} // namespace

SlurmExecutor::SlurmExecutor(SlurmSettings settings, std::unique_ptr<JobExecutor> docker, QStringList builds,
                             QString dockerEndpoint)
    : m_settings(std::move(settings))
    , m_docker(std::move(docker))
    , m_builds(std::move(builds))
    , m_dockerEndpoint(dockerEndpoint.isEmpty() ? DockerClient::defaultEndpoint() : std::move(dockerEndpoint))
{}

void SlurmExecutor::pinPulledImage(const QString &image, const ExecutionCallbacks &callbacks)
{
    if (image.contains(QLatin1String("@sha256:")))
        return; // pinned in the pipeline file already
    const QString repository = normalisedRepository(image);
    QString pinned;
    DockerClient docker(m_dockerEndpoint);
    const auto info = docker.inspectImage(image);
    if (!info) {
        say(callbacks, QStringLiteral("%1: this machine's Docker engine could not be asked for its digest (%2), so the "
                                      "nodes pull it by its name")
                           .arg(image, info.error().message));
        return;
    }
    if (info->exists) {
        // Docker writes Docker Hub's short names ("busybox@sha256:…"), Podman full ones.
        for (const QString &repoDigest : info->repoDigests) {
            if (normalisedRepository(repoDigest) == repository)
                pinned = repoDigest;
        }
    }
    if (pinned.isEmpty()) {
        say(callbacks, QStringLiteral("%1: no digest of it is known on this machine, so the nodes pull it by its name "
                                      "(pull it here once, or write it as NAME@sha256:…, to pin it)")
                           .arg(image));
        return;
    }
    say(callbacks, QStringLiteral("%1 pinned for the cluster's nodes as %2").arg(image, pinned));
    QMutexLocker lock(&m_pullMutex);
    m_pullAs.insert(image, pinned);
}

Result<void> SlurmExecutor::prepareImage(const QString &image, const ExecutionCallbacks &callbacks,
                                         const std::atomic_bool &cancel)
{
    if (m_settings.runtime == QLatin1String("none"))
        return {};
    if (!m_builds.contains(image)) {
        pinPulledImage(image, callbacks);
        return {};
    }
    if (!m_docker)
        return {};
    if (auto built = m_docker->prepareImage(image, callbacks, cancel); !built)
        return built;
    if (!m_publisher) {
        say(callbacks, QStringLiteral("%1 is built on this machine and in no registry: the cluster's nodes run it by "
                                      "name, which only nodes sharing this Docker engine find (set the team's registry "
                                      "to publish it)")
                           .arg(image));
        return {};
    }
    auto published = m_publisher(image, cancel);
    if (!published)
        return tl::unexpected(published.error());
    say(callbacks, QStringLiteral("%1 published for the cluster's nodes as %2").arg(image, *published));
    QMutexLocker lock(&m_pullMutex);
    m_pullAs.insert(image, *published);
    return {};
}

Result<QString> SlurmExecutor::preflight()
{
    SlurmClient client(SlurmClient::fromEnvironment(m_settings.url));
    auto info = client.cluster();
    if (!info)
        return tl::unexpected(Error::error(info.error().message + QStringLiteral("; no job ran")));
    m_clusterName = info->clusterName;
    if (!m_settings.partition.isEmpty() &&
        std::none_of(info->partitions.cbegin(), info->partitions.cend(),
                     [&](const SlurmPartition &p) { return p.name == m_settings.partition; }))
        return tl::unexpected(
            Error::error(QStringLiteral(".trainyard slurm partition '%1' is not a partition of cluster %2; no job ran")
                             .arg(m_settings.partition, info->clusterName),
                         m_settings.location));
    int gpus = 0;
    for (const SlurmNode &n : info->nodes)
        gpus += n.gpus;
    // (slurmrestd of 22.05 names the cluster only in its jobs' records: none yet, no name.)
    return QStringLiteral("Slurm cluster%1 (Slurm %2, %3 node(s), %4 GPU(s)) through %5; on the nodes: %6")
        .arg(info->clusterName.isEmpty() ? QString() : u' ' + info->clusterName, info->slurmVersion)
        .arg(info->nodes.size())
        .arg(gpus)
        .arg(info->via, m_settings.runtime == QLatin1String("none")
                            ? QStringLiteral("the host shell (no isolation)")
                            : m_settings.runtime + QStringLiteral(" containers"));
}

QString SlurmExecutor::gresOfJobGpus(const QString &jobGpus)
{
    QList<int> ids;
    for (const QString &word : jobGpus.trimmed().split(u',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int id = word.toInt(&ok);
        if (!ok)
            return {};
        ids << id;
    }
    if (ids.isEmpty())
        return {};
    std::sort(ids.begin(), ids.end());
    QStringList ranges;
    for (qsizetype i = 0; i < ids.size();) {
        qsizetype j = i;
        while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1)
            ++j;
        ranges << (j == i ? QString::number(ids[i]) : QStringLiteral("%1-%2").arg(ids[i]).arg(ids[j]));
        i = j + 1;
    }
    return QStringLiteral("gpu:%1(IDX:%2)").arg(ids.size()).arg(ranges.join(u','));
}

QStringList SlurmExecutor::splitGres(const QString &gres)
{
    QStringList parts;
    int depth = 0;
    QString part;
    for (const QChar c : gres) {
        if (c == u',' && depth == 0) {
            parts << part;
            part.clear();
            continue;
        }
        depth += c == u'(' ? 1 : c == u')' ? -1 : 0;
        part += c;
    }
    if (!part.isEmpty())
        parts << part;
    return parts;
}

QString SlurmExecutor::pullReference(const QString &image) const
{
    QMutexLocker lock(&m_pullMutex);
    return m_pullAs.value(image, image);
}

QString SlurmExecutor::submittedId(const QString &runId, const QString &job) const
{
    QMutexLocker lock(&m_submittedMutex);
    return m_submitted.value(runId + u'/' + job);
}

QString SlurmExecutor::jobName(const QString &runId, const QString &job)
{
    return QStringLiteral("trainyard-%1-%2").arg(safeName(job), runId);
}

int SlurmExecutor::cleanupRun(const QString &runId)
{
    // The jobs a crashed run left queued or running on the cluster, known by their names.
    SlurmClient client(SlurmClient::fromEnvironment(m_settings.url));
    const auto info = client.cluster();
    if (!info)
        return 0;
    int cancelled = 0;
    for (const SlurmJobState &job : info->queue) {
        if (job.name.startsWith(QLatin1String("trainyard-")) && job.name.endsWith(u'-' + runId) &&
            client.cancel(job.id))
            ++cancelled;
    }
    return cancelled;
}

bool SlurmExecutor::isShellName(const QString &name)
{
    if (name.isEmpty() || !(name.at(0).isLetter() || name.at(0) == u'_') || name.at(0).unicode() > 127)
        return false;
    return std::all_of(name.cbegin(), name.cend(),
                       [](QChar c) { return c.unicode() < 128 && (c.isLetterOrNumber() || c == u'_'); });
}

QString SlurmExecutor::batchScript(const JobExecution &e, const QString &sideDir, const QString &workDir) const
{
    // The script's own variables are __ty_* and read-only: the job's variables are loaded only in
    // the subshell that runs its script (or the runtime's client), never here, so none of them
    // (PATH, DOCKER_HOST, a variable named like ours) steers what this script does.
    QString job = e.job;
    job.replace(u'\n', u' ').replace(u'\r', u' ');
    QString s = QStringLiteral("#!/bin/bash\n# Trainyard: job %1 of run %2\n").arg(job, e.runId);
    s += QStringLiteral("__ty_side=%1\n__ty_work=%2\nreadonly __ty_side __ty_work\n")
             .arg(quote(sideDir), quote(workDir));
    // The variables (secrets among them) are opened, then their files go at once: a requeued
    // job (its second start) finds none, and says so.
    s += QStringLiteral(
        "exec 3<\"$__ty_side/env\" 4<\"$__ty_side/container.env\" || { echo \"Trainyard: this job's variables are "
        "gone (a requeued job runs again without them): it counts as failed\" >&2; exit 1; }\n"
        "rm -f \"$__ty_side/env\" \"$__ty_side/container.env\"\n");
    // The GPUs' numbers, for the record of a job too short to be seen running with them.
    s += QStringLiteral("[ -n \"${SLURM_JOB_GPUS:-}\" ] && echo \"$SLURM_JOB_GPUS\" >\"$__ty_side/gpus\"\n");
    s += QStringLiteral("cd \"$__ty_work\" || { echo \"Trainyard: this node (${SLURMD_NODENAME:-?}) does not see the "
                        "workspace $__ty_work\" >&2; exit 1; }\n");
    const bool after = !e.afterScript.isEmpty();
    // scancel (or the time limit) signals this script: the job's processes go too, and it ends.
    if (m_settings.runtime == QLatin1String("none")) {
        s += QStringLiteral("trap 'kill -TERM $__ty_pid 2>/dev/null; wait $__ty_pid; exit 143' TERM INT\n"
                            "( . /dev/fd/3; exec 3<&- 4<&-; exec bash \"$__ty_side/script.sh\" ) &\n"
                            "__ty_pid=$!\nwait $__ty_pid\n__ty_status=$?\n");
        if (after)
            s += QStringLiteral("echo 'Running after_script'\n"
                                "( . /dev/fd/3; exec 3<&- 4<&-; exec timeout 300 bash \"$__ty_side/after.sh\" ) &\n"
                                "__ty_pid=$!\nwait $__ty_pid\n");
        s += QStringLiteral("exit $__ty_status\n");
        return s;
    }
    const QString pulled = pullReference(e.image);
    const bool published = pulled != e.image; // by digest, once published
    const QString image = quote(pulled);
    s += QStringLiteral("__ty_rt=$(command -v %1) || { echo \"Trainyard: %1 is not installed on node "
                        "${SLURMD_NODENAME:-?}\" >&2; exit 1; }\n"
                        "__ty_name=trainyard-slurm-${SLURM_JOB_ID:-$$}\nreadonly __ty_rt __ty_name\n")
             .arg(m_settings.runtime);
    s += QStringLiteral(
        "trap '\"$__ty_rt\" rm -f \"$__ty_name\" \"$__ty_name-after\" >/dev/null 2>&1; exit 143' TERM INT\n");
    // Kept until its state is read (killed for memory?), then removed.
    s += QStringLiteral(
             "__ty_args=(run --name \"$__ty_name\" -v \"$__ty_work\":%1 -v \"$__ty_side\":/.trainyard-slurm:ro "
             "-w %1 --env-file /dev/fd/4)\n")
             .arg(quote(e.projectDirInJob));
    // Values over several lines do not fit an env file: those come from the subshell's environment.
    QStringList multiLine;
    for (const QString &kv : e.env) {
        const QString name = kv.section(u'=', 0, 0);
        if (kv.mid(name.size() + 1).contains(u'\n') && isShellName(name))
            multiLine << quote(name);
    }
    if (!multiLine.isEmpty())
        s += QStringLiteral("for __ty_v in %1; do __ty_args+=(-e \"$__ty_v\"); done\n").arg(multiLine.join(u' '));
    for (const Mount &m : e.dataMounts)
        s += QStringLiteral("__ty_args+=(-v %1)\n").arg(quote(m.source + u':' + m.target + QStringLiteral(":ro")));
    if (!e.shmSize.isEmpty())
        s += QStringLiteral("__ty_args+=(--shm-size %1)\n").arg(quote(e.shmSize));
    // The container runs outside the job's cgroup: it gets the job's CPUs and memory as limits.
    s += QStringLiteral("[ -n \"${SLURM_CPUS_ON_NODE:-}\" ] && __ty_args+=(--cpus \"$SLURM_CPUS_ON_NODE\")\n"
                        "[ -n \"${SLURM_MEM_PER_NODE:-}\" ] && __ty_args+=(--memory \"${SLURM_MEM_PER_NODE}m\")\n");
    // The GPUs Slurm gave the job become the container's, by their numbers on the node
    // (SLURM_JOB_GPUS; CUDA_VISIBLE_DEVICES may count from 0 within the job): through the NVIDIA
    // runtime where the node has it, else as their device nodes, which CUDA in the container
    // numbers from 0 (the only ones it sees). A node whose gres.conf names no device files
    // (SLURM_JOB_GPUS=NoDevFiles) has none to give.
    s += QStringLiteral("__ty_gpudev=%1\n").arg(quote(m_settings.gpuDevices));
    s += QStringLiteral(
        "__ty_gpus=${SLURM_JOB_GPUS:-${CUDA_VISIBLE_DEVICES:-}}\n"
        "if [ -n \"$__ty_gpus\" ]; then\n"
        "  if \"$__ty_rt\" info 2>/dev/null | grep -qi nvidia; then __ty_args+=(--gpus \"\\\"device=$__ty_gpus\\\"\")\n"
        "  else\n"
        "    __ty_n=0\n"
        "    for __ty_i in ${__ty_gpus//,/ }; do\n"
        "      [[ $__ty_i =~ ^[0-9]+$ ]] || { echo \"Trainyard: Slurm names no device files for the GPUs of node "
        "${SLURMD_NODENAME:-?} ($__ty_i; gres.conf File=) and it has no NVIDIA container runtime\" >&2; exit 1; }\n"
        "      __ty_d=${__ty_gpudev//\\{\\}/$__ty_i}\n"
        "      [ -e \"$__ty_d\" ] || { echo \"Trainyard: GPU $__ty_i has no device node $__ty_d on node "
        "${SLURMD_NODENAME:-?} (.trainyard: slurm: gpu_devices: names them)\" >&2; exit 1; }\n"
        "      __ty_args+=(--device \"$__ty_d\"); __ty_cuda+=${__ty_cuda:+,}$__ty_n; __ty_n=$((__ty_n+1)); done\n"
        "    for __ty_d in /dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools; do [ -e $__ty_d ] && "
        "__ty_args+=(--device $__ty_d); done\n"
        "    __ty_args+=(-e \"CUDA_VISIBLE_DEVICES=$__ty_cuda\")\n"
        "  fi\n"
        "fi\n");
    if (m_builds.contains(e.image) && !published) {
        // Built on this machine and in no registry: only a node that shares this Docker engine
        // has it. Never pulled by its name (that would fetch whatever a public registry has).
        s += QStringLiteral("\"$__ty_rt\" image inspect %1 >/dev/null 2>&1 || { echo \"Trainyard: %2 was built on "
                            "the machine that started the run, not on node ${SLURMD_NODENAME:-?}: set the team's "
                            "registry (TRAINYARD_REGISTRY) so that every node pulls it\" >&2; exit 1; }\n")
                 .arg(image, pulled);
    } else {
        s += QStringLiteral("\"$__ty_rt\" image inspect %1 >/dev/null 2>&1 || \"$__ty_rt\" pull %1 || exit 1\n")
                 .arg(image);
    }
    s += QStringLiteral("\"$__ty_rt\" image inspect -f '{{.Id}}{{range .RepoDigests}} {{.}}{{end}}' %1 "
                        ">\"$__ty_side/image\" 2>/dev/null\n")
             .arg(image);
    s += QStringLiteral(
             "( . /dev/fd/3; exec 3<&-; exec \"$__ty_rt\" \"${__ty_args[@]}\" %1 sh /.trainyard-slurm/script.sh ) &\n"
             "wait $!\n__ty_status=$?\n"
             "\"$__ty_rt\" inspect -f '{{.State.OOMKilled}}' \"$__ty_name\" >\"$__ty_side/oom\" 2>/dev/null\n"
             "\"$__ty_rt\" rm -f \"$__ty_name\" >/dev/null 2>&1\n")
             .arg(image);
    if (after)
        s += QStringLiteral("echo 'Running after_script'\n__ty_args[2]=\"$__ty_name-after\"\n"
                            "( . /dev/fd/3; exec 3<&-; exec timeout 300 \"$__ty_rt\" \"${__ty_args[@]}\" %1 sh "
                            "/.trainyard-slurm/after.sh ) &\nwait $!\n"
                            "\"$__ty_rt\" rm -f \"$__ty_name-after\" >/dev/null 2>&1\n")
                 .arg(image);
    s += QStringLiteral("exit $__ty_status\n");
    return s;
}

Result<JobOutcome> SlurmExecutor::run(const JobExecution &e, const ExecutionCallbacks &cb,
                                      const std::atomic_bool &cancel)
{
    if (!e.services.empty())
        return tl::unexpected(Error::error(
            QStringLiteral("services are not run on the Slurm engine yet: run this job with --engine docker"), {},
            e.job));
    if (cancel.load()) { // nothing written yet
        JobOutcome outcome;
        outcome.cancelled = true;
        return outcome;
    }
    // Queued ahead of jobs it needs: behind them on the cluster (afterok), and held there until
    // the run has their results too (their artifacts collected), so that it never sits on an
    // allocation waiting. Those that have ended already (a retry of it; one that ended while it
    // was being prepared) are not waited for.
    QStringList after = e.after;
    if (!after.isEmpty() && e.needsVerdict) {
        QString failed;
        const NeedsVerdict verdict = e.needsVerdict(&failed);
        if (verdict == NeedsVerdict::Failed)
            return skippedFor(failed, cb);
        if (verdict == NeedsVerdict::Passed)
            after.clear();
    } else {
        after.clear();
    }
    // Where the node finds the job: its workspace in the project, or a copy in the work folder.
    QString workDir = e.workspaceDir;
    // Its data inputs' copies, in a folder no job's name makes (safeName never starts with '.').
    const QString dataDir =
        m_settings.workDir.isEmpty()
            ? QString()
            : QDir(m_settings.workDir).filePath(e.runId + QStringLiteral("/.data/") + safeName(e.job));
    const QString sideDir =
        (m_settings.workDir.isEmpty() ? e.workspaceDir
                                      : QDir(m_settings.workDir).filePath(e.runId + u'/' + safeName(e.job))) +
        QStringLiteral(".slurm");
    // Whatever happens, the raw output, the variables and the work folder's copy do not stay.
    const auto cleanUp = qScopeGuard([&] {
        QDir(sideDir).removeRecursively();
        if (workDir != e.workspaceDir) {
            QDir(workDir).removeRecursively();
            if (!dataDir.isEmpty()) {
                QDir(dataDir).removeRecursively();
                QDir().rmdir(QFileInfo(dataDir).path());
            }
            QDir().rmdir(QFileInfo(workDir).path()); // the run's folder, once its last job is back
        }
    });
    if (!m_settings.workDir.isEmpty()) {
        workDir = QDir(m_settings.workDir).filePath(e.runId + u'/' + safeName(e.job));
        if (auto copied = copyTree(e.workspaceDir, workDir, &cancel); !copied)
            return tl::unexpected(Error::error(copied.error().message, {}, e.job));
    }
    // The data inputs too: the nodes may not see where they are on this machine. What the node is
    // told (mounts, TRAINYARD_DATA_<NAME> on the node's shell) names the copies.
    JobExecution placed = e;
    if (workDir != e.workspaceDir) {
        for (size_t i = 0; i < placed.dataMounts.size(); ++i) {
            Mount &m = placed.dataMounts[i];
            // A folder's contents go to DIR/i, a file to DIR/i/NAME (its name and extension kept).
            const QString into = dataDir + u'/' + QString::number(i);
            const bool folder = QFileInfo(m.source).isDir();
            const QString copy = folder ? into : into + u'/' + QFileInfo(m.source).fileName();
            if (auto copied = copyTree(m.source, into, &cancel); !copied)
                return tl::unexpected(Error::error(copied.error().message, {}, e.job));
            for (QString &kv : placed.env) {
                const qsizetype eq = kv.indexOf(u'=');
                const QString value = kv.mid(eq + 1);
                if (eq > 0 && (value == m.source || (folder && value.startsWith(m.source + u'/'))))
                    kv = kv.left(eq + 1) + copy + value.mid(m.source.size());
            }
            m.source = copy;
        }
        if (!placed.dataMounts.empty())
            say(cb, QStringLiteral("%1 data input(s) copied to the work folder for the node")
                        .arg(placed.dataMounts.size()));
    }
    // The job's scripts are read in its container, perhaps by another user (the folder can be
    // passed, not listed, once it is ready); its variables and raw output only by its own user.
    QDir(sideDir).removeRecursively();
    if (!QDir().mkpath(sideDir) ||
        !QFile::setPermissions(sideDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
        return tl::unexpected(Error::error(QStringLiteral("cannot create %1").arg(sideDir), {}, e.job));
    // The variables: for the job's shell (runtime none; values over several lines under a
    // runtime) and for the container's env file. A job in the work folder's copy is there.
    QString env;
    QString containerEnv;
    for (const QString &kv : placed.env) {
        const qsizetype eq = kv.indexOf(u'=');
        if (eq <= 0)
            continue;
        const QString name = kv.left(eq);
        QString value = kv.mid(eq + 1);
        if (workDir != e.workspaceDir && runsOnHost() &&
            (value == e.workspaceDir || value.startsWith(e.workspaceDir + u'/')))
            value = workDir + value.mid(e.workspaceDir.size());
        const bool shellName = isShellName(name) && !name.startsWith(QLatin1String("__ty_"));
        const bool oneLine = !value.contains(u'\n');
        if (runsOnHost() || !oneLine) {
            if (shellName)
                env += QStringLiteral("export %1=%2\n").arg(name, quote(value));
            else
                say(cb, (name.startsWith(QLatin1String("__ty_"))
                             ? QStringLiteral("variable '%1' is named as the Slurm engine's own (__ty_*): the job does "
                                              "not get it on Slurm")
                             : QStringLiteral("variable '%1' is not a shell variable's name: the job does not get it "
                                              "on Slurm"))
                            .arg(name));
        }
        if (!runsOnHost() && oneLine && !name.contains(u'\n'))
            containerEnv += name + u'=' + value + u'\n';
    }
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    const auto readable = ownerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    const QString outputFile = sideDir + QStringLiteral("/output.log");
    for (const auto &[name, text, permissions] :
         {std::tuple{QStringLiteral("env"), env, ownerOnly},
          std::tuple{QStringLiteral("container.env"), containerEnv, ownerOnly},
          std::tuple{QStringLiteral("output.log"), QString(), ownerOnly}, // Slurm keeps its mode
          std::tuple{QStringLiteral("script.sh"), e.script, readable},
          std::tuple{QStringLiteral("after.sh"), e.afterScript, readable}}) {
        if (name == QLatin1String("after.sh") && text.isEmpty())
            continue;
        if (auto written = writeFile(sideDir + u'/' + name, text, permissions); !written)
            return tl::unexpected(Error::error(written.error().message, {}, e.job));
    }
    QFile::setPermissions(sideDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                       QFileDevice::ExeGroup | QFileDevice::ExeOther);

    SlurmJobRequest request;
    request.name = jobName(e.runId, e.job);
    request.script = batchScript(placed, sideDir, workDir);
    request.workDir = workDir;
    request.outputFile = outputFile;
    request.partition = m_settings.partition;
    request.account = m_settings.account;
    request.qos = m_settings.qos;
    request.gpus = e.gpuCount;
    request.cpus = e.cpus > 0 ? int(std::ceil(e.cpus)) : 0;
    if (const qint64 bytes = e.memory.isEmpty() ? -1 : parseByteSize(e.memory); bytes > 0)
        request.memoryMiB = std::max<qint64>(1, bytes / (1024 * 1024));
    // GitLab's timeout, in Slurm's minutes.
    request.timeLimitMin = (e.timeoutSeconds + 59) / 60;
    request.afterOk = after;
    request.hold = !after.isEmpty();

    SlurmClient client(SlurmClient::fromEnvironment(m_settings.url));
    auto id = client.submit(request);
    if (!id && request.hold) {
        // Slurm may have forgotten a job it needs (ended a while ago): submitted once they have
        // ended, as without queueing ahead.
        say(cb, QStringLiteral("Slurm did not queue it behind job(s) %1 (%2): it is submitted once they have ended")
                    .arg(after.join(u','), id.error().message));
        QString failed;
        const NeedsVerdict verdict = awaitNeeds(e, cancel, &failed);
        if (verdict == NeedsVerdict::Failed)
            return skippedFor(failed, cb);
        if (verdict == NeedsVerdict::Waiting) { // cancelled
            JobOutcome outcome;
            outcome.cancelled = true;
            return outcome;
        }
        after.clear();
        request.afterOk.clear();
        request.hold = false;
        id = client.submit(request);
    }
    if (!id)
        return tl::unexpected(Error::error(id.error().message, {}, e.job));
    say(cb,
        QStringLiteral("Submitted as Slurm job %1%2%3")
            .arg(*id, e.gpuCount > 0 ? QStringLiteral(" (%1 GPU(s))").arg(e.gpuCount) : QString(),
                 after.isEmpty() ? QString()
                                 : QStringLiteral(", queued behind job(s) %1 (afterok) and held until the run has them")
                                       .arg(after.join(u','))));
    {
        QMutexLocker lock(&m_submittedMutex);
        m_submitted.insert(e.runId + u'/' + e.job, *id);
    }
    bool held = request.hold; // until released, when the run has what it needs
    QString withdrawn;        // why it never runs: cancelled until Slurm takes it
    bool releaseFailureSaid = false;

    OutputTail tail(outputFile);
    SlurmJobState state;
    QString lastSaid;
    bool cancelSent = false;
    bool cancelAsked = false;
    bool cancelFailureSaid = false;
    QString allocated;
    QElapsedTimer unreachable;
    while (true) {
        if (cancel.load() && !cancelSent) {
            if (!cancelAsked) {
                cancelAsked = true;
                say(cb, QStringLiteral("Cancelling Slurm job %1").arg(*id));
            }
            // Asked again at every look until Slurm takes it (a daemon away for a moment).
            if (auto cancelled = client.cancel(*id); cancelled)
                cancelSent = true;
            else if (!cancelFailureSaid && (cancelFailureSaid = true))
                say(cb, QStringLiteral("scancel %1: %2; asking again").arg(*id, cancelled.error().message));
        }
        if (held && !cancelAsked && withdrawn.isEmpty()) {
            QString failed;
            const NeedsVerdict verdict = e.needsVerdict(&failed);
            if (verdict == NeedsVerdict::Failed) {
                withdrawn = failed;
            } else if (verdict == NeedsVerdict::Passed) {
                if (auto released = client.release(*id); released) {
                    held = false;
                    say(cb, QStringLiteral("Slurm job %1 released: the jobs it needs have ended").arg(*id));
                } else if (!releaseFailureSaid && (releaseFailureSaid = true)) {
                    say(cb, QStringLiteral("scontrol release %1: %2; asking again").arg(*id, released.error().message));
                }
            }
        }
        // GitLab skips it: it never runs, and Slurm is not left holding it (asked again at
        // every look until it takes the cancel).
        if (!withdrawn.isEmpty() && !cancelAsked && client.cancel(*id)) {
            tail.finish(cb.log);
            say(cb, QStringLiteral("Slurm job %1 withdrawn").arg(*id));
            return skippedFor(withdrawn, cb);
        }
        tail.read(cb.log);
        const auto now = client.job(*id);
        if (!now) {
            if (!unreachable.isValid()) {
                unreachable.start();
                say(cb, QStringLiteral("Slurm does not answer (%1); asking again").arg(now.error().message));
            } else if (unreachable.elapsed() > kUnreachableLimitMs) {
                return tl::unexpected(Error::error(
                    QStringLiteral("Slurm job %1: the cluster has not answered for 5 minutes (%2); the job may still "
                                   "run there (scancel %1)")
                        .arg(*id, now.error().message),
                    {}, e.job));
            }
        } else {
            unreachable.invalidate();
            state = *now;
            if (!state.gpus.isEmpty())
                allocated = state.gpus; // Slurm forgets them once the job ends
            const QString what = state.isPending() ? state.waitingWhy()
                                 : state.isRunning()
                                     ? QStringLiteral("running on %1%2")
                                           .arg(state.nodes, state.gpus.isEmpty() ? QString() : u' ' + state.gpus)
                                     : state.state;
            if (what != lastSaid) {
                lastSaid = what;
                say(cb, QStringLiteral("Slurm job %1: %2").arg(*id, what));
                if (cb.progress && !state.isFinished())
                    cb.progress(QStringLiteral("Slurm: ") + what, 0, 0);
            }
            if (state.restarts > 0) {
                // Requeued by the cluster (its node failed, or it was preempted; slurmrestd of
                // 22.05 ignores `requeue: false`): it would start again without its variables.
                // It ends here as a system failure, which `retry` counts: a new attempt is a new job.
                tail.finish(cb.log);
                (void)client.cancel(*id);
                JobOutcome outcome;
                outcome.exitCode = -1;
                outcome.systemFailure =
                    QStringLiteral("Slurm requeued job %1 (its node failed, or it was preempted): it ends here, and "
                                   "counts as an attempt")
                        .arg(*id);
                say(cb, outcome.systemFailure);
                return outcome;
            }
            if (state.isFinished())
                break;
        }
        QThread::msleep(kPollMs);
    }
    if (held && !cancelAsked) {
        // Ended by the cluster while held (a dependency it says can never be met, an
        // administrator's scancel): skipped if a job it needs failed, as the run sees it.
        QString failed;
        if (awaitNeeds(e, cancel, &failed) == NeedsVerdict::Failed) {
            tail.finish(cb.log);
            return skippedFor(failed, cb);
        }
    }
    // The node may write its last lines a moment after the state changes (a shared file system).
    for (qint64 size = -1, waited = 0; waited < 3000 && tail.size() != size; waited += 300) {
        size = tail.size();
        QThread::msleep(300);
    }
    tail.finish(cb.log);
    JobOutcome outcome;
    const QString cluster = state.cluster.isEmpty() ? m_clusterName : state.cluster;
    const QString where = QStringLiteral("Slurm cluster %1, job %2 on node %3")
                              .arg(cluster.isEmpty() ? QStringLiteral("(unnamed)") : cluster, *id,
                                   state.nodes.isEmpty() ? QStringLiteral("(none)") : state.nodes);
    outcome.isolation = m_settings.runtime == QLatin1String("none")
                            ? QStringLiteral("none (host shell of the node; %1)").arg(where)
                            : QStringLiteral("%1 container (%2)").arg(m_settings.runtime, where);
    if (allocated.isEmpty()) // never seen running: the numbers its script was given
        allocated = gresOfJobGpus(readSmallFile(sideDir + QStringLiteral("/gpus")));
    outcome.gpus = splitGres(allocated);
    const QString pulledAs = pullReference(e.image);
    QFile image(sideDir + QStringLiteral("/image"));
    if (image.open(QIODevice::ReadOnly)) {
        const QStringList words = QString::fromUtf8(image.readAll()).split(u' ', Qt::SkipEmptyParts);
        if (!words.isEmpty()) {
            // Podman writes the bare hex of the ID (the record keeps Docker's form), and
            // digests of its own for images no registry gave it (`localhost/…`, or `docker.io/…`
            // for one loaded from an archive): of podman's, only the digest the node pulled counts.
            outcome.imageId = words.first().trimmed();
            if (!outcome.imageId.contains(u':') && outcome.imageId.size() == 64)
                outcome.imageId.prepend(QLatin1String("sha256:"));
            const bool podman = m_settings.runtime == QLatin1String("podman");
            for (qsizetype i = 1; i < words.size(); ++i) {
                const QString digest = words[i].trimmed();
                if (!podman || digest == pulledAs)
                    outcome.repoDigests << digest;
            }
        }
        image.close();
    }
    // The job's log is in the project now, masked (its raw output goes with cleanUp). A work
    // folder's copy comes back to the project.
    if (workDir != e.workspaceDir) {
        if (auto back = copyTree(workDir, e.workspaceDir); !back)
            return tl::unexpected(Error::error(back.error().message, {}, e.job));
    }
    outcome.exitCode = state.exitCode;
    outcome.cancelled = cancelAsked || state.state == QLatin1String("CANCELLED");
    outcome.timedOut = state.state == QLatin1String("TIMEOUT");
    QFile oom(sideDir + QStringLiteral("/oom")); // the container's own word, under a runtime
    outcome.oomKilled = state.state == QLatin1String("OUT_OF_MEMORY") ||
                        (oom.open(QIODevice::ReadOnly) && oom.readAll().trimmed() == "true");
    oom.close();
    if (outcome.cancelled || outcome.timedOut || outcome.oomKilled) {
        if (outcome.exitCode == 0)
            outcome.exitCode = outcome.oomKilled ? 137 : 143;
        say(cb, QStringLiteral("Slurm job %1: %2").arg(*id, state.failure()));
        return outcome;
    }
    const QString failure = state.failure();
    if (state.state == QLatin1String("COMPLETED") || state.state == QLatin1String("FAILED")) {
        if (!failure.isEmpty())
            say(cb, QStringLiteral("Slurm job %1: %2").arg(*id, failure));
        if (state.state == QLatin1String("FAILED") && outcome.exitCode == 0)
            outcome.exitCode = 1;
        return outcome;
    }
    // The cluster ended it, not its script: a node failure, preemption, a boot failure. Slurm is
    // asked never to requeue a job (it would run again without its variables): Trainyard's own
    // retry (`retry: when: runner_system_failure`) submits it again instead.
    outcome.exitCode = -1;
    outcome.systemFailure = QStringLiteral("Slurm job %1 on %2: %3").arg(*id, where, failure);
    say(cb, outcome.systemFailure);
    return outcome;
}

} // namespace trainyard::core
