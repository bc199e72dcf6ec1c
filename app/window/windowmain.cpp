// The window module (trainyard-window.so): `trainyard` loads it to open the workbench window.
#include "windowmain.h"

#include "applicationidentity.h"
#include "commands/command.h"
#include "mainwindow.h"

#include <QApplication>

#include <type_traits>

using namespace trainyard;

extern "C" Q_DECL_EXPORT int trainyardWindowMain(int argc, char **argv, const QString &projectDir,
                                                 const app::OpenRequest &open)
{
    QApplication application(argc, argv);
    app::setApplicationIdentity();
    QGuiApplication::setDesktopFileName(QStringLiteral("org.trainyard.Trainyard"));
    ui::MainWindow window;
    window.show();
    // Once, when the pipeline is shown (it is read on a worker thread).
    QObject::connect(
        &window, &ui::MainWindow::projectShown, &window,
        [&window, open] {
            if (!open.view.isEmpty())
                window.showView(open.view);
            if (!open.artifact.isEmpty())
                window.showArtifactLineage(open.artifact, open.review);
            if (open.run)
                window.runPipeline();
        },
        Qt::SingleShotConnection);
    if (!projectDir.isEmpty())
        window.openProject(projectDir);
    return application.exec();
}

// The entry point has the type `trainyard` expects.
static_assert(std::is_same_v<decltype(&trainyardWindowMain), app::WindowMain>);
