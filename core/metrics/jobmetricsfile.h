#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace trainyard::core {

/// One number a job reported outside TensorBoard: a line of a GitLab metrics report, a numeric
/// variable of a dotenv report, or a top-level number of a JSON file (the demo's metrics.json).
struct JobMetric
{
    QString name; ///< as written, labels included for OpenMetrics ("accuracy{split=\"test\"}")
    double value = 0;
    QString source; ///< the file as the job collected it ("metrics.txt")
};

/// Reads the files in which jobs report numbers, following GitLab's conventions:
/// - `artifacts:reports:metrics`: OpenMetrics text, `name value` per line (labels and a timestamp
///   allowed, `#` comments ignored);
/// - `artifacts:reports:dotenv`: `NAME=value` per line; the values that are numbers;
/// - JSON: the numbers at the top level of an object (nested objects and text are not metrics).
/// A line that cannot be read is a warning naming the file, line and column; the rest is kept.
class JobMetricsFile final
{
public:
    enum class Format { OpenMetricsText, Dotenv, Json };

    struct Read
    {
        std::vector<JobMetric> metrics; ///< in file order; a name written twice keeps its last value
        std::vector<Error> problems;    ///< warnings
    };

    /// `source` is the path shown to the user and kept with each metric.
    static Read parse(const QByteArray &bytes, Format format, const QString &source);
    /// The largest file read (bigger ones are a warning, not read): reports are small.
    static constexpr qint64 kMaxBytes = 1 << 20;
    /// Whether a JSON artifact is read for metrics by its name: "metrics.json", "eval_metrics.json"…
    static bool isMetricsJsonName(const QString &path);
};

} // namespace trainyard::core
