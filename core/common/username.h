#pragma once

#include <QString>

namespace trainyard::core {

/// Who is running Trainyard, for run records and sign-offs: `$USER`, else `$LOGNAME`, else the
/// account name of the effective user id (a container or a service often sets neither variable),
/// else "uid N". Never empty.
QString currentUserName();

} // namespace trainyard::core
