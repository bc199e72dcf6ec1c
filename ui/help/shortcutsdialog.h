#pragma once

#include <QDialog>

class QMainWindow;
class QTreeWidget;

namespace trainyard::ui {

/// Help ▸ Keyboard shortcuts: every command of a window that has keys, read from its menus (and
/// the window's own actions that a menu shows only when opened), so the list never drifts.
class ShortcutsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ShortcutsDialog(QWidget *parent = nullptr);

    /// Lists the shortcuts of `window` now ("Run ▸ Run pipeline", "F5").
    void fill(const QMainWindow &window);
    QTreeWidget *list() const { return m_list; }

private:
    QTreeWidget *m_list;
};

} // namespace trainyard::ui
