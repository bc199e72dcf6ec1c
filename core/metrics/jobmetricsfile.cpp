#include "jobmetricsfile.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QList>

#include <cmath>
#include <optional>

namespace trainyard::core {

namespace {

/// A number as OpenMetrics and dotenv write them: decimal or exponent, `NaN`, `+Inf`, `-Inf`.
std::optional<double> toNumber(QByteArrayView text)
{
    const QByteArray t = text.trimmed().toByteArray();
    if (t.isEmpty())
        return std::nullopt;
    const QByteArray lower = t.toLower();
    if (lower == "nan")
        return std::nan("");
    if (lower == "inf" || lower == "+inf")
        return INFINITY;
    if (lower == "-inf")
        return -INFINITY;
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    return v;
}

/// Adds `m`, replacing an earlier metric of the same name in place.
void keep(std::vector<JobMetric> &metrics, JobMetric m)
{
    for (JobMetric &earlier : metrics) {
        if (earlier.name == m.name) {
            earlier = std::move(m);
            return;
        }
    }
    metrics.push_back(std::move(m));
}

Error problem(const QString &source, int line, int column, const QString &message)
{
    return Error::warning(message, SourceLocation{source, line, column});
}

/// The end of an OpenMetrics name and its labels (`name{a="b, c"}`), or -1 if a brace is unclosed.
qsizetype endOfName(QByteArrayView line)
{
    qsizetype i = 0;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '{')
        ++i;
    if (i >= line.size() || line[i] != '{')
        return i;
    bool quoted = false;
    for (++i; i < line.size(); ++i) {
        if (quoted && line[i] == '\\') {
            ++i;
        } else if (line[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && line[i] == '}') {
            return i + 1;
        }
    }
    return -1;
}

/// The lines of a text file, without their line ends (LF or CRLF).
QList<QByteArray> linesOf(const QByteArray &bytes)
{
    QList<QByteArray> lines = bytes.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    return lines;
}

void parseOpenMetrics(const QByteArray &bytes, const QString &source, JobMetricsFile::Read &out)
{
    const QList<QByteArray> lines = linesOf(bytes);
    for (qsizetype n = 0; n < lines.size(); ++n) {
        const int lineNo = int(n) + 1;
        const QByteArray &line = lines[n];
        qsizetype start = 0;
        while (start < line.size() && (line[start] == ' ' || line[start] == '\t'))
            ++start;
        const QByteArray rest = line.mid(start);
        if (rest.trimmed().isEmpty() || rest.startsWith('#'))
            continue;
        const qsizetype nameEnd = endOfName(rest);
        if (nameEnd < 0) {
            out.problems.push_back(
                problem(source, lineNo, int(start) + 1, QStringLiteral("unclosed '{' in a metric's labels")));
            continue;
        }
        const QString name = QString::fromUtf8(rest.left(nameEnd));
        // The value, then an optional timestamp.
        const QList<QByteArray> fields = rest.mid(nameEnd).simplified().split(' ');
        if (fields.isEmpty() || fields.front().isEmpty()) {
            out.problems.push_back(
                problem(source, lineNo, int(start + nameEnd) + 1,
                        QStringLiteral("metric '%1' has no value (expected 'name value')").arg(name)));
            continue;
        }
        const auto value = toNumber(fields.front());
        if (!value) {
            const qsizetype at = line.indexOf(fields.front(), start + nameEnd);
            out.problems.push_back(problem(source, lineNo, int(at) + 1,
                                           QStringLiteral("the value of metric '%1' is not a number: '%2'")
                                               .arg(name, QString::fromUtf8(fields.front()))));
            continue;
        }
        keep(out.metrics, JobMetric{name, *value, source});
    }
}

void parseDotenv(const QByteArray &bytes, const QString &source, JobMetricsFile::Read &out)
{
    const QList<QByteArray> lines = linesOf(bytes);
    for (qsizetype n = 0; n < lines.size(); ++n) {
        const int lineNo = int(n) + 1;
        const QByteArray &line = lines[n];
        const QByteArray trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.startsWith('#'))
            continue;
        const qsizetype eq = line.indexOf('=');
        if (eq <= 0 || line.left(eq).trimmed().isEmpty()) {
            out.problems.push_back(
                problem(source, lineNo, int(line.indexOf(trimmed)) + 1, QStringLiteral("expected NAME=value")));
            continue;
        }
        const QString name = QString::fromUtf8(line.left(eq).trimmed());
        QByteArray value = line.mid(eq + 1).trimmed();
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
            value = value.mid(1, value.size() - 2);
        if (const auto number = toNumber(value))
            keep(out.metrics, JobMetric{name, *number, source});
        // Text values are variables for later jobs, not metrics.
    }
}

void parseJson(const QByteArray &bytes, const QString &source, JobMetricsFile::Read &out)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        const SourceLocation at = SourceLocation::atOffset(source, bytes, error.offset);
        out.problems.push_back(
            problem(source, at.line, at.column, QStringLiteral("not JSON: %1").arg(error.errorString())));
        return;
    }
    if (!doc.isObject()) {
        out.problems.push_back(
            problem(source, 1, 1, QStringLiteral("expected a JSON object of metric names and numbers")));
        return;
    }
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.value().isDouble())
            keep(out.metrics, JobMetric{it.key(), it.value().toDouble(), source});
    }
}

} // namespace

JobMetricsFile::Read JobMetricsFile::parse(const QByteArray &bytes, Format format, const QString &source)
{
    Read out;
    if (bytes.size() > kMaxBytes) {
        out.problems.push_back(
            Error::warning(QStringLiteral("%1 bytes: too big for a metrics file (at most %2), not read")
                               .arg(bytes.size())
                               .arg(kMaxBytes),
                           SourceLocation{source}));
        return out;
    }
    switch (format) {
    case Format::OpenMetricsText:
        parseOpenMetrics(bytes, source, out);
        break;
    case Format::Dotenv:
        parseDotenv(bytes, source, out);
        break;
    case Format::Json:
        parseJson(bytes, source, out);
        break;
    }
    return out;
}

bool JobMetricsFile::isMetricsJsonName(const QString &path)
{
    const QString name = QFileInfo(path).fileName().toLower();
    return name.endsWith(QLatin1String(".json")) && name.contains(QLatin1String("metrics"));
}

} // namespace trainyard::core
