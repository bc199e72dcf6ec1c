#include "common/safename.h"

#include <QSet>
#include <QTest>

using namespace trainyard::core;

class tst_SafeName final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void safeNamesStay();
    void changedNamesAreDistinct();
    void neverHiddenNorLong();
};

void tst_SafeName::safeNamesStay()
{
    QCOMPARE(safeName(QStringLiteral("train")), QStringLiteral("train"));
    QCOMPARE(safeName(QStringLiteral("unit-tests_2.1")), QStringLiteral("unit-tests_2.1"));
}

void tst_SafeName::changedNamesAreDistinct()
{
    const QStringList names{
        QStringLiteral("a/b"), QStringLiteral("a_b"), QStringLiteral("a\\b"),           QStringLiteral("a b"),
        QStringLiteral("a:b"), QStringLiteral("aéb"), QStringLiteral("train: [gpu, 1]")};
    QSet<QString> seen;
    for (const QString &n : names) {
        const QString s = safeName(n);
        QVERIFY2(QRegularExpression(QStringLiteral("^[A-Za-z0-9_.-]+$")).match(s).hasMatch(), qPrintable(s));
        seen << s;
    }
    QCOMPARE(seen.size(), names.size());
    QVERIFY(safeName(QStringLiteral("a/b")).startsWith(QLatin1String("a_b-")));
    QCOMPARE(safeName(QStringLiteral("a/b")), safeName(QStringLiteral("a/b"))); // stable
}

void tst_SafeName::neverHiddenNorLong()
{
    for (const QString &n : {QStringLiteral(".."), QStringLiteral("."), QStringLiteral(".hidden"), QString()})
        QVERIFY2(!safeName(n).startsWith(u'.') && !safeName(n).isEmpty(), qPrintable(safeName(n)));
    QVERIFY(safeName(QString(300, u'x')).size() <= 109);
    QVERIFY(safeName(QString(300, u'x')) != safeName(QString(301, u'x')));
}

QTEST_GUILESS_MAIN(tst_SafeName)
#include "tst_safename.moc"
