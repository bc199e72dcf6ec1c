#include "scalarscsv.h"

#include <QSaveFile>

#include <charconv>
#include <cmath>
#include <string>

namespace trainyard::core {

void ScalarsCsv::appendNumber(std::string &s, double v)
{
    if (std::isnan(v)) {
        s += "nan";
        return;
    }
    if (std::isinf(v)) {
        s += v > 0 ? "inf" : "-inf";
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    s.append(buffer, result.ptr);
}

void ScalarsCsv::appendInteger(std::string &s, qint64 v)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    s.append(buffer, result.ptr);
}

std::string ScalarsCsv::field(const QString &text)
{
    const std::string utf8 = text.toStdString();
    if (utf8.find_first_of(",\"\r\n") == std::string::npos)
        return utf8;
    std::string s = "\"";
    for (const char c : utf8) {
        if (c == '"')
            s += '"';
        s += c;
    }
    s += '"';
    return s;
}

QByteArray ScalarsCsv::toCsv(const std::vector<Run> &runs, const QStringList &tags)
{
    std::string out = "run,tag,step,wall_time,value\n";
    for (const auto &[name, run] : runs) {
        if (!run)
            continue;
        for (const QString &tag : tags) {
            const auto it = run->series.find(tag);
            if (it == run->series.end())
                continue;
            const std::string prefix = field(name) + ',' + field(tag) + ',';
            const auto steps = it->second.steps();
            const auto walls = it->second.wallTimes();
            const auto values = it->second.values();
            for (size_t i = 0; i < steps.size(); ++i) {
                out += prefix;
                appendInteger(out, steps[i]);
                out += ',';
                appendNumber(out, walls[i]);
                out += ',';
                appendNumber(out, values[i]);
                out += '\n';
            }
        }
    }
    return QByteArray(out.data(), qsizetype(out.size()));
}

Result<void> ScalarsCsv::write(const QString &path, const std::vector<Run> &runs, const QStringList &tags)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tl::make_unexpected(
            Error::error(QStringLiteral("cannot write CSV: %1").arg(file.errorString()), SourceLocation{path, 0, 0}));
    const QByteArray csv = toCsv(runs, tags);
    if (file.write(csv) != csv.size() || !file.commit())
        return tl::make_unexpected(
            Error::error(QStringLiteral("cannot write CSV: %1").arg(file.errorString()), SourceLocation{path, 0, 0}));
    return {};
}

} // namespace trainyard::core
