#include "runconsole.h"

#include "console/joblogview.h"
#include "console/logbatcher.h"

#include <QLabel>
#include <QPainter>
#include <QTabBar>

#include <algorithm>
#include <limits>

namespace trainyard::ui {

RunConsole::RunConsole(LogBatcher *batcher, QWidget *parent)
    : QTabWidget(parent)
{
    setDocumentMode(true);
    m_runTitle = new QLabel(this);
    m_runTitle->setObjectName(QStringLiteral("runTitle"));
    m_runTitle->setContentsMargins(8, 0, 8, 0);
    setCornerWidget(m_runTitle, Qt::TopRightCorner);
    if (batcher) {
        connect(batcher, &LogBatcher::linesReady, this,
                [this](const QString &job, const QList<core::LogLine> &lines) { viewFor(job)->appendLines(lines); });
        connect(batcher, &LogBatcher::linesDropped, this,
                [this](const QString &job, qint64 count) { viewFor(job)->noteDroppedLines(count); });
    }
}

RunConsole::~RunConsole() = default;

QString RunConsole::emptyText()
{
    return tr("No logs to show yet.\nRun pipeline (F5) runs every job; each job's live log opens here in a tab of "
              "its own.\nAn earlier run's logs: double-click the run in the Runs list.");
}

void RunConsole::paintEvent(QPaintEvent *event)
{
    QTabWidget::paintEvent(event);
    if (count() > 0)
        return;
    QPainter painter(this);
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect().adjusted(16, 12, -16, -12), Qt::AlignCenter | Qt::TextWordWrap, emptyText());
}

QString RunConsole::statusGlyph(core::JobStatus status)
{
    switch (status) {
    case core::JobStatus::Pending:
        return QStringLiteral("\u25CB"); // ○
    case core::JobStatus::Manual:
        return QStringLiteral("\u2016"); // ‖ (paused: waiting for approval)
    case core::JobStatus::Running:
        return QStringLiteral("\u25B6"); // ▶
    case core::JobStatus::Success:
        return QStringLiteral("\u2713"); // ✓
    case core::JobStatus::Failed:
        return QStringLiteral("\u2717"); // ✗
    case core::JobStatus::FailedAllowed:
        return QStringLiteral("\u26A0"); // ⚠
    case core::JobStatus::Skipped:
        return QStringLiteral("\u00BB"); // »
    case core::JobStatus::Cancelled:
        return QStringLiteral("\u2298"); // ⊘
    }
    return {};
}

int RunConsole::rank(const QString &job) const
{
    if (job.isEmpty())
        return -1;
    const qsizetype at = m_order.indexOf(job);
    return at < 0 ? std::numeric_limits<int>::max() : int(at);
}

QString RunConsole::jobAt(int index) const
{
    return m_views.key(qobject_cast<JobLogView *>(widget(index)));
}

void RunConsole::setJobOrder(const QStringList &jobs)
{
    m_order = jobs;
    // Re-sort existing tabs (stable: jobs outside the order keep their relative order).
    QStringList tabs;
    for (int i = 0; i < count(); ++i)
        tabs << jobAt(i);
    std::stable_sort(tabs.begin(), tabs.end(),
                     [this](const QString &a, const QString &b) { return rank(a) < rank(b); });
    for (int to = 0; to < tabs.size(); ++to)
        tabBar()->moveTab(indexOf(m_views.value(tabs.at(to))), to);
}

JobLogView *RunConsole::existingView(const QString &job) const
{
    return m_views.value(job);
}

JobLogView *RunConsole::viewFor(const QString &job)
{
    if (JobLogView *view = m_views.value(job))
        return view;
    auto *view = new JobLogView(this);
    m_views.insert(job, view);
    const int r = rank(job);
    int at = 0;
    while (at < count() && rank(jobAt(at)) <= r)
        ++at;
    insertTab(at, view, QString());
    updateTitle(job);
    return view;
}

void RunConsole::setJobStatus(const QString &job, core::JobStatus status)
{
    m_status.insert(job, status);
    viewFor(job);
    updateTitle(job);
}

void RunConsole::setProgress(const QString &job, const QString &label, qint64 current, qint64 total)
{
    viewFor(job)->setProgress(label, current, total);
}

void RunConsole::setRunTitle(const QString &text)
{
    m_runTitle->setText(text);
}

QString RunConsole::runTitle() const
{
    return m_runTitle->text();
}

void RunConsole::reset()
{
    m_runTitle->clear();
    while (count() > 0) {
        QWidget *view = widget(0);
        removeTab(0);
        delete view;
    }
    m_views.clear();
    m_status.clear();
    m_order.clear();
}

void RunConsole::showPastRun(const core::RunRecord &record)
{
    reset();
    setRunTitle(tr("Run #%1 · %2 · %3 (from the Runs list)")
                    .arg(record.pipelineIid)
                    .arg(core::runStatusToString(record.status), record.id));
    setJobOrder(record.jobOrder);
    for (const QString &job : record.jobOrder) {
        const auto it = record.jobs.find(job);
        if (it == record.jobs.end())
            continue;
        const core::JobRecord &j = it->second;
        setJobStatus(job, j.status);
        if (j.status == core::JobStatus::Skipped || (core::isFinal(j.status) && j.started.isValid()))
            viewFor(job)->setFinished(j.exitCode, j.started.isValid() ? j.started.msecsTo(j.finished) : 0,
                                      core::jobStatusToString(j.status), j.reason);
    }
}

void RunConsole::updateTitle(const QString &job)
{
    const int index = indexOf(m_views.value(job));
    if (index < 0)
        return;
    const QString name = job.isEmpty() ? tr("Run") : job;
    const auto status = m_status.constFind(job);
    if (status == m_status.cend()) {
        setTabText(index, name);
        setTabToolTip(index, name);
        return;
    }
    setTabText(index, statusGlyph(*status) + QLatin1Char(' ') + name);
    setTabToolTip(index, name + QStringLiteral(": ") + core::jobStatusToString(*status));
}

} // namespace trainyard::ui
