#pragma once

#include <QMainWindow>
#include <QPointer>

class QLabel;
class QTreeWidget;
class QStackedWidget;

namespace trainyard::core {
struct Pipeline;
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
    void showPipeline(const QString &dir, const core::Pipeline &pipeline);

    QStackedWidget *m_pages = nullptr;
    QLabel *m_welcome = nullptr;
    QTreeWidget *m_jobs = nullptr;
    QLabel *m_projectLabel = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QString m_projectDir;
};

} // namespace trainyard::ui
