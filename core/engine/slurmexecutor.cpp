#include "slurmexecutor.h"

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
#include <QThread>

#include <cmath>

namespace trainyard::core {

namespace {

constexpr int kPollMs = 500;
/// How long a cluster that stops answering is waited for in the middle of a job.
constexpr int kUnreachableLimitMs = 5 * 60 * 1000;

QString quote(const QString &text)
{
    return JobScript::shellQuote(text);
}

Result<void> writeFile(const QString &path, const QString &text, QFileDevice::Permissions permissions)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(path, file.errorString())));
    file.write(text.toUtf8());
    if (!file.commit())
        return tl::unexpected(Error::error(QStringLiteral("cannot write %1: %2").arg(path, file.errorString())));
    QFile::setPermissions(path, permissions);
    return {};
}

/// `cp -a` of a folder's contents (its files, links and modes), for a work folder the nodes see.
Result<void> copyTree(const QString &from, const QString &to)
{
    if (!QDir().mkpath(to))
        return tl::unexpected(Error::error(QStringLiteral("cannot create %1").arg(to)));
    QProcess cp;
    cp.start(QStringLiteral("cp"), {QStringLiteral("-a"), from + QStringLiteral("/."), to});
    if (!cp.waitForFinished(600000) || cp.exitCode() != 0)
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

} // namespace

SlurmExecutor::SlurmExecutor(SlurmSettings settings, std::unique_ptr<JobExecutor> docker, QStringList builds)
    : m_settings(std::move(settings))
    , m_docker(std::move(docker))
    , m_builds(std::move(builds))
{}

Result<void> SlurmExecutor::prepareImage(const QString &image, const ExecutionCallbacks &callbacks,
                                         const std::atomic_bool &cancel)
{
    if (!m_docker || m_settings.runtime == QLatin1String("none") || !m_builds.contains(image))
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

QString SlurmExecutor::batchScript(const JobExecution &e, const QString &sideDir, const QString &workDir) const
{
    QString s = QStringLiteral("#!/bin/bash\n# Trainyard: job %1 of run %2\n").arg(e.job, e.runId);
    s += QStringLiteral("side=%1\n").arg(quote(sideDir));
    // The variables (secrets among them) are read, then their file goes.
    s += QStringLiteral(". \"$side/env\"; rm -f \"$side/env\"\n");
    s += QStringLiteral("cd %1 || { echo \"Trainyard: this node (${SLURMD_NODENAME:-?}) does not see the workspace "
                        "%2\" >&2; exit 1; }\n")
             .arg(quote(workDir), workDir);
    const bool after = !e.afterScript.isEmpty();
    if (m_settings.runtime == QLatin1String("none")) {
        s += QStringLiteral("bash \"$side/script.sh\"\nstatus=$?\n");
        if (after)
            s += QStringLiteral("echo 'Running after_script'\ntimeout 300 bash \"$side/after.sh\"\n");
        s += QStringLiteral("exit $status\n");
        return s;
    }
    const QString rt = m_settings.runtime;
    QString pulled;
    {
        QMutexLocker lock(&m_pullMutex);
        pulled = m_pullAs.value(e.image, e.image); // by digest, once published
    }
    const QString image = quote(pulled);
    s += QStringLiteral("rt=%1\nname=trainyard-slurm-${SLURM_JOB_ID:-$$}\n").arg(rt);
    // scancel signals this script, not the container the runtime's daemon runs: stop it too.
    s += QStringLiteral(
        "trap '$rt kill \"$name\" >/dev/null 2>&1; $rt kill \"$name-after\" >/dev/null 2>&1' TERM INT\n");
    s += QStringLiteral("args=(run --rm --name \"$name\" -v %1:%2 -v \"$side\":/.trainyard-slurm:ro -w %2)\n")
             .arg(quote(workDir), quote(e.projectDirInJob));
    QStringList names;
    for (const QString &kv : e.env)
        names << kv.section(u'=', 0, 0);
    s += QStringLiteral("for v in %1; do args+=(-e \"$v\"); done\n").arg(names.join(u' '));
    for (const Mount &m : e.dataMounts)
        s += QStringLiteral("args+=(-v %1)\n").arg(quote(m.source + u':' + m.target + QStringLiteral(":ro")));
    if (!e.shmSize.isEmpty())
        s += QStringLiteral("args+=(--shm-size %1)\n").arg(quote(e.shmSize));
    // The GPUs Slurm gave the job become the container's: through the NVIDIA runtime where the
    // node has it, else as their device nodes (numbered as on the node, so CUDA_VISIBLE_DEVICES holds).
    s += QStringLiteral(
        "if [ -n \"${CUDA_VISIBLE_DEVICES:-}\" ]; then\n"
        "  if $rt info 2>/dev/null | grep -qi nvidia; then args+=(--gpus \"\\\"device=$CUDA_VISIBLE_DEVICES\\\"\")\n"
        "  else\n"
        "    for i in ${CUDA_VISIBLE_DEVICES//,/ }; do [ -e /dev/nvidia$i ] && args+=(--device /dev/nvidia$i); done\n"
        "    for d in /dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools; do [ -e $d ] && args+=(--device $d); done\n"
        "    args+=(-e CUDA_VISIBLE_DEVICES)\n"
        "  fi\n"
        "fi\n");
    s += QStringLiteral("$rt image inspect %1 >/dev/null 2>&1 || $rt pull %1 || exit 1\n").arg(image);
    s += QStringLiteral(
             "$rt image inspect -f '{{.Id}}{{range .RepoDigests}} {{.}}{{end}}' %1 >\"$side/image\" 2>/dev/null\n")
             .arg(image);
    s += QStringLiteral("$rt \"${args[@]}\" %1 sh /.trainyard-slurm/script.sh &\nwait $!\nstatus=$?\n").arg(image);
    if (after)
        s += QStringLiteral("echo 'Running after_script'\nargs[3]=\"$name-after\"\n"
                            "timeout 300 $rt \"${args[@]}\" %1 sh /.trainyard-slurm/after.sh &\nwait $!\n")
                 .arg(image);
    s += QStringLiteral("exit $status\n");
    return s;
}

Result<JobOutcome> SlurmExecutor::run(const JobExecution &e, const ExecutionCallbacks &cb,
                                      const std::atomic_bool &cancel)
{
    if (!e.services.empty())
        return tl::unexpected(Error::error(
            QStringLiteral("services are not run on the Slurm engine yet: run this job with --engine docker"), {},
            e.job));
    // Where the node finds the job: its workspace in the project, or a copy in the work folder.
    QString workDir = e.workspaceDir;
    if (!m_settings.workDir.isEmpty()) {
        workDir = QDir(m_settings.workDir).filePath(e.runId + u'/' + safeName(e.job));
        if (auto copied = copyTree(e.workspaceDir, workDir); !copied)
            return tl::unexpected(Error::error(copied.error().message, {}, e.job));
    }
    const QString sideDir = workDir + QStringLiteral(".slurm");
    if (!QDir().mkpath(sideDir))
        return tl::unexpected(Error::error(QStringLiteral("cannot create %1").arg(sideDir), {}, e.job));
    // The job's scripts are read in its container, perhaps by another user (the folder can be
    // passed, not listed); its variables and its raw output (unmasked) only by its own user.
    QFile::setPermissions(sideDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                       QFileDevice::ExeOther | QFileDevice::ExeGroup);
    QString env;
    for (const QString &kv : e.env) {
        const qsizetype eq = kv.indexOf(u'=');
        if (eq > 0)
            env += QStringLiteral("export %1=%2\n").arg(kv.left(eq), quote(kv.mid(eq + 1)));
    }
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    const QString outputFile = sideDir + QStringLiteral("/output.log");
    QFile::remove(outputFile);
    if (auto made = writeFile(outputFile, QString(), QFileDevice::ReadOwner | QFileDevice::WriteOwner); !made)
        return tl::unexpected(Error::error(made.error().message, {}, e.job)); // Slurm keeps its mode
    for (const auto &[name, text] :
         {std::pair{QStringLiteral("env"), env}, std::pair{QStringLiteral("script.sh"), e.script},
          std::pair{QStringLiteral("after.sh"), e.afterScript}}) {
        if (name == QLatin1String("after.sh") && text.isEmpty())
            continue;
        if (auto written =
                writeFile(sideDir + u'/' + name, text, ownerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther);
            !written)
            return tl::unexpected(Error::error(written.error().message, {}, e.job));
    }
    QFile::setPermissions(sideDir + QStringLiteral("/env"), ownerOnly);

    SlurmJobRequest request;
    request.name = QStringLiteral("trainyard-") + safeName(e.job);
    request.script = batchScript(e, sideDir, workDir);
    request.workDir = workDir;
    request.outputFile = outputFile;
    request.partition = m_settings.partition;
    request.account = m_settings.account;
    request.qos = m_settings.qos;
    request.gpus = e.gpuCount;
    request.cpus = e.cpus > 0 ? int(std::ceil(e.cpus)) : 0;
    if (!e.memory.isEmpty())
        request.memoryMiB = std::max<qint64>(1, parseByteSize(e.memory) / (1024 * 1024));
    // GitLab's timeout, in Slurm's minutes; an after_script gets its own 5 minutes.
    request.timeLimitMin = (e.timeoutSeconds + 59) / 60 + (e.afterScript.isEmpty() ? 0 : 5);

    SlurmClient client(SlurmClient::fromEnvironment(m_settings.url));
    if (cancel.load()) {
        JobOutcome outcome;
        outcome.cancelled = true;
        return outcome;
    }
    const auto id = client.submit(request);
    if (!id) {
        QFile::remove(sideDir + QStringLiteral("/env"));
        return tl::unexpected(Error::error(id.error().message, {}, e.job));
    }
    say(cb, QStringLiteral("Submitted as Slurm job %1%2")
                .arg(*id, e.gpuCount > 0 ? QStringLiteral(" (%1 GPU(s))").arg(e.gpuCount) : QString()));

    OutputTail tail(outputFile);
    SlurmJobState state;
    QString lastSaid;
    bool cancelSent = false;
    int restarts = 0;
    QString allocated;
    QElapsedTimer unreachable;
    while (true) {
        if (cancel.load() && !cancelSent) {
            cancelSent = true;
            say(cb, QStringLiteral("Cancelling Slurm job %1").arg(*id));
            if (auto cancelled = client.cancel(*id); !cancelled)
                say(cb, QStringLiteral("scancel %1: %2").arg(*id, cancelled.error().message));
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
            if (state.restarts > restarts) {
                restarts = state.restarts;
                say(cb, QStringLiteral("Slurm requeued job %1 (restart %2): it runs again from the start")
                            .arg(*id)
                            .arg(restarts));
            }
            if (state.isFinished())
                break;
        }
        QThread::msleep(kPollMs);
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
    if (!allocated.isEmpty())
        outcome.gpus = allocated.split(u',');
    QFile image(sideDir + QStringLiteral("/image"));
    if (image.open(QIODevice::ReadOnly)) {
        const QStringList words = QString::fromUtf8(image.readAll()).split(u' ', Qt::SkipEmptyParts);
        if (!words.isEmpty()) {
            outcome.imageId = words.first().trimmed();
            for (qsizetype i = 1; i < words.size(); ++i)
                outcome.repoDigests << words[i].trimmed();
        }
        image.close();
    }
    // The job's log is in the project now, masked: its raw output (and the variables' file of a
    // job that never started) go. A work folder's copy comes back to the project, then goes.
    QDir(sideDir).removeRecursively();
    if (!m_settings.workDir.isEmpty()) {
        if (auto back = copyTree(workDir, e.workspaceDir); !back)
            return tl::unexpected(Error::error(back.error().message, {}, e.job));
        QDir(workDir).removeRecursively();
        QDir().rmdir(QFileInfo(workDir).path()); // the run's folder, once its last job is back
    }
    outcome.exitCode = state.exitCode;
    outcome.cancelled = cancelSent || state.state == QLatin1String("CANCELLED");
    outcome.timedOut = state.state == QLatin1String("TIMEOUT");
    outcome.oomKilled = state.state == QLatin1String("OUT_OF_MEMORY");
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
    // The cluster ended it, not its script: a node failure, preemption, a boot failure.
    return tl::unexpected(Error::error(QStringLiteral("Slurm job %1 on %2: %3").arg(*id, where, failure), {}, e.job));
}

} // namespace trainyard::core
