#include "teamsync.h"

#include "async/onworker.h"
#include "settings/teamstoredialog.h"

#include <QFileInfo>

namespace trainyard::ui {

TeamSync::TeamSync(QObject *parent)
    : QObject(parent)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(60 * 1000);
    connect(&m_retry, &QTimer::timeout, this, &TeamSync::pushNow);
}

TeamSync::~TeamSync()
{
    m_stop->store(true); // a push still going stops at its next step (the window is closing)
}

void TeamSync::setProjectDir(const QString &dir)
{
    if (dir == m_projectDir)
        return;
    m_projectDir = dir;
    m_retry.stop();
    m_again = false;
    m_lastProblem.clear();
}

void TeamSync::pushNow()
{
    if (m_projectDir.isEmpty())
        return;
    if (m_pushing) {
        m_again = true;
        return;
    }
    m_retry.stop();
    m_pushing = true;
    struct Result
    {
        core::TeamPush::Outcome outcome;
        bool configured = false;
        QString dir;
    };
    onWorker(
        this,
        [dir = m_projectDir, stop = m_stop] {
            Result r;
            r.dir = dir;
            const core::TeamPush::Target target = TeamStoreDialog::target(dir);
            const QString path = core::LineageStore::defaultPath(dir);
            if (target.storeUrl.isEmpty() || !QFileInfo::exists(path))
                return r; // no team, or nothing recorded yet
            r.configured = true;
            core::LineageStore::Options options;
            options.recoverInterrupted = false; // the run service does that, not a push
            auto local = core::LineageStore::open(path, options);
            if (!local) {
                r.outcome.ok = false;
                r.outcome.problems << local.error().toString();
                return r;
            }
            const auto queued = (*local)->outbox();
            if (queued && queued->empty())
                return r; // nothing waits: the team is not even asked
            r.outcome = core::TeamPush::push(**local, target, {}, stop.get());
            return r;
        },
        [this](const Result &r) {
            m_pushing = false;
            if (r.dir == m_projectDir)
                finished(r.outcome, r.configured);
            if (m_again) {
                m_again = false;
                pushNow();
            }
        });
}

void TeamSync::finished(const core::TeamPush::Outcome &outcome, bool configured)
{
    if (!configured)
        return;
    if (outcome.ok && outcome.said.isEmpty() && outcome.problems.isEmpty())
        return; // nothing was waiting
    Q_EMIT pushed(outcome);
    if (!outcome.ok) {
        // Tried again every interval (a refusal too: a password or a role may be mended meanwhile),
        // said once while it stays the same.
        const QString problem = outcome.problems.isEmpty() ? QString() : outcome.problems.first();
        m_retry.start();
        if (problem == m_lastProblem)
            return;
        m_lastProblem = problem;
        Q_EMIT message(tr("Team store: %1 run(s) stay queued (%2). Trying again every %3 s.")
                           .arg(outcome.stillQueued)
                           .arg(problem)
                           .arg(m_retry.interval() / 1000),
                       true);
        return;
    }
    m_lastProblem.clear();
    QStringList lines = outcome.said;
    if (!outcome.warnings.isEmpty())
        lines << outcome.warnings;
    Q_EMIT message(tr("Team store: %1").arg(lines.join(QStringLiteral("; "))), !outcome.warnings.isEmpty());
}

} // namespace trainyard::ui
