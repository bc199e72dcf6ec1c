#pragma once

#include "lineage/teampush.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace trainyard::ui {

/// Settings ▸ Team store: where this machine pushes its runs (the team's lineage store,
/// postgresql://USER@HOST:PORT/DATABASE) and their artifacts (the team's OCI registry,
/// HOST[:PORT]/team/project). Kept in the user's settings; TRAINYARD_LINEAGE_URL and
/// TRAINYARD_REGISTRY, when set, win (shown so), and a pipeline file's `.trainyard:` settings
/// are used when neither is set. Never a password or a login: they stay in ~/.pgpass and
/// `docker login`. "Test" opens both on a worker and says what answered.
class TeamStoreDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit TeamStoreDialog(QWidget *parent = nullptr);

    /// What the user saved (either part may be empty).
    static core::TeamPush::Target saved();
    /// Where the window pushes the project in `projectDir` and reads its team: the environment,
    /// then saved(), then the pipeline file (TeamPush::configured). Reads the file: call it from a
    /// worker.
    static core::TeamPush::Target target(const QString &projectDir);
    /// Saves `target` as the user's (an empty part removes it).
    static void save(const core::TeamPush::Target &target);
    /// Why `target` cannot be saved (a password in the URL, not a PostgreSQL URL, not a registry
    /// repository), in words for the user; empty when it can.
    static QString problem(const core::TeamPush::Target &target);

    QLineEdit *storeEdit() const { return m_store; }
    QLineEdit *registryEdit() const { return m_registry; }
    QLabel *resultLabel() const { return m_result; }

    /// Checks the fields and saves them (the OK button); false, with the reason shown, if not.
    bool apply();
    /// Opens the store and asks the registry, on a worker → tested.
    void test();

Q_SIGNALS:
    /// The saved settings changed.
    void changed();
    /// A test ended: `report` says what answered.
    void tested(const QString &report, bool ok);

private:
    QLineEdit *m_store;
    QLineEdit *m_registry;
    QLabel *m_result;
    QPushButton *m_test;
};

} // namespace trainyard::ui
