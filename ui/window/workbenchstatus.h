#pragma once

#include <QObject>
#include <QString>

class QLabel;
class QStatusBar;

namespace trainyard::ui {

class StatusProbe;

/// The status bar's standing fields: the project (or that it is being read), the pipeline's
/// problems, the commit (`*` = uncommitted changes), the Docker engine and the GPUs, the last
/// three as the StatusProbe finds them. Messages come and go in the bar itself.
class WorkbenchStatus final : public QObject
{
    Q_OBJECT

public:
    WorkbenchStatus(QStatusBar *bar, StatusProbe *probe);

    void reading(const QString &dir);
    void showProject(const QString &dir);
    void showNoProject();
    void showProblems(int errors, int jobs, int warnings, const QString &details);

private:
    QLabel *label(const QString &text, const QString &name);

    QStatusBar *m_bar;
    QString m_dir;
    QLabel *m_project;
    QLabel *m_problems;
    QLabel *m_commit;
    QLabel *m_engine;
    QLabel *m_gpus;
};

} // namespace trainyard::ui
