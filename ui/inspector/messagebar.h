#pragma once

#include <QFrame>

class QLabel;
class QPushButton;
class QToolButton;

namespace trainyard::ui {

/// An inline bar that says why an edit was not made, with an optional action button ("Inline for
/// this job") and a close button. Not modal: the form stays usable while it shows.
class MessageBar final : public QFrame
{
    Q_OBJECT

public:
    explicit MessageBar(QWidget *parent = nullptr);

    /// Shows `text`; with a non-empty `actionText`, also a button that emits actionTriggered().
    void showMessage(const QString &text, const QString &actionText = {});
    QString text() const;
    QPushButton *actionButton() const { return m_action; }

Q_SIGNALS:
    void actionTriggered();

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateColors();

    QLabel *m_icon;
    QLabel *m_text;
    QPushButton *m_action;
    QToolButton *m_close;
};

} // namespace trainyard::ui
