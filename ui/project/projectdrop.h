#pragma once

#include <QObject>
#include <QString>

class QMimeData;

namespace trainyard::ui {

/// Drag and drop of a project onto a widget: a folder, or a `.gitlab-ci.yml` (its folder).
/// Installed as an event filter on the widget, which must accept drops.
class ProjectDrop final : public QObject
{
    Q_OBJECT

public:
    explicit ProjectDrop(QWidget *target);

    /// The project folder `mime` names, or empty.
    static QString folderOf(const QMimeData *mime);

Q_SIGNALS:
    /// After the drop has returned (opening may ask to save the current document).
    void openRequested(const QString &dir);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
};

} // namespace trainyard::ui
