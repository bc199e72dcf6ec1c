#pragma once

#include "sqllineagestore.h"

class QFileInfo;

namespace trainyard::core {

/// The lineage database of a project, `<project>/.trainyard/lineage.db`: SQLite through Qt SQL
/// (QSQLITE) in WAL mode with foreign keys on and a busy timeout, so several threads and processes
/// can record at once. The schema is migrated on open (LineageSchema, `PRAGMA user_version`);
/// opening checks the file's header, and runs `quick_check` after an unclean end (see
/// LineageStore::IntegrityCheck); a damaged file is opened read-only, saying why.
class SqliteLineageStore final : public SqlLineageStore
{
public:
    /// See LineageStore::open.
    static Result<std::unique_ptr<LineageStore>> open(const QString &path, const Options &options);

    bool isDamaged() const override { return m_damaged; }

protected:
    QString driverName() const override;
    void setConnectionParameters(QSqlDatabase &db) const override;
    Result<void> configureConnection(QSqlDatabase &db) const override;

private:
    SqliteLineageStore(QString path, Options options);
    /// Opens the database (read-only when it must not be written), migrates it, marks interrupted runs.
    Result<void> initialise();

    // The steps of initialise, in their order.
    /// Refuses a database in a `.trainyard` folder that HostAccess does not allow.
    Result<void> checkStateFolder(const QFileInfo &info) const;
    /// Refuses an empty file where the project ran before; makes the folder of a new database.
    Result<void> prepareFile(const QFileInfo &info, bool exists) const;
    /// Opens this thread's connection; an existing file that cannot be written is opened read-only.
    Result<void> openConnection(bool exists);
    /// Runs `PRAGMA integrity_check` (or quick_check); a damaged file is opened read-only, saying
    /// why (`header`: what the file's header said was wrong, if that is why it is checked).
    Result<void> checkIntegrity(bool quick, const QString &header = {});
    /// Opens the file read-only, saying it is damaged and what `check` found.
    Result<void> damaged(const QString &check, const QString &problem);
    /// Migrates (SqlLineageStore::migrateSchema); a database of a newer schema is opened read-only.
    Result<void> migrateFile();
    /// Closes this thread's connection and opens it again read-only, with `reason` as readOnlyReason().
    Result<void> reopenReadOnly(const QString &reason);

    bool m_damaged = false; ///< an integrity check found damage (read-only, saying so)
};

} // namespace trainyard::core
