#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace trainyard::ui {

/// Help ▸ Try the demo: a folder chosen beside which the offline demo is copied (off the GUI
/// thread), made a git repository of its own, then opened.
class DemoSetup final : public QObject
{
    Q_OBJECT

public:
    explicit DemoSetup(QWidget *parent);

    /// Asks where the demo should go (a new `trainyard-demo` folder there), then copies it.
    void chooseFolder();
    /// Copies the demo to `targetDir`; ready() or failed() follows.
    void copyTo(const QString &targetDir);

Q_SIGNALS:
    void copying(const QString &targetDir);
    void ready(const QString &targetDir);
    /// The copy failed; a window-modal message box ("tryDemoError") says why.
    void failed(const QString &error);

private:
    void fail(const QString &error);

    QWidget *m_parent;
};

} // namespace trainyard::ui
