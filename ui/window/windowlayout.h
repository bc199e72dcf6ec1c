#pragma once

#include <QByteArray>
#include <QObject>

class QMainWindow;

namespace trainyard::ui {

class CompareView;
class WorkbenchDocks;

/// The window's layout as the user left it: geometry, docks and the charts' settings, saved at
/// close and restored at start; without a saved layout, the docks get their first sizes once the
/// window is shown at its real size. View ▸ Reset layout goes back to that.
class WindowLayout final : public QObject
{
    Q_OBJECT

public:
    WindowLayout(QMainWindow *window, WorkbenchDocks *docks, CompareView *compare);

    /// Call once every dock and tool bar exists.
    void restore();
    void save();
    void reset();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    /// Without a saved geometry: a size that fits the screen the window is on.
    void fitToScreen();

    QMainWindow *m_window;
    WorkbenchDocks *m_docks;
    CompareView *m_compare;
    QByteArray m_defaultState;
    bool m_sizeDocksOnShow = false;
    bool m_keepShares = false; ///< the docks are sized: resizing the window keeps their shares
};

} // namespace trainyard::ui
