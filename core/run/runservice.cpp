#include "runservice.h"

#include "runexecution.h"

#include "engine/engines.h"
#include "engine/workspace.h"
#include "lineage/lineagestore.h"
#include "lineage/runrecordimport.h"
#include "lineage/runrecordmapping.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/secretsource.h"

#include <QDir>

#include <mutex>
#include <thread>

namespace trainyard::core {

namespace {

const QString ImportedSetting = QStringLiteral("run_records_imported");

} // namespace

/// What the service's thread works with; shared, since the thread may outlive the service.
struct RunService::Worker
{
    Request request;
    Pipeline pipeline;

    std::mutex mutex;              ///< guards everything below
    RunService *service = nullptr; ///< null once the service is gone: nothing is posted then
    bool running = false;
    bool cancelled = false;
    RunExecution *execution = nullptr;
    RunReproducer *reproducer = nullptr;

    /// Calls `emit` on the service's thread, if the service is still there.
    template <typename Emit> void post(Emit emit)
    {
        std::lock_guard lock(mutex);
        if (service)
            QMetaObject::invokeMethod(
                service, [s = service, emit] { emit(s); }, Qt::QueuedConnection);
    }
    void note(const QString &text)
    {
        post([text](RunService *s) { Q_EMIT s->note(text); });
    }
    void warn(const QString &text)
    {
        post([text](RunService *s) { Q_EMIT s->warning(text); });
    }
    void refuse(const QString &error)
    {
        post([error](RunService *s) {
            s->m_worker->running = false;
            Q_EMIT s->refused(error);
        });
    }
    void finish(const RunRecord &record, const QString &error)
    {
        post([record, error](RunService *s) {
            s->m_worker->running = false;
            Q_EMIT s->finished(record, error);
        });
    }

    SchedulerEvents events();
    bool prepareStore(RunOptions &options);
    void cleanUpInterrupted(LineageStore &store);
    void run();
    std::pair<RunRecord, QString> execute(RunExecution::Setup setup);
};

SchedulerEvents RunService::Worker::events()
{
    SchedulerEvents e;
    e.runStarted = [this](const RunRecord &record) { post([record](RunService *s) { Q_EMIT s->runStarted(record); }); };
    e.jobChanged = [this](const JobRecord &record) { post([record](RunService *s) { Q_EMIT s->jobChanged(record); }); };
    e.progress = [this](const QString &job, const QString &label, qint64 current, qint64 total) {
        post([job, label, current, total](RunService *s) { Q_EMIT s->progress(job, label, current, total); });
    };
    e.message = [this](const QString &text) { post([text](RunService *s) { Q_EMIT s->message(text); }); };
    e.log = request.log;
    return e;
}

void RunService::Worker::cleanUpInterrupted(LineageStore &store)
{
    const QStringList interrupted = store.interruptedRuns();
    if (interrupted.isEmpty())
        return;
    auto engine = Engines::make(request.engine.isEmpty() ? QStringLiteral("docker") : request.engine, pipeline,
                                request.dockerEndpoint);
    for (const QString &id : interrupted) {
        const auto run = store.run(id);
        const int removed = engine ? (*engine)->cleanupRun(id) : 0;
        const qint64 freed = Workspace::removeRun(pipeline.projectDir, id);
        QString text = QStringLiteral("run %1").arg(id);
        if (run && *run)
            text += QStringLiteral(" (#%1, started %2)")
                        .arg((*run)->pipelineIid)
                        .arg((*run)->started.toLocalTime().toString(Qt::ISODate));
        text += QStringLiteral(" was interrupted; marked so");
        if (removed)
            text += QStringLiteral(", removed %1 container(s)/network(s) it left").arg(removed);
        if (freed >= 0) // (0 bytes: killed before its workspaces were written)
            text += QStringLiteral(", removed its job workspaces (%1 MB)").arg(double(freed) / 1e6, 0, 'f', 1);
        note(text);
    }
}

// Opens the project's store: refuses (false) when it cannot be written; cleans up after runs a
// crash left, imports the project's old run records once, finds the run to retry.
bool RunService::Worker::prepareStore(RunOptions &options)
{
    const QString path = LineageStore::defaultPath(pipeline.projectDir);
    auto opened = LineageStore::open(path);
    const QString problem = !opened ? opened.error().toString() : (*opened)->readOnlyReason();
    if (!problem.isEmpty()) {
        refuse(QStringLiteral("lineage cannot be recorded: %1\nNothing ran. Fix the database (trainyard doctor "
                              "--rebuild-db -C %2), or run with --no-record to run without recording it.")
                   .arg(problem, pipeline.projectDir));
        return false;
    }
    LineageStore &store = **opened;
    cleanUpInterrupted(store);
    if (auto imported = store.setting(ImportedSetting); imported && imported->isEmpty()) {
        const RunRecordImport::Report report = RunRecordImport::importProject(store, pipeline.projectDir);
        if (report.imported > 0)
            note(QStringLiteral("%1 run record(s) of .trainyard/runs/ imported into the lineage database")
                     .arg(report.imported));
        for (const QString &p : report.problems)
            warn(QStringLiteral("not imported: %1").arg(p));
        (void)store.setSetting(ImportedSetting, QStringLiteral("1"));
    }
    if (!request.retryOf.isEmpty()) {
        auto run = store.run(request.retryOf);
        auto jobs = store.jobs(request.retryOf);
        auto artifacts = store.artifacts(request.retryOf);
        if (!run || !jobs || !artifacts || !*run) {
            refuse(QStringLiteral("cannot retry: no run %1 in this project").arg(request.retryOf));
            return false;
        }
        options.retryFrom = RunRecordMapping::toRunRecord(**run, *jobs, *artifacts);
    }
    return true;
}

std::pair<RunRecord, QString> RunService::Worker::execute(RunExecution::Setup setup)
{
    if (!setup.note)
        setup.note = [this](const QString &text) { note(text); };
    RunExecution execution(std::move(setup));
    {
        std::lock_guard lock(mutex);
        this->execution = &execution;
        if (cancelled)
            execution.cancel();
    }
    const auto result = execution.run();
    {
        std::lock_guard lock(mutex);
        this->execution = nullptr;
    }
    return {result ? *result : execution.snapshot(), result ? QString() : result.error().toString()};
}

void RunService::Worker::run()
{
    RunOptions options = request.options;
    if (request.record && !prepareStore(options))
        return;
    const auto message = [this](const QString &text) { warn(text); }; // the recorder's: lineage problems
    const auto progress = [this](const QString &label, qint64 current, qint64 total) {
        post([label, current, total](RunService *s) { Q_EMIT s->progress(QString(), label, current, total); });
    };

    if (!request.reproduce.isEmpty()) {
        RunReproducer::Options o;
        o.engine = request.engine;
        o.dockerEndpoint = request.dockerEndpoint;
        o.events = events();
        o.progress = progress;
        o.message = [this](const QString &text) { post([text](RunService *s) { Q_EMIT s->message(text); }); };
        o.keepWorktree = request.keepWorktree;
        RunRecord reproduction;
        QString failure;
        o.execute = [&](const ReproductionRun &r) {
            std::tie(reproduction, failure) = execute(RunExecution::Setup{r.pipeline,
                                                                          r.engine,
                                                                          r.dockerEndpoint,
                                                                          r.options,
                                                                          true,
                                                                          r.databasePath,
                                                                          r.numberIn,
                                                                          r.events,
                                                                          message,
                                                                          progress,
                                                                          {}});
            return std::pair{reproduction, failure};
        };
        RunReproducer reproducer(pipeline.projectDir, request.reproduce, std::move(o));
        {
            std::lock_guard lock(mutex);
            this->reproducer = &reproducer;
            if (cancelled)
                reproducer.cancel();
        }
        auto report = reproducer.run();
        {
            std::lock_guard lock(mutex);
            this->reproducer = nullptr;
        }
        if (!report) {
            const Error &e = report.error();
            return refuse(e.message.contains(e.location.file) ? e.message : e.toString());
        }
        post([report = *report](RunService *s) { Q_EMIT s->reproduced(report); });
        return finish(reproduction, failure);
    }

    auto secrets = SecretSource::load(pipeline.projectDir, pipeline.trainyard.secrets);
    if (!secrets)
        return refuse(secrets.error().toString());
    for (const QString &name : std::as_const(secrets->missing))
        warn(QStringLiteral("secret variable %1 is not set (neither in the environment nor in .trainyard/secrets.env)")
                 .arg(name));
    for (const QString &warning : std::as_const(secrets->warnings))
        warn(warning);
    options.secrets = secrets->values;
    const auto [record, error] = execute(RunExecution::Setup{pipeline,
                                                             request.engine,
                                                             request.dockerEndpoint,
                                                             options,
                                                             request.record,
                                                             {},
                                                             {},
                                                             events(),
                                                             message,
                                                             progress,
                                                             {}});
    finish(record, error);
}

RunService::RunService(QObject *parent)
    : QObject(parent)
{}

RunService::~RunService()
{
    if (!m_worker)
        return;
    cancel();
    std::lock_guard lock(m_worker->mutex);
    m_worker->service = nullptr; // the thread ends by itself; nothing reaches this object again
}

Result<void> RunService::start(Request request)
{
    if (isRunning())
        return tl::unexpected(Error::error(QStringLiteral("a run is in progress already")));
    Pipeline pipeline;
    if (request.pipeline) {
        pipeline = *request.pipeline;
    } else if (!request.reproduce.isEmpty()) {
        pipeline.projectDir = request.projectDir; // the reproducer reads the run's own pipeline
    } else {
        GitlabCiReader::Options read;
        read.projectDir = request.projectDir;
        read.file = request.pipelineFile;
        read.branch = request.branch;
        pipeline = GitlabCiReader::read(read);
    }
    if (request.reproduce.isEmpty()) {
        QStringList errors;
        for (const Error &e : pipeline.problems)
            if (e.isError())
                errors << e.toString();
        if (!errors.isEmpty())
            return tl::unexpected(Error::error(errors.join(u'\n'), SourceLocation{pipeline.fileName}));
        if (!pipeline.createdByWorkflow)
            return tl::unexpected(
                Error::error(QStringLiteral("no pipeline would be created: %1").arg(pipeline.workflowReason)));
    }
    pipeline.projectDir = QDir(pipeline.projectDir.isEmpty() ? request.projectDir : pipeline.projectDir).absolutePath();

    auto worker = std::make_shared<Worker>();
    worker->request = std::move(request);
    worker->pipeline = std::move(pipeline);
    worker->service = this;
    worker->running = true;
    m_worker = worker;
    std::thread([worker] { worker->run(); }).detach();
    return {};
}

bool RunService::isRunning() const
{
    return m_worker && m_worker->running;
}

void RunService::cancel()
{
    if (!m_worker)
        return;
    std::lock_guard lock(m_worker->mutex);
    m_worker->cancelled = true;
    if (m_worker->execution)
        m_worker->execution->cancel();
    if (m_worker->reproducer)
        m_worker->reproducer->cancel();
}

void RunService::cancelJob(const QString &job)
{
    if (!m_worker)
        return;
    std::lock_guard lock(m_worker->mutex);
    if (m_worker->execution)
        m_worker->execution->cancelJob(job);
}

void RunService::approve(const QString &job)
{
    if (!m_worker)
        return;
    std::lock_guard lock(m_worker->mutex);
    if (m_worker->execution)
        m_worker->execution->approve(job);
}

} // namespace trainyard::core
