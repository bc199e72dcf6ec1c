#include "username.h"

#include <cerrno>
#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace trainyard::core {

QString currentUserName()
{
    for (const char *variable : {"USER", "LOGNAME"}) {
        const QString name = qEnvironmentVariable(variable).trimmed();
        if (!name.isEmpty())
            return name;
    }
    const uid_t uid = ::geteuid();
    const long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(static_cast<size_t>(hint > 0 ? hint : 16384));
    for (;;) {
        passwd entry{};
        passwd *found = nullptr;
        const int rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
        if (rc == ERANGE && buffer.size() < (size_t(1) << 20)) {
            buffer.resize(buffer.size() * 4); // a long entry (many groups, a long GECOS)
            continue;
        }
        if (rc == 0 && found && found->pw_name && *found->pw_name)
            return QString::fromLocal8Bit(found->pw_name);
        break;
    }
    return QStringLiteral("uid %1").arg(uid);
}

} // namespace trainyard::core
