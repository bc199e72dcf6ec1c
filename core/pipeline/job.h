#pragma once

#include "common/error.h"
#include "yamlnode.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace trainyard::core {

/// When a job runs, GitLab's `when:` values.
enum class When { OnSuccess, OnFailure, Always, Manual, Never, Delayed };
QString whenToString(When when);
std::optional<When> whenFromString(const QString &text);

/// One entry of `needs:`.
struct Need
{
    QString job;
    bool artifacts = true;
    bool optional = false;
    QString pipeline; ///< `needs:pipeline` (another pipeline): kept as data, not a local dependency
    QString project;  ///< `needs:project` (cross-project): kept as data, not a local dependency
    SourceLocation location;

    bool isLocal() const { return pipeline.isEmpty() && project.isEmpty(); }
    bool operator==(const Need &) const = default;
};

struct Image
{
    QString name;
    QStringList entrypoint;
    QString pullPolicy;
    bool isEmpty() const { return name.isEmpty(); }
    bool operator==(const Image &) const = default;
};

struct Service
{
    /// Images that work only in a privileged container (Docker-in-Docker): refused unless
    /// `.trainyard: allow_privileged_services: true`.
    static bool needsPrivileged(const QString &image) { return image.contains(QLatin1String("dind")); }

    QString name;
    QString alias;
    QStringList entrypoint;
    QStringList command;
    QMap<QString, QString> variables;
    SourceLocation location;
    bool operator==(const Service &) const = default;
};

struct Artifacts
{
    QStringList paths;
    QStringList exclude;
    QString expireIn;
    QString when = QStringLiteral("on_success"); ///< on_success, on_failure, always
    QString name;
    bool untracked = false;
    YamlNode reports; ///< kept as data
    bool isEmpty() const { return paths.isEmpty() && !untracked && reports.isNull(); }
    /// A file of `reports:` that Trainyard reads: `metrics` (OpenMetrics text) or `dotenv`.
    struct ReportFile
    {
        QString kind;
        QString path;
    };
    /// The `metrics` and `dotenv` report files, as written, read for the numbers they hold. Metrics
    /// reports are collected with the artifacts (as GitLab uploads them); a dotenv report, which
    /// holds variables and maybe secrets, only when `paths` names it too.
    std::vector<ReportFile> reportFiles() const;
    bool operator==(const Artifacts &) const = default;
};

struct Retry
{
    int max = 0;
    QStringList when; ///< failure reasons; empty = always
    QList<int> exitCodes;
    bool operator==(const Retry &) const = default;
};

/// A variable as written: `KEY: value` or `KEY: {value:, description:, expand:}`.
struct Variable
{
    QString name;
    QString value;
    bool expand = true;
    QString description;
    bool operator==(const Variable &) const = default;
};
using Variables = std::vector<Variable>;

/// `.trainyard: jobs: NAME:` settings for one job.
struct JobTrainyardSettings
{
    int gpus = 0;        ///< GPUs asked for; -1 = all
    QString tensorboard; ///< TensorBoard log directory, relative to the project
    QString memory;      ///< container memory limit, e.g. "4g"
    double cpus = 0;     ///< container CPU limit
    QString shmSize;     ///< /dev/shm size, e.g. "2g"
    struct Gate
    {
        QString metric;
        QString op; ///< >=, >, <=, <, ==
        double value = 0;
        SourceLocation location;
        bool operator==(const Gate &) const = default;
    };
    std::vector<Gate> gates;
    bool operator==(const JobTrainyardSettings &) const = default;
};

/// A job after includes, `extends`, `default`, `!reference`, `parallel` and rules are applied.
struct Job
{
    QString name;     ///< as GitLab names it (`build 1/3`, `test: [a, b]`)
    QString baseName; ///< the key in the file (differs for parallel jobs)
    SourceLocation location;
    QString stage = QStringLiteral("test");
    SourceLocation stageLocation;

    Image image;
    std::vector<Service> services;
    QStringList beforeScript;
    QStringList script;
    QStringList afterScript;

    Variables variables;                    ///< job variables after inheritance (global ones not included)
    QMap<QString, QString> matrixVariables; ///< for parallel:matrix jobs

    std::optional<std::vector<Need>> needs; ///< nullopt: stage order; empty: `needs: []`
    std::optional<QStringList> dependencies;
    Artifacts artifacts;
    YamlNode cache;
    QStringList tags;

    When when = When::OnSuccess;
    bool allowFailure = false;
    QList<int> allowFailureExitCodes;
    QString startIn; ///< for `when: delayed`
    Retry retry;
    QString timeout;
    bool interruptible = false;
    QString resourceGroup;
    YamlNode environment;
    YamlNode trigger; ///< a trigger job is shown, not run
    bool hasRules = false;
    QStringList extends;   ///< the extends chain as written, for the inspector
    int parallelIndex = 0; ///< 1-based for `parallel: N`
    int parallelTotal = 0;

    JobTrainyardSettings trainyard;
    YamlNode raw; ///< the job's merged configuration, for the inspector

    bool isTrigger() const { return !trigger.isNull(); }
    bool isManual() const { return when == When::Manual; }
    bool needsGpu() const;
    /// GPUs the job asks for: `.trainyard` gpus (-1 = all), else 1 for a GPU-tagged job, else 0.
    int gpuCount() const;
    /// Every field the same (positions included): a job read again reads as it did.
    bool operator==(const Job &) const = default;
};

} // namespace trainyard::core
