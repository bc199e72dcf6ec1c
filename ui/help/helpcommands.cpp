#include "helpcommands.h"

#include "shortcutsdialog.h"
#include "userguidedialog.h"

#include "common/userguide.h"
#include "project/welcomepage.h"
#include "status/statusprobe.h"

#include <QCoreApplication>
#include <QDir>
#include <QMainWindow>
#include <QMessageBox>
#include <QStatusBar>

#include <memory>

namespace trainyard::ui {

HelpCommands::HelpCommands(QMainWindow *window, StatusProbe *probe)
    : QObject(window)
    , m_window(window)
    , m_probe(probe)
{}

bool HelpCommands::showUserGuide()
{
    // Installed: <prefix>/bin/trainyard and <prefix>/share/doc/trainyard/README.md; else this
    // build's source tree. (Two stats: no need for a worker.)
    const QString guide = core::UserGuide::find(
        {QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/doc/trainyard/README.md")),
         QStringLiteral(TRAINYARD_SOURCE_GUIDE)});
    if (guide.isEmpty()) {
        QMessageBox::information(m_window, tr("User guide"),
                                 tr("The user guide is not installed here. It is README.md in Trainyard's source tree, "
                                    "and /usr/share/doc/trainyard/README.md once the package is installed."));
        return false;
    }
    auto *dialog = m_window->findChild<UserGuideDialog *>();
    if (!dialog)
        dialog = new UserGuideDialog(guide, m_window);
    dialog->show();
    dialog->raise();
    return true;
}

void HelpCommands::showShortcuts()
{
    auto *dialog = m_window->findChild<ShortcutsDialog *>();
    if (!dialog)
        dialog = new ShortcutsDialog(m_window);
    dialog->fill(*m_window);
    dialog->show();
    dialog->raise();
}

void HelpCommands::checkMachine()
{
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(
        m_probe, &StatusProbe::machineChecked, this, [this, connection](const std::vector<core::CheckItem> &items) {
            disconnect(*connection);
            auto *box = new QMessageBox(QMessageBox::Information, tr("Check this machine"),
                                        tr("<h3>What Trainyard needs</h3>%1").arg(WelcomePage::machineCheckHtml(items)),
                                        QMessageBox::Ok, m_window);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        });
    m_window->statusBar()->showMessage(tr("Checking this machine…"), 5000);
    m_probe->checkMachine();
}

} // namespace trainyard::ui
