#pragma once

#include "common/error.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace trainyard::core {

/// Where secret variables come from: `<project>/.trainyard/secrets.env` (KEY=value lines; every
/// key there is a secret; the file is git-ignored with the rest of `.trainyard/`) and the user's
/// environment, for the names listed under `.trainyard: secrets:`.
class SecretSource final
{
public:
    struct Secrets
    {
        QHash<QString, QString> values;
        QStringList missing; ///< listed names found nowhere
    };
    static Result<Secrets> load(const QString &projectDir, const QStringList &names);
};

} // namespace trainyard::core
