#pragma once

#include <QString>

class QWidget;

namespace trainyard::ui {

/// Asks a question whose buttons say what they do ("Reproduce", "Cancel"); true to go on. With
/// `safeDefault`, Enter picks `stay` (for questions whose action destroys work).
bool confirmAction(QWidget *parent, const QString &title, const QString &text, const QString &action,
                   const QString &stay = {}, bool safeDefault = false);

} // namespace trainyard::ui
