#include "needseditor.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace trainyard::ui {

NeedsEditor::NeedsEditor(QWidget *parent)
    : QWidget(parent)
    , m_rows(new QVBoxLayout)
    , m_info(new QLabel(this))
    , m_combo(new QComboBox(this))
    , m_add(new QPushButton(tr("Add"), this))
{
    m_info->setWordWrap(true);
    m_info->setForegroundRole(QPalette::PlaceholderText);
    m_combo->setObjectName(QStringLiteral("addNeedCombo"));
    m_combo->setToolTip(tr("A job this one should wait for, and whose artifacts it gets"));
    m_combo->setAccessibleName(tr("Job to need"));
    m_add->setObjectName(QStringLiteral("addNeedButton"));
    m_add->setToolTip(tr("Start this job as soon as the chosen job has finished, instead of after the "
                         "whole previous stage"));
    m_rows->setContentsMargins(0, 0, 0, 0);
    m_rows->setSpacing(0);

    auto *addRow = new QHBoxLayout;
    addRow->addWidget(m_combo, 1);
    addRow->addWidget(m_add);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_info);
    layout->addLayout(m_rows);
    layout->addLayout(addRow);
    setFocusProxy(m_combo);

    connect(m_add, &QPushButton::clicked, this, [this] {
        if (m_combo->currentIndex() >= 0)
            Q_EMIT addRequested(m_combo->currentText());
    });
}

void NeedsEditor::setNeeds(const std::optional<QList<Need>> &needs, const QStringList &candidates)
{
    while (QLayoutItem *item = m_rows->takeAt(0)) {
        if (QWidget *w = item->widget()) {
            // A row's button may be the one whose click led here: unhook now, delete later.
            w->hide();
            w->setParent(nullptr);
            w->deleteLater();
        }
        delete item;
    }
    if (!needs)
        m_info->setText(tr("No needs: the job starts when the previous stage has finished."));
    else if (needs->isEmpty())
        m_info->setText(tr("Needs nothing (needs: []): the job starts at once."));
    m_info->setVisible(!needs || needs->isEmpty());
    QStringList taken;
    for (const Need &need : needs.value_or(QList<Need>{})) {
        taken << need.job;
        auto *row = new QWidget(this);
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        auto *label = new QLabel(need.note.isEmpty() ? need.job : tr("%1 (%2)").arg(need.job, need.note), row);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto *remove = new QToolButton(row);
        remove->setObjectName(QStringLiteral("removeNeed:") + need.job);
        remove->setAutoRaise(true);
        remove->setIcon(style()->standardIcon(QStyle::SP_DialogDiscardButton, nullptr, remove));
        remove->setToolTip(tr("Stop needing %1").arg(need.job));
        remove->setAccessibleName(tr("Remove need %1").arg(need.job));
        remove->setEnabled(need.removable);
        h->addWidget(label, 1);
        h->addWidget(remove);
        m_rows->addWidget(row);
        row->show(); // the editor may be visible already: a layout would only show it later
        connect(remove, &QToolButton::clicked, this, [this, job = need.job] { Q_EMIT removeRequested(job); });
    }
    const QString current = m_combo->currentText();
    const QSignalBlocker block(m_combo);
    m_combo->clear();
    for (const QString &c : candidates) {
        if (!taken.contains(c))
            m_combo->addItem(c);
    }
    m_combo->setCurrentIndex(qMax(0, m_combo->findText(current)));
    m_add->setEnabled(m_combo->count() > 0);
}

QWidget *NeedsEditor::removeButton(const QString &job) const
{
    return findChild<QWidget *>(QStringLiteral("removeNeed:") + job);
}

} // namespace trainyard::ui
