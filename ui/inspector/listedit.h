#pragma once

#include <QStringList>
#include <QWidget>

class QPlainTextEdit;
class QPushButton;

namespace trainyard::ui {

/// A small editor for a list of strings, one item per line (script lines, artifacts paths), in a
/// monospace font. The list is applied when focus leaves the text, on Ctrl+Return, or with its
/// Apply button, and only when it differs from what was set.
class ListEdit final : public QWidget
{
    Q_OBJECT

public:
    explicit ListEdit(QWidget *parent = nullptr);

    /// Shows `items` unless the user is editing (focused, with unapplied changes) and not `force`.
    /// Items with line breaks cannot be shown one per line: the editor becomes read-only and says so.
    void setItems(const QStringList &items, bool force = false);
    /// The items now in the editor (blank lines dropped, line ends trimmed).
    QStringList items() const;
    /// Whether the text holds changes that were not applied yet.
    bool isModified() const;
    QPlainTextEdit *editor() const { return m_edit; }
    QPushButton *applyButton() const { return m_apply; }
    void setPlaceholderText(const QString &text);
    /// Applies pending changes now (emits applied() when the items differ from the last set).
    void apply();

Q_SIGNALS:
    /// The user's items, to be written.
    void applied(const QStringList &items);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateButton();

    QPlainTextEdit *m_edit;
    QPushButton *m_apply;
    QStringList m_items;
    bool m_multiLine = false;
};

} // namespace trainyard::ui
