#pragma once

#include "comparemodel.h"

#include <QHash>
#include <QSet>
#include <QStringList>
#include <QWidget>

#include <vector>

class QLineEdit;
class QStandardItem;
class QStandardItemModel;
class QTreeView;

namespace trainyard::ui {

class RunFilterProxy;

/// The compare view's run list: runs grouped by where they come from (the project's recorded
/// runs, each logdir), a check box per run and per group, a colour swatch per run, and a regex
/// filter on the names. The runs drawn are those checked that pass the filter.
class CompareRunList final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int KeyRole = Qt::UserRole + 1;
    static constexpr int NameRole = Qt::UserRole + 2;

    explicit CompareRunList(QWidget *parent = nullptr);
    ~CompareRunList() override;

    /// Shows `runs` in their order, keeping each known run's check state; new runs are checked.
    void setRuns(const std::vector<CompareRun> &runs);
    /// Filters by a regular expression on the run names (case-insensitive; empty: all). A bad
    /// pattern is refused: false, the field marked, the last good filter kept.
    bool setFilter(const QString &pattern);
    QString filter() const;

    void setChecked(const QString &key, bool checked);
    bool isChecked(const QString &key) const;
    /// Checked runs that pass the filter, in list order: the runs drawn.
    QStringList selectedKeys() const;
    /// Runs that pass the filter, checked or not.
    QStringList visibleKeys() const;

    /// Runs hovered somewhere else: their rows are shown in bold.
    void setHighlightedRuns(const QSet<QString> &keys);

    QLineEdit *filterEdit() const { return m_filter; }
    QTreeView *view() const { return m_view; }

Q_SIGNALS:
    /// selectedKeys() changed (a check box, the filter, runs coming or going).
    void selectionChanged();
    /// The pointer is over run `key`'s row; empty when it left the list.
    void runHovered(const QString &key);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void itemChanged(QStandardItem *item);
    void emitIfChanged();

    QLineEdit *m_filter = nullptr;
    QTreeView *m_view = nullptr;
    QStandardItemModel *m_model = nullptr;
    RunFilterProxy *m_proxy = nullptr;
    QHash<QString, bool> m_checked; ///< by key, kept across setRuns
    QStringList m_lastSelected;
    QSet<QString> m_highlight;
    bool m_rebuilding = false;
};

} // namespace trainyard::ui
