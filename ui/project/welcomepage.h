#pragma once

#include "engine/environmentcheck.h"

#include <QLabel>
#include <QStringList>

#include <vector>

namespace trainyard::ui {

/// The page in place of the canvas when there is no pipeline to show: the welcome (open, the
/// demo, recent projects, this machine's check), a folder without `.gitlab-ci.yml`, or a
/// pipeline that cannot be read. Its links are the signals below.
class WelcomePage final : public QLabel
{
    Q_OBJECT

public:
    explicit WelcomePage(QWidget *parent = nullptr);

    void showStart(const QStringList &recentProjects, const std::vector<core::CheckItem> &machineCheck);
    void showNoPipeline(const QString &dir);
    void showUnreadable(const QString &name, const QStringList &problems);

    /// The machine check as an HTML table: a mark, what, the detail and the fix.
    static QString machineCheckHtml(const std::vector<core::CheckItem> &items);

Q_SIGNALS:
    void openRequested();
    void createRequested();
    void demoRequested();
    void reloadRequested();
    void recentRequested(const QString &dir);
};

} // namespace trainyard::ui
