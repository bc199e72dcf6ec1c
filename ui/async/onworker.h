#pragma once

#include <QCoreApplication>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <utility>

namespace trainyard::ui {

// The one way the window moves work off the GUI thread. Work runs on the global thread pool;
// what it delivers is posted to the application object (it outlives every task of the pool: its
// destructor waits for them, no widget's does) and handed to the receiver there, on the GUI
// thread, only if the receiver still exists: its QPointer is read on the thread that deletes it.

/// Calls `call(receiver)` on the GUI thread if `receiver` still exists then. Safe from any thread.
template <typename Receiver, typename Call> void postTo(const QPointer<Receiver> &receiver, Call call)
{
    QCoreApplication *app = QCoreApplication::instance();
    if (!app)
        return;
    QMetaObject::invokeMethod(
        app,
        [receiver, call = std::move(call)]() mutable {
            if (receiver)
                call(receiver.data());
        },
        Qt::QueuedConnection);
}

/// Runs `work()` on the thread pool and hands its result to `done(result)` on the GUI thread,
/// unless `receiver` is gone by then. The GUI thread never waits for `work`.
template <typename Receiver, typename Work, typename Done> void onWorker(Receiver *receiver, Work work, Done done)
{
    const QPointer<Receiver> guard(receiver);
    QThreadPool::globalInstance()->start([guard, work = std::move(work), done = std::move(done)]() mutable {
        auto result = work();
        postTo(guard,
               [done = std::move(done), result = std::move(result)](Receiver *) mutable { done(std::move(result)); });
    });
}

} // namespace trainyard::ui
