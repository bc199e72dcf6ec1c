#include "messagebar.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

namespace trainyard::ui {

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_action(new QPushButton(this))
    , m_close(new QToolButton(this))
{
    setObjectName(QStringLiteral("messageBar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    const int icon = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this).pixmap(icon, icon));
    m_icon->setAlignment(Qt::AlignTop);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_action->setObjectName(QStringLiteral("messageBarAction"));
    m_action->hide();
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton, nullptr, this));
    m_close->setToolTip(tr("Hide this message"));
    m_close->setAccessibleName(tr("Close message"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 4, 6);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_action, 0, Qt::AlignTop);
    layout->addWidget(m_close, 0, Qt::AlignTop);

    connect(m_action, &QPushButton::clicked, this, &MessageBar::actionTriggered);
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    updateColors();
    hide();
}

void MessageBar::showMessage(const QString &text, const QString &actionText)
{
    m_text->setText(text);
    m_action->setText(actionText);
    m_action->setVisible(!actionText.isEmpty());
    show();
}

QString MessageBar::text() const
{
    return m_text->text();
}

void MessageBar::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updateColors();
}

void MessageBar::updateColors()
{
    // A warning tint over the window colour: readable on light and dark palettes alike, because
    // the text keeps the palette's own colour.
    QPalette p = parentWidget() ? parentWidget()->palette() : palette();
    const QColor window = p.color(QPalette::Window);
    const QColor amber(0xd2, 0x99, 0x22);
    const qreal a = 0.22;
    const QColor tint =
        QColor::fromRgbF(window.redF() * (1 - a) + amber.redF() * a, window.greenF() * (1 - a) + amber.greenF() * a,
                         window.blueF() * (1 - a) + amber.blueF() * a);
    if (palette().color(QPalette::Window) == tint)
        return;
    p.setColor(QPalette::Window, tint);
    setPalette(p);
}

} // namespace trainyard::ui
