#include "runrecord.h"

#include "common/jsonlists.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>

namespace trainyard::core {

QJsonObject JobRecord::toJson() const
{
    return QJsonObject{
        {QStringLiteral("name"), name},
        {QStringLiteral("stage"), stage},
        {QStringLiteral("status"), jobStatusToString(status)},
        {QStringLiteral("exit_code"), exitCode},
        {QStringLiteral("attempts"), attempts},
        {QStringLiteral("started"), started.toString(Qt::ISODateWithMs)},
        {QStringLiteral("finished"), finished.toString(Qt::ISODateWithMs)},
        {QStringLiteral("engine"), engine},
        {QStringLiteral("isolation"), isolation},
        {QStringLiteral("image"), image},
        {QStringLiteral("image_id"), imageId},
        {QStringLiteral("repo_digests"), jsonlists::toArray(repoDigests)},
        {QStringLiteral("gpus"), jsonlists::toArray(gpus)},
        {QStringLiteral("cpu_fallback"), cpuFallback},
        {QStringLiteral("timed_out"), timedOut},
        {QStringLiteral("oom_killed"), oomKilled},
        {QStringLiteral("could_not_run"), couldNotRun},
        {QStringLiteral("reason"), reason},
        {QStringLiteral("artifacts"), artifacts},
        {QStringLiteral("log"), logFile},
        {QStringLiteral("warnings"), jsonlists::toArray(warnings)},
    };
}

JobRecord JobRecord::fromJson(const QJsonObject &o)
{
    JobRecord r;
    r.name = o.value(QStringLiteral("name")).toString();
    r.stage = o.value(QStringLiteral("stage")).toString();
    r.status = jobStatusFromString(o.value(QStringLiteral("status")).toString());
    r.exitCode = o.value(QStringLiteral("exit_code")).toInt(-1);
    r.attempts = o.value(QStringLiteral("attempts")).toInt();
    r.started = QDateTime::fromString(o.value(QStringLiteral("started")).toString(), Qt::ISODateWithMs);
    r.finished = QDateTime::fromString(o.value(QStringLiteral("finished")).toString(), Qt::ISODateWithMs);
    r.engine = o.value(QStringLiteral("engine")).toString();
    r.isolation = o.value(QStringLiteral("isolation")).toString();
    r.image = o.value(QStringLiteral("image")).toString();
    r.imageId = o.value(QStringLiteral("image_id")).toString();
    r.repoDigests = jsonlists::toStringList(o.value(QStringLiteral("repo_digests")));
    r.gpus = jsonlists::toStringList(o.value(QStringLiteral("gpus")));
    r.cpuFallback = o.value(QStringLiteral("cpu_fallback")).toBool();
    r.timedOut = o.value(QStringLiteral("timed_out")).toBool();
    r.oomKilled = o.value(QStringLiteral("oom_killed")).toBool();
    r.couldNotRun = o.value(QStringLiteral("could_not_run")).toBool();
    r.reason = o.value(QStringLiteral("reason")).toString();
    r.artifacts = o.value(QStringLiteral("artifacts")).toObject();
    r.logFile = o.value(QStringLiteral("log")).toString();
    r.warnings = jsonlists::toStringList(o.value(QStringLiteral("warnings")));
    return r;
}

QJsonObject RunRecord::toJson() const
{
    QJsonArray jobArray;
    for (const QString &name : jobOrder) {
        if (auto it = jobs.find(name); it != jobs.end())
            jobArray.append(it->second.toJson());
    }
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("pipeline_iid"), pipelineIid},
        {QStringLiteral("project_dir"), projectDir},
        {QStringLiteral("branch"), branch},
        {QStringLiteral("commit"), commitSha},
        {QStringLiteral("dirty"), dirty},
        {QStringLiteral("user"), user},
        {QStringLiteral("trigger"), trigger},
        {QStringLiteral("reproduces"), reproduces},
        {QStringLiteral("engine"), engine},
        {QStringLiteral("status"), runStatusToString(status)},
        {QStringLiteral("reason"), reason},
        {QStringLiteral("started"), started.toString(Qt::ISODateWithMs)},
        {QStringLiteral("finished"), finished.toString(Qt::ISODateWithMs)},
        {QStringLiteral("pid"), pid},
        {QStringLiteral("jobs"), jobArray},
    };
}

RunRecord RunRecord::fromJson(const QJsonObject &o)
{
    RunRecord r;
    r.id = o.value(QStringLiteral("id")).toString();
    r.pipelineIid = o.value(QStringLiteral("pipeline_iid")).toInteger();
    r.projectDir = o.value(QStringLiteral("project_dir")).toString();
    r.branch = o.value(QStringLiteral("branch")).toString();
    r.commitSha = o.value(QStringLiteral("commit")).toString();
    r.dirty = o.value(QStringLiteral("dirty")).toBool();
    r.user = o.value(QStringLiteral("user")).toString();
    r.trigger = o.value(QStringLiteral("trigger")).toString();
    r.reproduces = o.value(QStringLiteral("reproduces")).toString();
    r.engine = o.value(QStringLiteral("engine")).toString();
    r.status = runStatusFromString(o.value(QStringLiteral("status")).toString());
    r.reason = o.value(QStringLiteral("reason")).toString();
    r.started = QDateTime::fromString(o.value(QStringLiteral("started")).toString(), Qt::ISODateWithMs);
    r.finished = QDateTime::fromString(o.value(QStringLiteral("finished")).toString(), Qt::ISODateWithMs);
    r.pid = o.value(QStringLiteral("pid")).toInteger();
    for (const auto &j : o.value(QStringLiteral("jobs")).toArray()) {
        JobRecord job = JobRecord::fromJson(j.toObject());
        r.jobOrder << job.name;
        r.jobs[job.name] = job;
    }
    return r;
}

RunExport::RunExport(const QString &projectDir)
    : m_projectDir(QDir(projectDir).absolutePath())
{}

QString RunExport::runsDir() const
{
    return m_projectDir + QStringLiteral("/.trainyard/runs");
}

QString RunExport::logsDir(const QString &runId) const
{
    return m_projectDir + QStringLiteral("/.trainyard/logs/") + runId;
}

Result<void> RunExport::save(const RunRecord &record) const
{
    QDir().mkpath(runsDir());
    const QString path = runsDir() + u'/' + record.id + QStringLiteral(".json");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tl::unexpected(Error::error(QStringLiteral("cannot write the run record: %1").arg(file.errorString()),
                                           SourceLocation{path, 0, 0}));
    file.write(QJsonDocument(record.toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return tl::unexpected(Error::error(QStringLiteral("cannot write the run record: %1").arg(file.errorString()),
                                           SourceLocation{path, 0, 0}));
    return {};
}

Result<RunRecord> RunExport::load(const QString &runId) const
{
    const QString path = runsDir() + u'/' + runId + QStringLiteral(".json");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(
            Error::error(QStringLiteral("no run '%1' in this project").arg(runId), SourceLocation{path, 0, 0}));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return tl::unexpected(Error::error(QStringLiteral("damaged run record: %1").arg(error.errorString()),
                                           SourceLocation{path, 0, 0}));
    return RunRecord::fromJson(doc.object());
}

std::vector<RunRecord> RunExport::list() const
{
    std::vector<RunRecord> out;
    const QStringList files = QDir(runsDir()).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &f : files) {
        if (auto r = load(f.chopped(5)))
            out.push_back(*r);
    }
    std::sort(out.begin(), out.end(),
              [](const RunRecord &a, const RunRecord &b) { return a.pipelineIid < b.pipelineIid; });
    return out;
}

QString RunExport::newRunId()
{
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-")) +
           QString::number(QRandomGenerator::global()->bounded(0x10000), 16).rightJustified(4, u'0');
}

} // namespace trainyard::core
