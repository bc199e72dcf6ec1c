#pragma once

#include "command.h"

#include <QRegularExpression>
#include <QString>
#include <QTextStream>

namespace trainyard::core {
struct ReadReport;
struct RunScalars;
} // namespace trainyard::core

namespace trainyard::app {

/// `trainyard scalars` exits so when everything readable was printed but some records were
/// damaged (reported on stderr).
inline constexpr int ExitDamaged = 3;

enum class ScalarsFormat { Summary, Json, Csv };

/// What printing the runs of `trainyard scalars` shares: the format, the --tag filter, the
/// streams, and the exit status so far. Used by the command in the executable and by the part
/// that reads recorded runs, in trainyard-commands.so.
struct ScalarsPrinter
{
    ScalarsFormat format;
    QRegularExpression tagFilter;
    QTextStream &out;
    QTextStream &err;
    int status = ExitOk;

    /// Prints the series of `run` that pass --tag; returns how many.
    int printRun(const QString &runName, const core::RunScalars &run);
    /// Prints a read's unfinished and damaged records; damage makes an ExitOk status ExitDamaged.
    void report(const core::ReadReport &r);
};

} // namespace trainyard::app
