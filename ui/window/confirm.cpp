#include "confirm.h"

#include <QMessageBox>
#include <QPushButton>

namespace trainyard::ui {

bool confirmAction(QWidget *parent, const QString &title, const QString &text, const QString &action,
                   const QString &stay, bool safeDefault)
{
    QMessageBox box(QMessageBox::Question, title, text, QMessageBox::NoButton, parent);
    QPushButton *go = box.addButton(action, QMessageBox::AcceptRole);
    QPushButton *cancel = box.addButton(stay.isEmpty() ? QMessageBox::tr("Cancel") : stay, QMessageBox::RejectRole);
    box.setDefaultButton(safeDefault ? cancel : go);
    box.setEscapeButton(cancel);
    box.exec();
    return box.clickedButton() == go;
}

} // namespace trainyard::ui
