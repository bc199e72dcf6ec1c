#pragma once

#include "common/error.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// A run found in a logdir: a folder that directly holds event files.
struct RunLocation
{
    QString name;           ///< path relative to the logdir, '/'-separated; "" for the logdir itself
    QString directory;      ///< absolute path of the folder
    QStringList eventFiles; ///< absolute paths of its `events.out.tfevents.*` files, in name order

    bool operator==(const RunLocation &) const = default;
};

/// Finds the runs of a TensorBoard logdir, as TensorBoard does: every folder below it (hidden
/// ones included; symbolic links to folders are not followed, so a loop cannot hang the scan)
/// that directly holds `events.out.tfevents.*` files is a run. Other files are ignored.
class LogdirScanner final
{
public:
    static bool isEventFileName(const QString &fileName);

    /// The runs under `logdir`, ordered by name. `logdir` may also be a single event file: one
    /// run named "". Fails when `logdir` does not exist or is neither a folder nor an event file.
    static Result<std::vector<RunLocation>> scan(const QString &logdir);
};

} // namespace trainyard::core
