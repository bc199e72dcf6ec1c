#pragma once

#include "common/error.h"

#include <QString>

namespace trainyard::core {

/// The hash DVC recorded for a path, when the project tracks it with DVC.
struct DvcHash
{
    QString md5;    ///< as DVC writes it: 32 hex digits, with ".dir" for a directory
    QString source; ///< where it was found: "data.dvc", or "dvc.lock:STAGE"
    bool isEmpty() const { return md5.isEmpty(); }
};

/// Reads DVC's own record of a data path, without running DVC: `<path>.dvc` next to it (its
/// `outs:` entry for the path), else an `outs:` entry with that path in `dvc.lock` at the project
/// root (schema 2.0: `stages: NAME: outs: [{path, md5}]`).
class DvcInfo final
{
public:
    /// `dataPath` is relative to `projectDir` (or absolute inside it). An empty DvcHash when DVC
    /// tracks nothing there; an Error (FILE:LINE:COLUMN) for a `.dvc`/`dvc.lock` that is not YAML.
    static Result<DvcHash> lookup(const QString &projectDir, const QString &dataPath);
};

} // namespace trainyard::core
