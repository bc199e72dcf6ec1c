#pragma once

#include "common/error.h"
#include "gpuinventory.h"

#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace trainyard::core {

/// What one job asks of the allocator.
struct GpuRequest
{
    QString job;
    int count = 1; ///< GPUs wanted; -1 = every GPU of the machine, exclusively; 0 = none
};

/// Hands out specific GPUs of this machine to jobs so that two jobs never share a card.
/// Thread-safe: the scheduler and the job runners may call it from any thread.
class GpuAllocator final
{
public:
    /// `inventoryMessage` is what the inventory said (GpuInventorySnapshot::message); it explains
    /// refusals on a machine without GPUs.
    explicit GpuAllocator(std::vector<GpuInfo> gpus, QString inventoryMessage = {});
    explicit GpuAllocator(const GpuInventorySnapshot &snapshot);

    /// The indexes now reserved for `request.job` (lowest free first; empty for count 0), or an
    /// empty optional when they are busy and the job should wait for a release(). Fails when this
    /// machine could never satisfy the request: "job 'train' needs 2 GPUs; found 1: 0 NVIDIA H100
    /// 80GB HBM3", or "job 'train' needs 1 GPU; no NVIDIA GPU found (…)".
    Result<std::optional<QList<int>>> tryAcquire(const GpuRequest &request);
    /// Frees indexes from tryAcquire(). Freeing one that is not held is logged and ignored.
    void release(const QList<int> &indexes);

    /// Why `request` can never be satisfied here, or nullopt when it can once GPUs are free.
    /// The scheduler asks this before any job starts, to refuse a pipeline up front.
    std::optional<Error> impossible(const GpuRequest &request) const;

    const std::vector<GpuInfo> &gpus() const { return m_gpus; }
    int freeCount() const;

    /// The environment that makes a job see only `indexes`: NVIDIA_VISIBLE_DEVICES for a Docker
    /// container (read by the NVIDIA container runtime), CUDA_VISIBLE_DEVICES for the shell engine.
    /// Empty when `indexes` is empty: a job without GPUs keeps the environment it has.
    static QStringList environmentFor(const QList<int> &indexes, bool shellEngine);

private:
    std::vector<GpuInfo> m_gpus;
    QString m_inventoryMessage;
    mutable QMutex m_mutex;
    std::vector<bool> m_busy; ///< parallel to m_gpus; guarded by m_mutex
};

} // namespace trainyard::core
