#pragma once

#include "common/error.h"
#include "yamlnode.h"

#include <QMap>
#include <QString>

#include <vector>

namespace trainyard::core {

/// One job instance made by `parallel`: its GitLab name and, for a matrix, its variables.
struct ParallelInstance
{
    QString name;
    int index = 0; ///< 1-based, for `parallel: N`
    int total = 0;
    std::vector<std::pair<QString, QString>> variables; ///< matrix variables in key order
};

/// Expands `parallel: N` into `name 1/N` … and `parallel: matrix` into `name: [v1, v2]` …,
/// GitLab's names. At most 200 instances.
class ParallelExpander final
{
public:
    static constexpr int kMaxInstances = 200;

    /// Instances for a job's `parallel:` value; empty (with a problem) when the value is invalid.
    static std::vector<ParallelInstance> expand(const QString &job, const YamlNode &parallel,
                                                std::vector<Error> &problems);
    /// Instances for a `parallel: matrix` list (also used by `needs:parallel:matrix`).
    static std::vector<ParallelInstance> expandMatrix(const QString &job, const YamlNode &matrix,
                                                      std::vector<Error> &problems);
};

} // namespace trainyard::core
