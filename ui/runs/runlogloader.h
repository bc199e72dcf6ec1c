#pragma once

#include "common/error.h"
#include "engine/containerspec.h"
#include "engine/runrecord.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>

namespace trainyard::ui {

class LogBatcher;
class RunConsole;

/// Re-opens a past run's logs in the run console: the console gets one tab per job with its
/// final status, then each tab the last maximumLines() lines of the job's log file
/// (JobRecord::logFile, as the scheduler wrote it: masked already). Files are read on a worker
/// thread and handed over through a LogBatcher, so a huge log never stalls the window.
class RunLogLoader final : public QObject
{
    Q_OBJECT

public:
    explicit RunLogLoader(RunConsole *console, QObject *parent = nullptr);
    ~RunLogLoader() override;

    /// Lines kept per job (default JobLogView::DefaultMaximumLines); the rest stay in the file.
    void setMaximumLines(int lines);
    int maximumLines() const { return m_maximumLines; }

    /// Shows `record` in the console, replacing its tabs, and reads its jobs' logs, relative to
    /// `projectDir` (empty: the record's own). A load still in progress is abandoned.
    void load(const QString &projectDir, const core::RunRecord &record);
    bool isLoading() const { return m_loading; }

Q_SIGNALS:
    /// Every job's lines of run `runId` are in the console.
    void finished(const QString &runId);

private:
    struct Shared;
    void jobRead(quint64 generation, const QString &job, const QString &path, qint64 total, qint64 kept,
                 const QString &problem);
    void workerDone(quint64 generation);
    void finishIfDone();

    QPointer<RunConsole> m_console;
    std::shared_ptr<Shared> m_shared;
    LogBatcher *m_batcher = nullptr;
    quint64 m_generation = 0;
    int m_maximumLines;
    bool m_loading = false;
    bool m_workerDone = false;
    QString m_runId;
};

} // namespace trainyard::ui
