#pragma once

// The PostgreSQL server the `postgres` CTest fixture starts (tests/tools/postgres-server.sh):
// its URL, a plain connection to it, and emptying it between tests.

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QUrl>

namespace trainyard::test {

/// postgresql://postgres@127.0.0.1:PORT/lineage; the password comes from PGPASSWORD. The port is
/// the one the fixture's script chose (TRAINYARD_TEST_POSTGRES_DIR/port) when it chose one.
inline QString testServerUrl()
{
    QUrl url(qEnvironmentVariable("TRAINYARD_TEST_POSTGRES_URL"));
    QFile port(qEnvironmentVariable("TRAINYARD_TEST_POSTGRES_DIR") + QStringLiteral("/port"));
    if (port.open(QIODevice::ReadOnly))
        url.setPort(QString::fromLatin1(port.readAll()).trimmed().toInt());
    return url.toString();
}

/// A plain connection named `name` to the server at `url` (its password from PGPASSWORD, as the
/// store's is).
inline QSqlDatabase serverConnection(const QString &url, const QString &name)
{
    const QUrl u(url);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(u.host());
    db.setPort(u.port());
    db.setDatabaseName(u.path().mid(1));
    db.setUserName(u.userName());
    return db;
}

/// Empties the test server's database (its schema dropped and made again); aborts the test
/// program when the server cannot be reached, saying so.
inline void emptyTestServer()
{
    {
        QSqlDatabase db = serverConnection(testServerUrl(), QStringLiteral("reset"));
        if (!db.open())
            qFatal("cannot reach the test server %s: %s", qPrintable(testServerUrl()),
                   qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        q.exec(QStringLiteral("SET client_min_messages = warning"));
        if (!q.exec(QStringLiteral("DROP SCHEMA IF EXISTS public CASCADE")) ||
            !q.exec(QStringLiteral("CREATE SCHEMA public")))
            qFatal("cannot empty the test database: %s", qPrintable(q.lastError().text()));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("reset"));
}

} // namespace trainyard::test
