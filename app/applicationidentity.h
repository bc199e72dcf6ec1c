#pragma once

namespace trainyard::app {

/// Sets the application's name, organization and version (QCoreApplication), for the
/// subcommands and the window alike.
void setApplicationIdentity();

} // namespace trainyard::app
