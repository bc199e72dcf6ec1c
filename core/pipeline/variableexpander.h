#pragma once

#include "job.h"

#include <QHash>
#include <QString>

namespace trainyard::core {

/// Expands `$VAR` and `${VAR}` references in variable values, as GitLab does before it evaluates
/// `rules:if` (unknown variables expand to nothing; `$$` is a literal `$`).
class VariableExpander final
{
public:
    static QString expand(const QString &text, const QHash<QString, QString> &variables);

    /// Adds `vars` to `into` (later definitions win), expanding each value against what is
    /// already defined unless the variable says `expand: false`.
    static void addAll(QHash<QString, QString> &into, const Variables &vars);
};

} // namespace trainyard::core
