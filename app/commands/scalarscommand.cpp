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
            out << QString::fromUtf8(chunk.data(), qsizetype(chunk.size()));
            chunk.clear();
        }
    }
    out << QString::fromUtf8(chunk.data(), qsizetype(chunk.size()));
}

QString formatValue(double v)
{
    std::string s;
    ScalarsCsv::appendNumber(s, v);
    return QString::fromStdString(s);
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
    c.addOptions = [](QCommandLineParser &p) {
        p.addOption(
            QCommandLineOption(QStringLiteral("json"),
                               QStringLiteral("Print JSON Lines, one object per point: {\"run\", \"tag\", \"step\", "
                                              "\"wall_time\", \"value\"}; value null for NaN, \"inf\"/\"-inf\".")));
        p.addOption(
            QCommandLineOption(QStringLiteral("csv"), QStringLiteral("Print CSV: run,tag,step,wall_time,value.")));
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
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        const QStringList logdirs = p.positionalArguments();
        const bool recorded = p.isSet(QStringLiteral("recorded"));
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
        const auto tagFilter = regexOption(p, QStringLiteral("tag"), err);
        const auto runFilter = regexOption(p, QStringLiteral("run"), err);
        if (!tagFilter || !runFilter)
            return int(ExitUsage);
        const Format format = p.isSet(QStringLiteral("json"))  ? Format::Json
                              : p.isSet(QStringLiteral("csv")) ? Format::Csv
                                                               : Format::Summary;
        if (format == Format::Csv)
            out << "run,tag,step,wall_time,value\n";

        int status = ExitOk;
        // Prints the series of `run` that pass --tag; returns how many.
        const auto printRun = [&](const QString &runName, const RunScalars &run) {
            int printed = 0;
            for (const auto &[tag, series] : run.series) {
                if (series.isEmpty() || (!tagFilter->pattern().isEmpty() && !tagFilter->match(tag).hasMatch()))
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
        };
        const auto report = [&](const ReadReport &r) {
            for (const Error &e : r.unfinished)
                err << e.toString() << "\n";
            for (const Error &e : r.damage)
                err << e.toString() << "\n";
            if (r.isDamaged() && status == ExitOk)
                status = ExitDamaged;
        };

        if (recorded) {
            const QString projectDir = QDir(p.value(QStringLiteral("C"))).absolutePath();
            const Result<RecordedScalarRuns> runs = RunScalarsLocator::list(projectDir);
            if (!runs) {
                err << "trainyard scalars: " << runs.error().toString() << "\n";
                return int(ExitFailed);
            }
            for (const Error &e : runs->problems)
                err << e.toString() << "\n";
            int shown = 0;
            for (const RecordedScalarRun &r : runs->runs) {
                if (!runFilter->pattern().isEmpty() && !runFilter->match(r.displayName).hasMatch())
                    continue;
                if (!r.eventFiles.isEmpty()) {
                    ReadReport readReport;
                    const RunScalars scalars = RunScalarsLocator::read(r, readReport);
                    report(readReport);
                    shown += printRun(r.displayName, scalars);
                } else if (!r.workspaceLogdir.isEmpty()) {
                    // A job still running (or a failed one whose workspace was kept): its folder as it is now.
                    ScalarTailer tailer(r.workspaceLogdir);
                    const Result<ReadReport> readReport = tailer.readNew();
                    if (!readReport) {
                        err << "trainyard scalars: " << readReport.error().toString() << "\n";
                        status = ExitFailed;
                        continue;
                    }
                    report(*readReport);
                    for (const RunScalars *run : tailer.runs())
                        shown += printRun(run->name.isEmpty() ? r.displayName : r.displayName + u'/' + run->name, *run);
                }
            }
            if (shown == 0)
                err << "trainyard scalars: no recorded run in " << projectDir << " has TensorBoard scalars"
                    << (runFilter->pattern().isEmpty() && tagFilter->pattern().isEmpty()
                            ? QString()
                            : QStringLiteral(" matching --run/--tag"))
                    << " (a job declares its folder with .trainyard: jobs: JOB: tensorboard: DIR)\n";
        }

        for (const QString &logdir : logdirs) {
            // Several logdirs can hold runs of the same name (often ""): prefix them then.
            const QString prefix = logdirs.size() > 1 ? QDir::cleanPath(logdir) : QString();
            const auto displayName = [&](const QString &run) {
                return prefix.isEmpty() ? run : run.isEmpty() ? prefix : prefix + u'/' + run;
            };
            ScalarTailer::Options options;
            if (!runFilter->pattern().isEmpty())
                options.acceptRun = [&](const QString &run) { return runFilter->match(displayName(run)).hasMatch(); };
            ScalarTailer tailer(logdir, options);
            const Result<ReadReport> readResult = tailer.readNew();
            if (!readResult) {
                err << "trainyard scalars: " << readResult.error().toString() << "\n";
                status = ExitFailed;
                continue;
            }
            report(*readResult);
            for (const RunScalars *run : tailer.runs())
                printRun(displayName(run->name), *run);
            if (tailer.runs().empty() && runFilter->pattern().isEmpty()) {
                // Readable but holding no event file: say so rather than print nothing.
                err << "trainyard scalars: " << logdir
                    << ": no TensorBoard event files (events.out.tfevents.*) in it or below";
                if (QFileInfo::exists(QDir(logdir).filePath(QStringLiteral("runs"))) &&
                    QFileInfo::exists(QDir(logdir).filePath(QStringLiteral("lineage.db"))))
                    err << "; for a project's recorded runs use: trainyard scalars --recorded -C "
                        << QDir::cleanPath(logdir + QStringLiteral("/.."));
                else if (QFileInfo::exists(QDir(logdir).filePath(QStringLiteral(".trainyard/runs"))))
                    err << "; for this project's recorded runs use: trainyard scalars --recorded -C " << logdir;
                err << "\n";
            }
        }
        if (status == ExitDamaged)
            err << "trainyard scalars: some records were damaged (see above); every readable record was printed\n";
        return status;
    };
    return c;
}

} // namespace trainyard::app
