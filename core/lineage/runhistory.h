#pragma once

#include "common/error.h"
#include "engine/runrecord.h"
#include "lineagerecords.h"

#include <QHash>
#include <QString>

#include <utility>
#include <vector>

namespace trainyard::core {

class LineageStore;

/// A project's runs as the lineage store holds them, read back as the scheduler's records (jobs
/// in order, their artifacts and images): what the Runs list, the compare view and a retry show
/// and use. The store is the one truth of runs; nothing reads `.trainyard/runs/*.json` for it.
class RunHistory final
{
public:
    /// The variables a job saw, as recorded (secrets left out, secret values masked): the
    /// pipeline's, then the job's own, by name.
    using Variables = std::vector<std::pair<QString, QString>>;

    /// How many runs a list in the window reads (the newest): enough for months of a desk's work;
    /// the CLI (`trainyard runs`, `scalars --recorded`) and the lineage queries reach every one.
    static constexpr int kListed = 500;

    struct Run
    {
        RunRecord record;
        QHash<QString, Variables> variables; ///< by job name
        std::vector<LineageMetric> metrics;  ///< numbers its jobs reported in files, by job and name
        LineageRunAnnotation annotation;     ///< its name, notes and tags
        QStringList tensorboardJobs;         ///< jobs that write TensorBoard scalars, in run order
        QString host;                        ///< the machine it ran on (a team's store holds several)
    };

    /// The project's runs by number (then start), oldest first; none when nothing is recorded
    /// yet. `newest` > 0: only the newest that many (by start), so that what a list shows costs
    /// the same at 100 runs as at 100,000.
    static Result<std::vector<Run>> read(const QString &projectDir, int newest = 0);
    /// The same from an open store; `project` set: only the runs of that project (its git remote's
    /// "namespace/name"), as a team's store holds many projects.
    static Result<std::vector<Run>> read(LineageStore &store, int newest = 0, const QString &project = {});
    /// The runs of the project in `projectDir` from every machine, in the team's store at
    /// `storeUrl`: the project is known by its git remote, as on every machine. An Error when it
    /// has none, or when the store cannot be read.
    static Result<std::vector<Run>> readTeam(const QString &projectDir, const QString &storeUrl, int newest = 0);
};

} // namespace trainyard::core
