#include "windowlayout.h"

#include "workbenchdocks.h"

#include "compare/compareview.h"

#include <QEvent>
#include <QMainWindow>
#include <QResizeEvent>
#include <QScreen>
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
    if (!m_window->restoreGeometry(settings.value(GeometryKey).toByteArray()))
        fitToScreen();
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

void WindowLayout::fitToScreen()
{
    // A first start: 1280×800 where there is room, most of a large screen, all of a small one.
    const QScreen *screen = m_window->screen();
    if (!screen)
        return;
    const QRect available = screen->availableGeometry();
    QSize size(1280, 800);
    if (available.width() >= 1600 && available.height() >= 1000)
        size = available.size() * 0.85;
    size = size.boundedTo(available.size());
    m_window->resize(size);
    m_window->move(available.topLeft() +
                   QPoint((available.width() - size.width()) / 2, (available.height() - size.height()) / 2));
}

bool WindowLayout::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::Resize && m_keepShares) {
        // The docks keep their shares of the window: grown back after a shrink, they are not left narrow.
        QTimer::singleShot(0, m_docks, &WorkbenchDocks::keepShares);
    }
    if (watched == m_window && event->type() == QEvent::MouseButtonRelease && m_keepShares)
        m_docks->learnShares(); // a separator between docks and views was dragged (they are the window's own)
    if (watched == m_window && event->type() == QEvent::Show) {
        if (std::exchange(m_sizeDocksOnShow, false)) {
            QTimer::singleShot(0, this, [this] { // once laid out at its real size
                m_docks->sizeByDefault();
                m_keepShares = true;
            });
        } else {
            QTimer::singleShot(0, this, [this] { // a restored layout: its shares as it was left
                m_docks->learnShares();
                m_keepShares = true;
            });
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace trainyard::ui
