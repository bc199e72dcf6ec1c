#include "pipelinevalidator.h"

#include <QHash>
#include <QSet>

#include <functional>

namespace trainyard::core {

namespace {

void checkCycles(Pipeline &pipeline)
{
    QHash<QString, const Job *> byName;
    for (const Job &j : pipeline.jobs)
        byName.insert(j.name, &j);
    enum class Mark { None, Visiting, Done };
    QHash<QString, Mark> marks;
    QStringList path;
    QSet<QString> reported;
    std::function<void(const Job &)> visit = [&](const Job &job) {
        marks[job.name] = Mark::Visiting;
        path << job.name;
        if (job.needs) {
            for (const Need &n : *job.needs) {
                const Job *next = n.isLocal() ? byName.value(n.job) : nullptr;
                if (!next)
                    continue;
                const Mark m = marks.value(next->name, Mark::None);
                if (m == Mark::Visiting) {
                    QStringList cycle = path.mid(path.indexOf(next->name));
                    cycle << next->name;
                    const QString key = cycle.join(QStringLiteral(" -> "));
                    if (!reported.contains(key)) {
                        reported.insert(key);
                        pipeline.problems.push_back(
                            Error::error(QStringLiteral("needs cycle: %1").arg(key), n.location, job.name));
                    }
                } else if (m == Mark::None) {
                    visit(*next);
                }
            }
        }
        path.removeLast();
        marks[job.name] = Mark::Done;
    };
    for (const Job &job : pipeline.jobs) {
        if (marks.value(job.name, Mark::None) == Mark::None)
            visit(job);
    }
}

} // namespace

void PipelineValidator::validate(Pipeline &pipeline)
{
    QHash<QString, const Job *> byName;
    for (const Job &j : pipeline.jobs)
        byName.insert(j.name, &j);

    for (const Job &job : pipeline.jobs) {
        for (const Service &service : job.services) {
            // GitLab runs it on a privileged runner; Trainyard refuses it before any job starts.
            if (Service::needsPrivileged(service.name) && !pipeline.trainyard.allowPrivilegedServices)
                pipeline.problems.push_back(Error::warning(
                    QStringLiteral(
                        "job '%1': service %2 needs a privileged container, which can take over this machine; "
                        "trainyard run refuses it unless `.trainyard: allow_privileged_services: true`")
                        .arg(job.name, service.name),
                    service.location.isValid() ? service.location : job.location, job.name));
        }
        if (!pipeline.stages.contains(job.stage)) {
            pipeline.problems.push_back(
                Error::error(QStringLiteral("job '%1': stage '%2' is not defined; the stages are %3")
                                 .arg(job.name, job.stage, pipeline.stages.join(QStringLiteral(", "))),
                             job.stageLocation.isValid() ? job.stageLocation : job.location, job.name));
        }
    }
    for (const Job &job : pipeline.jobs) {
        if (job.when == When::Never)
            continue; // a job that is not created needs nothing
        const int stage = pipeline.stageIndex(job.stage);
        if (job.needs) {
            for (const Need &need : *job.needs) {
                if (!need.isLocal())
                    continue;
                const Job *target = byName.value(need.job);
                if (!target) {
                    if (!need.optional)
                        pipeline.problems.push_back(Error::error(
                            QStringLiteral("job '%1' needs '%2', which is not defined").arg(job.name, need.job),
                            need.location, job.name));
                    continue;
                }
                if (target->when == When::Never) {
                    if (!need.optional)
                        pipeline.problems.push_back(Error::error(
                            QStringLiteral(
                                "job '%1' needs '%2', which is not created in this pipeline (its rules or only/except "
                                "leave it out); mark the need optional: true or change the rules")
                                .arg(job.name, need.job),
                            need.location, job.name));
                    continue;
                }
                const int targetStage = pipeline.stageIndex(target->stage);
                if (stage >= 0 && targetStage > stage) {
                    pipeline.problems.push_back(Error::error(
                        QStringLiteral("job '%1' (stage '%2') needs '%3', which is in the later stage '%4'")
                            .arg(job.name, job.stage, need.job, target->stage),
                        need.location, job.name));
                }
            }
        }
        if (job.dependencies) {
            for (const QString &dep : *job.dependencies) {
                const Job *target = byName.value(dep);
                if (!target) {
                    pipeline.problems.push_back(Error::error(
                        QStringLiteral("job '%1' depends on '%2', which is not defined").arg(job.name, dep),
                        job.location, job.name));
                    continue;
                }
                const int targetStage = pipeline.stageIndex(target->stage);
                const bool inNeeds = job.needs && std::any_of(job.needs->begin(), job.needs->end(),
                                                              [&](const Need &n) { return n.job == dep; });
                if (stage >= 0 && targetStage >= stage && !inNeeds) {
                    pipeline.problems.push_back(Error::error(
                        QStringLiteral("job '%1' depends on '%2', which is not in an earlier stage").arg(job.name, dep),
                        job.location, job.name));
                }
            }
        }
    }
    checkCycles(pipeline);
}

} // namespace trainyard::core
