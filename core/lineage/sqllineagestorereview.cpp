// SqlLineageStore's writes for review: scalars and quality gates, reproductions and sign-offs.
#include "sqllineagestore.h"

#include "common/error.h"

#include "lineagesql.h"

#include <QDateTime>
#include <QMap>

#include <cmath>

#include <optional>
#include <vector>

namespace trainyard::core {

using namespace lineagesql;

Result<void> SqlLineageStore::recordGates(const QString &runId, const QString &job,
                                          const std::vector<LineageGate> &gates)
{
    return runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM gates WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db, QStringLiteral("INSERT INTO gates (run_id, job, metric, op, threshold, value, outcome, source) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
        for (const LineageGate &g : gates) {
            const QVariant value = g.value ? QVariant(*g.value) : sqlNull();
            const QString outcome = g.outcome.isEmpty() ? QStringLiteral("pending") : g.outcome;
            if (auto ok = ins.exec({runId, job, g.metric, g.op, g.threshold, value, outcome, g.source}); !ok)
                return ok;
        }
        // Scalars recorded before the gates still count.
        Query scalars(*db, QStringLiteral("SELECT tag, value FROM scalars WHERE run_id = ? AND job = ?"));
        if (auto ok = scalars.exec({runId, job}); !ok)
            return ok;
        QMap<QString, double> values;
        while (scalars.next())
            values.insert(scalars.value(0).toString(), scalars.value(1).toDouble());
        return values.isEmpty() ? Result<void>{} : evaluateGates(*db, runId, job, values, QStringLiteral("scalars"));
    });
}

Result<void> SqlLineageStore::recordScalars(const QString &runId, const QString &job,
                                            const QMap<QString, double> &finalValues)
{
    return runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        Query ins(*db, QStringLiteral("INSERT INTO scalars (run_id, job, tag, value) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT (run_id, job, tag) DO UPDATE SET value = excluded.value"));
        for (auto it = finalValues.cbegin(); it != finalValues.cend(); ++it) {
            if (auto ok = ins.exec({runId, job, it.key(), it.value()}); !ok)
                return ok;
        }
        return evaluateGates(*db, runId, job, finalValues, QStringLiteral("scalars"));
    });
}

Result<void> SqlLineageStore::recordMetrics(const QString &runId, const QString &job,
                                            const std::vector<LineageMetric> &metrics)
{
    return runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        Query del(*db, QStringLiteral("DELETE FROM job_metrics WHERE run_id = ? AND job = ?"));
        if (auto ok = del.exec({runId, job}); !ok)
            return ok;
        Query ins(*db,
                  QStringLiteral("INSERT INTO job_metrics (run_id, job, name, value, source) VALUES (?, ?, ?, ?, ?) "
                                 "ON CONFLICT (run_id, job, name) DO UPDATE SET value = excluded.value, "
                                 "source = excluded.source"));
        QMap<QString, QMap<QString, double>> bySource; // gates say which file their value came from
        for (const LineageMetric &m : metrics) {
            const QVariant value = std::isnan(m.value) ? sqlNull() : QVariant(m.value);
            if (auto ok = ins.exec({runId, job, m.name, value, m.source}); !ok)
                return ok;
            bySource[m.source].insert(m.name, m.value);
        }
        for (auto it = bySource.cbegin(); it != bySource.cend(); ++it) {
            if (auto ok = evaluateGates(*db, runId, job, it.value(), it.key()); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqlLineageStore::annotateRun(const QString &runId, const LineageRunAnnotation &annotation)
{
    const auto problem = [&](const QString &what) {
        return tl::unexpected(Error::error(QStringLiteral("run %1: %2").arg(runId, what), SourceLocation{path()}));
    };
    const QString name = annotation.name.trimmed();
    if (name.contains(u'\n'))
        return problem(QStringLiteral("a run's name is one line"));
    if (name.size() > 200)
        return problem(QStringLiteral("a run's name is at most 200 characters (this one has %1)").arg(name.size()));
    QStringList tags;
    for (const QString &t : annotation.tags) {
        const QString tag = t.trimmed();
        if (tag.isEmpty())
            continue;
        if (tag.contains(u'\n') || tag.size() > 64)
            return problem(QStringLiteral("tag '%1' is not one line of at most 64 characters").arg(tag.left(64)));
        if (!tags.contains(tag))
            tags << tag;
    }
    return runTransaction(runId, [&]() -> Result<void> {
        auto db = database();
        Query update(*db, QStringLiteral("UPDATE runs SET title = ?, notes = ? WHERE id = ?"));
        if (auto ok = update.exec({name, annotation.notes, runId}); !ok)
            return ok;
        if (update.raw().numRowsAffected() == 0)
            return problem(QStringLiteral("no such run in the lineage database"));
        Query del(*db, QStringLiteral("DELETE FROM run_tags WHERE run_id = ?"));
        if (auto ok = del.exec({runId}); !ok)
            return ok;
        Query ins(*db, QStringLiteral("INSERT INTO run_tags (run_id, tag) VALUES (?, ?)"));
        for (const QString &tag : std::as_const(tags)) {
            if (auto ok = ins.exec({runId, tag}); !ok)
                return ok;
        }
        return {};
    });
}

Result<void> SqlLineageStore::recordGateValues(const QString &runId, const QString &job,
                                               const QMap<QString, double> &values, const QString &source)
{
    return runTransaction(runId,
                          [&]() -> Result<void> { return evaluateGates(*database(), runId, job, values, source); });
}

Result<void> SqlLineageStore::evaluateGates(const QSqlDatabase &db, const QString &runId, const QString &job,
                                            const QMap<QString, double> &values, const QString &source)
{
    Query gates(db, QStringLiteral("SELECT metric, op, threshold FROM gates WHERE run_id = ? AND job = ?"));
    if (auto ok = gates.exec({runId, job}); !ok)
        return ok;
    struct Pending
    {
        QString metric, op;
        double value;
        bool passed;
    };
    std::vector<Pending> updates;
    while (gates.next()) {
        const QString metric = gates.value(0).toString();
        const QString op = gates.value(1).toString();
        const double threshold = gates.value(2).toDouble();
        // The tag itself, else a tag whose last segment is the metric ("eval/accuracy").
        std::optional<double> value;
        if (values.contains(metric)) {
            value = values.value(metric);
        } else {
            for (auto it = values.cbegin(); it != values.cend(); ++it) {
                if (it.key().section(u'/', -1) == metric) {
                    value = it.value();
                    break;
                }
            }
        }
        if (!value)
            continue;
        const double v = *value;
        const bool passed = op == QLatin1String(">=")   ? v >= threshold
                            : op == QLatin1String(">")  ? v > threshold
                            : op == QLatin1String("<=") ? v <= threshold
                            : op == QLatin1String("<")  ? v < threshold
                                                        : v == threshold;
        updates.push_back({metric, op, v, passed});
    }
    Query update(db, QStringLiteral("UPDATE gates SET value = ?, outcome = ?, source = ? "
                                    "WHERE run_id = ? AND job = ? AND metric = ? AND op = ?"));
    for (const Pending &p : updates) {
        const QString outcome = p.passed ? QStringLiteral("passed") : QStringLiteral("failed");
        if (auto ok = update.exec({p.value, outcome, source, runId, job, p.metric, p.op}); !ok)
            return ok;
    }
    return {};
}

Result<void> SqlLineageStore::closePendingGates(const QString &runId)
{
    return runTransaction(runId, [&]() -> Result<void> {
        Query q(*database(),
                QStringLiteral("UPDATE gates SET outcome = 'not measured' WHERE run_id = ? AND outcome = 'pending'"));
        return q.exec({runId});
    });
}

Result<void> SqlLineageStore::recordReproduction(const LineageReproduction &r)
{
    return runTransaction(r.originalRunId, [&]() -> Result<void> {
        Query q(
            *database(),
            QStringLiteral(
                "INSERT INTO reproductions (original_run_id, reproduction_run_id, identical, differences, compared_at, "
                "errored) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (original_run_id, reproduction_run_id) DO UPDATE SET "
                "identical = excluded.identical, differences = excluded.differences, "
                "compared_at = excluded.compared_at, errored = excluded.errored"));
        return q.exec({r.originalRunId, r.reproductionRunId, fromBool(r.identical), r.differences,
                       fromTime(r.compared.isValid() ? r.compared : QDateTime::currentDateTimeUtc()),
                       fromBool(r.errored)});
    });
}

Result<qint64> SqlLineageStore::addSignOff(const LineageSignOff &s)
{
    if (s.decision != QLatin1String("approve") && s.decision != QLatin1String("reject"))
        return tl::unexpected(
            Error::error(QStringLiteral("a sign-off decision is 'approve' or 'reject', not '%1'").arg(s.decision)));
    if (s.reviewer.trimmed().isEmpty())
        return tl::unexpected(Error::error(QStringLiteral("a sign-off needs the reviewer's name")));
    qint64 id = 0;
    auto ok = runTransaction(s.runId, [&]() -> Result<void> {
        Query q(*database(),
                QStringLiteral("INSERT INTO signoffs (artifact_sha256, run_id, reviewer, decision, comment, signed_at, "
                               "fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"));
        if (auto done =
                q.exec({s.artifactSha256, s.runId, s.reviewer.trimmed(), s.decision, s.comment,
                        fromTime(s.signedAt.isValid() ? s.signedAt : QDateTime::currentDateTimeUtc()), s.fingerprint});
            !done)
            return done;
        if (q.next())
            id = q.value(0).toLongLong();
        return {};
    });
    if (!ok)
        return tl::unexpected(ok.error());
    return id;
}

} // namespace trainyard::core
