#pragma once

#include <QObject>
#include <QString>

class QFileSystemWatcher;
class QTimer;

namespace trainyard::ui {

/// Notices when the project's lineage database changes, whoever wrote it: the window's own run,
/// `trainyard run` in a terminal, a reproduction. It watches `.trainyard/lineage.db` and its
/// write-ahead log with inotify (nothing is polled) and says so at most about twice a second.
///
/// Readers open and close the database too, and SQLite creates and removes its `-wal` file as
/// they do; only a change of the files' contents (size or modification time of the database,
/// or of a non-empty log) counts, so the window reading the runs again does not wake it.
class LineageWatcher final : public QObject
{
    Q_OBJECT

public:
    explicit LineageWatcher(QObject *parent = nullptr);

    /// Watches the project in `dir` (absolute), and no longer the last one; empty: none.
    void setProjectDir(const QString &dir);
    /// How long notifications gather before changed() is said (default 500 ms).
    void setInterval(int ms);

Q_SIGNALS:
    /// Runs were recorded, changed or removed since the last time (or since setProjectDir).
    void changed();

private:
    /// Watches what the project has now (its folder or .trainyard, the database, its log), nothing else.
    void watch();
    QString signature() const;

    QString m_dir;
    QString m_last;
    QFileSystemWatcher *m_watcher;
    QTimer *m_gather;
};

} // namespace trainyard::ui
