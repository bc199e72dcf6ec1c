#include "effectivevariables.h"

#include <map>

namespace trainyard::core {

std::vector<EffectiveVariable> effectiveVariables(const std::vector<LineageVariable> &recorded, const QString &runId,
                                                  const QString &job)
{
    std::map<QString, EffectiveVariable> byName;
    for (const LineageVariable &v : recorded) {
        if (v.runId == runId && v.job.isEmpty())
            byName[v.name] = EffectiveVariable{v.name, v.value, EffectiveVariable::Origin::Pipeline, std::nullopt};
    }
    for (const LineageVariable &v : recorded) {
        if (v.runId != runId || v.job != job || job.isEmpty())
            continue;
        EffectiveVariable &e = byName[v.name];
        if (e.name.isEmpty())
            e.name = v.name;
        else if (e.origin == EffectiveVariable::Origin::Pipeline && e.value != v.value)
            e.overridden = e.value;
        e.value = v.value;
        e.origin = EffectiveVariable::Origin::Job;
    }
    std::vector<EffectiveVariable> out;
    out.reserve(byName.size());
    for (auto &[name, v] : byName)
        out.push_back(std::move(v));
    return out;
}

} // namespace trainyard::core
