// Who runs Trainyard: $USER, then $LOGNAME, then the account of the effective uid (as `id -un`
// says), so run records and sign-offs are never anonymous in a container that sets neither.
#include "common/username.h"

#include <QProcess>
#include <QTest>

#include <unistd.h>

using namespace trainyard::core;

class tst_UserName final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void variablesFirst();
    void accountWhenNoVariable();

private:
    QByteArray m_user;
    QByteArray m_logname;
};

void tst_UserName::init()
{
    m_user = qgetenv("USER");
    m_logname = qgetenv("LOGNAME");
}

void tst_UserName::cleanup()
{
    qputenv("USER", m_user);
    qputenv("LOGNAME", m_logname);
}

void tst_UserName::variablesFirst()
{
    qputenv("USER", "ada");
    qputenv("LOGNAME", "grace");
    QCOMPARE(currentUserName(), QStringLiteral("ada"));
    qunsetenv("USER");
    QCOMPARE(currentUserName(), QStringLiteral("grace"));
    qputenv("USER", "   "); // blank is unset
    QCOMPARE(currentUserName(), QStringLiteral("grace"));
}

void tst_UserName::accountWhenNoVariable()
{
    qunsetenv("USER");
    qunsetenv("LOGNAME");
    QProcess id;
    id.start(QStringLiteral("id"), {QStringLiteral("-un")});
    QVERIFY(id.waitForFinished());
    const QString expected = QString::fromLocal8Bit(id.readAllStandardOutput()).trimmed();
    if (id.exitCode() != 0 || expected.isEmpty()) {
        // A uid without a passwd entry (a container started with --user N): still never blank.
        QCOMPARE(currentUserName(), QStringLiteral("uid %1").arg(::geteuid()));
        return;
    }
    QCOMPARE(currentUserName(), expected);
}

QTEST_GUILESS_MAIN(tst_UserName)
#include "tst_username.moc"
