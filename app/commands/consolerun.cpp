#include "consolerun.h"

#include "consoleevents.h"

#include <QEventLoop>
#include <QSocketNotifier>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

int g_interruptPipe[2] = {-1, -1};

extern "C" void onInterrupt(int)
{
    const char byte = 1;
    (void)::write(g_interruptPipe[1], &byte, 1);
}

/// SIGINT and SIGTERM, delivered on the event loop's thread while it lives.
class InterruptWatcher final
{
public:
    explicit InterruptWatcher(std::function<void()> onInterrupt)
    {
        if (::pipe2(g_interruptPipe, O_CLOEXEC | O_NONBLOCK) != 0)
            return;
        m_notifier = std::make_unique<QSocketNotifier>(g_interruptPipe[0], QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_notifier.get(),
                         [onInterrupt = std::move(onInterrupt)] {
                             char drain[16];
                             while (::read(g_interruptPipe[0], drain, sizeof drain) > 0) {
                             }
                             onInterrupt();
                         });
        std::signal(SIGINT, ::trainyard::app::onInterrupt);
        std::signal(SIGTERM, ::trainyard::app::onInterrupt);
    }
    ~InterruptWatcher()
    {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        m_notifier.reset();
        for (int &fd : g_interruptPipe) {
            if (fd >= 0)
                ::close(fd);
            fd = -1;
        }
    }
    Q_DISABLE_COPY_MOVE(InterruptWatcher)

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace

ConsoleRun runOnConsole(RunService::Request request, QTextStream &out, QTextStream &err, bool tty,
                        std::mutex &printMutex)
{
    ConsoleRun outcome;
    const SchedulerEvents console = consoleEvents(out, printMutex, tty);
    request.log = console.log;
    const auto printErr = [&](const char *prefix, const QString &text) {
        std::lock_guard lock(printMutex);
        if (tty)
            out << "\r\x1b[K" << Qt::flush;
        err << prefix << text << "\n" << Qt::flush;
    };

    RunService service;
    QEventLoop loop;
    QObject::connect(&service, &RunService::message, &loop, [&](const QString &text) { console.message(text); });
    QObject::connect(&service, &RunService::note, &loop, [&](const QString &text) { printErr("note: ", text); });
    QObject::connect(&service, &RunService::warning, &loop, [&](const QString &text) { printErr("warning: ", text); });
    QObject::connect(&service, &RunService::jobChanged, &loop, [&](const JobRecord &job) { console.jobChanged(job); });
    QObject::connect(&service, &RunService::progress, &loop,
                     [&](const QString &job, const QString &label, qint64 current, qint64 total) {
                         console.progress(job, label, current, total);
                     });
    QObject::connect(&service, &RunService::refused, &loop, [&](const QString &error) {
        outcome.refused = true;
        outcome.error = error;
        loop.quit();
    });
    QObject::connect(&service, &RunService::reproduced, &loop,
                     [&](const ReproductionReport &report) { outcome.report = report; });
    QObject::connect(&service, &RunService::finished, &loop, [&](const RunRecord &record, const QString &error) {
        outcome.record = record;
        outcome.error = error;
        loop.quit();
    });

    if (auto started = service.start(std::move(request)); !started) {
        outcome.refused = true;
        outcome.error = started.error().message;
        return outcome;
    }
    InterruptWatcher interrupts([&] {
        if (std::exchange(outcome.interrupted, true))
            return;
        console.message(QStringLiteral("cancelling: stopping running jobs…"));
        service.cancel();
    });
    loop.exec();
    std::lock_guard lock(printMutex);
    if (tty)
        out << "\r\x1b[K";
    out << Qt::flush;
    return outcome;
}

} // namespace trainyard::app
