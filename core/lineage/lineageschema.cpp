#include "lineageschema.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QThread>
#include <QVariant>

#include <algorithm>

namespace trainyard::core {

namespace {

Error sqlError(const QSqlDatabase &db, const QString &what, const QSqlError &e)
{
    return Error::error(QStringLiteral("lineage database %1: %2: %3").arg(db.databaseName(), what, e.text()),
                        SourceLocation{db.databaseName()});
}

Result<void> exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return tl::unexpected(sqlError(db, sql.simplified().left(120), q.lastError()));
    return {};
}

Result<void> execAll(QSqlDatabase &db, const QStringList &statements)
{
    for (const QString &s : statements) {
        if (auto ok = exec(db, s); !ok)
            return ok;
    }
    return {};
}

// Version 1: the first schema. Repo digests of an image are one newline-separated text column.
Result<void> schemaV1(QSqlDatabase &db)
{
    return execAll(db,
                   {
                       QStringLiteral("CREATE TABLE commits ("
                                      " sha TEXT PRIMARY KEY,"
                                      " author_name TEXT NOT NULL DEFAULT '',"
                                      " author_email TEXT NOT NULL DEFAULT '',"
                                      " message TEXT NOT NULL DEFAULT '',"
                                      " committed_at TEXT)"),
                       QStringLiteral("CREATE TABLE runs ("
                                      " id TEXT PRIMARY KEY,"
                                      " pipeline_iid INTEGER NOT NULL DEFAULT 0,"
                                      " project_dir TEXT NOT NULL DEFAULT '',"
                                      " pipeline_file TEXT NOT NULL DEFAULT '',"
                                      " branch TEXT NOT NULL DEFAULT '',"
                                      " commit_sha TEXT REFERENCES commits(sha),"
                                      " dirty INTEGER NOT NULL DEFAULT 0,"
                                      " diff_hash TEXT NOT NULL DEFAULT '',"
                                      " user_name TEXT NOT NULL DEFAULT '',"
                                      " host TEXT NOT NULL DEFAULT '',"
                                      " pid INTEGER NOT NULL DEFAULT 0,"
                                      " trigger_source TEXT NOT NULL DEFAULT '',"
                                      " engine TEXT NOT NULL DEFAULT '',"
                                      " status TEXT NOT NULL,"
                                      " started_at TEXT,"
                                      " finished_at TEXT,"
                                      " duration_ms INTEGER NOT NULL DEFAULT -1,"
                                      " protected_branches TEXT NOT NULL DEFAULT '')"),
                       QStringLiteral("CREATE INDEX runs_commit ON runs(commit_sha)"),
                       QStringLiteral("CREATE INDEX runs_started ON runs(started_at)"),
                       QStringLiteral("CREATE TABLE jobs ("
                                      " run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                                      " name TEXT NOT NULL,"
                                      " stage TEXT NOT NULL DEFAULT '',"
                                      " status TEXT NOT NULL,"
                                      " exit_code INTEGER NOT NULL DEFAULT -1,"
                                      " attempts INTEGER NOT NULL DEFAULT 0,"
                                      " started_at TEXT,"
                                      " finished_at TEXT,"
                                      " engine TEXT NOT NULL DEFAULT '',"
                                      " isolation TEXT NOT NULL DEFAULT '',"
                                      " image TEXT NOT NULL DEFAULT '',"
                                      " image_id TEXT NOT NULL DEFAULT '',"
                                      " gpus TEXT NOT NULL DEFAULT '',"
                                      " cpu_fallback INTEGER NOT NULL DEFAULT 0,"
                                      " timed_out INTEGER NOT NULL DEFAULT 0,"
                                      " oom_killed INTEGER NOT NULL DEFAULT 0,"
                                      " allow_failure INTEGER NOT NULL DEFAULT 0,"
                                      " reason TEXT NOT NULL DEFAULT '',"
                                      " log_file TEXT NOT NULL DEFAULT '',"
                                      " tensorboard_dir TEXT NOT NULL DEFAULT '',"
                                      " reused_from TEXT NOT NULL DEFAULT '',"
                                      " PRIMARY KEY (run_id, name))"),
                       QStringLiteral("CREATE INDEX jobs_reused ON jobs(reused_from)"),
                       QStringLiteral("CREATE INDEX jobs_image_id ON jobs(image_id)"),
                       QStringLiteral("CREATE TABLE job_edges ("
                                      " run_id TEXT NOT NULL,"
                                      " job TEXT NOT NULL,"
                                      " upstream TEXT NOT NULL,"
                                      " PRIMARY KEY (run_id, job, upstream),"
                                      " FOREIGN KEY (run_id, job) REFERENCES jobs(run_id, name) ON DELETE CASCADE)"),
                       QStringLiteral("CREATE TABLE images ("
                                      " run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                                      " reference TEXT NOT NULL,"
                                      " image_id TEXT NOT NULL DEFAULT '',"
                                      " repo_digests TEXT NOT NULL DEFAULT '',"
                                      " PRIMARY KEY (run_id, reference))"),
                       QStringLiteral("CREATE INDEX images_id ON images(image_id)"),
                       QStringLiteral("CREATE TABLE data_versions ("
                                      " run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                                      " name TEXT NOT NULL,"
                                      " path TEXT NOT NULL DEFAULT '',"
                                      " hash TEXT NOT NULL DEFAULT '',"
                                      " file_count INTEGER NOT NULL DEFAULT 0,"
                                      " total_bytes INTEGER NOT NULL DEFAULT 0,"
                                      " PRIMARY KEY (run_id, name))"),
                       QStringLiteral("CREATE INDEX data_versions_hash ON data_versions(hash)"),
                       QStringLiteral("CREATE TABLE artifacts ("
                                      " run_id TEXT NOT NULL,"
                                      " job TEXT NOT NULL,"
                                      " path TEXT NOT NULL,"
                                      " sha256 TEXT NOT NULL,"
                                      " size INTEGER NOT NULL DEFAULT 0,"
                                      " executable INTEGER NOT NULL DEFAULT 0,"
                                      " expires_at TEXT,"
                                      " PRIMARY KEY (run_id, job, path),"
                                      " FOREIGN KEY (run_id, job) REFERENCES jobs(run_id, name) ON DELETE CASCADE)"),
                       QStringLiteral("CREATE INDEX artifacts_sha ON artifacts(sha256, run_id)"),
                       QStringLiteral("CREATE INDEX artifacts_path ON artifacts(path, run_id)"),
                       QStringLiteral("CREATE TABLE consumptions ("
                                      " run_id TEXT NOT NULL,"
                                      " job TEXT NOT NULL,"
                                      " producer_job TEXT NOT NULL,"
                                      " path TEXT NOT NULL,"
                                      " sha256 TEXT NOT NULL,"
                                      " PRIMARY KEY (run_id, job, producer_job, path),"
                                      " FOREIGN KEY (run_id, job) REFERENCES jobs(run_id, name) ON DELETE CASCADE)"),
                       QStringLiteral("CREATE INDEX consumptions_producer ON consumptions(run_id, producer_job)"),
                       QStringLiteral("CREATE INDEX consumptions_sha ON consumptions(sha256)"),
                       QStringLiteral("CREATE TABLE variables ("
                                      " run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                                      " job TEXT NOT NULL DEFAULT '',"
                                      " name TEXT NOT NULL,"
                                      " value TEXT NOT NULL DEFAULT '',"
                                      " PRIMARY KEY (run_id, job, name))"),
                       QStringLiteral("CREATE TABLE scalars ("
                                      " run_id TEXT NOT NULL,"
                                      " job TEXT NOT NULL,"
                                      " tag TEXT NOT NULL,"
                                      " value REAL NOT NULL,"
                                      " PRIMARY KEY (run_id, job, tag),"
                                      " FOREIGN KEY (run_id, job) REFERENCES jobs(run_id, name) ON DELETE CASCADE)"),
                       QStringLiteral("CREATE TABLE gates ("
                                      " run_id TEXT NOT NULL,"
                                      " job TEXT NOT NULL,"
                                      " metric TEXT NOT NULL,"
                                      " op TEXT NOT NULL,"
                                      " threshold REAL NOT NULL,"
                                      " value REAL,"
                                      " outcome TEXT NOT NULL DEFAULT 'pending',"
                                      " source TEXT NOT NULL DEFAULT '',"
                                      " PRIMARY KEY (run_id, job, metric, op),"
                                      " FOREIGN KEY (run_id, job) REFERENCES jobs(run_id, name) ON DELETE CASCADE)"),
                       QStringLiteral("CREATE TABLE signoffs ("
                                      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                      " artifact_sha256 TEXT NOT NULL,"
                                      " run_id TEXT NOT NULL DEFAULT '',"
                                      " reviewer TEXT NOT NULL,"
                                      " decision TEXT NOT NULL,"
                                      " comment TEXT NOT NULL DEFAULT '',"
                                      " signed_at TEXT NOT NULL,"
                                      " fingerprint TEXT NOT NULL)"),
                       QStringLiteral("CREATE INDEX signoffs_artifact ON signoffs(artifact_sha256)"),
                   });
}

// Version 2: an image's repo digests become rows of their own (a reverse query by digest is an
// index lookup, not a LIKE over text), images get the hash of their build context, data versions
// the md5 DVC recorded, and DataVersioner's stat cache gets its table.
Result<void> schemaV2(QSqlDatabase &db)
{
    if (auto ok =
            execAll(db,
                    {
                        QStringLiteral(
                            "CREATE TABLE image_digests ("
                            " run_id TEXT NOT NULL,"
                            " reference TEXT NOT NULL,"
                            " repo_digest TEXT NOT NULL,"
                            " digest TEXT NOT NULL,"
                            " PRIMARY KEY (run_id, reference, repo_digest),"
                            " FOREIGN KEY (run_id, reference) REFERENCES images(run_id, reference) ON DELETE CASCADE)"),
                        QStringLiteral("CREATE INDEX image_digests_digest ON image_digests(digest)"),
                    });
        !ok)
        return ok;

    // Move the v1 digests: "name@sha256:…" lines → (repo_digest, digest) rows.
    QSqlQuery read(db);
    if (!read.exec(QStringLiteral("SELECT run_id, reference, repo_digests FROM images")))
        return tl::unexpected(sqlError(db, QStringLiteral("reading v1 image digests"), read.lastError()));
    QSqlQuery insert(db);
    insert.prepare(
        QStringLiteral("INSERT INTO image_digests (run_id, reference, repo_digest, digest) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT DO NOTHING"));
    while (read.next()) {
        const QStringList digests = read.value(2).toString().split(u'\n', Qt::SkipEmptyParts);
        for (const QString &repoDigest : digests) {
            insert.bindValue(0, read.value(0));
            insert.bindValue(1, read.value(1));
            insert.bindValue(2, repoDigest.trimmed());
            insert.bindValue(3, repoDigest.section(u'@', -1).trimmed());
            if (!insert.exec())
                return tl::unexpected(sqlError(db, QStringLiteral("moving image digests"), insert.lastError()));
        }
    }
    return execAll(db, {
                           QStringLiteral("ALTER TABLE images DROP COLUMN repo_digests"),
                           QStringLiteral("ALTER TABLE images ADD COLUMN build_context_hash TEXT NOT NULL DEFAULT ''"),
                           QStringLiteral("ALTER TABLE data_versions ADD COLUMN dvc_md5 TEXT NOT NULL DEFAULT ''"),
                           QStringLiteral("ALTER TABLE data_versions ADD COLUMN dvc_source TEXT NOT NULL DEFAULT ''"),
                           QStringLiteral("CREATE INDEX data_versions_dvc ON data_versions(dvc_md5)"),
                           QStringLiteral("CREATE TABLE file_hashes ("
                                          " path TEXT PRIMARY KEY,"
                                          " size INTEGER NOT NULL,"
                                          " mtime_ns INTEGER NOT NULL,"
                                          " inode INTEGER NOT NULL,"
                                          " sha256 TEXT NOT NULL)"),
                       });
}

// Version 3: reproductions of runs, and sign-offs made append-only by the database itself.
Result<void> schemaV3(QSqlDatabase &db)
{
    return execAll(db, {
                           QStringLiteral("CREATE TABLE reproductions ("
                                          " original_run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                                          " reproduction_run_id TEXT NOT NULL,"
                                          " identical INTEGER NOT NULL,"
                                          " differences TEXT NOT NULL DEFAULT '',"
                                          " compared_at TEXT NOT NULL,"
                                          " PRIMARY KEY (original_run_id, reproduction_run_id))"),
                           QStringLiteral("CREATE TRIGGER signoffs_append_only_update BEFORE UPDATE ON signoffs "
                                          "BEGIN SELECT RAISE(ABORT, 'sign-offs are append-only'); END"),
                           QStringLiteral("CREATE TRIGGER signoffs_append_only_delete BEFORE DELETE ON signoffs "
                                          "BEGIN SELECT RAISE(ABORT, 'sign-offs are append-only'); END"),
                       });
}

// Version 4: the database is the one store of runs. Runs keep the start time of the process that
// runs them (a reused pid is no longer taken for a live run) and why one did not start; jobs their
// warnings; pipeline numbers are handed out here, one transaction each, so runs started at the
// same time never share one; a reproduction that could not start is "errored", not a verdict.
Result<void> schemaV4(QSqlDatabase &db)
{
    return execAll(
        db, {
                QStringLiteral("ALTER TABLE runs ADD COLUMN process_start TEXT NOT NULL DEFAULT ''"),
                QStringLiteral("ALTER TABLE runs ADD COLUMN reason TEXT NOT NULL DEFAULT ''"),
                QStringLiteral("ALTER TABLE jobs ADD COLUMN warnings TEXT NOT NULL DEFAULT ''"),
                QStringLiteral("ALTER TABLE reproductions ADD COLUMN errored INTEGER NOT NULL DEFAULT 0"),
                QStringLiteral("CREATE TABLE pipeline_numbers ("
                               " run_id TEXT PRIMARY KEY,"
                               " project_dir TEXT NOT NULL,"
                               " iid INTEGER NOT NULL,"
                               " UNIQUE (project_dir, iid))"),
                // Runs numbered twice by the old race keep their number; the next is past both.
                QStringLiteral("INSERT INTO pipeline_numbers (run_id, project_dir, iid) "
                               "SELECT id, project_dir, pipeline_iid FROM runs "
                               "WHERE pipeline_iid > 0 AND trigger_source <> 'reproduce' ON CONFLICT DO NOTHING"),
                QStringLiteral("CREATE TABLE store_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            });
}

// Version 5: a reproduction is a run of its own number that says which run it reproduces; the
// runs still running are found through an index (each open looks for those of dead processes).
Result<void> schemaV5(QSqlDatabase &db)
{
    return execAll(db, {
                           QStringLiteral("CREATE INDEX runs_running ON runs (host) WHERE status = 'running'"),
                           QStringLiteral("ALTER TABLE runs ADD COLUMN reproduces TEXT NOT NULL DEFAULT ''"),
                           QStringLiteral("UPDATE runs SET reproduces = COALESCE((SELECT original_run_id FROM "
                                          "reproductions WHERE reproduction_run_id = runs.id), '') "
                                          "WHERE trigger_source = 'reproduce'"),
                       });
}

// Version 6: numbers jobs report in files (GitLab's metrics and dotenv reports, metrics.json),
// beside their TensorBoard scalars. A NaN is kept as NULL.
Result<void> schemaV6(QSqlDatabase &db)
{
    return execAll(db,
                   {
                       QStringLiteral("CREATE TABLE job_metrics ("
                                      " run_id TEXT NOT NULL,"
                                      " job TEXT NOT NULL,"
                                      " name TEXT NOT NULL,"
                                      " value REAL,"
                                      " source TEXT NOT NULL DEFAULT '',"
                                      " PRIMARY KEY (run_id, job, name),"
                                      " FOREIGN KEY (run_id, job) REFERENCES jobs(run_id, name) ON DELETE CASCADE)"),
                   });
}

// Version 7: a run's name, notes and tags, as people gave them.
Result<void> schemaV7(QSqlDatabase &db)
{
    return execAll(db, {
                           QStringLiteral("ALTER TABLE runs ADD COLUMN title TEXT NOT NULL DEFAULT ''"),
                           QStringLiteral("ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT ''"),
                           QStringLiteral("CREATE TABLE run_tags ("
                                          " run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                                          " tag TEXT NOT NULL,"
                                          " PRIMARY KEY (run_id, tag))"),
                           QStringLiteral("CREATE INDEX run_tags_tag ON run_tags(tag)"),
                       });
}

} // namespace

const std::vector<LineageMigration> &LineageSchema::migrations()
{
    static const std::vector<LineageMigration> all{
        {1, QStringLiteral("first schema"), schemaV1},
        {2, QStringLiteral("image digests as rows, build context and DVC hashes, stat cache"), schemaV2},
        {3, QStringLiteral("reproductions, append-only sign-offs"), schemaV3},
        {4, QStringLiteral("one store of runs: process start, reasons, warnings, pipeline numbers"), schemaV4},
        {5, QStringLiteral("reproductions numbered, with the run they reproduce; an index of running runs"), schemaV5},
        {6, QStringLiteral("metrics jobs report in files (metrics and dotenv reports, metrics.json)"), schemaV6},
        {7, QStringLiteral("run names, notes and tags"), schemaV7},
    };
    return all;
}

int LineageSchema::latestVersion()
{
    return migrations().back().version;
}

Result<int> LineageSchema::userVersion(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return tl::unexpected(sqlError(db, QStringLiteral("reading the schema version"), q.lastError()));
    return q.value(0).toInt();
}

Result<int> LineageSchema::migrate(QSqlDatabase &db, int target)
{
    if (target < 0)
        target = latestVersion();
    auto current = userVersion(db);
    if (!current)
        return current;
    int version = *current;
    for (const LineageMigration &m : migrations()) {
        if (m.version <= version || m.version > target)
            continue;
        if (auto ok = exec(db, beginWriteStatement(db)); !ok)
            return tl::unexpected(ok.error());
        auto now = userVersion(db);
        if (!now) {
            (void)exec(db, QStringLiteral("ROLLBACK"));
            return now;
        }
        if (*now >= m.version) { // another process got there first
            (void)exec(db, QStringLiteral("ROLLBACK"));
            version = *now;
            continue;
        }
        auto applied = m.apply(db);
        if (applied)
            applied = exec(db, QStringLiteral("PRAGMA user_version = %1").arg(m.version));
        if (applied)
            applied = exec(db, QStringLiteral("COMMIT"));
        if (!applied) {
            (void)exec(db, QStringLiteral("ROLLBACK"));
            Error e = applied.error();
            e.message = QStringLiteral("migrating to schema version %1 (%2) failed: %3")
                            .arg(m.version)
                            .arg(m.summary, e.message);
            return tl::unexpected(e);
        }
        version = m.version;
    }
    return version;
}

Result<void> LineageSchema::configure(QSqlDatabase &db, bool readOnly, int busyTimeoutMs)
{
    if (auto ok = execAll(db, {QStringLiteral("PRAGMA busy_timeout = %1").arg(busyTimeoutMs),
                               QStringLiteral("PRAGMA foreign_keys = ON")});
        !ok || readOnly)
        return ok;
    // WAL is a property of the file: set once, it stays. Switching needs the file to itself, and
    // SQLite answers "database is locked" at once (no busy handler) when another connection
    // opens the new file at the same moment (a run's recorder and the store numbering it, two
    // `trainyard run`s): ask first, and retry the switch for as long as busy_timeout allows.
    QElapsedTimer waited;
    waited.start();
    for (int attempt = 1;; ++attempt) {
        QSqlQuery q(db);
        if (q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next() &&
            q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) == 0)
            break;
        q.finish();
        QSqlQuery set(db);
        if (set.exec(QStringLiteral("PRAGMA journal_mode = WAL")))
            break;
        if (!isBusy(set.lastError().nativeErrorCode()) || waited.elapsed() >= busyTimeoutMs)
            return tl::unexpected(sqlError(db, QStringLiteral("PRAGMA journal_mode = WAL"), set.lastError()));
        QThread::msleep(std::min(5 * attempt, 50));
    }
    return exec(db, QStringLiteral("PRAGMA synchronous = NORMAL"));
}

Result<QString> LineageSchema::integrityCheck(QSqlDatabase &db, bool quick)
{
    const QString pragma = quick ? QStringLiteral("quick_check") : QStringLiteral("integrity_check");
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA %1").arg(pragma)))
        return tl::unexpected(sqlError(db, pragma, q.lastError()));
    QStringList lines;
    while (q.next() && lines.size() < 5)
        lines << q.value(0).toString();
    return lines.join(QStringLiteral("; "));
}

QString LineageSchema::headerProblem(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray header = file.read(100);
    if (header.size() < 100 || !header.startsWith(QByteArrayLiteral("SQLite format 3\0")))
        return {}; // not SQLite's: opening it says so
    const auto be32 = [&](int at) {
        return quint32(quint8(header[at])) << 24 | quint32(quint8(header[at + 1])) << 16 |
               quint32(quint8(header[at + 2])) << 8 | quint32(quint8(header[at + 3]));
    };
    const quint32 rawPageSize = quint32(quint8(header[16])) << 8 | quint8(header[17]);
    const qint64 pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
    // The page count in the header is valid when "version-valid-for" is the change counter.
    const quint32 pages = be32(28);
    if (pageSize < 512 || be32(92) != be32(24) || pages == 0)
        return {};
    const qint64 expected = pageSize * pages;
    if (file.size() < expected)
        return QStringLiteral("the file has %1 bytes where its header counts %2 pages of %3 (%4 bytes): it was "
                              "truncated")
            .arg(file.size())
            .arg(pages)
            .arg(pageSize)
            .arg(expected);
    return {};
}

QString LineageSchema::beginWriteStatement(const QSqlDatabase &db)
{
    return db.driverName() == QLatin1String("QSQLITE") ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN");
}

bool LineageSchema::isBusy(const QString &nativeErrorCode)
{
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), also as extended codes (5 | n << 8).
    bool ok = false;
    const int code = nativeErrorCode.toInt(&ok);
    return ok && ((code & 0xff) == 5 || (code & 0xff) == 6);
}

} // namespace trainyard::core
