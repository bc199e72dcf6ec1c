// Reading the numbers jobs report outside TensorBoard: GitLab's metrics and dotenv reports and
// metrics.json.
#include "metrics/jobmetricsfile.h"

#include <QTest>

#include <cmath>

using namespace trainyard::core;

class TestJobMetricsFile : public QObject
{
    Q_OBJECT

private:
    static QString names(const JobMetricsFile::Read &r)
    {
        QStringList out;
        for (const JobMetric &m : r.metrics)
            out << QStringLiteral("%1=%2").arg(m.name).arg(m.value);
        return out.join(u' ');
    }

private Q_SLOTS:
    void openMetricsText()
    {
        // GitLab's metrics report: `name value`, OpenMetrics comments, labels and timestamps.
        const QByteArray text = "# TYPE accuracy gauge\n"
                                "accuracy 0.885\n"
                                "\n"
                                "loss 2.5e-1 1700000000\r\n"
                                "latency_seconds{quantile=\"0.9\", model=\"a b\"} 0.012\n"
                                "accuracy 0.9\n"
                                "  indented 3\n"
                                "# EOF\n";
        const auto r =
            JobMetricsFile::parse(text, JobMetricsFile::Format::OpenMetricsText, QStringLiteral("metrics.txt"));
        QVERIFY2(r.problems.empty(), r.problems.empty() ? "" : qPrintable(r.problems.front().toString()));
        QCOMPARE(names(r),
                 QStringLiteral("accuracy=0.9 loss=0.25 latency_seconds{quantile=\"0.9\", model=\"a b\"}=0.012 "
                                "indented=3"));
        QCOMPARE(r.metrics.front().source, QStringLiteral("metrics.txt"));
    }

    void openMetricsSpecialValues()
    {
        const auto r = JobMetricsFile::parse("a NaN\nb +Inf\nc -Inf\n", JobMetricsFile::Format::OpenMetricsText,
                                             QStringLiteral("m"));
        QCOMPARE(r.metrics.size(), size_t(3));
        QVERIFY(std::isnan(r.metrics[0].value));
        QVERIFY(std::isinf(r.metrics[1].value) && r.metrics[1].value > 0);
        QVERIFY(std::isinf(r.metrics[2].value) && r.metrics[2].value < 0);
    }

    void openMetricsBadLinesNameFileLineAndColumn()
    {
        const QByteArray text = "ok 1\n"
                                "accuracy high\n"
                                "novalue\n"
                                "  broken{a=\"x\" 3\n"
                                "also_ok 2\n";
        const auto r =
            JobMetricsFile::parse(text, JobMetricsFile::Format::OpenMetricsText, QStringLiteral("reports/metrics.txt"));
        QCOMPARE(names(r), QStringLiteral("ok=1 also_ok=2"));
        QCOMPARE(r.problems.size(), size_t(3));
        QCOMPARE(r.problems[0].toString(),
                 QStringLiteral(
                     "reports/metrics.txt:2:10: warning: the value of metric 'accuracy' is not a number: 'high'"));
        QCOMPARE(r.problems[1].location.line, 3);
        QCOMPARE(r.problems[1].location.column, 8);
        QVERIFY(r.problems[1].message.contains(QStringLiteral("no value")));
        QCOMPARE(r.problems[2].location.line, 4);
        QCOMPARE(r.problems[2].location.column, 3);
        QVERIFY(!r.problems[0].isError());
    }

    void dotenvNumbersAreMetricsTextIsNot()
    {
        const QByteArray text = "# written by evaluate\n"
                                "ACCURACY=0.885\n"
                                "MODEL_NAME=resnet\n"
                                "EPOCHS = \"12\"\n"
                                "=3\n"
                                "not a line\n";
        const auto r = JobMetricsFile::parse(text, JobMetricsFile::Format::Dotenv, QStringLiteral("build.env"));
        QCOMPARE(names(r), QStringLiteral("ACCURACY=0.885 EPOCHS=12"));
        QCOMPARE(r.problems.size(), size_t(2));
        QCOMPARE(r.problems[0].location, (SourceLocation{QStringLiteral("build.env"), 5, 1}));
        QCOMPARE(r.problems[1].location, (SourceLocation{QStringLiteral("build.env"), 6, 1}));
    }

    void jsonTopLevelNumbers()
    {
        const auto r = JobMetricsFile::parse(R"({"accuracy": 0.885, "note": "text", "nested": {"f1": 1}, "n": 120})",
                                             JobMetricsFile::Format::Json, QStringLiteral("metrics.json"));
        QCOMPARE(names(r), QStringLiteral("accuracy=0.885 n=120"));
        QVERIFY(r.problems.empty());
    }

    void jsonErrorsSayWhere()
    {
        const auto r = JobMetricsFile::parse("{\n  \"accuracy\": 0.8,\n  oops\n}", JobMetricsFile::Format::Json,
                                             QStringLiteral("m.json"));
        QVERIFY(r.metrics.empty());
        QCOMPARE(r.problems.size(), size_t(1));
        QCOMPARE(r.problems[0].location.file, QStringLiteral("m.json"));
        QCOMPARE(r.problems[0].location.line, 3);
        const auto array = JobMetricsFile::parse("[1, 2]", JobMetricsFile::Format::Json, QStringLiteral("m.json"));
        QCOMPARE(array.problems.size(), size_t(1));
        QVERIFY(array.problems[0].message.contains(QStringLiteral("JSON object")));
    }

    void tooBigIsAWarning()
    {
        const QByteArray big(JobMetricsFile::kMaxBytes + 1, 'a');
        const auto r = JobMetricsFile::parse(big, JobMetricsFile::Format::OpenMetricsText, QStringLiteral("huge.txt"));
        QVERIFY(r.metrics.empty());
        QCOMPARE(r.problems.size(), size_t(1));
        QVERIFY(r.problems[0].message.contains(QStringLiteral("too big")));
    }

    void metricsJsonNames()
    {
        QVERIFY(JobMetricsFile::isMetricsJsonName(QStringLiteral("metrics.json")));
        QVERIFY(JobMetricsFile::isMetricsJsonName(QStringLiteral("out/eval_metrics.json")));
        QVERIFY(!JobMetricsFile::isMetricsJsonName(QStringLiteral("config.json")));
        QVERIFY(!JobMetricsFile::isMetricsJsonName(QStringLiteral("metrics.txt")));
    }
};

QTEST_GUILESS_MAIN(TestJobMetricsFile)
#include "tst_jobmetricsfile.moc"
