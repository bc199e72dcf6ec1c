#include "runhistory.h"

#include "lineagestore.h"
#include "runrecordmapping.h"
#include "vcs/gitinfo.h"

#include <QFileInfo>

#include <algorithm>
#include <map>

namespace trainyard::core {

Result<std::vector<RunHistory::Run>> RunHistory::read(const QString &projectDir, int newest)
{
    const QString path = LineageStore::defaultPath(projectDir);
    if (!QFileInfo::exists(path))
        return std::vector<Run>{};
    LineageStore::Options options;
    options.recoverInterrupted = false; // reading marks nothing: the run service does
    auto store = LineageStore::open(path, options);
    if (!store)
        return tl::unexpected(store.error());
    return read(**store, newest);
}

Result<std::vector<RunHistory::Run>> RunHistory::readTeam(const QString &projectDir, const QString &storeUrl,
                                                          int newest)
{
    const auto git = GitInfo::read(projectDir);
    if (!git || git->projectPath.isEmpty())
        return tl::unexpected(
            Error::error(QStringLiteral("this project has no git remote \"origin\" to know it by on other machines "
                                        "(git remote add origin URL)"),
                         SourceLocation{projectDir}));
    auto store = LineageStore::open(storeUrl);
    if (!store)
        return tl::unexpected(store.error());
    return read(**store, newest, git->projectPath);
}

Result<std::vector<RunHistory::Run>> RunHistory::read(LineageStore &store, int newest, const QString &project)
{
    LineageRunFilter filter;
    filter.limit = std::max(0, newest);
    filter.project = project;
    auto runs = store.runs(filter);
    if (!runs)
        return tl::unexpected(runs.error());
    QStringList ids;
    for (const LineageRun &r : *runs)
        ids << r.id;
    auto artifacts = store.artifactsOfRuns(ids);
    if (!artifacts)
        return tl::unexpected(artifacts.error());
    std::map<QString, std::vector<LineageArtifact>> artifactsByRun;
    for (LineageArtifact &a : *artifacts)
        artifactsByRun[a.runId].push_back(std::move(a));

    std::vector<Run> out;
    out.reserve(runs->size());
    for (auto it = runs->rbegin(); it != runs->rend(); ++it) { // the store lists the newest first
        auto jobs = store.jobs(it->id);
        if (!jobs)
            return tl::unexpected(jobs.error());
        Run run;
        run.record = RunRecordMapping::toRunRecord(*it, *jobs, artifactsByRun[it->id]);
        run.annotation = it->annotation;
        run.host = it->host;
        for (const QString &job : std::as_const(run.record.jobOrder)) {
            const auto j = std::find_if(jobs->begin(), jobs->end(), [&](const LineageJob &l) { return l.name == job; });
            if (j != jobs->end() && !j->tensorboardDir.isEmpty())
                run.tensorboardJobs << job;
        }
        if (auto images = store.images(it->id)) {
            for (auto &[name, job] : run.record.jobs) {
                for (const LineageImage &image : *images)
                    if (image.reference == job.image)
                        job.repoDigests = image.repoDigests;
            }
        }
        if (auto variables = store.variables(it->id)) {
            Variables pipelineWide;
            for (const LineageVariable &v : *variables)
                if (v.job.isEmpty())
                    pipelineWide.emplace_back(v.name, v.value);
            for (const QString &job : std::as_const(run.record.jobOrder)) {
                Variables seen = pipelineWide;
                for (const LineageVariable &v : *variables) {
                    if (v.job != job)
                        continue;
                    const auto same =
                        std::find_if(seen.begin(), seen.end(), [&](const auto &p) { return p.first == v.name; });
                    if (same != seen.end())
                        same->second = v.value;
                    else
                        seen.emplace_back(v.name, v.value);
                }
                run.variables.insert(job, std::move(seen));
            }
        }
        if (auto metrics = store.metrics(it->id))
            run.metrics = std::move(*metrics);
        out.push_back(std::move(run));
    }
    // By number, as GitLab lists pipelines (a reproduction made before version 5 of the store
    // carries the number of the run it reproduces, and stays after that run).
    std::stable_sort(out.begin(), out.end(),
                     [](const Run &a, const Run &b) { return a.record.pipelineIid < b.record.pipelineIid; });
    return out;
}

} // namespace trainyard::core
