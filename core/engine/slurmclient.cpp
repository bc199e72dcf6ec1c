#include "slurmclient.h"

#include "common/username.h"
#include "curlglobal.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>

#include <algorithm>

namespace trainyard::core {

namespace {

constexpr int kConnectTimeoutMs = 3000;
const QString kPath = QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

size_t onWrite(char *data, size_t size, size_t count, void *userdata)
{
    static_cast<QByteArray *>(userdata)->append(data, qsizetype(size * count));
    return size * count;
}

/// "gpu:2", "gpu:tesla:2(S:0-1)", "gpu:1(IDX:0),mps:100", "gres/gpu:1": the number of GPUs named.
int gpuCount(const QString &gres)
{
    int total = 0;
    for (QString entry : gres.split(u',', Qt::SkipEmptyParts)) {
        entry = entry.section(u'(', 0, 0).trimmed();
        if (entry.startsWith(QLatin1String("gres/")) || entry.startsWith(QLatin1String("gres:")))
            entry = entry.mid(5);
        if (entry != QLatin1String("gpu") && !entry.startsWith(QLatin1String("gpu:")))
            continue;
        bool numeric = false;
        const int count = entry.section(u':', -1).toInt(&numeric);
        total += numeric ? count : 1;
    }
    return total;
}

/// `scontrol show … -o` words: Key=Value, values without spaces (as Slurm prints them).
QMap<QString, QString> keyValues(const QString &line)
{
    QMap<QString, QString> map;
    for (const QString &word : line.split(u' ', Qt::SkipEmptyParts)) {
        const qsizetype eq = word.indexOf(u'=');
        if (eq > 0)
            map.insert(word.left(eq), word.mid(eq + 1));
    }
    return map;
}

QString nullToEmpty(const QString &value)
{
    return value == QLatin1String("(null)") ? QString() : value;
}

/// The errors a slurmrestd reply lists, in one sentence; empty when none.
QString restErrors(const QJsonObject &reply)
{
    QStringList messages;
    for (const QJsonValue &e : reply.value(QLatin1String("errors")).toArray()) {
        const QJsonObject o = e.toObject();
        // ESLURM_JOB_HELD: a job submitted held says so, "pending scheduler release"; not an error.
        if (o.value(QLatin1String("error_code")).toInt() == 2042)
            continue;
        QString text = o.value(QLatin1String("error")).toString();
        if (text.isEmpty())
            text = o.value(QLatin1String("description")).toString();
        if (!text.isEmpty() && !messages.contains(text))
            messages << text;
    }
    return messages.join(QStringLiteral("; "));
}

SlurmJobState jobFromRest(const QJsonObject &j)
{
    SlurmJobState s;
    s.id = QString::number(j.value(QLatin1String("job_id")).toInteger());
    s.name = j.value(QLatin1String("name")).toString();
    s.state = j.value(QLatin1String("job_state")).toString();
    s.reason = j.value(QLatin1String("state_reason")).toString();
    s.nodes = j.value(QLatin1String("nodes")).toString();
    QStringList gres;
    for (const QJsonValue &g : j.value(QLatin1String("gres_detail")).toArray())
        gres << g.toString();
    s.gpus = gres.join(u',');
    s.gpusAsked = gpuCount(j.value(QLatin1String("tres_per_node")).toString());
    s.cluster = j.value(QLatin1String("cluster")).toString();
    s.partition = j.value(QLatin1String("partition")).toString();
    // 22.05 reports the wait status's exit code; a signal shows in the state (CANCELLED, …).
    const qint64 exit = j.value(QLatin1String("exit_code")).toInteger();
    s.exitCode = int(exit > 255 ? exit >> 8 : exit);
    s.restarts = int(j.value(QLatin1String("restart_cnt")).toInteger());
    return s;
}

SlurmNode nodeFromRest(const QJsonObject &n)
{
    SlurmNode node;
    node.name = n.value(QLatin1String("name")).toString();
    node.state = n.value(QLatin1String("state")).toString().toLower();
    for (const QJsonValue &flag : n.value(QLatin1String("state_flags")).toArray())
        node.state += u'+' + flag.toString().toLower();
    node.reason = n.value(QLatin1String("reason")).toString();
    node.cpus = n.value(QLatin1String("cpus")).toInt();
    node.cpusAllocated = n.value(QLatin1String("alloc_cpus")).toInt();
    node.memoryMiB = n.value(QLatin1String("real_memory")).toInteger();
    node.memoryAllocatedMiB = n.value(QLatin1String("alloc_memory")).toInteger();
    node.gpus = gpuCount(n.value(QLatin1String("gres")).toString());
    node.gpusUsed = gpuCount(n.value(QLatin1String("gres_used")).toString());
    for (const QJsonValue &p : n.value(QLatin1String("partitions")).toArray())
        node.partitions << p.toString();
    return node;
}

} // namespace

// --- SlurmJobState ---

bool SlurmJobState::isPending() const
{
    return state == QLatin1String("PENDING") || state == QLatin1String("REQUEUED") ||
           state == QLatin1String("REQUEUE_HOLD") || state == QLatin1String("REQUEUE_FED");
}

bool SlurmJobState::isRunning() const
{
    return state == QLatin1String("RUNNING") || state == QLatin1String("CONFIGURING") ||
           state == QLatin1String("COMPLETING") || state == QLatin1String("SUSPENDED") ||
           state == QLatin1String("STOPPED") || state == QLatin1String("RESIZING") ||
           state == QLatin1String("SIGNALING") || state == QLatin1String("STAGE_OUT");
}

bool SlurmJobState::isFinished() const
{
    return !state.isEmpty() && !isPending() && !isRunning();
}

QString SlurmJobState::waitingWhy() const
{
    if (!isPending())
        return {};
    QString what;
    if (reason == QLatin1String("Resources"))
        what = gpusAsked > 0 ? QStringLiteral("waiting for GPUs") : QStringLiteral("waiting for resources");
    else if (reason == QLatin1String("Priority"))
        what = QStringLiteral("waiting for its turn");
    else if (reason == QLatin1String("Dependency"))
        what = QStringLiteral("waiting for its needs");
    else if (reason == QLatin1String("JobHeldUser"))
        what = QStringLiteral("held until its needs have ended");
    else if (reason == QLatin1String("DependencyNeverSatisfied"))
        what = QStringLiteral("a job it needs did not succeed");
    else if (reason.startsWith(QLatin1String("QOS")) || reason.startsWith(QLatin1String("AssocGrp")) ||
             reason.startsWith(QLatin1String("AssocMax")))
        what = QStringLiteral("waiting for the account's or QoS's limits");
    else if (reason.contains(QLatin1String("Down")) || reason.contains(QLatin1String("Drain")) ||
             reason == QLatin1String("ReqNodeNotAvail"))
        what = QStringLiteral("waiting for nodes to come back");
    else if (reason.isEmpty() || reason == QLatin1String("None"))
        what = QStringLiteral("queued");
    else
        what = QStringLiteral("waiting");
    return reason.isEmpty() || reason == QLatin1String("None") ? what : QStringLiteral("%1 (%2)").arg(what, reason);
}

QString SlurmJobState::failure() const
{
    if (state == QLatin1String("COMPLETED"))
        return exitCode == 0 ? QString() : QStringLiteral("exit code %1").arg(exitCode);
    const QString why =
        reason.isEmpty() || reason == QLatin1String("None") ? QString() : QStringLiteral(" (%1)").arg(reason);
    if (state == QLatin1String("NODE_FAIL"))
        return QStringLiteral("the node %1 failed").arg(nodes) + why;
    if (state == QLatin1String("TIMEOUT"))
        return QStringLiteral("the time limit was reached") + why;
    if (state == QLatin1String("OUT_OF_MEMORY"))
        return QStringLiteral("it ran out of memory") + why;
    if (state == QLatin1String("PREEMPTED"))
        return QStringLiteral("it was preempted") + why;
    if (state == QLatin1String("BOOT_FAIL"))
        return QStringLiteral("the node failed to boot") + why;
    if (state == QLatin1String("DEADLINE"))
        return QStringLiteral("its deadline passed") + why;
    if (state == QLatin1String("CANCELLED"))
        return QStringLiteral("it was cancelled") + why;
    if (state == QLatin1String("FAILED"))
        return (exitCode != 0 ? QStringLiteral("exit code %1").arg(exitCode) : QStringLiteral("it failed")) + why;
    return QStringLiteral("it ended %1").arg(state) + why;
}

// --- SlurmClient ---

SlurmClient::Options SlurmClient::fromEnvironment(const QString &url)
{
    Options o;
    o.restUrl = url.isEmpty() ? qEnvironmentVariable("SLURMRESTD_URL") : url;
    while (o.restUrl.endsWith(u'/'))
        o.restUrl.chop(1);
    o.token = qEnvironmentVariable("SLURM_JWT");
    return o;
}

SlurmClient::SlurmClient(Options options)
    : m_options(std::move(options))
{
    if (m_options.userName.isEmpty())
        m_options.userName = currentUserName();
}

SlurmClient::~SlurmClient()
{
    if (m_curl)
        curl_easy_cleanup(static_cast<CURL *>(m_curl));
}

QStringList SlurmClient::supportedVersions()
{
    return {QStringLiteral("v0.0.38"), QStringLiteral("v0.0.37"), QStringLiteral("v0.0.36")};
}

QString SlurmClient::chooseVersion(const QByteArray &openApiJson)
{
    const QJsonObject paths = QJsonDocument::fromJson(openApiJson).object().value(QLatin1String("paths")).toObject();
    for (const QString &version : supportedVersions()) {
        if (paths.contains(QStringLiteral("/slurm/%1/job/submit").arg(version)))
            return version;
    }
    return {};
}

Result<QString> SlurmClient::command(const QString &program, const QStringList &args, const QByteArray &input)
{
    if (QStandardPaths::findExecutable(program).isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("%1 is not installed here (Debian package slurm-client), and no slurmrestd is set: set "
                           "SLURMRESTD_URL, or .trainyard: slurm: url:")
                .arg(program)));
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(m_options.timeoutMs))
        return tl::unexpected(Error::error(QStringLiteral("%1 did not start: %2").arg(program, p.errorString())));
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(m_options.timeoutMs)) {
        p.kill();
        p.waitForFinished(1000);
        return tl::unexpected(Error::error(QStringLiteral("%1 %2 did not answer within %3 s: is slurmctld running?")
                                               .arg(program, args.value(0))
                                               .arg(m_options.timeoutMs / 1000)));
    }
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        return tl::unexpected(Error::error(
            QStringLiteral("%1 %2: %3")
                .arg(program, args.value(0), err.isEmpty() ? QStringLiteral("exit %1").arg(p.exitCode()) : err)));
    }
    return out;
}

Result<QByteArray> SlurmClient::rest(const QByteArray &method, const QString &path, const QByteArray &body,
                                     bool retried)
{
    initCurlOnce();
    if (!m_curl)
        m_curl = curl_easy_init();
    auto *curl = static_cast<CURL *>(m_curl);
    if (!curl)
        return tl::unexpected(Error::error(QStringLiteral("libcurl could not be initialised")));
    curl_easy_reset(curl);
    const QByteArray url = (m_options.restUrl + path).toUtf8();
    QByteArray reply;
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, url.constData());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(std::min(kConnectTimeoutMs, m_options.timeoutMs)));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(m_options.timeoutMs));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "trainyard");
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onWrite);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.constData());
    if (!body.isEmpty() || method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.constData());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, long(body.size()));
    }
    curl_slist *headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, QByteArray("X-SLURM-USER-NAME: " + m_options.userName.toUtf8()).constData());
    headers = curl_slist_append(headers, QByteArray("X-SLURM-USER-TOKEN: " + m_options.token.toUtf8()).constData());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
    if (rc != CURLE_OK)
        return tl::unexpected(Error::error(
            QStringLiteral("slurmrestd at %1 does not answer: %2")
                .arg(m_options.restUrl, QString::fromUtf8(*errorBuffer ? errorBuffer : curl_easy_strerror(rc)))));
    if (status == 401 || status == 403)
        return tl::unexpected(Error::error(
            QStringLiteral("slurmrestd at %1 refused the token for %2 (HTTP %3): set SLURM_JWT to a fresh one "
                           "(`scontrol token`)")
                .arg(m_options.restUrl, m_options.userName)
                .arg(status)));
    const QJsonObject object = QJsonDocument::fromJson(reply).object();
    if (const QString errors = restErrors(object); !errors.isEmpty()) {
        // 22.05 says a token slurmctld refuses (expired, another cluster's) in these words.
        if (errors.contains(QLatin1String("Unspecified error")) && path != QLatin1String("/openapi")) {
            if (m_tokenFetched && !retried) { // ours, from `scontrol token`: a fresh one, once
                if (auto token = command(QStringLiteral("scontrol"), {QStringLiteral("token")}); token) {
                    m_options.token = token->trimmed().section(u'=', 1);
                    return rest(method, path, body, true);
                }
            }
            return tl::unexpected(Error::error(
                QStringLiteral("slurmrestd at %1: slurmctld refused the token for %2 (expired?): set SLURM_JWT to a "
                               "fresh one (`scontrol token` on a machine of the cluster)")
                    .arg(m_options.restUrl, m_options.userName)));
        }
        return tl::unexpected(Error::error(QStringLiteral("slurmrestd: %1").arg(errors)));
    }
    if (status >= 400)
        return tl::unexpected(Error::error(QStringLiteral("slurmrestd at %1: HTTP %2 for %3 %4")
                                               .arg(m_options.restUrl)
                                               .arg(status)
                                               .arg(QString::fromLatin1(method), path)));
    return reply;
}

Result<void> SlurmClient::connect()
{
    if (m_connected)
        return {};
    if (!usesRest()) {
        auto ping = command(QStringLiteral("scontrol"), {QStringLiteral("ping")});
        if (!ping)
            return tl::unexpected(ping.error());
        if (!ping->contains(QLatin1String("UP")))
            return tl::unexpected(Error::error(QStringLiteral("slurmctld does not answer: %1").arg(ping->trimmed())));
        m_connected = true;
        return {};
    }
    if (m_options.token.isEmpty()) {
        // As the Slurm commands would: a token of this user's, if this machine may ask for one.
        auto token = command(QStringLiteral("scontrol"), {QStringLiteral("token")});
        if (!token)
            return tl::unexpected(Error::error(
                QStringLiteral("no token for slurmrestd at %1: set SLURM_JWT (`scontrol token` on a machine of the "
                               "cluster) (%2)")
                    .arg(m_options.restUrl, token.error().message)));
        m_options.token = token->trimmed().section(u'=', 1);
        m_tokenFetched = true;
    }
    auto document = rest("GET", QStringLiteral("/openapi"));
    if (!document)
        return tl::unexpected(document.error());
    m_version = chooseVersion(*document);
    if (m_version.isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("slurmrestd at %1 offers none of the API versions Trainyard speaks (%2): start it with "
                           "-s openapi/v0.0.38, or use the Slurm commands (unset SLURMRESTD_URL)")
                .arg(m_options.restUrl, supportedVersions().join(QStringLiteral(", ")))));
    // The daemon passes any token on: slurmctld checks it, and a refusal reads "Unspecified
    // error" (22.05). A ping tells a bad token from a cluster that is down.
    if (auto ping = rest("GET", QStringLiteral("/slurm/%1/ping").arg(m_version)); !ping)
        return tl::unexpected(ping.error());
    m_connected = true;
    return {};
}

Result<QString> SlurmClient::submit(const SlurmJobRequest &request)
{
    if (auto ok = connect(); !ok)
        return tl::unexpected(ok.error());
    return usesRest() ? submitRest(request) : submitCommand(request);
}

Result<QString> SlurmClient::submitRest(const SlurmJobRequest &request)
{
    QJsonObject environment{{QStringLiteral("PATH"), kPath}};
    for (auto it = request.environment.cbegin(); it != request.environment.cend(); ++it)
        environment.insert(it.key(), it.value());
    QJsonObject job{{QStringLiteral("name"), request.name},
                    {QStringLiteral("current_working_directory"), request.workDir},
                    {QStringLiteral("environment"), environment},
                    {QStringLiteral("requeue"), request.requeue}};
    // v0.0.36 names the output files standard_out/standard_in; later versions standard_output.
    const QString output =
        m_version == QLatin1String("v0.0.36") ? QStringLiteral("standard_out") : QStringLiteral("standard_output");
    if (!request.outputFile.isEmpty()) {
        QString file = request.outputFile;
        file.replace(u'%', QStringLiteral("%%")); // Slurm expands %j, %u… in these names
        job.insert(output, file);
        job.insert(QStringLiteral("standard_error"), file);
    }
    if (!request.partition.isEmpty())
        job.insert(QStringLiteral("partition"), request.partition);
    if (!request.account.isEmpty())
        job.insert(QStringLiteral("account"), request.account);
    if (!request.qos.isEmpty())
        job.insert(QStringLiteral("qos"), request.qos);
    if (request.gpus > 0)
        job.insert(QStringLiteral("gres"), QStringLiteral("gpu:%1").arg(request.gpus));
    if (request.cpus > 0)
        job.insert(QStringLiteral("cpus_per_task"), request.cpus);
    if (request.memoryMiB > 0)
        job.insert(QStringLiteral("memory_per_node"), request.memoryMiB);
    if (request.timeLimitMin > 0)
        job.insert(QStringLiteral("time_limit"), request.timeLimitMin);
    if (!request.afterOk.isEmpty())
        job.insert(QStringLiteral("dependency"), QString(QStringLiteral("afterok:") + request.afterOk.join(u':')));
    if (request.hold)
        job.insert(QStringLiteral("hold"), true);
    const QJsonObject body{{QStringLiteral("script"), request.script}, {QStringLiteral("job"), job}};
    auto reply = rest("POST", QStringLiteral("/slurm/%1/job/submit").arg(m_version),
                      QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (!reply)
        return tl::unexpected(reply.error());
    const qint64 id = QJsonDocument::fromJson(*reply).object().value(QLatin1String("job_id")).toInteger();
    if (id <= 0)
        return tl::unexpected(
            Error::error(QStringLiteral("slurmrestd accepted %1 but named no job id").arg(request.name)));
    return QString::number(id);
}

Result<QString> SlurmClient::submitCommand(const SlurmJobRequest &request)
{
    QStringList args{QStringLiteral("--parsable"), QStringLiteral("--job-name=") + request.name,
                     QStringLiteral("--chdir=") + request.workDir,
                     request.requeue ? QStringLiteral("--requeue") : QStringLiteral("--no-requeue")};
    if (!request.outputFile.isEmpty()) {
        QString file = request.outputFile;
        file.replace(u'%', QStringLiteral("%%")); // sbatch expands %j, %u… in these names
        args << QStringLiteral("--output=") + file << QStringLiteral("--error=") + file;
    }
    if (!request.partition.isEmpty())
        args << QStringLiteral("--partition=") + request.partition;
    if (!request.account.isEmpty())
        args << QStringLiteral("--account=") + request.account;
    if (!request.qos.isEmpty())
        args << QStringLiteral("--qos=") + request.qos;
    if (request.gpus > 0)
        args << QStringLiteral("--gres=gpu:%1").arg(request.gpus);
    if (request.cpus > 0)
        args << QStringLiteral("--cpus-per-task=%1").arg(request.cpus);
    if (request.memoryMiB > 0)
        args << QStringLiteral("--mem=%1M").arg(request.memoryMiB);
    if (request.timeLimitMin > 0)
        args << QStringLiteral("--time=%1").arg(request.timeLimitMin);
    if (!request.afterOk.isEmpty())
        args << QStringLiteral("--dependency=afterok:") + request.afterOk.join(u':');
    if (request.hold)
        args << QStringLiteral("--hold");
    // The variables travel in the script (sbatch's --export cannot carry a comma); the job
    // starts with the node's PATH, as through slurmrestd.
    args << QStringLiteral("--export=NONE");
    QString script = request.script;
    QString exports = QStringLiteral("export PATH='%1'\n").arg(kPath);
    for (auto it = request.environment.cbegin(); it != request.environment.cend(); ++it) {
        QString value = it.value();
        value.replace(u'\'', QStringLiteral("'\\''"));
        exports += QStringLiteral("export %1='%2'\n").arg(it.key(), value);
    }
    const qsizetype firstLine = script.startsWith(QLatin1String("#!")) ? script.indexOf(u'\n') + 1 : 0;
    script.insert(firstLine, exports);
    auto out = command(QStringLiteral("sbatch"), args, script.toUtf8());
    if (!out)
        return tl::unexpected(out.error());
    const QString id = out->trimmed().section(u';', 0, 0);
    if (id.isEmpty() || !id.at(0).isDigit())
        return tl::unexpected(Error::error(QStringLiteral("sbatch named no job id: %1").arg(out->trimmed())));
    return id;
}

SlurmJobState SlurmClient::parseScontrolJob(const QString &line)
{
    const auto kv = keyValues(line);
    SlurmJobState s;
    s.id = kv.value(QStringLiteral("JobId"));
    s.name = kv.value(QStringLiteral("JobName"));
    s.state = kv.value(QStringLiteral("JobState"));
    s.reason = kv.value(QStringLiteral("Reason"));
    s.nodes = nullToEmpty(kv.value(QStringLiteral("NodeList")));
    s.gpus = nullToEmpty(kv.value(QStringLiteral("GRES")));
    s.gpusAsked = gpuCount(kv.value(QStringLiteral("TresPerNode")));
    s.partition = kv.value(QStringLiteral("Partition"));
    const QString exit = kv.value(QStringLiteral("ExitCode"));
    s.exitCode = exit.section(u':', 0, 0).toInt();
    s.signal = exit.section(u':', 1, 1).toInt();
    s.restarts = kv.value(QStringLiteral("Restarts")).toInt();
    return s;
}

SlurmNode SlurmClient::parseScontrolNode(const QString &line)
{
    const auto kv = keyValues(line);
    SlurmNode n;
    n.name = kv.value(QStringLiteral("NodeName"));
    n.state = kv.value(QStringLiteral("State")).toLower();
    n.reason = nullToEmpty(kv.value(QStringLiteral("Reason")));
    n.cpus = kv.value(QStringLiteral("CPUTot")).toInt();
    n.cpusAllocated = kv.value(QStringLiteral("CPUAlloc")).toInt();
    n.memoryMiB = kv.value(QStringLiteral("RealMemory")).toLongLong();
    n.memoryAllocatedMiB = kv.value(QStringLiteral("AllocMem")).toLongLong();
    n.gpus = gpuCount(kv.value(QStringLiteral("Gres")));
    n.gpusUsed = gpuCount(kv.value(QStringLiteral("GresUsed")));
    n.partitions = nullToEmpty(kv.value(QStringLiteral("Partitions"))).split(u',', Qt::SkipEmptyParts);
    return n;
}

Result<SlurmJobState> SlurmClient::job(const QString &id)
{
    if (auto ok = connect(); !ok)
        return tl::unexpected(ok.error());
    if (usesRest()) {
        auto reply = rest("GET", QStringLiteral("/slurm/%1/job/%2").arg(m_version, id));
        if (!reply)
            return tl::unexpected(reply.error());
        const QJsonArray jobs = QJsonDocument::fromJson(*reply).object().value(QLatin1String("jobs")).toArray();
        if (jobs.isEmpty())
            return tl::unexpected(Error::error(QStringLiteral("Slurm does not know job %1").arg(id)));
        return jobFromRest(jobs.first().toObject());
    }
    auto out = command(QStringLiteral("scontrol"),
                       {QStringLiteral("show"), QStringLiteral("job"), QStringLiteral("-o"), QStringLiteral("-d"), id});
    if (!out)
        return tl::unexpected(out.error());
    SlurmJobState state = parseScontrolJob(out->section(u'\n', 0, 0));
    if (state.id.isEmpty())
        return tl::unexpected(Error::error(QStringLiteral("Slurm does not know job %1").arg(id)));
    return state;
}

Result<void> SlurmClient::cancel(const QString &id)
{
    if (auto ok = connect(); !ok)
        return tl::unexpected(ok.error());
    if (usesRest()) {
        auto reply = rest("DELETE", QStringLiteral("/slurm/%1/job/%2").arg(m_version, id));
        if (!reply)
            return tl::unexpected(reply.error());
        return {};
    }
    auto out = command(QStringLiteral("scancel"), {id});
    if (!out)
        return tl::unexpected(out.error());
    return {};
}

Result<void> SlurmClient::release(const QString &id)
{
    if (auto ok = connect(); !ok)
        return tl::unexpected(ok.error());
    if (usesRest()) {
        const QJsonObject body{{QStringLiteral("hold"), false}};
        auto reply = rest("POST", QStringLiteral("/slurm/%1/job/%2").arg(m_version, id),
                          QJsonDocument(body).toJson(QJsonDocument::Compact));
        if (!reply)
            return tl::unexpected(reply.error());
        return {};
    }
    auto out = command(QStringLiteral("scontrol"), {QStringLiteral("release"), id});
    if (!out)
        return tl::unexpected(out.error());
    return {};
}

Result<SlurmClusterInfo> SlurmClient::cluster()
{
    if (auto ok = connect(); !ok)
        return tl::unexpected(ok.error());
    return usesRest() ? clusterRest() : clusterCommand();
}

Result<SlurmClusterInfo> SlurmClient::clusterRest()
{
    SlurmClusterInfo info;
    info.via = QStringLiteral("slurmrestd %1 at %2").arg(m_version, m_options.restUrl);
    auto partitions = rest("GET", QStringLiteral("/slurm/%1/partitions").arg(m_version));
    if (!partitions)
        return tl::unexpected(partitions.error());
    const QJsonObject p = QJsonDocument::fromJson(*partitions).object();
    const QJsonObject release = p.value(QLatin1String("meta")).toObject().value(QLatin1String("Slurm")).toObject();
    info.slurmVersion = release.value(QLatin1String("release")).toString();
    for (const QJsonValue &v : p.value(QLatin1String("partitions")).toArray()) {
        const QJsonObject o = v.toObject();
        SlurmPartition part;
        part.name = o.value(QLatin1String("name")).toString();
        part.state = o.value(QLatin1String("state")).toString();
        part.nodes = o.value(QLatin1String("nodes")).toString();
        part.totalCpus = o.value(QLatin1String("total_cpus")).toInt();
        for (const QJsonValue &flag : o.value(QLatin1String("flags")).toArray())
            part.isDefault = part.isDefault || flag.toString() == QLatin1String("default");
        info.partitions.push_back(part);
    }
    auto nodes = rest("GET", QStringLiteral("/slurm/%1/nodes").arg(m_version));
    if (!nodes)
        return tl::unexpected(nodes.error());
    for (const QJsonValue &v : QJsonDocument::fromJson(*nodes).object().value(QLatin1String("nodes")).toArray())
        info.nodes.push_back(nodeFromRest(v.toObject()));
    auto jobs = rest("GET", QStringLiteral("/slurm/%1/jobs").arg(m_version));
    if (!jobs)
        return tl::unexpected(jobs.error());
    for (const QJsonValue &v : QJsonDocument::fromJson(*jobs).object().value(QLatin1String("jobs")).toArray()) {
        SlurmJobState job = jobFromRest(v.toObject());
        if (info.clusterName.isEmpty())
            info.clusterName = job.cluster;
        if (!job.isFinished())
            info.queue.push_back(job);
    }
    return info;
}

Result<SlurmClusterInfo> SlurmClient::clusterCommand()
{
    SlurmClusterInfo info;
    info.via = QStringLiteral("the Slurm commands (sbatch, scontrol, scancel)");
    auto config = command(QStringLiteral("scontrol"), {QStringLiteral("show"), QStringLiteral("config")});
    if (!config)
        return tl::unexpected(config.error());
    for (const QString &line : config->split(u'\n')) {
        const QString key = line.section(u'=', 0, 0).trimmed();
        const QString value = line.section(u'=', 1).trimmed();
        if (key == QLatin1String("ClusterName"))
            info.clusterName = value;
        else if (key == QLatin1String("SLURM_VERSION"))
            info.slurmVersion = value;
    }
    auto partitions = command(QStringLiteral("scontrol"),
                              {QStringLiteral("show"), QStringLiteral("partition"), QStringLiteral("-o")});
    if (!partitions)
        return tl::unexpected(partitions.error());
    for (const QString &line : partitions->split(u'\n', Qt::SkipEmptyParts)) {
        const auto kv = keyValues(line);
        SlurmPartition part;
        part.name = kv.value(QStringLiteral("PartitionName"));
        part.state = kv.value(QStringLiteral("State"));
        part.nodes = kv.value(QStringLiteral("Nodes"));
        part.totalCpus = kv.value(QStringLiteral("TotalCPUs")).toInt();
        part.isDefault = kv.value(QStringLiteral("Default")) == QLatin1String("YES");
        info.partitions.push_back(part);
    }
    auto nodes = command(QStringLiteral("scontrol"),
                         {QStringLiteral("show"), QStringLiteral("node"), QStringLiteral("-o"), QStringLiteral("-d")});
    if (!nodes)
        return tl::unexpected(nodes.error());
    for (const QString &line : nodes->split(u'\n', Qt::SkipEmptyParts))
        info.nodes.push_back(parseScontrolNode(line));
    auto jobs = command(QStringLiteral("scontrol"),
                        {QStringLiteral("show"), QStringLiteral("job"), QStringLiteral("-o"), QStringLiteral("-d")});
    if (!jobs)
        return tl::unexpected(jobs.error());
    for (const QString &line : jobs->split(u'\n', Qt::SkipEmptyParts)) {
        SlurmJobState job = parseScontrolJob(line);
        job.cluster = info.clusterName;
        if (!job.id.isEmpty() && !job.isFinished())
            info.queue.push_back(job);
    }
    return info;
}

} // namespace trainyard::core
