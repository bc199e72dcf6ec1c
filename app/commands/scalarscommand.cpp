#include "command.h"
#include "commandsmodule.h"
#include "scalarsprinter.h"

#include "metrics/scalartailer.h"
#include "modules/appmodule.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <optional>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

std::optional<QRegularExpression> regexOption(const QCommandLineParser &p, const QString &name, QTextStream &err)
{
    if (!p.isSet(name))
        return QRegularExpression();
    QRegularExpression re(p.value(name));
    if (!re.isValid()) {
        err << "trainyard scalars: --" << name << ": " << re.errorString() << " at offset " << re.patternErrorOffset()
            << "\n";
        return std::nullopt;
    }
    return re;
}

/// Adds the options and the LOGDIR argument of `trainyard scalars`.
void addScalarsOptions(QCommandLineParser &p)
{
    p.addOption(QCommandLineOption(
        QStringLiteral("json"), QStringLiteral("Print JSON Lines, one object per point: {\"run\", \"tag\", \"step\", "
                                               "\"wall_time\", \"value\"}; value null for NaN, \"inf\"/\"-inf\".")));
    p.addOption(QCommandLineOption(QStringLiteral("csv"), QStringLiteral("Print CSV: run,tag,step,wall_time,value.")));
    p.addOption(QCommandLineOption(QStringLiteral("tag"),
                                   QStringLiteral("Only tags matching REGEX (anywhere in the tag)."),
                                   QStringLiteral("REGEX")));
    p.addOption(QCommandLineOption(QStringLiteral("run"),
                                   QStringLiteral("Only runs matching REGEX (anywhere in the name)."),
                                   QStringLiteral("REGEX")));
    p.addOption(
        QCommandLineOption(QStringLiteral("recorded"),
                           QStringLiteral("Read the scalars of the project's recorded runs (the jobs' "
                                          ".trainyard tensorboard folders, as collected) instead of LOGDIRs.")));
    addProjectOption(p);
    p.addPositionalArgument(QStringLiteral("LOGDIR"),
                            QStringLiteral("TensorBoard log folders (or single event files)."),
                            QStringLiteral("LOGDIR..."));
}

/// Checks that the command line names what to read (LOGDIRs or --recorded, not both) and one
/// format; 0 when it does, else ExitUsage after saying why.
int checkSources(const QCommandLineParser &p, const QStringList &logdirs, bool recorded, QTextStream &err)
{
    if (logdirs.isEmpty() && !recorded) {
        err << "trainyard scalars: at least one LOGDIR, or --recorded for a project's runs\n"
               "Try 'trainyard scalars --help'.\n";
        return int(ExitUsage);
    }
    if (!logdirs.isEmpty() && p.isSet(QStringLiteral("C")) && !recorded) {
        err << "trainyard scalars: -C goes with --recorded (LOGDIRs are read as given)\n";
        return int(ExitUsage);
    }
    if (!logdirs.isEmpty() && recorded) {
        err << "trainyard scalars: --recorded reads the project's runs; give no LOGDIR with it\n";
        return int(ExitUsage);
    }
    if (p.isSet(QStringLiteral("json")) && p.isSet(QStringLiteral("csv"))) {
        err << "trainyard scalars: --json and --csv exclude each other\n";
        return int(ExitUsage);
    }
    return 0;
}

/// Says that `logdir` holds no event files, and how to read a project's recorded runs when it
/// looks like a project or its .trainyard folder.
void reportNoEventFiles(const QString &logdir, QTextStream &err)
{
    err << "trainyard scalars: " << logdir << ": no TensorBoard event files (events.out.tfevents.*) in it or below";
    if (QFileInfo::exists(QDir(logdir).filePath(QStringLiteral("runs"))) &&
        QFileInfo::exists(QDir(logdir).filePath(QStringLiteral("lineage.db"))))
        err << "; for a project's recorded runs use: trainyard scalars --recorded -C "
            << QDir::cleanPath(logdir + QStringLiteral("/.."));
    else if (QFileInfo::exists(QDir(logdir).filePath(QStringLiteral(".trainyard/runs"))))
        err << "; for this project's recorded runs use: trainyard scalars --recorded -C " << logdir;
    err << "\n";
}

/// Prints the scalars of the runs in `logdir` that pass `runFilter`; `severalLogdirs` when the
/// command line names more than one.
void printLogdir(const QString &logdir, bool severalLogdirs, const QRegularExpression &runFilter,
                 ScalarsPrinter &printer)
{
    // Several logdirs can hold runs of the same name (often ""): prefix them then.
    const QString prefix = severalLogdirs ? QDir::cleanPath(logdir) : QString();
    const auto displayName = [&](const QString &run) {
        return prefix.isEmpty() ? run : run.isEmpty() ? prefix : prefix + u'/' + run;
    };
    ScalarTailer::Options options;
    if (!runFilter.pattern().isEmpty())
        options.acceptRun = [&](const QString &run) { return runFilter.match(displayName(run)).hasMatch(); };
    // Only the asked tags are kept: the others are decoded and checked, not stored.
    if (!printer.tagFilter.pattern().isEmpty())
        options.acceptTag = [&](const QString &tag) { return printer.tagFilter.match(tag).hasMatch(); };
    ScalarTailer tailer(logdir, options);
    const Result<ReadReport> readResult = tailer.readNew();
    if (!readResult) {
        printer.err << "trainyard scalars: " << readResult.error().toString() << "\n";
        printer.status = ExitFailed;
        return;
    }
    printer.report(*readResult);
    for (const RunScalars *run : tailer.runs())
        printer.printRun(displayName(run->name), *run);
    if (tailer.runs().empty() && runFilter.pattern().isEmpty()) {
        // Readable but holding no event file: say so rather than print nothing.
        reportNoEventFiles(logdir, printer.err);
    }
}

/// `trainyard scalars`: checks the command line, prints the scalars of the recorded runs or the
/// LOGDIRs; returns the exit status.
int printScalars(const QCommandLineParser &p, QTextStream &out, QTextStream &err)
{
    const QStringList logdirs = p.positionalArguments();
    const bool recorded = p.isSet(QStringLiteral("recorded"));
    if (const int usage = checkSources(p, logdirs, recorded, err))
        return usage;
    const auto tagFilter = regexOption(p, QStringLiteral("tag"), err);
    const auto runFilter = regexOption(p, QStringLiteral("run"), err);
    if (!tagFilter || !runFilter)
        return int(ExitUsage);
    const ScalarsFormat format = p.isSet(QStringLiteral("json"))  ? ScalarsFormat::Json
                                 : p.isSet(QStringLiteral("csv")) ? ScalarsFormat::Csv
                                                                  : ScalarsFormat::Summary;
    if (format == ScalarsFormat::Csv)
        out << "run,tag,step,wall_time,value\n";

    ScalarsPrinter printer{format, *tagFilter, out, err, ExitOk};
    if (recorded) {
        // The recorded runs are in the lineage store: read by trainyard-commands.so.
        QString error;
        const auto printRecorded = reinterpret_cast<PrintRecordedScalars>(
            resolveModuleSymbol(kCommandsModuleName, kPrintRecordedScalarsSymbol, error));
        if (!printRecorded) {
            err << "trainyard scalars: --recorded: " << error << "\n";
            return int(ExitFailed);
        }
        if (!printRecorded(QDir(p.value(QStringLiteral("C"))).absolutePath(), *runFilter, printer))
            return int(ExitFailed);
    }
    for (const QString &logdir : logdirs)
        printLogdir(logdir, logdirs.size() > 1, *runFilter, printer);
    if (printer.status == ExitDamaged)
        err << "trainyard scalars: some records were damaged (see above); every readable record was printed\n";
    return printer.status;
}

} // namespace

Command scalarsCommand()
{
    Command c;
    c.name = QStringLiteral("scalars");
    c.summary =
        QStringLiteral("Print the scalars of TensorBoard event files, from logdirs read recursively.\n"
                       "A run is a folder holding events.out.tfevents.* files, named by its path in LOGDIR\n"
                       "(\"\" or \".\" for LOGDIR itself; with several LOGDIRs, names start with the LOGDIR as\n"
                       "given). Without --json or --csv, one summary line per run and tag. Damaged records\n"
                       "are reported on stderr with file and offset.\n"
                       "With --recorded, the runs Trainyard recorded in the project (-C), named like \"#3 train\".\n"
                       "Exit status 0 when everything was read, 3 when some records were damaged, 1 when a\n"
                       "LOGDIR (or the project) cannot be read, 2 on a usage error.");
    c.arguments = QStringLiteral("LOGDIR... | --recorded [-C DIR]");
    c.addOptions = addScalarsOptions;
    c.run = printScalars;
    return c;
}

} // namespace trainyard::app
