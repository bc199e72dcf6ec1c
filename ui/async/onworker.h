#pragma once

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <utility>

namespace trainyard::ui {

/// Runs `work` on the global thread pool and hands its result to `done` on `receiver`'s thread —
/// unless the receiver is gone by then. The UI thread never waits for `work`.
template<typename Work, typename Done> void onWorker(QObject *receiver, Work work, Done done)
{
    QPointer<QObject> guard(receiver);
    QThreadPool::globalInstance()->start([guard, work = std::move(work), done = std::move(done)]() mutable {
        auto result = work();
        if (!guard)
            return;
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, done = std::move(done), result = std::move(result)]() mutable {
                if (guard)
                    done(std::move(result));
            },
            Qt::QueuedConnection);
    });
}

} // namespace trainyard::ui
