#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace trainyard::core {

/// What rules, only/except and workflow are evaluated against: a push pipeline on one branch of
/// one project tree, with GitLab's predefined variables.
class EvaluationContext final
{
public:
    /// Reads the git state of `projectDir` (branch, sha, default branch, remote) with libgit2.
    /// `branchOverride` replaces the current branch when not empty.
    static EvaluationContext fromProject(const QString &projectDir, const QString &branchOverride = {});

    QString projectDir;
    /// The project is in a git repository. Outside one, rules are evaluated as on the default
    /// branch, but no run there is tied to a commit or a branch.
    bool isRepository = false;
    QString branch;
    QString defaultBranch = QStringLiteral("main");
    QString tag;
    QString sha;
    /// Predefined CI variables a push pipeline has (CI_COMMIT_BRANCH, CI_PIPELINE_SOURCE=push, …).
    QHash<QString, QString> predefined;
    /// Folders outside the project that data inputs may use: the ones this user allowed on this
    /// machine (HostAccess::machineRoots()). Checked when `projectDir` is set.
    QStringList dataRoots;

    /// Files of the project tree (relative, '/'-separated), for `rules:exists`. Listed once.
    const QStringList &projectFiles() const;
    /// Files changed against the default branch's remote ref, for `rules:changes`; nullopt when
    /// there is nothing to compare with, where GitLab evaluates `changes` as true.
    const std::optional<QStringList> &changedFiles() const;
    /// Files changed against a given ref (`changes:compare_to`); nullopt when it does not resolve.
    std::optional<QStringList> changedFilesAgainst(const QString &ref) const;

    void setProjectFiles(QStringList files)
    {
        m_projectFiles = std::move(files);
        m_filesListed = true;
    }
    void setChangedFiles(std::optional<QStringList> files)
    {
        m_changedFiles = std::move(files);
        m_changesListed = true;
    }

private:
    mutable bool m_filesListed = false;
    mutable QStringList m_projectFiles;
    mutable bool m_changesListed = false;
    mutable std::optional<QStringList> m_changedFiles;
};

} // namespace trainyard::core
