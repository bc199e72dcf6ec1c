#pragma once

#include "common/error.h"
#include "metrics/scalarseries.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace trainyard::ui {

/// The compare view's CSV export, in the format of `trainyard scalars --csv`: a header
/// `run,tag,step,wall_time,value`, then one line per point, runs in the order given, tags in
/// the order given, points in file order. Numbers in their shortest round-trip form, `nan`,
/// `inf` and `-inf` as such; fields with a comma, quote or line break quoted.
class ScalarsCsv final
{
public:
    /// A run as exported: its name and its scalars.
    using Run = std::pair<QString, const core::RunScalars *>;

    static QByteArray toCsv(const std::vector<Run> &runs, const QStringList &tags);
    /// Writes atomically (QSaveFile): a failed write leaves no half file.
    static core::Result<void> write(const QString &path, const std::vector<Run> &runs, const QStringList &tags);
};

} // namespace trainyard::ui
