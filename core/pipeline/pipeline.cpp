#include "pipeline.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

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

QString Pipeline::closestJobName(const QString &typed) const
{
    if (typed.isEmpty())
        return {};
    const QString a = typed.toCaseFolded();
    const qsizetype limit = std::min<qsizetype>(3, std::max<qsizetype>(1, a.size() / 3));
    QString best;
    qsizetype bestDistance = limit + 1;
    std::vector<qsizetype> table;
    for (const Job &j : jobs) {
        const QString b = j.name.toCaseFolded();
        if (std::abs(b.size() - a.size()) > limit)
            continue;
        // Edit distance with adjacent transpositions ("trian" is one edit from "train").
        const qsizetype width = b.size() + 1;
        table.assign(static_cast<size_t>((a.size() + 1) * width), 0);
        const auto at = [&](qsizetype i, qsizetype k) -> qsizetype & {
            return table[static_cast<size_t>(i * width + k)];
        };
        for (qsizetype k = 0; k <= b.size(); ++k)
            at(0, k) = k;
        for (qsizetype i = 1; i <= a.size(); ++i) {
            at(i, 0) = i;
            for (qsizetype k = 1; k <= b.size(); ++k) {
                const qsizetype cost = a[i - 1] == b[k - 1] ? 0 : 1;
                at(i, k) = std::min({at(i - 1, k) + 1, at(i, k - 1) + 1, at(i - 1, k - 1) + cost});
                if (i > 1 && k > 1 && a[i - 1] == b[k - 2] && a[i - 2] == b[k - 1])
                    at(i, k) = std::min(at(i, k), at(i - 2, k - 2) + 1);
            }
        }
        const qsizetype d = at(a.size(), b.size());
        if (d < bestDistance) {
            bestDistance = d;
            best = j.name;
        }
    }
    return best;
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
