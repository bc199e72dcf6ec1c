#include "comparerunlist.h"

#include "style/runcolors.h"

#include <QEvent>
#include <QHeaderView>
#include <QLineEdit>
#include <QPainter>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace trainyard::ui {

/// Runs whose name matches the pattern; a group while one of its runs does.
class RunFilterProxy final : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setPattern(const QRegularExpression &pattern)
    {
        m_pattern = pattern;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        const QModelIndex index = sourceModel()->index(row, 0, parent);
        if (!parent.isValid()) {
            for (int i = 0; i < sourceModel()->rowCount(index); ++i) {
                if (filterAcceptsRow(i, index))
                    return true;
            }
            return false;
        }
        return m_pattern.pattern().isEmpty() ||
               m_pattern.match(index.data(CompareRunList::NameRole).toString()).hasMatch() ||
               m_pattern.match(index.data(Qt::DisplayRole).toString()).hasMatch(); // its label
    }

private:
    QRegularExpression m_pattern;
};

namespace {

QString tooltipOf(const CompareRun &run)
{
    QStringList lines{run.shownName() == run.name ? run.name : QStringLiteral("%1: %2").arg(run.name, run.shownName())};
    if (run.recorded) {
        const core::RunParameters &p = run.parameters;
        if (!p.commit.isEmpty())
            lines << CompareRunList::tr("commit %1%2%3")
                         .arg(p.commit, p.dirty ? CompareRunList::tr(" (dirty)") : QString(),
                              p.branch.isEmpty() ? QString() : CompareRunList::tr(" on %1").arg(p.branch));
        if (!p.image.isEmpty())
            lines << CompareRunList::tr("image %1").arg(p.image);
        for (const auto &[name, value] : p.variables)
            lines << name + u'=' + value;
    } else {
        lines << run.group;
    }
    if (run.live)
        lines << CompareRunList::tr("live: the job is running");
    if (!run.scalars)
        lines << CompareRunList::tr("loading…");
    return lines.join(u'\n');
}

} // namespace

CompareRunList::CompareRunList(QWidget *parent)
    : QWidget(parent)
    , m_filter(new QLineEdit(this))
    , m_view(new QTreeView(this))
    , m_model(new QStandardItemModel(this))
    , m_proxy(new RunFilterProxy(this))
{
    m_filter->setPlaceholderText(tr("Filter runs (regex)"));
    m_filter->setClearButtonEnabled(true);
    m_proxy->setSourceModel(m_model);
    m_view->setModel(m_proxy);
    m_view->setHeaderHidden(true);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setRootIsDecorated(true);
    m_view->setIndentation(14);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) { setFilter(text); });
    connect(m_model, &QStandardItemModel::itemChanged, this, &CompareRunList::itemChanged);
    m_view->setMouseTracking(true);
    m_view->viewport()->installEventFilter(this);
    connect(m_view, &QTreeView::entered, this,
            [this](const QModelIndex &index) { Q_EMIT runHovered(index.data(KeyRole).toString()); });
}

bool CompareRunList::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Leave)
        Q_EMIT runHovered(QString());
    return QWidget::eventFilter(watched, event);
}

void CompareRunList::setHighlightedRuns(const QSet<QString> &keys)
{
    m_highlight = keys;
    m_rebuilding = true; // font changes are not check changes
    for (int g = 0; g < m_model->rowCount(); ++g) {
        QStandardItem *group = m_model->item(g);
        for (int r = 0; r < group->rowCount(); ++r) {
            QStandardItem *item = group->child(r);
            QFont font = item->font();
            font.setBold(keys.contains(item->data(KeyRole).toString()));
            if (font != item->font())
                item->setFont(font);
        }
    }
    m_rebuilding = false;
}

CompareRunList::~CompareRunList() = default;

void CompareRunList::setRuns(const std::vector<CompareRun> &runs)
{
    m_rebuilding = true;
    QHash<QString, bool> expanded;
    for (int i = 0; i < m_model->rowCount(); ++i) {
        const QStandardItem *group = m_model->item(i);
        expanded.insert(group->text(), m_view->isExpanded(m_proxy->mapFromSource(group->index())));
    }
    m_model->clear();
    QHash<QString, QStandardItem *> groups;
    for (const CompareRun &run : runs) {
        QStandardItem *group = groups.value(run.group);
        if (!group) {
            group = new QStandardItem(run.group);
            group->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            group->setToolTip(run.group);
            QFont bold = group->font();
            bold.setBold(true);
            group->setFont(bold);
            m_model->appendRow(group);
            groups.insert(run.group, group);
        }
        auto *item = new QStandardItem(run.live ? tr("%1 — live").arg(run.shownName()) : run.shownName());
        item->setData(run.key, KeyRole);
        item->setData(run.name, NameRole);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(m_checked.value(run.key, true) ? Qt::Checked : Qt::Unchecked);
        item->setIcon(RunColors::swatch(RunColors::colorFor(run.name)));
        if (m_highlight.contains(run.key)) {
            QFont bold = item->font();
            bold.setBold(true);
            item->setFont(bold);
        }
        item->setToolTip(tooltipOf(run));
        if (!run.scalars)
            item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        group->appendRow(item);
        m_checked.insert(run.key, item->checkState() == Qt::Checked);
    }
    // Groups show whether all, some or none of their runs are checked.
    for (QStandardItem *group : std::as_const(groups)) {
        int checked = 0;
        for (int i = 0; i < group->rowCount(); ++i)
            checked += group->child(i)->checkState() == Qt::Checked ? 1 : 0;
        group->setCheckState(checked == 0                   ? Qt::Unchecked
                             : checked == group->rowCount() ? Qt::Checked
                                                            : Qt::PartiallyChecked);
    }
    for (int i = 0; i < m_model->rowCount(); ++i) {
        const QStandardItem *group = m_model->item(i);
        m_view->setExpanded(m_proxy->mapFromSource(group->index()), expanded.value(group->text(), true));
    }
    m_rebuilding = false;
    emitIfChanged();
}

void CompareRunList::itemChanged(QStandardItem *item)
{
    if (m_rebuilding)
        return;
    // QStandardItemModel leaves groups and their runs to us: a group's box sets all of its
    // runs; a run's box makes its group checked, unchecked or partly checked.
    m_rebuilding = true;
    const QString key = item->data(KeyRole).toString();
    if (key.isEmpty()) {
        if (item->checkState() != Qt::PartiallyChecked) {
            for (int i = 0; i < item->rowCount(); ++i) {
                QStandardItem *run = item->child(i);
                run->setCheckState(item->checkState());
                m_checked.insert(run->data(KeyRole).toString(), item->checkState() == Qt::Checked);
            }
        }
    } else {
        m_checked.insert(key, item->checkState() == Qt::Checked);
        if (QStandardItem *group = item->parent()) {
            int checked = 0;
            for (int i = 0; i < group->rowCount(); ++i)
                checked += group->child(i)->checkState() == Qt::Checked ? 1 : 0;
            group->setCheckState(checked == 0                   ? Qt::Unchecked
                                 : checked == group->rowCount() ? Qt::Checked
                                                                : Qt::PartiallyChecked);
        }
    }
    m_rebuilding = false;
    emitIfChanged();
}

bool CompareRunList::setFilter(const QString &pattern)
{
    const QRegularExpression regex(pattern, QRegularExpression::CaseInsensitiveOption);
    if (!regex.isValid()) {
        m_filter->setStyleSheet(QStringLiteral("QLineEdit { background: #fde8e8; }"));
        m_filter->setToolTip(tr("Not a valid regular expression: %1").arg(regex.errorString()));
        return false;
    }
    m_filter->setStyleSheet({});
    m_filter->setToolTip({});
    if (m_filter->text() != pattern)
        m_filter->setText(pattern); // comes back here through textChanged
    m_proxy->setPattern(regex);
    m_view->expandAll();
    emitIfChanged();
    return true;
}

QString CompareRunList::filter() const
{
    return m_filter->text();
}

void CompareRunList::setChecked(const QString &key, bool checked)
{
    m_checked.insert(key, checked);
    for (int g = 0; g < m_model->rowCount(); ++g) {
        QStandardItem *group = m_model->item(g);
        for (int i = 0; i < group->rowCount(); ++i) {
            QStandardItem *item = group->child(i);
            if (item->data(KeyRole).toString() == key)
                item->setCheckState(checked ? Qt::Checked : Qt::Unchecked); // itemChanged() follows
        }
    }
    emitIfChanged();
}

bool CompareRunList::isChecked(const QString &key) const
{
    return m_checked.value(key, false);
}

QStringList CompareRunList::visibleKeys() const
{
    QStringList keys;
    for (int g = 0; g < m_proxy->rowCount(); ++g) {
        const QModelIndex group = m_proxy->index(g, 0);
        for (int i = 0; i < m_proxy->rowCount(group); ++i)
            keys << m_proxy->index(i, 0, group).data(KeyRole).toString();
    }
    return keys;
}

QStringList CompareRunList::selectedKeys() const
{
    QStringList keys;
    for (const QString &key : visibleKeys()) {
        if (m_checked.value(key, false))
            keys << key;
    }
    return keys;
}

void CompareRunList::emitIfChanged()
{
    const QStringList selected = selectedKeys();
    if (selected == m_lastSelected)
        return;
    m_lastSelected = selected;
    Q_EMIT selectionChanged();
}

} // namespace trainyard::ui
