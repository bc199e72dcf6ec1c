#pragma once

#include <QIcon>
#include <QLatin1String>
#include <QString>

namespace trainyard::ui {

/// One of Trainyard's own icons (resources/icons/NAME.svg, compiled in as :/trainyard/icons/).
inline QIcon appIcon(const char *name)
{
    return QIcon(QStringLiteral(":/trainyard/icons/%1.svg").arg(QLatin1String(name)));
}

} // namespace trainyard::ui
