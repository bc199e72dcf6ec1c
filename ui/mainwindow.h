#pragma once

#include <QMainWindow>
#include <QPointer>

#include <vector>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace trainyard::core {
struct Pipeline;
struct Error;
}

namespace trainyard::ui {

/// The workbench window. Thin: menus, status bar and the project's pipeline overview; the
/// pipeline is read by core on a worker thread.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

    /// Opens the project in `dir`: finds its .gitlab-ci.yml and shows its stages and jobs.
    void openProject(const QString &dir);

private:
    void createMenus();
    void chooseProject();
    void showPipeline(const QString &dir, const core::Pipeline &pipeline, const std::vector<core::Error> &lint);

    QStackedWidget *m_pages = nullptr;
    QLabel *m_welcome = nullptr;
    class PipelineCanvas *m_canvas = nullptr;
    QListWidget *m_problems = nullptr;
    QLabel *m_projectLabel = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QString m_projectDir;
};

} // namespace trainyard::ui
