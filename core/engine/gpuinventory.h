#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace trainyard::core {

/// One NVIDIA GPU as nvidia-smi reports it. A value nvidia-smi gives as `[N/A]` or `[Not Supported]`
/// is -1 for numbers and empty for text.
struct GpuInfo
{
    int index = -1;        ///< nvidia-smi's index: what DeviceIDs and *_VISIBLE_DEVICES name
    QString uuid;          ///< "GPU-8f5a…"
    QString name;          ///< "NVIDIA H100 80GB HBM3"
    QString driverVersion; ///< "550.54.15"
    qint64 memoryTotalMiB = -1;
    qint64 memoryUsedMiB = -1;
    int utilizationPercent = -1;
};

/// What the machine has. No nvidia-smi, or one that fails, is a normal answer here, not an error:
/// `gpus` is then empty and `message` says why.
struct GpuInventorySnapshot
{
    bool nvidiaSmiFound = false;
    QString nvidiaSmiPath;     ///< the executable that was run; empty when none was found
    std::vector<GpuInfo> gpus; ///< in nvidia-smi's order
    /// For people: "2 NVIDIA GPUs found (driver 550.54.15)", or why none was found, e.g.
    /// "no NVIDIA GPU found (nvidia-smi is not on PATH)".
    QString message;
};

/// Lists the NVIDIA GPUs of this machine by running nvidia-smi.
class GpuInventory final
{
public:
    /// The fields `query()` asks for, in this order.
    static const char *queryFields();

    /// Runs `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`. With an empty `nvidiaSmi`
    /// it is looked up on PATH. Blocks for up to `timeoutMs` (then nvidia-smi is killed): call it
    /// on a worker thread, never on the UI thread. Fails only when nvidia-smi succeeds but prints
    /// something that cannot be parsed.
    static Result<GpuInventorySnapshot> query(const QString &nvidiaSmi = {}, int timeoutMs = 10000);

    /// Parses nvidia-smi's CSV for `queryFields()`: "0, GPU-…, NVIDIA H100 80GB HBM3, 81559, 1, 0, 550.54.15".
    /// Blank lines are skipped; a line that does not fit fails with its 1-based line number.
    static Result<std::vector<GpuInfo>> parseCsv(const QByteArray &csv);
};

} // namespace trainyard::core
