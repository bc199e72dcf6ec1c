#pragma once

#include "common/error.h"
#include "job.h"
#include "trainyardsettings.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// A `.gitlab-ci.yml` evaluated for one branch: stages, jobs in file order, and what was found wrong.
struct Pipeline
{
    QString fileName; ///< the main file as given (for messages)
    QString projectDir;
    QString branch;                 ///< the branch rules were evaluated for
    QStringList stages;             ///< including `.pre` and `.post`
    Variables variables;            ///< global variables
    std::vector<Job> jobs;          ///< visible jobs in file order, `when: never` ones included
    std::vector<QString> templates; ///< hidden jobs (`.name`), shown in the inspector only
    TrainyardSettings trainyard;
    /// Folders outside the project that data inputs may use on this machine (see HostAccess).
    QStringList dataRoots;

    bool createdByWorkflow = true; ///< false when `workflow: rules` would not create this pipeline
    QString workflowReason;

    std::vector<Error> problems; ///< errors and warnings, in order found

    bool hasErrors() const;
    const Job *job(const QString &name) const;
    Job *job(const QString &name);
    /// The job name a typo most likely meant (case-insensitive edit distance of at most a third of
    /// the name, and at most 3), or "" when none is close.
    QString closestJobName(const QString &typed) const;
    int stageIndex(const QString &stage) const;
};

} // namespace trainyard::core
