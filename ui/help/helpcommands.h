#pragma once

#include <QObject>

class QMainWindow;

namespace trainyard::ui {

class StatusProbe;

/// The Help menu's windows: the user guide, the keyboard shortcuts and the check of this
/// machine, none of them blocking the window.
class HelpCommands final : public QObject
{
    Q_OBJECT

public:
    HelpCommands(QMainWindow *window, StatusProbe *probe);

    /// README.md (installed in share/doc/trainyard, or this build's source tree) with its
    /// screenshots; false when none is found.
    bool showUserGuide();
    /// Every menu command that has a shortcut, read from the menus themselves.
    void showShortcuts();
    /// Checks this machine again and shows what Trainyard needs and how to fix what is missing.
    void checkMachine();

private:
    QMainWindow *m_window;
    StatusProbe *m_probe;
};

} // namespace trainyard::ui
