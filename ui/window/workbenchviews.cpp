#include "window/workbenchviews.h"

#include "canvas/jobcarditem.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "compare/compareview.h"
#include "inspector/messagebar.h"
#include "lineageview/lineageview.h"
#include "project/welcomepage.h"

#include <QStackedWidget>
#include <QVBoxLayout>

namespace trainyard::ui {

WorkbenchViews::WorkbenchViews(QWidget *parent)
    : QTabWidget(parent)
    , m_pages(new QStackedWidget(this))
    , m_welcome(new WelcomePage(m_pages))
    , m_pipelinePage(new QWidget(m_pages))
    , m_notice(new MessageBar(m_pipelinePage))
    , m_canvas(new PipelineCanvas(m_pipelinePage))
    , m_compare(new CompareView(this))
    , m_lineage(new LineageView(this))
{
    setObjectName(QStringLiteral("views"));
    setDocumentMode(true);
    m_notice->setObjectName(QStringLiteral("projectNotice"));
    auto *pipelineLayout = new QVBoxLayout(m_pipelinePage);
    pipelineLayout->setContentsMargins(0, 0, 0, 0);
    pipelineLayout->setSpacing(0);
    pipelineLayout->addWidget(m_notice);
    pipelineLayout->addWidget(m_canvas, 1);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(m_pipelinePage);
    m_compare->setObjectName(QStringLiteral("compareView"));
    addTab(m_pages, tr("Pipeline"));
    addTab(m_compare, tr("Compare"));
    addTab(m_lineage, tr("Lineage"));
    setTabToolTip(0, tr("The pipeline: compose and run it (Ctrl+1)"));
    setTabToolTip(1, tr("The TensorBoard scalars of runs side by side (Ctrl+2)"));
    setTabToolTip(2, tr("Where an artifact came from and what used it; release review (Ctrl+3)"));
}

bool WorkbenchViews::showView(const QString &name)
{
    const int index =
        QStringList{QStringLiteral("pipeline"), QStringLiteral("compare"), QStringLiteral("lineage")}.indexOf(name);
    if (index >= 0)
        setCurrentIndex(index);
    return index >= 0;
}

void WorkbenchViews::showWelcomePage(bool welcome)
{
    m_pages->setCurrentWidget(welcome ? static_cast<QWidget *>(m_welcome) : m_pipelinePage);
}

bool WorkbenchViews::isWelcomeShown() const
{
    return m_pages->currentWidget() == m_welcome;
}

QString WorkbenchViews::selectedJob() const
{
    for (QGraphicsItem *item : m_canvas->scene()->selectedItems()) {
        if (auto *card = dynamic_cast<JobCardItem *>(item))
            return card->jobName();
    }
    return {};
}

bool WorkbenchViews::selectJob(const QString &job, bool center)
{
    JobCardItem *card = m_canvas->pipelineScene()->card(job);
    if (!card)
        return false;
    m_canvas->scene()->clearSelection();
    card->setSelected(true);
    if (center)
        m_canvas->centerOn(card);
    return true;
}

void WorkbenchViews::setProjectDir(const QString &dir)
{
    m_lineage->setProjectDir(dir);
    m_compare->setProjectDir(dir);
    setCurrentIndex(0);
}

void WorkbenchViews::zoomToFit()
{
    if (currentWidget() == m_lineage)
        m_lineage->graphView()->zoomToFit(ZoomableView::minimumZoom());
    else
        m_canvas->zoomToFit(ZoomableView::minimumZoom());
}

void WorkbenchViews::actualSize()
{
    if (currentWidget() == m_lineage)
        m_lineage->graphView()->actualSize();
    else
        m_canvas->actualSize();
}

void WorkbenchViews::refreshRuns()
{
    m_lineage->refresh();
    m_compare->refreshRuns();
}

} // namespace trainyard::ui
