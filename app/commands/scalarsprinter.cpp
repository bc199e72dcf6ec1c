#include "scalarsprinter.h"

#include "metrics/eventfilereader.h"
#include "metrics/scalarscsv.h"
#include "metrics/scalarseries.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

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
void printPoints(const ScalarSeries &series, ScalarsFormat format, const std::string &prefix, QTextStream &out)
{
    std::string chunk;
    chunk.reserve(1 << 16);
    const auto steps = series.steps();
    const auto wallTimes = series.wallTimes();
    const auto values = series.values();
    for (size_t i = 0; i < steps.size(); ++i) {
        chunk += prefix;
        if (format == ScalarsFormat::Json) {
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

} // namespace

int ScalarsPrinter::printRun(const QString &runName, const RunScalars &run)
{
    int printed = 0;
    for (const auto &[tag, series] : run.series) {
        if (series.isEmpty() || (!tagFilter.pattern().isEmpty() && !tagFilter.match(tag).hasMatch()))
            continue;
        ++printed;
        if (format == ScalarsFormat::Summary)
            printSummary(runName, tag, series, out);
        else if (format == ScalarsFormat::Json)
            printPoints(series, format, "{\"run\":" + jsonString(runName) + ",\"tag\":" + jsonString(tag), out);
        else
            printPoints(series, format, ScalarsCsv::field(runName) + ',' + ScalarsCsv::field(tag) + ',', out);
    }
    return printed;
}

void ScalarsPrinter::report(const ReadReport &r)
{
    for (const Error &e : r.unfinished)
        err << e.toString() << "\n";
    for (const Error &e : r.damage)
        err << e.toString() << "\n";
    if (r.isDamaged() && status == ExitOk)
        status = ExitDamaged;
}

} // namespace trainyard::app
