#pragma once

#include "common/error.h"
#include "scalarseries.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <string>

#include <utility>
#include <vector>

namespace trainyard::core {

/// Scalars as CSV, for `trainyard scalars --csv` and the compare view's export alike: a header
/// `run,tag,step,wall_time,value`, then one line per point, runs in the order given, tags in
/// the order given, points in file order. Numbers in their shortest round-trip form, `nan`,
/// `inf` and `-inf` as such; fields with a comma, quote or line break quoted.
class ScalarsCsv final
{
public:
    /// A run as exported: its name and its scalars.
    using Run = std::pair<QString, const RunScalars *>;

    static QByteArray toCsv(const std::vector<Run> &runs, const QStringList &tags);
    /// Writes atomically (QSaveFile): a failed write leaves no half file.
    static Result<void> write(const QString &path, const std::vector<Run> &runs, const QStringList &tags);

    /// The pieces, for writers that stream: a number in its shortest round-trip form (`nan`,
    /// `inf`, `-inf` as such), an integer, and a field (quoted when it holds a comma, a quote or
    /// a line break).
    static void appendNumber(std::string &out, double value);
    static void appendInteger(std::string &out, qint64 value);
    static std::string field(const QString &text);
};

} // namespace trainyard::core
