#include "applicationidentity.h"

#include <QCoreApplication>

namespace trainyard::app {

void setApplicationIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("trainyard"));
    QCoreApplication::setOrganizationName(QStringLiteral("Trainyard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRAINYARD_VERSION));
}

} // namespace trainyard::app
