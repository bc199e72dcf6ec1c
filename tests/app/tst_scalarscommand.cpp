// Runs the real `trainyard scalars` on real and generated event files: JSON Lines and CSV as
// the independent Python decoder reads them, filters, non-finite values, damage and usage errors.
#include "support/eventfilewriter.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace trainyard::test;

namespace {

struct RunResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

RunResult run(const QString &program, const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY")); // a subcommand needs no display
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(120000))
        return {};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

RunResult scalars(const QStringList &args)
{
    return run(QStringLiteral(TRAINYARD_EXE), QStringList{QStringLiteral("scalars")} + args);
}

QList<QJsonObject> jsonLines(const QString &text)
{
    QList<QJsonObject> objects;
    for (const QString &line : text.split(u'\n', Qt::SkipEmptyParts)) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            QTest::qFail(qPrintable(QStringLiteral("not a JSON object: ") + line), __FILE__, __LINE__);
            return {};
        }
        objects.append(doc.object());
    }
    return objects;
}

const QString realFile =
    QStringLiteral(TRAINYARD_TEST_DATA "/tfevents/labeled-contrastive-framework/lightning_logs/version_0/"
                                       "events.out.tfevents.1713773043.carls-gaming-linux.286970.0");

} // namespace

class tst_ScalarsCommand final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void help();
    void jsonMatchesIndependentDecoder();
    void csv();
    void summaryLines();
    void filtersAndRunNames();
    void nonFiniteValuesAndOddTags();
    void longSeriesPrintedInOrder();
    void damagedFileExitsThree();
    void lengthClaimingGigabytesIsDamage();
    void usageAndMissingLogdir();
    void recordedRunsOfAProject();
};

void tst_ScalarsCommand::help()
{
    const RunResult r = scalars({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("Usage: trainyard scalars [options] LOGDIR...")), qPrintable(r.out));
    for (const char *option : {"--json", "--csv", "--tag <REGEX>", "--run <REGEX>"})
        QVERIFY2(r.out.contains(QLatin1String(option)), option);
}

// The CLI lists a run's tags in name order and each tag's points in file order; the Python
// decoder prints in file order. Stable-sorted by tag, they must be the same lines, value for value.
void tst_ScalarsCommand::jsonMatchesIndependentDecoder()
{
    const RunResult cli = scalars({QStringLiteral("--json"), realFile});
    QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
    const RunResult py = run(QStringLiteral("python3"),
                             {QStringLiteral(TRAINYARD_SOURCE_DIR "/tests/tools/tfevents_decode.py"), realFile});
    QVERIFY2(py.exitCode == 0, qPrintable(py.err));
    const QList<QJsonObject> ours = jsonLines(cli.out);
    QList<QJsonObject> theirs = jsonLines(py.out);
    QCOMPARE(ours.size(), 15677);
    QCOMPARE(theirs.size(), ours.size());
    std::stable_sort(theirs.begin(), theirs.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(QStringLiteral("tag")).toString() < b.value(QStringLiteral("tag")).toString();
    });
    for (qsizetype i = 0; i < ours.size(); ++i) {
        const QJsonObject &a = ours[i];
        QCOMPARE(a.keys(), (QStringList{QStringLiteral("run"), QStringLiteral("step"), QStringLiteral("tag"),
                                        QStringLiteral("value"), QStringLiteral("wall_time")}));
        if (a != theirs[i]) {
            QFAIL(qPrintable(QStringLiteral("line %1: %2 vs %3")
                                 .arg(i)
                                 .arg(QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact)),
                                      QString::fromUtf8(QJsonDocument(theirs[i]).toJson(QJsonDocument::Compact)))));
        }
    }
    QCOMPARE(ours.first().value(QStringLiteral("run")).toString(), QString());
}

void tst_ScalarsCommand::csv()
{
    const RunResult r =
        scalars({QStringLiteral("--csv"), QStringLiteral("--tag"), QStringLiteral("^train_loss"), realFile});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.first(), QStringLiteral("run,tag,step,wall_time,value"));
    QVERIFY(lines.size() > 100);
    const RunResult json =
        scalars({QStringLiteral("--json"), QStringLiteral("--tag"), QStringLiteral("^train_loss"), realFile});
    const QList<QJsonObject> objects = jsonLines(json.out);
    QCOMPARE(lines.size() - 1, objects.size());
    for (qsizetype i = 0; i < objects.size(); ++i) {
        const QStringList fields = lines[i + 1].split(u',');
        QCOMPARE(fields.size(), 5);
        QCOMPARE(fields[0], QString());
        QCOMPARE(fields[1], objects[i].value(QStringLiteral("tag")).toString());
        QCOMPARE(fields[2].toLongLong(), objects[i].value(QStringLiteral("step")).toInteger());
        QCOMPARE(fields[3].toDouble(), objects[i].value(QStringLiteral("wall_time")).toDouble());
        QCOMPARE(fields[4].toDouble(), objects[i].value(QStringLiteral("value")).toDouble());
    }
}

void tst_ScalarsCommand::summaryLines()
{
    const RunResult r = scalars({QStringLiteral(TRAINYARD_TEST_DATA "/tfevents/katib")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4); // test/train × accuracy/loss
    QVERIFY2(lines[0].contains(QStringLiteral("logs/test  accuracy  10 point(s), steps 0..9")), qPrintable(lines[0]));
    // Float32 values as people write them: 7 significant digits, not the double's noise.
    static const QRegularExpression noise(QStringLiteral("\\.\\d{9,}")); // 0.009999999776482582
    for (const QString &line : lines)
        QVERIFY2(!noise.match(line).hasMatch(), qPrintable(line));
}

void tst_ScalarsCommand::filtersAndRunNames()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("a/lr_0.1")));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("b")));
    const QByteArray file =
        records({fileVersionEvent(1), summaryEvent(2, 1, {simpleValue("loss", 1), simpleValue("acc", 2)})});
    QVERIFY(writeFile(dir.filePath(QStringLiteral("a/lr_0.1/events.out.tfevents.1.x")), file));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("b/events.out.tfevents.1.x")), file));

    RunResult r = scalars({QStringLiteral("--json"), QStringLiteral("--run"), QStringLiteral("lr_"),
                           QStringLiteral("--tag"), QStringLiteral("^lo"), dir.path()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QList<QJsonObject> lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 1);
    QCOMPARE(lines[0].value(QStringLiteral("run")).toString(), QStringLiteral("a/lr_0.1"));
    QCOMPARE(lines[0].value(QStringLiteral("tag")).toString(), QStringLiteral("loss"));

    // Two logdirs: run names start with the logdir as given.
    r = scalars({QStringLiteral("--json"), QStringLiteral("--tag"), QStringLiteral("acc"),
                 dir.filePath(QStringLiteral("a")), dir.filePath(QStringLiteral("b"))});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].value(QStringLiteral("run")).toString(), dir.filePath(QStringLiteral("a/lr_0.1")));
    QCOMPARE(lines[1].value(QStringLiteral("run")).toString(), dir.filePath(QStringLiteral("b")));
}

void tst_ScalarsCommand::nonFiniteValuesAndOddTags()
{
    QTemporaryDir dir;
    const QByteArray odd = QStringLiteral(u"loss, \"smoothed\"\n — 损失").toUtf8();
    const float inf = std::numeric_limits<float>::infinity();
    QVERIFY(writeFile(
        dir.filePath(QStringLiteral("events.out.tfevents.1.x")),
        records({summaryEvent(1.5, 1, {simpleValue(odd, std::numeric_limits<float>::quiet_NaN())}),
                 summaryEvent(2.5, 2, {simpleValue(odd, inf)}), summaryEvent(3.5, 3, {simpleValue(odd, -inf)}),
                 summaryEvent(4.5, (qint64(1) << 53) + 1, {simpleValue(odd, 0.25f)})})));
    const RunResult json = scalars({QStringLiteral("--json"), dir.path()});
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    const QList<QJsonObject> lines = jsonLines(json.out);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0].value(QStringLiteral("tag")).toString(), QString::fromUtf8(odd));
    QVERIFY(lines[0].value(QStringLiteral("value")).isNull());
    QCOMPARE(lines[1].value(QStringLiteral("value")).toString(), QStringLiteral("inf"));
    QCOMPARE(lines[2].value(QStringLiteral("value")).toString(), QStringLiteral("-inf"));
    QCOMPARE(lines[3].value(QStringLiteral("value")).toDouble(), 0.25);
    QVERIFY2(json.out.contains(QStringLiteral("\"step\":9007199254740993")),
             qPrintable(json.out)); // exact, not rounded

    const RunResult csv = scalars({QStringLiteral("--csv"), dir.path()});
    QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
    const QString quoted = QStringLiteral(u"\"loss, \"\"smoothed\"\"\n — 损失\"");
    QVERIFY2(csv.out.contains(QStringLiteral(",") + quoted + QStringLiteral(",1,1.5,nan\n")), qPrintable(csv.out));
    QVERIFY2(csv.out.contains(quoted + QStringLiteral(",2,2.5,inf\n")), qPrintable(csv.out));
    QVERIFY2(csv.out.contains(quoted + QStringLiteral(",3,3.5,-inf\n")), qPrintable(csv.out));
}

// Long series are formatted on two threads, block by block (scalarsprinter.cpp): every line
// must still come once, in order, tag after tag, in both formats.
void tst_ScalarsCommand::longSeriesPrintedInOrder()
{
    constexpr int kSteps = 70001; // past the two-thread threshold, not a whole number of blocks
    QTemporaryDir dir;
    QByteArray bytes;
    for (int step = 0; step < kSteps; ++step)
        bytes += record(summaryEvent(1000.0 + step * 0.5, step,
                                     {simpleValue("b", float(step) * 0.25f), simpleValue("a", float(-step))}));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1.x")), bytes));
    const RunResult csv = scalars({QStringLiteral("--csv"), dir.path()});
    QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
    const QStringList lines = csv.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 2 * kSteps);
    for (int i = 0; i < 2 * kSteps; ++i) {
        const int step = i % kSteps;
        const bool a = i < kSteps;
        const QString expected = QStringLiteral(",%1,%2,%3,%4")
                                     .arg(a ? QStringLiteral("a") : QStringLiteral("b"))
                                     .arg(step)
                                     .arg(1000.0 + step * 0.5, 0, 'g', 17)
                                     .arg(a ? double(-step) : step * 0.25, 0, 'g', 17);
        const QStringList got = lines[i + 1].split(u',');
        const QStringList want = expected.split(u',');
        if (got.size() != 5 || got[1] != want[1] || got[2] != want[2] || got[3].toDouble() != want[3].toDouble() ||
            got[4].toDouble() != want[4].toDouble())
            QFAIL(qPrintable(QStringLiteral("line %1: %2, expected %3").arg(i + 2).arg(lines[i + 1], expected)));
    }
    const RunResult json =
        scalars({QStringLiteral("--json"), QStringLiteral("--tag"), QStringLiteral("^b$"), dir.path()});
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    const QList<QJsonObject> objects = jsonLines(json.out);
    QCOMPARE(objects.size(), kSteps);
    for (int step = 0; step < kSteps; ++step) {
        if (objects[step].value(QStringLiteral("step")).toInteger() != step ||
            objects[step].value(QStringLiteral("value")).toDouble() != step * 0.25)
            QFAIL(qPrintable(QStringLiteral("point %1 is out of place").arg(step)));
    }
}

// A flipped bit in the middle of a real file: that record is reported with file and offset,
// every other point is printed, and the exit status says some records were damaged.
void tst_ScalarsCommand::damagedFileExitsThree()
{
    QFile f(realFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    // Walk the framing to the middle record and flip a bit of its data.
    qint64 offset = 0;
    QList<qint64> starts;
    while (offset + 12 <= bytes.size()) {
        starts.append(offset);
        quint64 length = 0;
        std::memcpy(&length, bytes.constData() + offset, 8);
        offset += 16 + qint64(length);
    }
    QCOMPARE(offset, bytes.size());
    const qint64 victim = starts[starts.size() / 2];
    bytes[victim + 14] = char(bytes[victim + 14] ^ 0x04);
    QTemporaryDir dir;
    const QString copy = dir.filePath(QFileInfo(realFile).fileName());
    QVERIFY(writeFile(copy, bytes));

    const RunResult r = scalars({QStringLiteral("--json"), dir.path()});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(copy + QStringLiteral(": error: record at offset %1: data fails its CRC").arg(victim)),
             qPrintable(r.err));
    QCOMPARE(jsonLines(r.out).size(), 15677 - 1); // the damaged record held one scalar

    const RunResult py =
        run(QStringLiteral("python3"), {QStringLiteral(TRAINYARD_SOURCE_DIR "/tests/tools/tfevents_decode.py"), copy});
    QCOMPARE(py.exitCode, 3);
    QCOMPARE(jsonLines(py.out).size(), 15677 - 1);
}

// The hardening issue's M1: a real event file, then a record whose length field (valid CRC)
// claims 40 GB in a sparse file that long. It crashed with std::bad_alloc (exit 134).
void tst_ScalarsCommand::lengthClaimingGigabytesIsDamage()
{
    QFile f(realFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    const qint64 damageAt = bytes.size();
    const quint64 length = quint64(40) << 30;
    QByteArray header(reinterpret_cast<const char *>(&length), 8);
    const quint32 crc = trainyard::core::crc32c::mask(trainyard::core::crc32c::value(header.constData(), 8));
    header.append(reinterpret_cast<const char *>(&crc), 4);
    QTemporaryDir dir;
    QFile copy(dir.filePath(QFileInfo(realFile).fileName()));
    QVERIFY(copy.open(QIODevice::WriteOnly));
    QVERIFY(copy.write(bytes + header) > 0);
    if (!copy.resize(qint64(length) + damageAt + 64))
        QSKIP("this file system cannot make a sparse 40 GB file");
    copy.close();

    const RunResult r = scalars({QStringLiteral("--json"), dir.path()});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(
                 QStringLiteral("record at offset %1: its length field claims %2 bytes").arg(damageAt).arg(length)),
             qPrintable(r.err));
    QCOMPARE(jsonLines(r.out).size(), 15677); // every record before the damage
}

void tst_ScalarsCommand::usageAndMissingLogdir()
{
    QTemporaryDir dir;
    QCOMPARE(scalars({}).exitCode, 2);
    QCOMPARE(scalars({QStringLiteral("--json"), QStringLiteral("--csv"), dir.path()}).exitCode, 2);
    const RunResult badRegex = scalars({QStringLiteral("--tag"), QStringLiteral("(unclosed"), dir.path()});
    QCOMPARE(badRegex.exitCode, 2);
    QVERIFY2(badRegex.err.contains(QStringLiteral("--tag")), qPrintable(badRegex.err));
    const QString missing = dir.filePath(QStringLiteral("missing"));
    const RunResult r = scalars({missing});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(missing + QStringLiteral(": error:")), qPrintable(r.err));
    // An empty logdir is not an error: nothing to print.
    const RunResult empty = scalars({QStringLiteral("--csv"), dir.path()});
    QCOMPARE(empty.exitCode, 0);
    QCOMPARE(empty.out, QStringLiteral("run,tag,step,wall_time,value\n"));
    QVERIFY2(empty.err.contains(dir.path() + QStringLiteral(": no TensorBoard event files")), qPrintable(empty.err));
    QCOMPARE(scalars({QStringLiteral("--recorded"), dir.path()}).exitCode, 2);
}

void tst_ScalarsCommand::recordedRunsOfAProject()
{
    // A job that writes event files into its .trainyard tensorboard folder, run twice with the
    // shell engine: --recorded reads both runs from the artifact store, named "#N train".
    QTemporaryDir dir;
    QFile ci(dir.filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(ci.open(QIODevice::WriteOnly));
    ci.write(QStringLiteral(".trainyard:\n  jobs:\n    train:\n      tensorboard: logs\n"
                            "train:\n  script:\n    - mkdir -p logs\n    - cp '%1' logs/\n"
                            "  artifacts:\n    paths: [logs/]\n")
                 .arg(realFile)
                 .toUtf8());
    ci.close();
    for (int i = 0; i < 2; ++i) {
        const RunResult r =
            run(QStringLiteral(TRAINYARD_EXE), {QStringLiteral("run"), QStringLiteral("--engine"),
                                                QStringLiteral("shell"), QStringLiteral("-C"), dir.path()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    }
    const RunResult direct = scalars({QStringLiteral("--json"), realFile});
    QCOMPARE(direct.exitCode, 0);
    const QList<QJsonObject> expected = jsonLines(direct.out);
    QVERIFY(!expected.isEmpty());

    const RunResult recorded =
        scalars({QStringLiteral("--recorded"), QStringLiteral("--json"), QStringLiteral("-C"), dir.path()});
    QVERIFY2(recorded.exitCode == 0, qPrintable(recorded.err));
    const QList<QJsonObject> points = jsonLines(recorded.out);
    QCOMPARE(points.size(), 2 * expected.size());
    QStringList want, got;
    for (const QString &runName : {QStringLiteral("#1 train"), QStringLiteral("#2 train")}) {
        for (QJsonObject o : expected) {
            o[QStringLiteral("run")] = runName;
            want << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
        }
    }
    for (const QJsonObject &o : points)
        got << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
    want.sort();
    got.sort();
    QCOMPARE(got, want);
    const RunResult one = scalars({QStringLiteral("--recorded"), QStringLiteral("--run"), QStringLiteral("^#2 "),
                                   QStringLiteral("-C"), dir.path()});
    QCOMPARE(one.exitCode, 0);
    QVERIFY2(one.out.startsWith(QStringLiteral("#2 train  ")) && !one.out.contains(QStringLiteral("#1 train")),
             qPrintable(one.out));

    // Pointed at .trainyard itself (hash-named artifacts): say where to look instead of printing nothing.
    const RunResult store = scalars({dir.filePath(QStringLiteral(".trainyard"))});
    QCOMPARE(store.exitCode, 0);
    QVERIFY2(store.err.contains(QStringLiteral("trainyard scalars --recorded -C")), qPrintable(store.err));

    QTemporaryDir none;
    const RunResult nothing = scalars({QStringLiteral("--recorded"), QStringLiteral("-C"), none.path()});
    QVERIFY2(nothing.err.contains(QStringLiteral("has TensorBoard scalars")), qPrintable(nothing.err + nothing.out));
}

QTEST_GUILESS_MAIN(tst_ScalarsCommand)
#include "tst_scalarscommand.moc"
