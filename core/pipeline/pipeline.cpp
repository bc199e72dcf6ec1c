#include "pipeline.h"

#include <algorithm>

namespace trainyard::core {

bool Pipeline::hasErrors() const
{
    return std::any_of(problems.begin(), problems.end(), [](const Error &e) { return e.isError(); });
}

const Job *Pipeline::job(const QString &name) const
{
    for (const Job &j : jobs) {
        if (j.name == name)
            return &j;
    }
    return nullptr;
}

Job *Pipeline::job(const QString &name)
{
    for (Job &j : jobs) {
        if (j.name == name)
            return &j;
    }
    return nullptr;
}

int Pipeline::stageIndex(const QString &stage) const
{
    return static_cast<int>(stages.indexOf(stage));
}

} // namespace trainyard::core
