#include "engine/jobscript.h"
#include "engine/secretmasker.h"

#include <QProcess>
#include <QTest>

using namespace trainyard::core;

class tst_JobScript final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void durations_data();
    void durations();
    void scriptStopsAtFirstFailure();
    void scriptEchoesCommandsSafely();
    void masking_data();
    void masking();
};

void tst_JobScript::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("seconds");
    QTest::newRow("plain") << "3600" << 3600;
    QTest::newRow("minutes") << "90 minutes" << 5400;
    QTest::newRow("h m") << "1h 30m" << 5400;
    QTest::newRow("hours and") << "2 hours and 10 minutes" << 7800;
    QTest::newRow("day") << "1 day" << 86400;
    QTest::newRow("seconds") << "30s" << 30;
    QTest::newRow("week") << "1 week" << 604800;
    QTest::newRow("garbage") << "soon" << -1;
    QTest::newRow("unknown unit") << "3 fortnights" << -1;
    QTest::newRow("empty") << "" << -1;
}

void tst_JobScript::durations()
{
    QFETCH(QString, text);
    QFETCH(int, seconds);
    QCOMPARE(JobScript::parseDurationSeconds(text).value_or(-1), seconds);
}

static QPair<int, QString> runSh(const QString &script)
{
    QProcess p;
    p.start(QStringLiteral("sh"), {QStringLiteral("-c"), script});
    p.waitForFinished();
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput())};
}

void tst_JobScript::scriptStopsAtFirstFailure()
{
    const auto [code, out] = runSh(JobScript::build({QStringLiteral("echo one"), QStringLiteral("false"), QStringLiteral("echo never")}));
    QCOMPARE(code, 1);
    QVERIFY(out.contains(QStringLiteral("$ echo one\none\n$ false\n")));
    QVERIFY(!out.contains(QStringLiteral("never\n")));
}

void tst_JobScript::scriptEchoesCommandsSafely()
{
    const QString tricky = QStringLiteral("echo 'it''s' \"$HOME\" | cat");
    const auto [code, out] = runSh(JobScript::build({tricky, QStringLiteral("printf '%s\\n' multi\necho line2")}));
    QCOMPARE(code, 0);
    QVERIFY(out.startsWith(QStringLiteral("$ ") + tricky + u'\n'));
    QVERIFY(out.contains(QStringLiteral("line2")));
}

void tst_JobScript::masking_data()
{
    QTest::addColumn<QStringList>("secrets");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("masked");
    QTest::newRow("one") << QStringList{QStringLiteral("hunter22")} << "pw=hunter22!" << "pw=[MASKED]!";
    QTest::newRow("twice") << QStringList{QStringLiteral("s3cr3t")} << "s3cr3t s3cr3t" << "[MASKED] [MASKED]";
    QTest::newRow("longest first") << QStringList{QStringLiteral("abcd"), QStringLiteral("abcdefgh")} << "abcdefgh" << "[MASKED]";
    QTest::newRow("too short to mask") << QStringList{QStringLiteral("ab")} << "ab" << "ab";
    QTest::newRow("none") << QStringList{} << "plain" << "plain";
}

void tst_JobScript::masking()
{
    QFETCH(QStringList, secrets);
    QFETCH(QString, text);
    QFETCH(QString, masked);
    QCOMPARE(SecretMasker(secrets).mask(text), masked);
}

QTEST_GUILESS_MAIN(tst_JobScript)
#include "tst_jobscript.moc"
