#include "demosetup.h"

#include "async/onworker.h"

#include "run/projectsetup.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>

namespace trainyard::ui {

DemoSetup::DemoSetup(QWidget *parent)
    : QObject(parent)
    , m_parent(parent)
{}

void DemoSetup::chooseFolder()
{
    const QString parent =
        QFileDialog::getExistingDirectory(m_parent, tr("Where should the demo project go?"), QDir::homePath());
    if (parent.isEmpty())
        return;
    QString target = parent + QStringLiteral("/trainyard-demo");
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = parent + QStringLiteral("/trainyard-demo-%1").arg(n);
    copyTo(target);
}

void DemoSetup::copyTo(const QString &targetDir)
{
    const QString examples = core::ProjectSetup::examplesDir();
    if (examples.isEmpty()) {
        return fail(tr("The bundled examples were not found. Set TRAINYARD_EXAMPLES_DIR to the examples folder."));
    }
    Q_EMIT copying(targetDir);
    onWorker(
        this,
        [examples, targetDir] {
            return core::ProjectSetup::copyExample(examples + QStringLiteral("/offline-demo"), targetDir);
        },
        [this, targetDir](const core::Result<void> &done) {
            if (done)
                Q_EMIT ready(targetDir);
            else
                fail(done.error().toString());
        });
}

void DemoSetup::fail(const QString &error)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Try the demo"), error, QMessageBox::Ok, m_parent);
    box->setObjectName(QStringLiteral("tryDemoError"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // window-modal, not blocking
    Q_EMIT failed(error);
}

} // namespace trainyard::ui
