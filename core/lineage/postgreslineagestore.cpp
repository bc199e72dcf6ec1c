// PostgresLineageStore: a team's lineage store on a PostgreSQL server (QPSQL).
#include "postgreslineagestore.h"

#include "lineageschema.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>

#include <algorithm>

namespace trainyard::core {

namespace {

constexpr int kDefaultConnectTimeoutSeconds = 10;

} // namespace

bool PostgresLineageStore::isUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

QString PostgresLineageStore::displayUrl(const QUrl &url)
{
    if (!url.isValid())
        return QStringLiteral("(a URL that cannot be read)");
    // Without anything that may be a secret: the password, any option whose name says password
    // (password, sslpassword, in any case), the fragment.
    QUrlQuery query(url);
    QUrlQuery kept;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!key.contains(QLatin1String("password"), Qt::CaseInsensitive))
            kept.addQueryItem(key, value);
    }
    QUrl shown = url;
    shown.setQuery(kept.isEmpty() ? QString() : kept.query(QUrl::FullyEncoded), QUrl::StrictMode);
    return shown.toString(QUrl::RemovePassword | QUrl::RemoveFragment);
}

Result<std::unique_ptr<LineageStore>> PostgresLineageStore::open(const QString &location, const Options &options)
{
    const QUrl url(location, QUrl::StrictMode);
    const QString shown = displayUrl(url);
    if (!url.isValid() || !isUrl(location))
        return tl::unexpected(Error::error(
            QStringLiteral("'%1' is not a PostgreSQL URL: write postgresql://USER@HOST:PORT/DATABASE").arg(shown)));
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return tl::unexpected(Error::error(
            QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed, so the team store %1 cannot be opened: "
                           "install the package libqt6sql6-psql")
                .arg(shown)));
    // libpq's keywords from the query, as Qt passes them: "key=value;key=value". A keyword is
    // letters and underscores; a value may not hold the separator.
    static const QRegularExpression keyword(QStringLiteral("^[a-z_]+$"));
    QStringList connectOptions;
    bool timeoutGiven = false;
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        // Qt joins the options with spaces, unquoted: a value with a space or ';' could add an
        // option of its own (host=…), so none is taken.
        const bool plainValue = !value.isEmpty() && std::none_of(value.cbegin(), value.cend(), [](QChar c) {
            return c.isSpace() || c == u';' || c == u'\'' || c == u'\\';
        });
        if (key.contains(QLatin1String("password"), Qt::CaseInsensitive))
            return tl::unexpected(Error::error(
                QStringLiteral("the team store URL %1 carries a password as an option: put it in PGPASSWORD or "
                               "~/.pgpass instead")
                    .arg(shown)));
        if (!keyword.match(key).hasMatch() || !plainValue)
            return tl::unexpected(Error::error(
                QStringLiteral("the team store URL %1 has an option PostgreSQL does not take as written: '%2' (an "
                               "option is letters and underscores, its value one word)")
                    .arg(shown, key)));
        timeoutGiven = timeoutGiven || key == QLatin1String("connect_timeout");
        connectOptions << QStringLiteral("%1=%2").arg(key, value);
    }
    if (!timeoutGiven) // an unreachable server is an error after a while, never a hang
        connectOptions << QStringLiteral("connect_timeout=%1").arg(kDefaultConnectTimeoutSeconds);
    connectOptions << QStringLiteral("application_name=trainyard");

    std::unique_ptr<PostgresLineageStore> store(new PostgresLineageStore(url, connectOptions.join(u';'), options));
    if (auto db = store->database(); !db)
        return tl::unexpected(db.error());
    if (auto ok = store->migrateSchema(); !ok) {
        // An engineer may not change the schema: the server's owner upgrades it.
        if (ok.error().message.contains(QLatin1String("permission denied"))) {
            auto db = store->database();
            const auto version = db ? LineageSchema::userVersion(*db) : Result<int>(0);
            return tl::unexpected(Error::error(
                QStringLiteral("the team store %1 is at schema version %2, and this Trainyard needs %3: the person who "
                               "runs the server upgrades it with `trainyard store init URL` (your role may not)")
                    .arg(shown)
                    .arg(version ? *version : 0)
                    .arg(LineageSchema::latestVersion())));
        }
        return tl::unexpected(ok.error());
    }
    if (store->m_schemaVersion > LineageSchema::latestVersion())
        store->m_readOnlyReason = QStringLiteral("the team store %1 was written by a newer Trainyard (schema version "
                                                 "%2; this one knows up to %3): opened read-only")
                                      .arg(shown)
                                      .arg(store->m_schemaVersion)
                                      .arg(LineageSchema::latestVersion());
    return std::unique_ptr<LineageStore>(std::move(store));
}

Result<QStringList> PostgresLineageStore::initialise(const QString &url, const QStringList &engineers,
                                                     const QStringList &leads)
{
    auto opened = open(url, Options{});
    if (!opened)
        return tl::unexpected(opened.error());
    auto *store = static_cast<PostgresLineageStore *>(opened->get());
    QStringList done{QStringLiteral("schema at version %1").arg(store->schemaVersion())};
    auto db = store->database();
    if (!db)
        return tl::unexpected(db.error());
    const QString engineer = QString::fromLatin1(kEngineerRole);
    const QString lead = QString::fromLatin1(kLeadRole);
    // A role's name as an SQL identifier: in double quotes, a double quote in it doubled (the
    // driver's escapeIdentifier leaves a name that already starts with a quote alone, and splits
    // "jane.doe" at the dot).
    const auto quoted = [](const QString &name) -> QString {
        QString inner = name;
        inner.replace(u'"', QStringLiteral("\"\""));
        return u'"' + inner + u'"';
    };
    QStringList statements;
    for (const QString &role : {engineer, lead})
        statements << QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%1') THEN "
                                     "CREATE ROLE %1 NOLOGIN; END IF; END $$")
                          .arg(role);
    statements << QStringLiteral("GRANT %1 TO %2").arg(engineer, lead)
               << QStringLiteral("GRANT USAGE ON SCHEMA current_schema TO %1").arg(engineer)
               // Engineers record everything of a run (a set is replaced: delete, then insert)...
               << QStringLiteral("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA current_schema TO %1")
                      .arg(engineer)
               << QStringLiteral("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA current_schema TO %1").arg(engineer)
               // ...but only the server's owner changes the schema, and only leads sign off.
               << QStringLiteral("REVOKE INSERT, UPDATE, DELETE ON trainyard_schema FROM %1").arg(engineer)
               << QStringLiteral("REVOKE INSERT, UPDATE, DELETE ON signoffs FROM %1").arg(engineer)
               << QStringLiteral("GRANT INSERT ON signoffs TO %1").arg(lead);
    // Row-level security: everyone reads every run; a run's records are changed only by the login
    // that pushed it (runs.pushed_by, stamped by the server: schema 11). The owner of the tables,
    // who runs this, is not bound by it.
    const auto ownedBy = [](const QString &runColumn) {
        return QStringLiteral("EXISTS (SELECT 1 FROM runs o WHERE o.id = %1 AND o.pushed_by = session_user)")
            .arg(runColumn);
    };
    const QList<std::pair<QString, QString>> rowRules{
        {QStringLiteral("runs"), QStringLiteral("pushed_by = session_user")},
        {QStringLiteral("jobs"), ownedBy(QStringLiteral("jobs.run_id"))},
        {QStringLiteral("job_edges"), ownedBy(QStringLiteral("job_edges.run_id"))},
        {QStringLiteral("images"), ownedBy(QStringLiteral("images.run_id"))},
        {QStringLiteral("image_digests"), ownedBy(QStringLiteral("image_digests.run_id"))},
        {QStringLiteral("data_versions"), ownedBy(QStringLiteral("data_versions.run_id"))},
        {QStringLiteral("artifacts"), ownedBy(QStringLiteral("artifacts.run_id"))},
        {QStringLiteral("consumptions"), ownedBy(QStringLiteral("consumptions.run_id"))},
        {QStringLiteral("variables"), ownedBy(QStringLiteral("variables.run_id"))},
        {QStringLiteral("scalars"), ownedBy(QStringLiteral("scalars.run_id"))},
        {QStringLiteral("gates"), ownedBy(QStringLiteral("gates.run_id"))},
        {QStringLiteral("job_metrics"), ownedBy(QStringLiteral("job_metrics.run_id"))},
        {QStringLiteral("run_tags"), ownedBy(QStringLiteral("run_tags.run_id"))},
        // A reproduction is pushed with the run it reproduces, by that run's pusher, and names a
        // reproduction run of theirs (or one not pushed yet): no one vouches with another's run.
        {QStringLiteral("reproductions"),
         ownedBy(QStringLiteral("reproductions.original_run_id")) +
             QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = reproductions.reproduction_run_id "
                            "AND r.pushed_by NOT IN (session_user, ''))")},
    };
    // A commit's details are its sha's: anyone adds one, fills a bare one in (a run names its
    // commit before the details come), and no one but the owner changes or removes one.
    const QString bareCommit = QStringLiteral("author_name = '' AND author_email = '' AND message = '' AND "
                                              "committed_at IS NULL");
    statements << QStringLiteral("ALTER TABLE commits ENABLE ROW LEVEL SECURITY");
    for (const QString &policy :
         {QStringLiteral("trainyard_read"), QStringLiteral("trainyard_add"), QStringLiteral("trainyard_fill")})
        statements << QStringLiteral("DROP POLICY IF EXISTS %1 ON commits").arg(policy);
    statements
        << QStringLiteral("CREATE POLICY trainyard_read ON commits FOR SELECT TO %1 USING (true)").arg(engineer)
        << QStringLiteral("CREATE POLICY trainyard_add ON commits FOR INSERT TO %1 WITH CHECK (true)").arg(engineer)
        << QStringLiteral("CREATE POLICY trainyard_fill ON commits FOR UPDATE TO %1 USING (%2) WITH CHECK (true)")
               .arg(engineer, bareCommit)
        // Pipeline numbers are a project store's; the store's settings are its owner's.
        << QStringLiteral("REVOKE INSERT, UPDATE, DELETE ON pipeline_numbers, store_settings FROM %1").arg(engineer);
    for (const auto &[table, own] : rowRules)
        statements
            << QStringLiteral("ALTER TABLE %1 ENABLE ROW LEVEL SECURITY").arg(table)
            << QStringLiteral("DROP POLICY IF EXISTS trainyard_read ON %1").arg(table)
            << QStringLiteral("CREATE POLICY trainyard_read ON %1 FOR SELECT TO %2 USING (true)").arg(table, engineer)
            << QStringLiteral("DROP POLICY IF EXISTS trainyard_own ON %1").arg(table)
            << QStringLiteral("CREATE POLICY trainyard_own ON %1 FOR ALL TO %2 USING (%3) WITH CHECK (%3)")
                   .arg(table, engineer, own);
    // A run pushed before schema 11 has no pusher: whoever pushes it next makes it theirs (an
    // update only: it is never deleted by anyone but the owner).
    statements << QStringLiteral("DROP POLICY IF EXISTS trainyard_claim ON runs")
               << QStringLiteral("CREATE POLICY trainyard_claim ON runs FOR UPDATE TO %1 USING (pushed_by = '') "
                                 "WITH CHECK (pushed_by = session_user)")
                      .arg(engineer);
    for (const QString &user : engineers)
        statements << QStringLiteral("GRANT %1 TO %2").arg(engineer, quoted(user));
    for (const QString &user : leads)
        statements << QStringLiteral("GRANT %1 TO %2").arg(lead, quoted(user));
    // GRANT ... ON SCHEMA current_schema is not PostgreSQL's: name the schema.
    QSqlQuery schema(*db);
    if (!schema.exec(QStringLiteral("SELECT current_schema()")) || !schema.next())
        return tl::unexpected(Error::error(QStringLiteral("the team store %1: cannot read its schema: %2")
                                               .arg(store->path(), schema.lastError().text())));
    const QString schemaName = quoted(schema.value(0).toString());
    auto ok = store->transaction([&]() -> Result<void> {
        for (QString sql : std::as_const(statements)) {
            sql.replace(QLatin1String("SCHEMA current_schema"), QStringLiteral("SCHEMA ") + schemaName);
            QSqlQuery q(*db);
            if (!q.exec(sql))
                return tl::unexpected(Error::error(
                    QStringLiteral("the team store %1: %2 failed: %3").arg(store->path(), sql, q.lastError().text())));
        }
        return {};
    });
    if (!ok)
        return tl::unexpected(ok.error());
    done << QStringLiteral("roles %1 (record runs, change only their own) and %2 (may also sign off)")
                .arg(engineer, lead);
    if (!engineers.isEmpty())
        done << QStringLiteral("engineers: %1").arg(engineers.join(QStringLiteral(", ")));
    if (!leads.isEmpty())
        done << QStringLiteral("leads: %1").arg(leads.join(QStringLiteral(", ")));
    return done;
}

PostgresLineageStore::PostgresLineageStore(QUrl url, QString connectOptions, const Options &options)
    : SqlLineageStore(displayUrl(url), options)
    , m_url(std::move(url))
    , m_connectOptions(std::move(connectOptions))
{}

QString PostgresLineageStore::driverName() const
{
    return QStringLiteral("QPSQL");
}

void PostgresLineageStore::setConnectionParameters(QSqlDatabase &db) const
{
    if (!m_url.host().isEmpty())
        db.setHostName(m_url.host());
    if (m_url.port() > 0)
        db.setPort(m_url.port());
    const QString name = m_url.path().mid(1);
    if (!name.isEmpty())
        db.setDatabaseName(name);
    if (!m_url.userName().isEmpty())
        db.setUserName(m_url.userName());
    if (!m_url.password().isEmpty())
        db.setPassword(m_url.password());
    db.setConnectOptions(m_connectOptions);
}

Result<void> PostgresLineageStore::configureConnection(QSqlDatabase &db) const
{
    return LineageSchema::configure(db, isReadOnly(), m_options.busyTimeoutMs);
}

std::unique_ptr<HashCache> PostgresLineageStore::hashCache()
{
    return std::make_unique<MemoryHashCache>();
}

} // namespace trainyard::core
