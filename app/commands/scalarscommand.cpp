#include "command.h"

#include "metrics/scalarscsv.h"

#include "lineage/runscalarslocator.h"
#include "metrics/scalartailer.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

// Everything readable was printed, but some records were damaged (reported on stderr).
constexpr int ExitDamaged = 3;

enum class Format { Summary, Json, Csv };

// JSON has no NaN or infinities: null, and the strings "inf" / "-inf".
void appendJsonNumber(std::string &s, double v)
{
    if (std::isnan(v))
        s += "null";
    else if (std::isinf(v))
        s += v > 0 ? "\"inf\"" : "\"-inf\"";
    else
        ScalarsCsv::appendNumber(s, v);
}

std::string jsonString(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::string s = "\"";
    for (const char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            s += '\\';
            s += c;
        } else if (u < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
            s += escaped;
        } else {
            s += c;
        }
    }
    s += '"';
    return s;
}

/// Writes UTF-8 `bytes` to `out`: straight to its device when it has one (after what it holds),
/// as the points are many and already encoded.
void writeUtf8(const std::string &bytes, QTextStream &out)
{
    if (QIODevice *device = out.device()) {
        out.flush();
        device->write(bytes.data(), qint64(bytes.size()));
    } else {
        out << QString::fromUtf8(bytes.data(), qsizetype(bytes.size()));
    }
}

/// Prints the points of one series; `prefix` is the run and tag fields, already encoded.
void printPoints(const ScalarSeries &series, Format format, const std::string &prefix, QTextStream &out)
{
    std::string chunk;
    chunk.reserve(1 << 16);
    const auto steps = series.steps();
    const auto wallTimes = series.wallTimes();
    const auto values = series.values();
    for (size_t i = 0; i < steps.size(); ++i) {
        chunk += prefix;
        if (format == Format::Json) {
            chunk += ",\"step\":";
            ScalarsCsv::appendInteger(chunk, steps[i]);
            chunk += ",\"wall_time\":";
            appendJsonNumber(chunk, wallTimes[i]);
            chunk += ",\"value\":";
            appendJsonNumber(chunk, values[i]);
            chunk += "}\n";
        } else {
            ScalarsCsv::appendInteger(chunk, steps[i]);
            chunk += ',';
            ScalarsCsv::appendNumber(chunk, wallTimes[i]);
            chunk += ',';
            ScalarsCsv::appendNumber(chunk, values[i]);
            chunk += '\n';
        }
        if (chunk.size() > (1 << 16) - 256) {
            writeUtf8(chunk, out);
            chunk.clear();
        }
    }
    writeUtf8(chunk, out);
}

/// A value for the summary line, which people read: TensorBoard's scalars are float32, good for
/// about 7 significant digits, so 0.01f reads 0.01, not 0.009999999776482582 (--json and --csv
/// keep every digit).
QString formatValue(double v)
{
    return QString::number(v, 'g', 7);
}

void printSummary(const QString &run, const QString &tag, const ScalarSeries &series, QTextStream &out)
{
    double low = INFINITY, high = -INFINITY;
    for (const double v : series.values()) {
        if (std::isfinite(v)) {
            low = std::min(low, v);
            high = std::max(high, v);
        }
    }
    const qsizetype n = series.size();
    out << (run.isEmpty() ? QStringLiteral(".") : run) << "  " << tag << "  " << n << " point(s), steps "
        << series.steps()[0] << ".." << series.steps()[size_t(n - 1)] << ", last "
        << formatValue(series.values()[size_t(n - 1)]);
    if (low <= high)
        out << ", min " << formatValue(low) << ", max " << formatValue(high);
    out << "\n";
}

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

/// What printing the runs shares: the format, the --tag filter, the streams, and the exit
/// status so far.
struct ScalarsPrinter
{
    Format format;
    QRegularExpression tagFilter;
    QTextStream &out;
    QTextStream &err;
    int status = ExitOk;

    /// Prints the series of `run` that pass --tag; returns how many.
    int printRun(const QString &runName, const RunScalars &run)
    {
        int printed = 0;
        for (const auto &[tag, series] : run.series) {
            if (series.isEmpty() || (!tagFilter.pattern().isEmpty() && !tagFilter.match(tag).hasMatch()))
                continue;
            ++printed;
            if (format == Format::Summary)
                printSummary(runName, tag, series, out);
            else if (format == Format::Json)
                printPoints(series, format, "{\"run\":" + jsonString(runName) + ",\"tag\":" + jsonString(tag), out);
            else
                printPoints(series, format, ScalarsCsv::field(runName) + ',' + ScalarsCsv::field(tag) + ',', out);
        }
        return printed;
    }

    /// Prints a read's unfinished and damaged records; damage makes an ExitOk status ExitDamaged.
    void report(const ReadReport &r)
    {
        for (const Error &e : r.unfinished)
            err << e.toString() << "\n";
        for (const Error &e : r.damage)
            err << e.toString() << "\n";
        if (r.isDamaged() && status == ExitOk)
            status = ExitDamaged;
    }
};

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
    const Format format = p.isSet(QStringLiteral("json"))  ? Format::Json
                          : p.isSet(QStringLiteral("csv")) ? Format::Csv
                                                           : Format::Summary;
    if (format == Format::Csv)
        out << "run,tag,step,wall_time,value\n";

    ScalarsPrinter printer{format, *tagFilter, out, err, ExitOk};
    if (recorded && !printRecordedRuns(QDir(p.value(QStringLiteral("C"))).absolutePath(), *runFilter, printer))
        return int(ExitFailed);
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
