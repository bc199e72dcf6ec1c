// The window opens on the offscreen platform and shows the demo project's pipeline.
#include "mainwindow.h"

#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QTest>
#include <QTreeWidget>

using namespace trainyard::ui;

class tst_MainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensEmptyShell();
    void opensDemoProject();
};

void tst_MainWindow::opensEmptyShell()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QStringList menus;
    for (QAction *a : w.menuBar()->actions())
        menus << a->text();
    QVERIFY(menus.contains(QStringLiteral("&File")));
    bool hasOpen = false;
    for (QAction *a : w.menuBar()->actions().first()->menu()->actions())
        hasOpen = hasOpen || a->text().contains(QStringLiteral("Open project"));
    QVERIFY(hasOpen);
    QVERIFY(w.statusBar()->isVisible());
}

void tst_MainWindow::opensDemoProject()
{
    MainWindow w;
    w.show();
    w.openProject(QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo"));
    auto *tree = w.findChild<QTreeWidget *>();
    QVERIFY(tree);
    QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 4, 10000); // test, train, evaluate, export
    QCOMPARE(tree->topLevelItem(1)->child(0)->text(0), QStringLiteral("train"));
    QVERIFY(w.windowTitle().contains(QStringLiteral("offline-demo")));
    const QImage shot = w.grab().toImage();
    QVERIFY(!shot.isNull());
    if (qEnvironmentVariableIsSet("TRAINYARD_SCREENSHOT"))
        shot.save(qEnvironmentVariable("TRAINYARD_SCREENSHOT"));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
