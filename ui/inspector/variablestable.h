#pragma once

#include "pipeline/yamleditor.h"

#include <QList>
#include <QString>
#include <QWidget>

class QPushButton;
class QTableWidget;

namespace trainyard::ui {

/// A job's variables as a name/value table with Add and Remove buttons. Each change (a cell
/// edited, a row added or removed) emits the whole list; rows a template gives are shown in
/// italics with their origin as tooltip.
class VariablesTable final : public QWidget
{
    Q_OBJECT

public:
    struct Row
    {
        QString name;
        QString value;
        QString origin; ///< empty: the job's own; else where it comes from ("from .base")
    };

    explicit VariablesTable(QWidget *parent = nullptr);

    /// Shows `rows` unless a cell is being edited.
    void setRows(const QList<Row> &rows);
    /// The variables now in the table, in row order.
    core::YamlEditor::ScalarEntries entries() const;
    QTableWidget *table() const { return m_table; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }

Q_SIGNALS:
    void edited(const core::YamlEditor::ScalarEntries &entries);

private:
    void addRow();
    void removeSelected();
    void updateButtons();

    QTableWidget *m_table;
    QPushButton *m_add;
    QPushButton *m_remove;
    QString m_editAfterRefresh; ///< a row just added: its name cell opens for editing once shown
};

} // namespace trainyard::ui
