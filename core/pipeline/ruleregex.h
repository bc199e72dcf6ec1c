#pragma once

#include <QRegularExpression>
#include <QString>

#include <optional>

namespace trainyard::core {

/// Regular expressions in `rules:if` as GitLab reads them: RE2 syntax with flags i, m, s, U,
/// mapped onto QRegularExpression, refusing what RE2 does not support.
class RuleRegex final
{
public:
    /// The first construct RE2 rejects but PCRE would accept; empty when there is none.
    static QString unsupportedByRe2(const QString &re);
    /// Compiles a body with GitLab's flags; on failure sets `why` and returns nullopt.
    static std::optional<QRegularExpression> compile(const QString &body, const QString &flags, QString *why);
    static bool isFlag(QChar c);
    /// A value written "/body/flags" as a regex; nullopt when it is not one (a plain string).
    static std::optional<QRegularExpression> fromValue(const QString &value);
};

} // namespace trainyard::core
