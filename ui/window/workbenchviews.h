#pragma once

#include <QTabWidget>

class QStackedWidget;

namespace trainyard::ui {

class CompareView;
class LineageView;
class MessageBar;
class PipelineCanvas;
class WelcomePage;

/// The window's central views, as tabs: Pipeline (the canvas, or the welcome page in its place
/// while there is no pipeline to show), Compare and Lineage.
class WorkbenchViews final : public QTabWidget
{
    Q_OBJECT

public:
    explicit WorkbenchViews(QWidget *parent = nullptr);

    WelcomePage *welcome() const { return m_welcome; }
    PipelineCanvas *canvas() const { return m_canvas; }
    CompareView *compare() const { return m_compare; }
    LineageView *lineage() const { return m_lineage; }
    /// The bar above the canvas that says what the project lacks (e.g. a git repository), with an
    /// action that mends it.
    MessageBar *projectNotice() const { return m_notice; }

    /// A project opens: Compare and Lineage read its runs; the Pipeline view is brought to the front.
    void setProjectDir(const QString &dir);
    /// A run or a reproduction ended: Compare and Lineage read the runs again.
    void refreshRuns();
    /// View ▸ Zoom to fit and Actual size: of the Pipeline's canvas or the Lineage graph, whichever is shown.
    void zoomToFit();
    void actualSize();
    /// Brings a view to the front by name: "pipeline", "compare" or "lineage"; false for another.
    bool showView(const QString &name);
    /// The Pipeline tab shows the welcome page (true) or the canvas (false).
    void showWelcomePage(bool welcome);
    bool isWelcomeShown() const;
    /// The name of the job whose card is selected; empty when none is.
    QString selectedJob() const;
    /// Selects the card of `job` alone, with `center` scrolled into view; false when there is none.
    bool selectJob(const QString &job, bool center);

private:
    QStackedWidget *m_pages;
    WelcomePage *m_welcome;
    QWidget *m_pipelinePage; ///< the notice above the canvas
    MessageBar *m_notice;
    PipelineCanvas *m_canvas;
    CompareView *m_compare;
    LineageView *m_lineage;
};

} // namespace trainyard::ui
