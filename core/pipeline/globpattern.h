#pragma once

#include <QString>

namespace trainyard::core {

/// Glob matching as GitLab does it for `rules:changes` and `rules:exists`: Ruby's
/// `File.fnmatch?(pattern, path, File::FNM_PATHNAME | File::FNM_EXTGLOB | File::FNM_DOTMATCH)`.
class GlobPattern final
{
public:
    /// Most brace alternatives expanded for one pattern; past that (or past 64K characters of
    /// expansions) match() gives up and returns false, where Ruby would grind on.
    static constexpr int MaxAlternatives = 4096;

    /// True when `path` (relative, '/'-separated) matches `pattern`. `*` and `?` stay inside one
    /// directory, `**/` spans zero or more directories, `[...]` / `[!...]` are character
    /// classes, `{a,b}` alternatives (nested), `\` escapes; dotfiles are matched like any file.
    /// A leading "./" or "/" on the pattern is ignored.
    static bool match(const QString &pattern, const QString &path);

    /// True when `pattern` has no glob syntax, so it matches exactly the path it spells.
    static bool isLiteral(const QString &pattern);
};

} // namespace trainyard::core
