#include "runlogloader.h"

#include "async/onworker.h"

#include "console/joblogview.h"
#include "console/logbatcher.h"
#include "console/runconsole.h"
#include "engine/joblogfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QThreadPool>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace trainyard::ui {

// What the worker and the loader share: the worker pushes into the batcher only while its load
// is the current one, checked under the mutex, so the batcher can be replaced (a new load) or
// dropped (the loader is destroyed) without waiting for the worker.
struct RunLogLoader::Shared
{
    std::mutex mutex;
    LogBatcher *batcher = nullptr;
    std::atomic<quint64> generation{0};
};

RunLogLoader::RunLogLoader(RunConsole *console, QObject *parent)
    : QObject(parent)
    , m_console(console)
    , m_shared(std::make_shared<Shared>())
    , m_maximumLines(JobLogView::DefaultMaximumLines)
{}

RunLogLoader::~RunLogLoader()
{
    std::lock_guard lock(m_shared->mutex);
    m_shared->batcher = nullptr;
    ++m_shared->generation;
}

void RunLogLoader::setMaximumLines(int lines)
{
    m_maximumLines = std::max(1, lines);
}

void RunLogLoader::load(const QString &projectDir, const core::RunRecord &record)
{
    auto *batcher = new LogBatcher(this);
    batcher->setMaxPendingLines(qsizetype(m_maximumLines) + 1);
    connect(batcher, &LogBatcher::linesReady, this, [this](const QString &job, const QList<core::LogLine> &lines) {
        if (m_console)
            m_console->viewFor(job)->appendLines(lines);
        finishIfDone();
    });
    LogBatcher *old = nullptr;
    quint64 generation = 0;
    {
        std::lock_guard lock(m_shared->mutex);
        old = m_shared->batcher;
        m_shared->batcher = batcher;
        generation = ++m_shared->generation;
    }
    if (old) {
        old->disconnect(this);
        old->deleteLater();
    }
    m_batcher = batcher;
    m_generation = generation;
    m_loading = true;
    m_workerDone = false;
    m_runId = record.id;
    if (m_console)
        m_console->showPastRun(record);

    struct Job
    {
        QString name;
        QString path;
        bool started = false;
    };
    const QString root = projectDir.isEmpty() ? record.projectDir : projectDir;
    std::vector<Job> jobs;
    for (const QString &name : record.jobOrder) {
        const auto it = record.jobs.find(name);
        if (it == record.jobs.end() || it->second.logFile.isEmpty())
            continue;
        const QString &file = it->second.logFile;
        jobs.push_back(
            Job{name, QDir::isAbsolutePath(file) ? file : QDir(root).filePath(file), it->second.started.isValid()});
    }

    const QPointer<RunLogLoader> guard(this);
    const std::shared_ptr<Shared> shared = m_shared;
    const int maxLines = m_maximumLines;
    QThreadPool::globalInstance()->start([guard, shared, jobs, maxLines, generation] {
        auto post = [guard](auto call) { postTo(guard, std::move(call)); };
        for (const Job &job : jobs) {
            if (shared->generation != generation)
                return;
            const auto tail = core::JobLogFile::readTail(job.path, maxLines);
            QString problem;
            qint64 total = 0;
            qint64 kept = 0;
            if (!tail) {
                problem = tail.error().toString();
            } else if (!tail->exists) {
                if (job.started)
                    problem = tr("The log file %1 is missing.").arg(job.path);
            } else {
                std::lock_guard lock(shared->mutex);
                if (shared->generation != generation || !shared->batcher)
                    return;
                for (const core::LogLine &line : tail->lines)
                    shared->batcher->push(job.name, line);
                total = tail->totalLines;
                kept = tail->lines.size();
            }
            post([=](RunLogLoader *self) { self->jobRead(generation, job.name, job.path, total, kept, problem); });
        }
        post([=](RunLogLoader *self) { self->workerDone(generation); });
    });
}

void RunLogLoader::jobRead(quint64 generation, const QString &job, const QString &path, qint64 total, qint64 kept,
                           const QString &problem)
{
    if (generation != m_generation || !m_console)
        return;
    JobLogView *view = m_console->viewFor(job);
    view->setFullLogPath(path);
    if (total > kept)
        view->noteDroppedLines(total - kept);
    if (!problem.isEmpty())
        view->appendLines({core::LogLine{core::LogLine::Stream::System, problem}});
}

void RunLogLoader::workerDone(quint64 generation)
{
    if (generation != m_generation)
        return;
    m_workerDone = true;
    finishIfDone();
}

void RunLogLoader::finishIfDone()
{
    // Checked once the batcher's current delivery round is over: pendingCount() already
    // excludes lines it has taken but not yet handed out in this round.
    QMetaObject::invokeMethod(
        this,
        [this, generation = m_generation] {
            if (generation != m_generation || !m_loading || !m_workerDone || m_batcher->pendingCount() > 0)
                return;
            m_loading = false;
            Q_EMIT finished(m_runId);
        },
        Qt::QueuedConnection);
}

} // namespace trainyard::ui
