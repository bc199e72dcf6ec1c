#pragma once

#include <QMainWindow>
#include <QPointer>

#include <memory>
#include <vector>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace trainyard::core {
struct Pipeline;
struct Error;
struct RunRecord;
}

namespace trainyard::ui {

/// The workbench window. Thin: menus, status bar and the project's pipeline overview; the
/// pipeline is read by core on a worker thread.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

protected:
    void closeEvent(QCloseEvent *event) override;

public:

    /// Opens the project in `dir`: finds its .gitlab-ci.yml and shows its stages and jobs.
    void openProject(const QString &dir);
    /// Approves a manual job of the running pipeline (the card's "Approve").
    void approveJob(const QString &job);
    /// Cancels one job of the running pipeline.
    void cancelJob(const QString &job);

private:
    void createMenus();
    void chooseProject();
    void showPipeline(const QString &dir, const core::Pipeline &pipeline, const std::vector<core::Error> &lint);
    void runPipeline(bool shellEngine = false);
    void runFinished(const core::RunRecord &record, const QString &error);
    void showJobMenu(const QString &job, const QPoint &globalPos);

    QStackedWidget *m_pages = nullptr;
    QLabel *m_welcome = nullptr;
    class PipelineCanvas *m_canvas = nullptr;
    QListWidget *m_problems = nullptr;
    QLabel *m_projectLabel = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QString m_projectDir;
    std::unique_ptr<core::Pipeline> m_pipeline;   // as last read, for runs
    class LogBatcher *m_logs = nullptr;
    class RunConsole *m_console = nullptr;
    std::unique_ptr<class RunController> m_run;
    class EditController *m_edit = nullptr;
    QAction *m_runAction = nullptr;
    QAction *m_cancelAction = nullptr;
};

} // namespace trainyard::ui
