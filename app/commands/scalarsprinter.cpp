#include "scalarsprinter.h"

#include "metrics/eventfilereader.h"
#include "metrics/scalarscsv.h"
#include "metrics/scalarseries.h"

#include <QIODevice>

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

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

// Points are formatted a block at a time into a buffer that is written and reused: fresh memory
// is dear to fault in, a block's text (about 90 bytes a point as JSON) is not.
constexpr size_t kBlockPoints = 2048;
// From this many points, a helper thread formats every other block.
constexpr size_t kTwoThreadPoints = 32768;

/// Appends the points [begin, end) of `series` to `text`; `prefix` is the run and tag fields,
/// already encoded.
void formatPoints(const ScalarSeries &series, size_t begin, size_t end, ScalarsFormat format, const std::string &prefix,
                  std::string &text)
{
    const auto steps = series.steps();
    const auto wallTimes = series.wallTimes();
    const auto values = series.values();
    for (size_t i = begin; i < end; ++i) {
        text += prefix;
        if (format == ScalarsFormat::Json) {
            text += ",\"step\":";
            ScalarsCsv::appendInteger(text, steps[i]);
            text += ",\"wall_time\":";
            appendJsonNumber(text, wallTimes[i]);
            text += ",\"value\":";
            appendJsonNumber(text, values[i]);
            text += "}\n";
        } else {
            ScalarsCsv::appendInteger(text, steps[i]);
            text += ',';
            ScalarsCsv::appendNumber(text, wallTimes[i]);
            text += ',';
            ScalarsCsv::appendNumber(text, values[i]);
            text += '\n';
        }
    }
}

/// Prints the points of one series, in order. Formatting numbers is most of the work, so a long
/// series is formatted on two threads: a helper formats the odd blocks, each into one of two
/// buffers, while this thread formats the even ones and writes every block as its turn comes.
void printPoints(const ScalarSeries &series, ScalarsFormat format, const std::string &prefix, QTextStream &out)
{
    const size_t n = size_t(series.size());
    const size_t blocks = (n + kBlockPoints - 1) / kBlockPoints;
    const auto blockEnd = [n](size_t block) { return std::min(n, (block + 1) * kBlockPoints); };
    std::string own;
    if (n < kTwoThreadPoints || std::thread::hardware_concurrency() < 2) {
        for (size_t b = 0; b < blocks; ++b) {
            own.clear();
            formatPoints(series, b * kBlockPoints, blockEnd(b), format, prefix, own);
            writeUtf8(own, out);
        }
        return;
    }
    // The helper's block b (odd) goes to slot (b / 2) % 2, which is full from when the helper
    // filled it until this thread wrote it out.
    std::array<std::string, 2> slots;
    std::array<bool, 2> full{false, false};
    std::mutex mutex;
    std::condition_variable changed;
    std::thread helper([&] {
        for (size_t b = 1; b < blocks; b += 2) {
            const size_t slot = (b / 2) % 2;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return !full[slot]; });
            }
            slots[slot].clear();
            formatPoints(series, b * kBlockPoints, blockEnd(b), format, prefix, slots[slot]);
            {
                std::lock_guard lock(mutex);
                full[slot] = true;
            }
            changed.notify_all();
        }
    });
    for (size_t b = 0; b < blocks; ++b) {
        if (b % 2 == 0) {
            own.clear();
            formatPoints(series, b * kBlockPoints, blockEnd(b), format, prefix, own);
            writeUtf8(own, out);
            continue;
        }
        const size_t slot = (b / 2) % 2;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return full[slot]; });
        }
        writeUtf8(slots[slot], out);
        {
            std::lock_guard lock(mutex);
            full[slot] = false;
        }
        changed.notify_all();
    }
    helper.join();
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
