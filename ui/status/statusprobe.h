#pragma once

#include "engine/environmentcheck.h"

#include <QObject>
#include <QString>

#include <vector>

namespace trainyard::ui {

/// What the status bar shows about the machine and the project, found on worker threads: the
/// Docker engine (version or why it is not reachable), the GPUs (nvidia-smi), and the project's
/// commit with a dirty marker. Each probe answers with a signal on the UI thread.
class StatusProbe final : public QObject
{
    Q_OBJECT

public:
    explicit StatusProbe(QObject *parent = nullptr);
    ~StatusProbe() override;

    /// nvidia-smi to run (empty: looked up on PATH); the Docker endpoint (empty: DOCKER_HOST or the socket).
    void setNvidiaSmi(const QString &path) { m_nvidiaSmi = path; }
    void setDockerEndpoint(const QString &endpoint) { m_dockerEndpoint = endpoint; }

    /// Probes the engine and the GPUs and checks the machine once the event loop runs, then the
    /// engine again every `enginePeriodMs` (it may start later). All of it off the GUI thread.
    void start(int enginePeriodMs = 30000);
    void probeEngine();
    void probeGpus();
    void probeProject(const QString &dir);
    /// The first-run check of the machine (core::EnvironmentCheck), with a fix for what is missing.
    void checkMachine();

Q_SIGNALS:
    /// `text` e.g. "Docker 20.10.24 (API 1.41)" or "Docker not reachable: …"; `tip` the details.
    void engineProbed(bool reachable, const QString &text, const QString &tip);
    void gpusProbed(int count, const QString &text, const QString &tip);
    /// `text` e.g. "main @ 1a2b3c4d*" (the star: uncommitted changes), or "not a git repository".
    void projectProbed(const QString &dir, const QString &branch, const QString &text, const QString &tip);
    void machineChecked(const std::vector<trainyard::core::CheckItem> &items);

private:
    QString m_nvidiaSmi;
    QString m_dockerEndpoint;
    quint64 m_projectProbes = 0; ///< the last probeProject(): only its answer is said
};

} // namespace trainyard::ui
