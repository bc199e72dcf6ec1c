#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QPushButton;
class QVBoxLayout;

namespace trainyard::ui {

/// A job's `needs`: one row per needed job with a remove button, and a combo box of the other
/// jobs with an Add button. It only asks (signals); the inspector makes the edits.
class NeedsEditor final : public QWidget
{
    Q_OBJECT

public:
    struct Need
    {
        QString job;
        QString note; ///< "no artifacts", "optional", "another project", ...
        bool removable = true;
    };

    explicit NeedsEditor(QWidget *parent = nullptr);

    /// nullopt: the job has no `needs` (it waits for the previous stage); empty: `needs: []`.
    void setNeeds(const std::optional<QList<Need>> &needs, const QStringList &candidates);
    QComboBox *addCombo() const { return m_combo; }
    QPushButton *addButton() const { return m_add; }
    /// The remove button of the row for `job`, or nullptr.
    QWidget *removeButton(const QString &job) const;

Q_SIGNALS:
    void addRequested(const QString &job);
    void removeRequested(const QString &job);

private:
    QVBoxLayout *m_rows;
    QLabel *m_info;
    QComboBox *m_combo;
    QPushButton *m_add;
};

} // namespace trainyard::ui
