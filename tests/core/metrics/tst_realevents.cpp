// Every real event file of tests/data/tfevents, read by the C++ reader and by an independent
// decoder (tests/tools/tfevents_decode.py, Python standard library only): the same scalars in
// the same order, bit for bit, and as many as the MANIFEST counted.
#include "metrics/eventfilereader.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <cstring>

using namespace trainyard::core;

namespace {

const QString dataDir = QStringLiteral(TRAINYARD_TEST_DATA "/tfevents");

struct Scalar
{
    QString tag;
    qint64 step = 0;
    quint64 wallTimeBits = 0;
    quint64 valueBits = 0;
    bool valueIsNan = false;

    bool operator==(const Scalar &o) const
    {
        return tag == o.tag && step == o.step && wallTimeBits == o.wallTimeBits &&
               (valueIsNan ? o.valueIsNan : valueBits == o.valueBits);
    }
    QString toString() const
    {
        return QStringLiteral("%1 step %2 wall %3 value %4")
            .arg(tag)
            .arg(step)
            .arg(wallTimeBits, 16, 16, QLatin1Char('0'))
            .arg(valueBits, 16, 16, QLatin1Char('0'));
    }
};

quint64 bitsOf(double d)
{
    quint64 b;
    std::memcpy(&b, &d, 8);
    return b;
}

QList<Scalar> readWithCpp(const QString &path, ReadReport &report)
{
    EventDecoder decoder;
    EventFileReader reader(path);
    QList<Scalar> out;
    reader.readNew(
        decoder,
        [&](int tagId, const ScalarPoint &p) {
            out.append({QString::fromUtf8(decoder.tag(tagId)), p.step, bitsOf(p.wallTime), bitsOf(p.value),
                        std::isnan(p.value)});
        },
        report);
    return out;
}

QList<Scalar> readWithPython(const QString &path, QString &error)
{
    QProcess p;
    p.start(QStringLiteral("python3"),
            {QStringLiteral(TRAINYARD_SOURCE_DIR "/tests/tools/tfevents_decode.py"), QStringLiteral("--bits"), path});
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        error = QStringLiteral("python3 tfevents_decode.py failed (%1): %2%3")
                    .arg(p.exitCode())
                    .arg(p.errorString(), QString::fromUtf8(p.readAllStandardError()));
        return {};
    }
    QList<Scalar> out;
    const QList<QByteArray> lines = p.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        Scalar s;
        s.tag = o.value(QStringLiteral("tag")).toString();
        s.step = o.value(QStringLiteral("step")).toInteger();
        s.wallTimeBits = o.value(QStringLiteral("wall_time_bits")).toString().toULongLong(nullptr, 16);
        s.valueBits = o.value(QStringLiteral("value_bits")).toString().toULongLong(nullptr, 16);
        s.valueIsNan = o.value(QStringLiteral("value")).isNull();
        out.append(s);
    }
    return out;
}

/// The MANIFEST's "scalars: N" per file (path relative to the data folder).
QHash<QString, int> manifestScalarCounts()
{
    QFile f(dataDir + QStringLiteral("/MANIFEST.md"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QHash<QString, int> counts;
    QString current;
    static const QRegularExpression fileLine(QStringLiteral("^- `([^`]+)`$"));
    static const QRegularExpression countLine(QStringLiteral("^  - records: \\d+; scalars: (\\d+)\\b"));
    for (const QByteArray &raw : f.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (const auto m = fileLine.match(line); m.hasMatch())
            current = m.captured(1);
        else if (const auto c = countLine.match(line); c.hasMatch() && !current.isEmpty())
            counts.insert(current, c.captured(1).toInt());
    }
    return counts;
}

} // namespace

class tst_RealEvents final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameAsIndependentDecoder_data();
    void sameAsIndependentDecoder();
};

void tst_RealEvents::sameAsIndependentDecoder_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("manifestCount");
    const QHash<QString, int> counts = manifestScalarCounts();
    QDirIterator it(dataDir, {QStringLiteral("events.out.tfevents.*")}, QDir::Files | QDir::Hidden,
                    QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext())
        files.append(it.next());
    files.sort();
    QCOMPARE(files.size(), 27);
    QCOMPARE(counts.size(), 27);
    for (const QString &path : files) {
        const QString relative = path.mid(dataDir.size() + 1);
        QVERIFY2(counts.contains(relative), qPrintable(relative));
        QTest::newRow(qPrintable(relative)) << path << counts.value(relative);
    }
}

void tst_RealEvents::sameAsIndependentDecoder()
{
    QFETCH(QString, path);
    QFETCH(int, manifestCount);
    ReadReport report;
    const QList<Scalar> cpp = readWithCpp(path, report);
    QVERIFY2(!report.isDamaged(), report.isDamaged() ? qPrintable(report.damage.front().toString()) : "");
    QVERIFY(report.unfinished.empty());
    QCOMPARE(report.bytesRead, QFileInfo(path).size());

    QString error;
    const QList<Scalar> python = readWithPython(path, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    QCOMPARE(cpp.size(), manifestCount);
    QCOMPARE(python.size(), manifestCount);
    for (qsizetype i = 0; i < cpp.size(); ++i) {
        if (!(cpp[i] == python[i]))
            QFAIL(qPrintable(
                QStringLiteral("scalar %1: C++ %2, Python %3").arg(i).arg(cpp[i].toString(), python[i].toString())));
    }
}

QTEST_GUILESS_MAIN(tst_RealEvents)
#include "tst_realevents.moc"
