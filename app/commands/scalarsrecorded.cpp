// The part of `trainyard scalars` that reads a project's recorded runs (--recorded): it needs the
// lineage store, so it lives in trainyard-commands.so, which the command loads only then.
#include "commandsmodule.h"
#include "scalarsprinter.h"

#include "lineage/runscalarslocator.h"
#include "metrics/scalartailer.h"

#include <type_traits>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

/// Prints the scalars of one recorded run that passed --run; returns how many series it printed.
int printRecordedRun(const RecordedScalarRun &r, ScalarsPrinter &printer)
{
    int shown = 0;
    if (!r.eventFiles.isEmpty()) {
        ReadReport readReport;
        const RunScalars scalars = RunScalarsLocator::read(r, readReport);
        printer.report(readReport);
        shown += printer.printRun(r.displayName, scalars);
    } else if (!r.workspaceLogdir.isEmpty()) {
        // A job still running (or a failed one whose workspace was kept): its folder as it is now.
        ScalarTailer tailer(r.workspaceLogdir);
        const Result<ReadReport> readReport = tailer.readNew();
        if (!readReport) {
            printer.err << "trainyard scalars: " << readReport.error().toString() << "\n";
            printer.status = ExitFailed;
            return shown;
        }
        printer.report(*readReport);
        for (const RunScalars *run : tailer.runs())
            shown += printer.printRun(run->name.isEmpty() ? r.displayName : r.displayName + u'/' + run->name, *run);
    }
    return shown;
}

/// Prints the scalars of the runs recorded in `projectDir` that pass `runFilter`; false (after
/// saying why) when the project's runs cannot be listed.
bool printRecordedRuns(const QString &projectDir, const QRegularExpression &runFilter, ScalarsPrinter &printer)
{
    const Result<RecordedScalarRuns> runs = RunScalarsLocator::list(projectDir);
    if (!runs) {
        printer.err << "trainyard scalars: " << runs.error().toString() << "\n";
        return false;
    }
    for (const Error &e : runs->problems)
        printer.err << e.toString() << "\n";
    int shown = 0;
    for (const RecordedScalarRun &r : runs->runs) {
        if (!runFilter.pattern().isEmpty() && !runFilter.match(r.displayName).hasMatch())
            continue;
        shown += printRecordedRun(r, printer);
    }
    if (shown == 0)
        printer.err << "trainyard scalars: no recorded run in " << projectDir << " has TensorBoard scalars"
                    << (runFilter.pattern().isEmpty() && printer.tagFilter.pattern().isEmpty()
                            ? QString()
                            : QStringLiteral(" matching --run/--tag"))
                    << " (a job declares its folder with .trainyard: jobs: JOB: tensorboard: DIR)\n";
    return true;
}

} // namespace

} // namespace trainyard::app

extern "C" Q_DECL_EXPORT bool trainyardPrintRecordedScalars(const QString &projectDir,
                                                            const QRegularExpression &runFilter,
                                                            trainyard::app::ScalarsPrinter &printer)
{
    return trainyard::app::printRecordedRuns(projectDir, runFilter, printer);
}

// The entry point has the type `trainyard scalars` expects.
static_assert(std::is_same_v<decltype(&trainyardPrintRecordedScalars), trainyard::app::PrintRecordedScalars>);
