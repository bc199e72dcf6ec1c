#pragma once

#include "common/error.h"
#include "pipeline.h"

#include <QString>

#include <vector>

namespace trainyard::core {

/// Checks a pipeline against the practices the seed article insists on (pinned images, a GPU check
/// before training, artifacts that carry results forward, declared data that exists). Everything it
/// finds is a warning: GitLab would run the pipeline, but it would not be reproducible or safe.
class PipelineLinter final
{
public:
    /// The warnings for `pipeline`, each naming its job (if any) and the best location known.
    static std::vector<Error> lint(const Pipeline &pipeline);

private:
    /// Images and service images without a tag, or tagged `latest`.
    static void checkImagePinning(const Pipeline &pipeline, std::vector<Error> &out);
    /// GPU jobs whose first command is not `nvidia-smi`.
    static void checkGpuCheck(const Pipeline &pipeline, std::vector<Error> &out);
    /// `needs` entries expecting artifacts from a job that declares none.
    static void checkNeededArtifacts(const Pipeline &pipeline, std::vector<Error> &out);
    /// `.trainyard: data:` inputs whose path does not exist.
    static void checkDataInputs(const Pipeline &pipeline, std::vector<Error> &out);
    static void checkImageBuilds(const Pipeline &pipeline, std::vector<Error> &out);
    /// `.trainyard: jobs:` entries that name no job.
    static void checkTrainyardJobs(const Pipeline &pipeline, std::vector<Error> &out);
};

} // namespace trainyard::core
