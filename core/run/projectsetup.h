#pragma once

#include "common/error.h"

#include <QString>

namespace trainyard::core {

/// Makes new projects from the bundled examples, as a new hire needs them: a folder of their own
/// that is a git repository with one commit, so runs are traceable from the first one.
class ProjectSetup final
{
public:
    /// Where the bundled examples are: `TRAINYARD_EXAMPLES_DIR` when set, else the installed
    /// `<prefix>/share/trainyard/examples` next to the executable, else the source tree's
    /// `resources/examples` (a development build). Empty when none exists.
    static QString examplesDir();

    /// Copies the example folder `exampleDir` to `targetDir` (which must not exist or be an empty
    /// folder), leaving out Trainyard's own state (`.trainyard/`), adds `.trainyard/` to its
    /// `.gitignore`, and commits everything on branch `main` with libgit2 (no git executable
    /// needed). Fails with an Error naming the path when a file cannot be copied or the
    /// repository cannot be made; a half-made target is removed.
    static Result<void> copyExample(const QString &exampleDir, const QString &targetDir);

    /// Makes the project folder `dir`, which is in no git repository, one: adds `.trainyard/` to
    /// its `.gitignore` and commits every file git does not ignore on branch `main` (libgit2), so
    /// its runs can be tied to a commit. The commit's short SHA; an Error naming the folder when
    /// it is already in a repository or the commit cannot be made.
    static Result<QString> makeRepository(const QString &dir);
};

} // namespace trainyard::core
