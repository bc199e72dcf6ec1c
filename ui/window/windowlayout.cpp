#include "windowlayout.h"

#include "workbenchdocks.h"

#include "compare/compareview.h"

#include <QEvent>
#include <QMainWindow>
#include <QSettings>
#include <QTimer>

#include <utility>

namespace trainyard::ui {

namespace {
const QString GeometryKey = QStringLiteral("mainWindow/geometry");
const QString StateKey = QStringLiteral("mainWindow/state");
constexpr int LayoutVersion = 3; // bumped when the set of docks changes: an older saved layout is ignored
} // namespace

WindowLayout::WindowLayout(QMainWindow *window, WorkbenchDocks *docks, CompareView *compare)
    : QObject(window)
    , m_window(window)
    , m_docks(docks)
    , m_compare(compare)
{
    window->installEventFilter(this);
}

void WindowLayout::restore()
{
    m_defaultState = m_window->saveState(LayoutVersion);
    QSettings settings;
    m_window->restoreGeometry(settings.value(GeometryKey).toByteArray());
    m_sizeDocksOnShow = !m_window->restoreState(settings.value(StateKey).toByteArray(), LayoutVersion);
    m_compare->restoreSettings(settings);
}

void WindowLayout::save()
{
    QSettings settings;
    settings.setValue(GeometryKey, m_window->saveGeometry());
    settings.setValue(StateKey, m_window->saveState(LayoutVersion));
    m_compare->saveSettings(settings);
}

void WindowLayout::reset()
{
    m_window->restoreState(m_defaultState, LayoutVersion);
    m_docks->sizeByDefault();
}

bool WindowLayout::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::Show && std::exchange(m_sizeDocksOnShow, false))
        QTimer::singleShot(0, m_docks, &WorkbenchDocks::sizeByDefault); // once laid out at its real size
    return QObject::eventFilter(watched, event);
}

} // namespace trainyard::ui
