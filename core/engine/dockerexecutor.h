#pragma once

#include "dockerclient.h"
#include "jobexecutor.h"

#include "pipeline/trainyardsettings.h"

#include <QHash>
#include <QMutex>

#include <vector>

namespace trainyard::core {

/// GitLab's "docker executor" on the local engine: each job attempt runs in a fresh container
/// of its image, with the job's workspace mounted at CI_PROJECT_DIR, data inputs read-only,
/// its GPUs as DeviceRequests, services as sibling containers on a per-job network, and every
/// container labelled `trainyard.run=<id>` so a crashed run can be cleaned up.
class DockerExecutor final : public JobExecutor
{
public:
    DockerExecutor(QString endpoint, TrainyardSettings settings, QString projectDir);

    QString name() const override { return QStringLiteral("docker"); }
    Result<QString> preflight() override;
    Result<void> prepareImage(const QString &image, const ExecutionCallbacks &callbacks,
                              const std::atomic_bool &cancel) override;
    Result<JobOutcome> run(const JobExecution &execution, const ExecutionCallbacks &callbacks,
                           const std::atomic_bool &cancel) override;
    int cleanupRun(const QString &runId) override;

private:
    /// The network and the started containers of a job's services.
    struct JobServices
    {
        QString network;          ///< empty when the job has no services
        std::vector<QString> ids; ///< the service containers started, in order
    };

    /// A job's outcome before it runs: the isolation, and the prepared image's ID and digests (takes m_imagesMutex).
    JobOutcome outcomeFor(const QString &image);
    /// Creates the job's network and starts its services on it; removes them again when one does not start.
    Result<JobServices> startServices(DockerClient &client, const JobExecution &e, const ExecutionCallbacks &callbacks,
                                      const std::atomic_bool &cancel);
    /// Removes the service containers, then the network.
    static void removeServices(DockerClient &client, const JobServices &services);
    /// Runs the script and, when it ran and was not cancelled, the after_script; gives the script's exit code.
    Result<int> runScripts(DockerClient &client, const JobExecution &e, const QString &network,
                           const ExecutionCallbacks &callbacks, const std::atomic_bool &cancel, JobOutcome &outcome);
    /// Runs the after_script in a container of its own (5 minutes at most); how it ends is not kept.
    void runAfterScript(DockerClient &client, const JobExecution &e, const QString &network,
                        const ExecutionCallbacks &callbacks, const std::atomic_bool &cancel);
    ContainerSpec containerFor(const JobExecution &e, const QString &script, const QString &suffix) const;
    Result<int> runContainer(DockerClient &client, const ContainerSpec &spec, const ExecutionCallbacks &callbacks,
                             const std::atomic_bool &cancel, int timeoutSeconds, JobOutcome &outcome);

    QString m_endpoint;
    TrainyardSettings m_settings;
    QString m_projectDir;
    QMutex m_imagesMutex;
    QHash<QString, ImageInfo> m_images; // prepared images: reference -> resolved ID and digests
};

} // namespace trainyard::core
