#pragma once

#include "dockerclient.h"
#include "jobexecutor.h"

#include "pipeline/trainyardsettings.h"

#include <QHash>
#include <QMutex>

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
