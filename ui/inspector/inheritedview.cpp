#include "inheritedview.h"

#include "joborigins.h"

#include "pipeline/job.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace trainyard::ui {

namespace {

/// A short, one-line rendering of a value.
QString summary(const core::YamlNode &node)
{
    QString text;
    switch (node.kind()) {
    case core::YamlNode::Kind::Null:
        text = QStringLiteral("null");
        break;
    case core::YamlNode::Kind::Scalar:
        text = node.text();
        break;
    case core::YamlNode::Kind::Sequence:
        text = node.toStringList().join(QStringLiteral("; "));
        break;
    case core::YamlNode::Kind::Map:
        text = QStringLiteral("{%1}").arg(node.keys().join(QStringLiteral(", ")));
        break;
    }
    text.replace(u'\n', u' ');
    return text.size() > 120 ? text.left(119) + QChar(0x2026) : text;
}

} // namespace

InheritedView::InheritedView(QWidget *parent)
    : QWidget(parent)
    , m_extends(new QLabel(this))
    , m_tree(new QTreeWidget(this))
{
    m_extends->setObjectName(QStringLiteral("extends"));
    m_extends->setWordWrap(true);
    m_extends->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_extends->setToolTip(tr("Hidden templates (.name) the job extends: their keys are merged into the job's, "
                             "the job's own winning"));
    m_tree->setObjectName(QStringLiteral("inherited"));
    m_tree->setHeaderLabels({tr("Key"), tr("Value"), tr("From")});
    m_tree->setRootIsDecorated(false);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::NoSelection);
    m_tree->setFocusPolicy(Qt::NoFocus);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_tree->setMaximumHeight(m_tree->header()->sizeHint().height() * 10);
    m_tree->setToolTip(tr("Values the job gets from templates, default: or anchors rather than its own lines"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_extends);
    layout->addWidget(m_tree);
}

void InheritedView::setJob(const core::Job &job, const JobOrigins &origins)
{
    m_extends->setText(job.extends.isEmpty() ? tr("Extends no template.")
                                             : tr("Extends %1.").arg(job.extends.join(QStringLiteral(" \u2192 "))));
    m_tree->clear();
    for (const auto &[key, value] : job.raw.entries()) {
        if (key == QLatin1String("extends"))
            continue;
        const QString origin = origins.of(job.raw.keyLocation(key));
        if (!origin.isEmpty()) {
            new QTreeWidgetItem(m_tree, {key, summary(value), JobOrigins::describe(origin)});
            continue;
        }
        // The job's own hash may still hold entries a template merged in (variables, artifacts).
        if (value.isMap()) {
            for (const auto &[sub, subValue] : value.entries()) {
                const QString subOrigin = origins.of(value.keyLocation(sub));
                if (!subOrigin.isEmpty())
                    new QTreeWidgetItem(m_tree, {key + u':' + sub, summary(subValue), JobOrigins::describe(subOrigin)});
            }
        }
    }
    m_tree->setVisible(m_tree->topLevelItemCount() > 0);
    m_tree->resizeColumnToContents(0);
}

} // namespace trainyard::ui
