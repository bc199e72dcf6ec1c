#include "supplychain/versionorder.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace trainyard::core;

class tst_VersionOrder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void debian_data();
    void debian();
    void debianAgreesWithDpkg_data() { debian_data(); }
    void debianAgreesWithDpkg();
    void alpine_data();
    void alpine();
    void pep440_data();
    void pep440();
    void ecosystems();
};

namespace {

void addRows()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("order"); // -1: a before b, 0: equal, 1: a after b
}

void row(const char *a, const char *b, int order)
{
    QTest::addRow("%s vs %s", a, b) << QString::fromUtf8(a) << QString::fromUtf8(b) << order;
}

int normalised(int c)
{
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

} // namespace

void tst_VersionOrder::debian_data()
{
    addRows();
    row("1.0", "1.0", 0);
    row("1:1.0", "2.0", 1);    // the epoch first
    row("0:1.0", "1.0", 0);    // epoch 0 is no epoch
    row("1.0~rc1", "1.0", -1); // ~ before the end
    row("1.0~~", "1.0~", -1);  // ~~ before ~
    row("1.0~rc1", "1.0~rc1-1", -1);
    row("1.0a", "1.0", 1);   // a letter after the end
    row("1.0a", "1.0+", -1); // letters before other characters
    row("1.10", "1.9", 1);   // numbers as numbers
    row("1.01", "1.1", 0);   // leading zeros ignored
    row("3.0.11-1~deb12u2", "3.0.11-1", -1);
    row("3.0.11-1", "3.0.11-1+deb12u1", -1);
    row("2.36-9+deb12u3", "2.36-9+deb12u10", -1);
    row("1.2.3-1", "1.2.3-10", -1);
    row("1.0-1", "1.0-1.1", -1);
    row("7.88.1-10+deb12u5", "7.88.1-10+deb12u4", 1);
    row("2:8.2.3995-1", "9.0-1", 1);
}

void tst_VersionOrder::debian()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, order);
    QCOMPARE(normalised(compareDebianVersions(a, b)), order);
    QCOMPARE(normalised(compareDebianVersions(b, a)), -order);
    QCOMPARE(normalised(compareVersions(Ecosystem::Debian, a, b)), order);
}

void tst_VersionOrder::debianAgreesWithDpkg()
{
    // The same rows, asked of dpkg itself: the ordering is dpkg's, not a guess at it.
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, order);
    const QString dpkg = QStandardPaths::findExecutable(QStringLiteral("dpkg"));
    if (dpkg.isEmpty())
        QSKIP("dpkg is not installed");
    const char *op = order < 0 ? "lt" : (order == 0 ? "eq" : "gt");
    QProcess p;
    p.start(dpkg, {QStringLiteral("--compare-versions"), a, QLatin1String(op), b});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

void tst_VersionOrder::alpine_data()
{
    addRows();
    row("1.2.3-r0", "1.2.3-r0", 0);
    row("1.2.3-r0", "1.2.3-r1", -1);
    row("1.2.3-r9", "1.2.3-r10", -1); // the revision as a number
    row("1.2.3_rc1", "1.2.3", -1);    // a pre-release before the release
    row("1.2.3_alpha", "1.2.3_beta", -1);
    row("1.2.3_beta2", "1.2.3_pre1", -1);
    row("1.2.3", "1.2.3_p1", -1); // a patch release after it
    row("1.2.3_git20230101", "1.2.3_p1", -1);
    row("1.2a", "1.2", 1);
    row("1.2a", "1.2b", -1);
    row("1.10", "1.9", 1);
    row("1.2.1", "1.2", 1);
    row("3.0.11-r0", "3.0.12-r0", -1);
    row("3.1.4-r5", "3.1.4-r6", -1);
    row("1.36.1-r2", "1.36.1-r15", -1);
}

void tst_VersionOrder::alpine()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, order);
    QCOMPARE(normalised(compareAlpineVersions(a, b)), order);
    QCOMPARE(normalised(compareAlpineVersions(b, a)), -order);
}

void tst_VersionOrder::pep440_data()
{
    addRows();
    row("1.0", "1.0.0", 0);       // trailing zeros
    row("1.0.dev0", "1.0a1", -1); // dev before pre-releases
    row("1.0a1", "1.0b1", -1);
    row("1.0b2", "1.0rc1", -1);
    row("1.0rc1", "1.0", -1);
    row("1.0", "1.0.post1", -1);
    row("1.0a1.dev1", "1.0a1", -1); // a pre-release's dev release before it
    row("1.0.post1.dev1", "1.0.post1", -1);
    row("1.0alpha1", "1.0a1", 0); // spellings normalised as pip does
    row("1.0-1", "1.0.post1", 0); // an implicit post release
    row("1.0c1", "1.0rc1", 0);
    row("1!0.1", "2.0", 1);       // the epoch first
    row("1.0+local.1", "1.0", 1); // a local label after the public version
    row("1.0+abc", "1.0+5", -1);  // numbers after words in a local label
    row("10.0", "2.0", 1);
    row("2.31.0", "2.32.0", -1);
    row("V1.0", "1.0", 0);
    row("not a version", "0.1", -1); // unreadable sorts first
}

void tst_VersionOrder::pep440()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, order);
    QCOMPARE(normalised(comparePep440Versions(a, b)), order);
    QCOMPARE(normalised(comparePep440Versions(b, a)), -order);
}

void tst_VersionOrder::ecosystems()
{
    QCOMPARE(ecosystemOf(QStringLiteral("Debian:12")), Ecosystem::Debian);
    QCOMPARE(ecosystemOf(QStringLiteral("Ubuntu:Pro:22.04:LTS")), Ecosystem::Debian);
    QCOMPARE(ecosystemOf(QStringLiteral("Alpine:v3.18")), Ecosystem::Alpine);
    QCOMPARE(ecosystemOf(QStringLiteral("PyPI")), Ecosystem::PyPI);
    QCOMPARE(ecosystemOf(QStringLiteral("npm")), Ecosystem::Unknown);
    QCOMPARE(ecosystemName(Ecosystem::PyPI), QStringLiteral("PyPI"));
}

QTEST_GUILESS_MAIN(tst_VersionOrder)
#include "tst_versionorder.moc"
