#include "listedit.h"

#include <QFontDatabase>
#include <QFontMetrics>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace trainyard::ui {

ListEdit::ListEdit(QWidget *parent)
    : QWidget(parent)
    , m_edit(new QPlainTextEdit(this))
    , m_apply(new QPushButton(tr("Apply"), this))
{
    m_edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_edit->setTabChangesFocus(true);
    const QFontMetrics fm(m_edit->font());
    m_edit->setMinimumHeight(fm.lineSpacing() * 3 + 12);
    m_edit->setMaximumHeight(fm.lineSpacing() * 6 + 12);
    m_edit->installEventFilter(this);
    m_apply->setEnabled(false);
    m_apply->setToolTip(tr("Write these lines to the pipeline (also Ctrl+Return, or leaving the field)"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_edit);
    layout->addWidget(m_apply, 0, Qt::AlignRight);
    setFocusProxy(m_edit);

    connect(m_edit, &QPlainTextEdit::textChanged, this, &ListEdit::updateButton);
    connect(m_apply, &QPushButton::clicked, this, &ListEdit::apply);
}

void ListEdit::setItems(const QStringList &items, bool force)
{
    if (!force && m_edit->hasFocus() && isModified())
        return; // the user is typing: their text wins until applied
    m_items = items;
    m_multiLine = std::any_of(items.begin(), items.end(), [](const QString &i) { return i.contains(u'\n'); });
    const QSignalBlocker block(m_edit);
    m_edit->setPlainText(items.join(u'\n'));
    m_edit->setReadOnly(m_multiLine);
    m_edit->setToolTip(m_multiLine ? tr("Some commands span several lines; edit them in the pipeline file")
                                   : QString());
    updateButton();
}

QStringList ListEdit::items() const
{
    QStringList out;
    for (QString line : m_edit->toPlainText().split(u'\n')) {
        while (!line.isEmpty() && line.back().isSpace())
            line.chop(1);
        if (!line.trimmed().isEmpty())
            out << line;
    }
    return out;
}

bool ListEdit::isModified() const
{
    return items() != m_items;
}

void ListEdit::setPlaceholderText(const QString &text)
{
    m_edit->setPlaceholderText(text);
}

void ListEdit::apply()
{
    if (m_multiLine || !isModified())
        return;
    const QStringList now = items();
    m_items = now;
    updateButton();
    Q_EMIT applied(now);
}

bool ListEdit::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit) {
        if (event->type() == QEvent::FocusOut) {
            apply();
        } else if (event->type() == QEvent::KeyPress) {
            const auto *key = static_cast<QKeyEvent *>(event);
            if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
                key->modifiers().testFlag(Qt::ControlModifier)) {
                apply();
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ListEdit::updateButton()
{
    m_apply->setEnabled(!m_multiLine && isModified());
}

} // namespace trainyard::ui
