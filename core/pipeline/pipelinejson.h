#pragma once

#include "pipeline.h"

#include <QByteArray>

namespace trainyard::core {

/// Machine-readable views of a Pipeline.
class PipelineJson final
{
public:
    /// `trainyard list --json`: an array of {"name","stage","when","allow_failure","needs"} in
    /// file order, the shape of `gitlab-ci-local --list-json` (`needs` only when the job has it).
    static QByteArray jobList(const Pipeline &pipeline);
    /// A JSON string literal for `text`, escaped.
    static QByteArray quote(const QString &text);
};

} // namespace trainyard::core
