#pragma once

#include "common/error.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace trainyard::core {

/// Where secret variables come from: `<project>/.trainyard/secrets.env` (KEY=value lines; every
/// key there is a secret; the file is git-ignored with the rest of `.trainyard/`) and the user's
/// environment, for the names listed under `.trainyard: secrets:`.
///
/// A value that cannot be masked safely (a line of a multi-line value too short to mask) is an
/// error: the run is refused rather than print it. A short one-line value is a warning. A
/// `secrets.env` that is a symbolic link (one committed to the repository could point anywhere)
/// is refused.
class SecretSource final
{
public:
    struct Secrets
    {
        QHash<QString, QString> values;
        QStringList missing;  ///< listed names found nowhere
        QStringList warnings; ///< values that will not be masked, and why (never the value)
    };
    static Result<Secrets> load(const QString &projectDir, const QStringList &names);
};

} // namespace trainyard::core
