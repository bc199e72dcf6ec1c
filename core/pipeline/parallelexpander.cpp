#include "parallelexpander.h"

namespace trainyard::core {

std::vector<ParallelInstance> ParallelExpander::expand(const QString &job, const YamlNode &parallel,
                                                       std::vector<Error> &problems)
{
    if (parallel.isMap()) {
        const YamlNode *matrix = parallel.find(QStringLiteral("matrix"));
        if (!matrix) {
            problems.push_back(
                Error::error(QStringLiteral("job '%1': parallel should be a number or have a matrix").arg(job),
                             parallel.location(), job));
            return {};
        }
        return expandMatrix(job, *matrix, problems);
    }
    const auto n = parallel.toInt();
    if (!n || *n < 1 || *n > kMaxInstances) {
        problems.push_back(Error::error(
            QStringLiteral("job '%1': parallel should be a number from 1 to %2").arg(job).arg(kMaxInstances),
            parallel.location(), job));
        return {};
    }
    std::vector<ParallelInstance> out;
    if (*n == 1) // GitLab: parallel: 1 makes one job, named `job 1/1`
        return {ParallelInstance{job + QStringLiteral(" 1/1"), 1, 1, {}}};
    for (int i = 1; i <= *n; ++i)
        out.push_back(
            ParallelInstance{QStringLiteral("%1 %2/%3").arg(job).arg(i).arg(*n), i, static_cast<int>(*n), {}});
    return out;
}

std::vector<ParallelInstance> ParallelExpander::expandMatrix(const QString &job, const YamlNode &matrix,
                                                             std::vector<Error> &problems)
{
    if (!matrix.isSequence()) {
        problems.push_back(Error::error(
            QStringLiteral("job '%1': parallel:matrix should be an array of hashes").arg(job), matrix.location(), job));
        return {};
    }
    std::vector<ParallelInstance> out;
    for (const auto &entry : matrix.items()) {
        if (!entry.isMap()) {
            problems.push_back(
                Error::error(QStringLiteral("job '%1': each parallel:matrix entry should be a hash").arg(job),
                             entry.location(), job));
            return {};
        }
        // Cartesian product over the keys, in key order.
        std::vector<std::vector<std::pair<QString, QString>>> combos{{}};
        for (const auto &[key, value] : entry.entries()) {
            const QStringList values = value.isSequence() ? value.toStringList() : QStringList{value.text()};
            std::vector<std::vector<std::pair<QString, QString>>> next;
            for (const auto &combo : combos) {
                for (const QString &v : values) {
                    auto c = combo;
                    c.emplace_back(key, v);
                    next.push_back(std::move(c));
                    if (next.size() > static_cast<size_t>(kMaxInstances))
                        break;
                }
            }
            combos = std::move(next);
        }
        for (auto &combo : combos) {
            QStringList values;
            for (const auto &kv : combo)
                values << kv.second;
            out.push_back(ParallelInstance{job + QStringLiteral(": [") + values.join(QStringLiteral(", ")) + u']', 0, 0,
                                           std::move(combo)});
        }
        if (out.size() > static_cast<size_t>(kMaxInstances)) {
            problems.push_back(Error::error(
                QStringLiteral("job '%1': parallel:matrix makes more than %2 jobs").arg(job).arg(kMaxInstances),
                matrix.location(), job));
            return {};
        }
    }
    for (size_t i = 0; i < out.size(); ++i) {
        out[i].index = static_cast<int>(i + 1);
        out[i].total = static_cast<int>(out.size());
    }
    return out;
}

} // namespace trainyard::core
