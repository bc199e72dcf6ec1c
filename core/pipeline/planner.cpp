#include "planner.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <set>
#include <utility>

namespace trainyard::core {

namespace {

/// GitLab's stage order: `.pre` always first and `.post` always last, whatever `stages` says.
QStringList stageOrder(const QStringList &declared)
{
    const QString pre = QStringLiteral(".pre");
    const QString post = QStringLiteral(".post");
    QStringList order{pre};
    for (const QString &stage : declared) {
        if (stage != pre && stage != post && !order.contains(stage))
            order << stage;
    }
    order << post;
    return order;
}

/// A job that will be created, with where it sorts and what it waits for (as candidate indices).
struct Candidate
{
    const Job *job = nullptr;
    int stage = 0;
    std::vector<int> deps;
    std::vector<SourceLocation> depLocations; ///< where each dependency is written, for cycle errors
    bool wanted = false;
};

/// Why `name` cannot be planned: it is missing, or `when: never` leaves it out.
QString whyAbsent(const Pipeline &pipeline, const QString &name)
{
    const Job *job = pipeline.job(name);
    if (job)
        return QStringLiteral("is not created in this pipeline (when: never)");
    const QString guess = pipeline.closestJobName(name);
    return guess.isEmpty() ? QStringLiteral("is not defined in this pipeline")
                           : QStringLiteral("is not defined in this pipeline (did you mean '%1'?)").arg(guess);
}

/// Names one cycle among `remaining` (jobs Kahn could not order). Each of them waits for another
/// remaining job, so following the first such dependency must come back to a job already seen.
Error cycleError(const std::vector<Candidate> &candidates, const std::vector<int> &remaining)
{
    const QSet<int> left(remaining.begin(), remaining.end());
    QList<int> path;
    int current = remaining.front();
    while (!path.contains(current)) {
        path << current;
        for (int dep : candidates[static_cast<size_t>(current)].deps) {
            if (left.contains(dep)) {
                current = dep;
                break;
            }
        }
    }
    const QList<int> cycle = path.mid(path.indexOf(current));
    QStringList names;
    for (int i : cycle)
        names << candidates[static_cast<size_t>(i)].job->name;
    names << candidates[static_cast<size_t>(current)].job->name;

    // Point at the first edge of the cycle, where the first job names the second.
    const Candidate &first = candidates[static_cast<size_t>(cycle.front())];
    const int second = cycle.size() > 1 ? cycle.at(1) : cycle.front();
    SourceLocation where = first.job->location;
    for (size_t i = 0; i < first.deps.size(); ++i) {
        if (first.deps[i] == second && first.depLocations[i].isValid())
            where = first.depLocations[i];
    }
    return Error::error(QStringLiteral("needs cycle: %1").arg(names.join(QStringLiteral(" -> "))), where,
                        first.job->name);
}

/// The jobs that will be created, in file order, and where each is in that order.
struct Candidates
{
    std::vector<Candidate> list;
    QHash<QString, int> indexOf;
};

/// The jobs `when: never` does not leave out, each with its stage; fails on a stage not declared.
Result<Candidates> createdJobs(const Pipeline &pipeline, const QStringList &stages, bool wanted)
{
    Candidates out;
    for (const Job &job : pipeline.jobs) {
        if (job.when == When::Never)
            continue;
        const auto stage = stages.indexOf(job.stage);
        if (stage < 0)
            return tl::make_unexpected(
                Error::error(QStringLiteral("job '%1': stage '%2' is not defined; the stages are %3")
                                 .arg(job.name, job.stage, stages.join(QStringLiteral(", "))),
                             job.stageLocation.isValid() ? job.stageLocation : job.location, job.name));
        out.indexOf.insert(job.name, static_cast<int>(out.list.size()));
        out.list.push_back(Candidate{&job, static_cast<int>(stage), {}, {}, wanted});
    }
    return out;
}

/// Fills in what each candidate waits for: its local needs, or (without needs:) every job of an
/// earlier stage. Fails on a required need that is not a candidate.
Result<void> resolveDependencies(const Pipeline &pipeline, const QHash<QString, int> &indexOf,
                                 std::vector<Candidate> &candidates)
{
    for (Candidate &c : candidates) {
        if (c.job->needs) {
            for (const Need &need : *c.job->needs) {
                if (!need.isLocal())
                    continue; // another pipeline's artifacts: not a job of this plan
                const auto it = indexOf.constFind(need.job);
                if (it == indexOf.constEnd()) {
                    if (need.optional)
                        continue;
                    return tl::make_unexpected(
                        Error::error(QStringLiteral("job '%1' needs '%2', which %3")
                                         .arg(c.job->name, need.job, whyAbsent(pipeline, need.job)),
                                     need.location.isValid() ? need.location : c.job->location, c.job->name));
                }
                if (std::find(c.deps.begin(), c.deps.end(), *it) == c.deps.end()) {
                    c.deps.push_back(*it);
                    c.depLocations.push_back(need.location);
                }
            }
        } else {
            for (size_t i = 0; i < candidates.size(); ++i) {
                if (candidates[i].stage < c.stage) {
                    c.deps.push_back(static_cast<int>(i));
                    c.depLocations.push_back(c.job->location);
                }
            }
        }
    }
    return {};
}

/// Marks the `onlyJobs` candidates and everything upstream of them wanted; fails on a job that
/// is not a candidate.
Result<void> markWanted(const Pipeline &pipeline, const QStringList &onlyJobs, const QHash<QString, int> &indexOf,
                        std::vector<Candidate> &candidates)
{
    std::vector<int> pending;
    for (const QString &name : onlyJobs) {
        const auto it = indexOf.constFind(name);
        if (it == indexOf.constEnd())
            return tl::make_unexpected(Error::error(
                QStringLiteral("cannot run job '%1': it %2").arg(name, whyAbsent(pipeline, name)), {}, name));
        pending.push_back(*it);
    }
    while (!pending.empty()) {
        Candidate &c = candidates[static_cast<size_t>(pending.back())];
        pending.pop_back();
        if (c.wanted)
            continue;
        c.wanted = true;
        pending.insert(pending.end(), c.deps.begin(), c.deps.end());
    }
    return {};
}

/// The wanted candidates in topological order, and each one's position in it.
struct Ordering
{
    std::vector<int> order;
    QHash<int, int> position;
};

/// Kahn's algorithm over the wanted candidates; those in a cycle are left out.
Ordering topologicalOrder(const std::vector<Candidate> &candidates)
{
    // Kahn's algorithm; the ready job that sorts first by (stage, file order) goes next, so a
    // consistent pipeline comes out in stage then file order and the plan is stable.
    std::vector<std::vector<int>> dependents(candidates.size());
    std::vector<int> waiting(candidates.size(), 0);
    std::set<std::pair<int, int>> ready;
    for (size_t i = 0; i < candidates.size(); ++i) {
        const Candidate &c = candidates[i];
        if (!c.wanted)
            continue;
        for (int dep : c.deps)
            dependents[static_cast<size_t>(dep)].push_back(static_cast<int>(i));
        waiting[i] = static_cast<int>(c.deps.size());
        if (c.deps.empty())
            ready.insert({c.stage, static_cast<int>(i)});
    }
    Ordering out;
    while (!ready.empty()) {
        const int i = ready.begin()->second;
        ready.erase(ready.begin());
        out.position.insert(i, static_cast<int>(out.order.size()));
        out.order.push_back(i);
        for (int d : dependents[static_cast<size_t>(i)]) {
            if (--waiting[static_cast<size_t>(d)] == 0)
                ready.insert({candidates[static_cast<size_t>(d)].stage, d});
        }
    }
    return out;
}

/// Fails with a needs cycle when some wanted candidate has no position in the order.
Result<void> checkAllOrdered(const std::vector<Candidate> &candidates, const QHash<int, int> &position)
{
    std::vector<int> remaining;
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (candidates[i].wanted && !position.contains(static_cast<int>(i)))
            remaining.push_back(static_cast<int>(i));
    }
    if (!remaining.empty()) {
        std::sort(remaining.begin(), remaining.end(), [&](int a, int b) {
            return std::pair(candidates[static_cast<size_t>(a)].stage, a) <
                   std::pair(candidates[static_cast<size_t>(b)].stage, b);
        });
        return tl::make_unexpected(cycleError(candidates, remaining));
    }
    return {};
}

/// The plan's nodes in `ordering`, each with what it waits for in plan order.
Plan planOf(const std::vector<Candidate> &candidates, const Ordering &ordering)
{
    Plan plan;
    plan.nodes.reserve(ordering.order.size());
    for (int i : ordering.order) {
        const Candidate &c = candidates[static_cast<size_t>(i)];
        std::vector<int> deps = c.deps;
        std::sort(deps.begin(), deps.end(),
                  [&](int a, int b) { return ordering.position.value(a) < ordering.position.value(b); });
        PlanNode node;
        node.job = c.job->name;
        node.stageIndex = c.stage;
        node.implicitStageDependency = !c.job->needs.has_value();
        for (int d : deps)
            node.dependsOn << candidates[static_cast<size_t>(d)].job->name;
        plan.nodes.push_back(std::move(node));
    }
    return plan;
}

} // namespace

const PlanNode *Plan::node(const QString &job) const
{
    for (const PlanNode &n : nodes) {
        if (n.job == job)
            return &n;
    }
    return nullptr;
}

QStringList Plan::roots() const
{
    QStringList out;
    for (const PlanNode &n : nodes) {
        if (n.dependsOn.isEmpty())
            out << n.job;
    }
    return out;
}

QStringList Plan::upstreamOf(const QString &job) const
{
    QSet<QString> seen;
    QStringList pending;
    if (const PlanNode *start = node(job))
        pending = start->dependsOn;
    while (!pending.isEmpty()) {
        const QString name = pending.takeLast();
        if (seen.contains(name))
            continue;
        seen.insert(name);
        if (const PlanNode *n = node(name))
            pending << n->dependsOn;
    }
    QStringList out;
    for (const PlanNode &n : nodes) {
        if (seen.contains(n.job))
            out << n.job;
    }
    return out;
}

QStringList Plan::downstreamOf(const QString &job) const
{
    // Plan order is topological: one pass finds every job that waits for one already found.
    QSet<QString> found{job};
    QStringList out;
    for (const PlanNode &n : nodes) {
        if (found.contains(n.job))
            continue;
        if (std::any_of(n.dependsOn.cbegin(), n.dependsOn.cend(),
                        [&](const QString &d) { return found.contains(d); })) {
            found.insert(n.job);
            out << n.job;
        }
    }
    return out;
}

QStringList Plan::jobNames() const
{
    QStringList out;
    for (const PlanNode &n : nodes)
        out << n.job;
    return out;
}

Result<Plan> Planner::plan(const Pipeline &pipeline, const QStringList &onlyJobs)
{
    const QStringList stages = stageOrder(pipeline.stages);

    // The jobs that will be created, in file order.
    auto created = createdJobs(pipeline, stages, onlyJobs.isEmpty());
    if (!created)
        return tl::make_unexpected(created.error());
    std::vector<Candidate> &candidates = created->list;

    // What each waits for: its local needs, or (without needs:) every job of an earlier stage.
    if (auto ok = resolveDependencies(pipeline, created->indexOf, candidates); !ok)
        return tl::make_unexpected(ok.error());

    // onlyJobs: those jobs and everything upstream of them.
    if (!onlyJobs.isEmpty()) {
        if (auto ok = markWanted(pipeline, onlyJobs, created->indexOf, candidates); !ok)
            return tl::make_unexpected(ok.error());
    }

    const Ordering ordering = topologicalOrder(candidates);
    if (auto ok = checkAllOrdered(candidates, ordering.position); !ok)
        return tl::make_unexpected(ok.error());
    return planOf(candidates, ordering);
}

} // namespace trainyard::core
