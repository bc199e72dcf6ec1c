#pragma once

#include <QDialog>

class QListWidget;
class QPushButton;

namespace trainyard::ui {

/// Settings ▸ Data folders: the folders outside a project that jobs may read on this machine
/// (HostAccess). Those the user allowed can be added and removed here; those from
/// `TRAINYARD_DATA_ROOTS` are shown, marked so, and changed in the environment.
class DataRootsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit DataRootsDialog(QWidget *parent = nullptr);

Q_SIGNALS:
    /// The allowed folders changed: pipelines must be read again.
    void changed();

private:
    void fill();
    void add();
    void removeSelected();

    QListWidget *m_list;
    QPushButton *m_remove;
};

} // namespace trainyard::ui
