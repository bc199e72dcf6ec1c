#include "jobenvironment.h"

#include "pipeline/variableexpander.h"

namespace trainyard::core {

QStringList JobEnvironment::build(const Pipeline &pipeline, const Job &job, const Run &run, int jobNumber)
{
    QHash<QString, QString> vars;
    QStringList order;
    auto put = [&](const QString &k, const QString &v) {
        if (!vars.contains(k))
            order << k;
        vars.insert(k, v);
    };
    QStringList predefined = run.predefined.keys();
    predefined.sort(); // a stable order for the job's environment
    for (const QString &k : predefined)
        put(k, run.predefined.value(k));
    put(QStringLiteral("CI_PROJECT_DIR"), run.projectDirInJob);
    put(QStringLiteral("CI_PIPELINE_ID"), QString::number(run.pipelineIid));
    put(QStringLiteral("CI_PIPELINE_IID"), QString::number(run.pipelineIid));
    put(QStringLiteral("CI_JOB_NAME"), job.name);
    put(QStringLiteral("CI_JOB_STAGE"), job.stage);
    put(QStringLiteral("CI_JOB_ID"), QString::number(run.pipelineIid * 1000 + jobNumber));
    put(QStringLiteral("TRAINYARD_RUN_ID"), run.runId);
    if (job.parallelTotal > 0) {
        put(QStringLiteral("CI_NODE_INDEX"), QString::number(job.parallelIndex));
        put(QStringLiteral("CI_NODE_TOTAL"), QString::number(job.parallelTotal));
    }
    for (const DataInput &d : pipeline.trainyard.data)
        put(QStringLiteral("TRAINYARD_DATA_") + d.name.toUpper().replace(u'-', u'_'),
            run.dataPaths.value(d.name, d.mount));
    // Secrets (the project's CI/CD variables) expand in `variables:` as GitLab's do; they are
    // put again at the end, since they take precedence over variables defined in the file.
    for (auto it = run.secrets.begin(); it != run.secrets.end(); ++it)
        put(it.key(), it.value());
    Variables all = pipeline.variables;
    all.insert(all.end(), job.variables.begin(), job.variables.end());
    for (const Variable &v : all)
        put(v.name, v.expand ? VariableExpander::expand(v.value, vars) : v.value);
    for (auto it = job.matrixVariables.begin(); it != job.matrixVariables.end(); ++it)
        put(it.key(), it.value());
    for (auto it = run.secrets.begin(); it != run.secrets.end(); ++it)
        put(it.key(), it.value());
    QStringList env;
    for (const QString &k : order)
        env << k + u'=' + vars.value(k);
    return env;
}

} // namespace trainyard::core
