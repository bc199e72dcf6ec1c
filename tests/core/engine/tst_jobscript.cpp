#include "engine/jobscript.h"
#include "pipeline/secretmasker.h"

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
    void unmaskable_data();
    void unmaskable();
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
    const auto [code, out] =
        runSh(JobScript::build({QStringLiteral("echo one"), QStringLiteral("false"), QStringLiteral("echo never")}));
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
    QTest::newRow("one") << QStringList{QStringLiteral("hunter22")} << "pw=hunter22!"
                         << "pw=[MASKED]!";
    QTest::newRow("twice") << QStringList{QStringLiteral("s3cr3t")} << "s3cr3t s3cr3t"
                           << "[MASKED] [MASKED]";
    QTest::newRow("longest first") << QStringList{QStringLiteral("abcd"), QStringLiteral("abcdefgh")} << "abcdefgh"
                                   << "[MASKED]";
    QTest::newRow("too short to mask") << QStringList{QStringLiteral("ab")} << "ab"
                                       << "ab";
    QTest::newRow("none") << QStringList{} << "plain"
                          << "plain";
    // A value of several lines is masked line by line: logs arrive one line at a time (H2).
    const QString pem = QStringLiteral("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\n"
                                       "  BKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n");
    QTest::newRow("PEM, one of its lines") << QStringList{pem} << "key: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
                                           << "key: [MASKED]";
    QTest::newRow("PEM, an indented line") << QStringList{pem} << "BKcwggSjAgEAAoIBAQC7 end"
                                           << "[MASKED] end";
    QTest::newRow("PEM, lines joined") << QStringList{pem} << "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC BKcwggSjAgEAAoIBAQC7"
                                       << "[MASKED] [MASKED]";
    const QString json = QStringLiteral("{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"a1b2c3d4\"\n}");
    QTest::newRow("JSON key, a line") << QStringList{json} << "  \"private_key_id\": \"a1b2c3d4\""
                                      << "  [MASKED]";
    QTest::newRow("JSON key, braces stay") << QStringList{json} << "{ }"
                                           << "{ }";
}

void tst_JobScript::unmaskable_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("multiLineOnly");
    QTest::addColumn<QString>("why");
    QTest::newRow("long enough") << QStringLiteral("hunter22") << false << QString();
    QTest::newRow("short, one line") << QStringLiteral("abc") << false << QStringLiteral("shorter than 4");
    QTest::newRow("short, one line, not asked") << QStringLiteral("abc") << true << QString();
    QTest::newRow("PEM") << QStringLiteral("-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----") << true
                         << QString();
    QTest::newRow("punctuation lines") << QStringLiteral("{\n  \"k\": \"value\"\n}\n") << true << QString();
    QTest::newRow("a short line") << QStringLiteral("MIIEvQIBADANBgkq\nAB=\n") << true
                                  << QStringLiteral("line 2 of its 3 lines is shorter than 4");
}

void tst_JobScript::unmaskable()
{
    QFETCH(QString, value);
    QFETCH(bool, multiLineOnly);
    QFETCH(QString, why);
    const QString found = SecretMasker::unmaskable(value, multiLineOnly);
    if (why.isEmpty())
        QCOMPARE(found, QString());
    else
        QVERIFY2(found.contains(why), qPrintable(found));
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
