#include "workbenchstatus.h"

#include "status/statusprobe.h"

#include <QDir>
#include <QLabel>
#include <QStatusBar>

namespace trainyard::ui {

WorkbenchStatus::WorkbenchStatus(QStatusBar *bar, StatusProbe *probe)
    : QObject(bar)
    , m_bar(bar)
    , m_project(label(tr("No project"), QStringLiteral("projectLabel")))
    , m_problems(label({}, QStringLiteral("problemsLabel")))
    , m_commit(label({}, QStringLiteral("commitLabel")))
    , m_engine(label(tr("Docker: checking…"), QStringLiteral("engineLabel")))
    , m_gpus(label(tr("GPUs: checking…"), QStringLiteral("gpuLabel")))
{
    bar->addWidget(m_project, 1);
    for (QLabel *l : {m_problems, m_commit, m_engine, m_gpus})
        bar->addPermanentWidget(l);
    connect(probe, &StatusProbe::engineProbed, this, [this](bool ok, const QString &text, const QString &tip) {
        m_engine->setText((ok ? QStringLiteral("\u25cf ") : QStringLiteral("\u25cb ")) + text);
        m_engine->setToolTip(tip);
    });
    connect(probe, &StatusProbe::gpusProbed, this, [this](int, const QString &text, const QString &tip) {
        m_gpus->setText(text);
        m_gpus->setToolTip(tip);
    });
    connect(probe, &StatusProbe::projectProbed, this,
            [this](const QString &dir, const QString &, const QString &text, const QString &tip) {
                if (dir != m_dir)
                    return;
                m_commit->setText(text);
                m_commit->setToolTip(tip);
            });
}

QLabel *WorkbenchStatus::label(const QString &text, const QString &name)
{
    auto *l = new QLabel(text, m_bar);
    l->setObjectName(name);
    return l;
}

void WorkbenchStatus::reading(const QString &dir)
{
    m_dir = dir;
    m_project->setText(tr("Reading %1…").arg(QDir::toNativeSeparators(dir)));
    m_commit->clear();
}

void WorkbenchStatus::showProject(const QString &dir)
{
    m_project->setText(QDir::toNativeSeparators(dir));
}

void WorkbenchStatus::showNoProject()
{
    m_project->setText(tr("No project"));
}

void WorkbenchStatus::showProblems(int errors, int jobs, int warnings, const QString &details)
{
    m_problems->setText(errors ? tr("%n error(s)", nullptr, errors)
                               : tr("%n job(s), %1", nullptr, jobs)
                                     .arg(warnings ? tr("%n warning(s)", nullptr, warnings) : tr("no warnings")));
    m_problems->setToolTip(details);
}

} // namespace trainyard::ui
