#include "variablestable.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

namespace trainyard::ui {

VariablesTable::VariablesTable(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableWidget(0, 2, this))
    , m_add(new QPushButton(tr("Add"), this))
    , m_remove(new QPushButton(tr("Remove"), this))
{
    m_table->setObjectName(QStringLiteral("variablesTable"));
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::AnyKeyPressed);
    m_table->setTabKeyNavigation(false);
    const int rowHeight = m_table->verticalHeader()->defaultSectionSize();
    m_table->setMinimumHeight(m_table->horizontalHeader()->sizeHint().height() + rowHeight * 3);
    m_table->setMaximumHeight(m_table->horizontalHeader()->sizeHint().height() + rowHeight * 8);
    m_table->setToolTip(tr("The job's variables, as the job's script sees them. GitLab passes them as "
                           "environment variables; the job's own values win over global ones and templates'."));
    m_add->setObjectName(QStringLiteral("addVariable"));
    m_add->setToolTip(tr("Add a variable to this job"));
    m_remove->setObjectName(QStringLiteral("removeVariable"));
    m_remove->setToolTip(tr("Remove the selected variables from this job"));

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addLayout(buttons);
    setFocusProxy(m_table);

    connect(m_table, &QTableWidget::itemChanged, this, [this] { Q_EMIT edited(entries()); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &VariablesTable::updateButtons);
    connect(m_add, &QPushButton::clicked, this, &VariablesTable::addRow);
    connect(m_remove, &QPushButton::clicked, this, &VariablesTable::removeSelected);
    updateButtons();
}

void VariablesTable::setRows(const QList<Row> &rows)
{
    // A cell editor is open (it has the focus, inside the table): the user's typing wins.
    const QWidget *focus = QApplication::focusWidget();
    if (focus && focus != m_table && m_table->isAncestorOf(focus))
        return;
    const QSignalBlocker block(m_table);
    const int currentRow = m_table->currentRow();
    const int currentColumn = m_table->currentColumn();
    m_table->setRowCount(int(rows.size()));
    int editRow = -1;
    for (int i = 0; i < rows.size(); ++i) {
        const Row &row = rows[i];
        auto *name = new QTableWidgetItem(row.name);
        auto *value = new QTableWidgetItem(row.value);
        if (!row.origin.isEmpty()) {
            for (QTableWidgetItem *item : {name, value}) {
                QFont f = item->font();
                f.setItalic(true);
                item->setFont(f);
                item->setToolTip(tr("%1; a value set here overrides it for this job").arg(row.origin));
            }
        }
        m_table->setItem(i, 0, name);
        m_table->setItem(i, 1, value);
        if (row.name == m_editAfterRefresh)
            editRow = i;
    }
    if (currentRow >= 0 && currentRow < m_table->rowCount())
        m_table->setCurrentCell(currentRow, qMax(0, currentColumn));
    if (editRow >= 0) {
        m_editAfterRefresh.clear();
        m_table->setCurrentCell(editRow, 0);
        m_table->editItem(m_table->item(editRow, 0));
    }
    updateButtons();
}

core::YamlEditor::ScalarEntries VariablesTable::entries() const
{
    core::YamlEditor::ScalarEntries out;
    for (int i = 0; i < m_table->rowCount(); ++i) {
        const QTableWidgetItem *name = m_table->item(i, 0);
        const QTableWidgetItem *value = m_table->item(i, 1);
        out.append({name ? name->text().trimmed() : QString(), value ? value->text() : QString()});
    }
    return out;
}

void VariablesTable::addRow()
{
    core::YamlEditor::ScalarEntries now = entries();
    QSet<QString> taken;
    for (const auto &[name, value] : now)
        taken.insert(name);
    QString name = QStringLiteral("NEW_VARIABLE");
    for (int n = 2; taken.contains(name); ++n)
        name = QStringLiteral("NEW_VARIABLE_%1").arg(n);
    now.append({name, QString()});
    m_editAfterRefresh = name;
    Q_EMIT edited(now);
}

void VariablesTable::removeSelected()
{
    QSet<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedIndexes())
        rows.insert(index.row());
    if (rows.isEmpty() && m_table->currentRow() >= 0)
        rows.insert(m_table->currentRow());
    if (rows.isEmpty())
        return;
    core::YamlEditor::ScalarEntries now = entries();
    core::YamlEditor::ScalarEntries kept;
    for (int i = 0; i < now.size(); ++i) {
        if (!rows.contains(i))
            kept.append(now[i]);
    }
    Q_EMIT edited(kept);
}

void VariablesTable::updateButtons()
{
    m_remove->setEnabled(m_table->currentRow() >= 0 || !m_table->selectedItems().isEmpty());
}

} // namespace trainyard::ui
