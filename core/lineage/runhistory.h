#pragma once

#include "common/error.h"
#include "engine/runrecord.h"

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

    struct Run
    {
        RunRecord record;
        QHash<QString, Variables> variables; ///< by job name
    };

    /// Every run of the project by number (then start), oldest first; none when nothing is
    /// recorded yet.
    static Result<std::vector<Run>> read(const QString &projectDir);
    /// The same from an open store.
    static Result<std::vector<Run>> read(LineageStore &store);
};

} // namespace trainyard::core
