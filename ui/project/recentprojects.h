#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace trainyard::ui {

/// The projects opened lately, newest first, kept in QSettings (`recentProjects`); folders that
/// no longer exist are dropped when the list is read.
class RecentProjects final : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxEntries = 10;

    explicit RecentProjects(QObject *parent = nullptr);

    QStringList list() const;
    /// Puts `dir` first.
    void add(const QString &dir);
    void clear();
    /// Fills `menu` with the list (and "Clear recent projects"); a chosen entry emits openRequested.
    void fillMenu(QMenu *menu);

Q_SIGNALS:
    void openRequested(const QString &dir);
    void changed();
};

} // namespace trainyard::ui
