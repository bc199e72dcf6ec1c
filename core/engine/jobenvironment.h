#pragma once

#include "pipeline/job.h"
#include "pipeline/pipeline.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace trainyard::core {

/// The variables a job sees, in GitLab's order of precedence: predefined `CI_*` variables (those
/// of the pipeline's evaluation context plus the job's own), then pipeline variables, then job
/// variables (expanded against what came before), matrix variables, and secrets last.
class JobEnvironment final
{
public:
    struct Run
    {
        QHash<QString, QString> predefined; ///< EvaluationContext::predefined of the project
        QString runId;
        qint64 pipelineIid = 0;
        QString projectDirInJob; ///< CI_PROJECT_DIR as the job sees it
        QHash<QString, QString> secrets;
        /// `.trainyard: data:` input name → its path as the job sees it, for TRAINYARD_DATA_<NAME>
        /// (the shell engine: the folder on the host); an input not here is at its mount point.
        QHash<QString, QString> dataPaths;
    };

    /// "KEY=value" lines; `jobNumber` is the job's 1-based position in the run (for CI_JOB_ID).
    static QStringList build(const Pipeline &pipeline, const Job &job, const Run &run, int jobNumber);
};

} // namespace trainyard::core
