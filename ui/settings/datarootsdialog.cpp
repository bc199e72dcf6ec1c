#include "datarootsdialog.h"

#include "pipeline/hostaccess.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace trainyard::ui {

namespace {
constexpr int FromEnvironmentRole = Qt::UserRole + 1;
}

DataRootsDialog::DataRootsDialog(QWidget *parent)
    : QDialog(parent)
    , m_list(new QListWidget(this))
    , m_remove(new QPushButton(tr("&Remove"), this))
{
    setWindowTitle(tr("Data folders"));
    auto *intro =
        new QLabel(tr("A pipeline file may mount data from its own project. From anywhere else, only from the "
                      "folders below, which you allowed on this machine (read-only in jobs). System folders, "
                      "sockets, devices and your home folder itself are never allowed."),
                   this);
    intro->setWordWrap(true);
    auto *add = new QPushButton(tr("&Add…"), this);
    connect(add, &QPushButton::clicked, this, &DataRootsDialog::add);
    connect(m_remove, &QPushButton::clicked, this, &DataRootsDialog::removeSelected);
    connect(m_list, &QListWidget::itemSelectionChanged, this, [this] {
        const QListWidgetItem *item = m_list->currentItem();
        m_remove->setEnabled(item && item->isSelected() && !item->data(FromEnvironmentRole).toBool());
    });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *side = new QVBoxLayout;
    side->addWidget(add);
    side->addWidget(m_remove);
    side->addStretch();
    auto *row = new QHBoxLayout;
    row->addWidget(m_list, 1);
    row->addLayout(side);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(row, 1);
    layout->addWidget(buttons);
    resize(560, 320);
    fill();
}

void DataRootsDialog::fill()
{
    m_list->clear();
    const QStringList setting = core::HostAccess::settingRoots();
    for (const QString &root : core::HostAccess::machineRoots()) {
        const bool fromEnvironment = !setting.contains(root);
        auto *item = new QListWidgetItem(
            QDir::toNativeSeparators(root) + (fromEnvironment ? tr("   (TRAINYARD_DATA_ROOTS)") : QString()), m_list);
        item->setData(Qt::UserRole, root);
        item->setData(FromEnvironmentRole, fromEnvironment);
    }
    if (m_list->count() == 0) {
        auto *none = new QListWidgetItem(tr("None yet: jobs read data from their project only."), m_list);
        none->setFlags(Qt::NoItemFlags);
        none->setData(FromEnvironmentRole, true);
    }
    m_remove->setEnabled(false);
}

void DataRootsDialog::add()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Allow jobs to read a folder"), QDir::homePath());
    if (dir.isEmpty())
        return;
    core::HostAccess::allowRoot(dir);
    fill();
    Q_EMIT changed();
}

void DataRootsDialog::removeSelected()
{
    const QListWidgetItem *item = m_list->currentItem();
    if (!item || item->data(FromEnvironmentRole).toBool())
        return;
    core::HostAccess::forgetRoot(item->data(Qt::UserRole).toString());
    fill();
    Q_EMIT changed();
}

} // namespace trainyard::ui
