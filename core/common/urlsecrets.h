#pragma once

#include <QString>

namespace trainyard::core {

/// Whether the URL in `text` carries a password: in its user part ("user:secret@", read from the
/// text too, as QUrl gives up on a password holding '#' or '/'), or as an option whose name says
/// password (password, sslpassword, in any case). For settings that would be committed or saved.
bool urlCarriesPassword(const QString &text);

} // namespace trainyard::core
