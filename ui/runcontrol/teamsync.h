#pragma once

#include "lineage/teampush.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>

namespace trainyard::ui {

/// The window's push to the team: after each run ends, and when a project opens, the project's
/// queued runs go to the team's registry and store (core::TeamPush, on a worker). While the
/// team cannot be reached (or refuses), it tries again every retryInterval() until it can ("on
/// reconnect"), saying a problem once while it stays the same.
/// Where the team is: TeamPush::configured (the environment, Settings ▸ Team store, the pipeline
/// file). Nothing happens when no team store is set.
class TeamSync final : public QObject
{
    Q_OBJECT

public:
    explicit TeamSync(QObject *parent = nullptr);
    ~TeamSync() override;

    void setProjectDir(const QString &dir);
    QString projectDir() const { return m_projectDir; }
    /// Pushes what the project has queued (now, or right after a push in progress).
    void pushNow();
    bool isPushing() const { return m_pushing; }
    /// Whether a retry is waiting.
    bool isRetryPending() const { return m_retry.isActive(); }
    int retryInterval() const { return m_retry.interval(); }
    void setRetryInterval(int ms) { m_retry.setInterval(ms); }

Q_SIGNALS:
    /// A push ended (`outcome` says what went where, or why not).
    void pushed(const trainyard::core::TeamPush::Outcome &outcome);
    /// One line for the status bar; `problem` when runs stay queued.
    void message(const QString &text, bool problem);

private:
    void finished(const core::TeamPush::Outcome &outcome, bool configured);

    QString m_projectDir;
    QTimer m_retry;
    bool m_pushing = false;
    bool m_again = false;  ///< pushNow() came while a push ran
    QString m_lastProblem; ///< said already: not said again while it stays
    std::shared_ptr<std::atomic_bool> m_stop = std::make_shared<std::atomic_bool>(false);
};

} // namespace trainyard::ui
