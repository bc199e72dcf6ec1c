#pragma once

// Test support: a project for the Slurm engine on the test cluster, whose stand-in GPUs have no
// nvidia-smi: the job's script runs on the node (runtime none) with a stand-in of its own.

#include "support/demoproject.h"
#include "support/files.h"

#include <QFile>
#include <QString>

namespace trainyard::test {

/// A pipeline on the node's own shell (runtime none): a stand-in `nvidia-smi` for the stand-in
/// GPUs (it lists those in CUDA_VISIBLE_DEVICES), three one-GPU jobs, one report after them.
inline bool writeGpuProject(const QString &dir)
{
    const bool ok = writeFile(dir + QStringLiteral("/bin/nvidia-smi"),
                              "#!/bin/sh\n"
                              "for i in $(echo \"${CUDA_VISIBLE_DEVICES:-}\" | tr ',' ' '); do\n"
                              "  echo \"GPU $i: Stand-in GPU (UUID: GPU-standin-$i)\"\n"
                              "done\n",
                              true) &&
                    writeFile(dir + QStringLiteral("/.gitignore"), ".trainyard/\n") &&
                    writeFile(dir + QStringLiteral("/.gitlab-ci.yml"),
                              QStringLiteral("variables:\n"
                                             "  PATH: \"%1/bin:/usr/local/bin:/usr/bin:/bin\"\n"
                                             ".trainyard:\n"
                                             "  slurm:\n"
                                             "    runtime: none\n"
                                             "  jobs:\n"
                                             "    train-a: {gpus: 1}\n"
                                             "    train-b: {gpus: 1}\n"
                                             "    train-c: {gpus: 1}\n"
                                             "stages: [train, report]\n"
                                             "train-a: &t\n"
                                             "  stage: train\n"
                                             "  script:\n"
                                             "    - echo \"visible=$CUDA_VISIBLE_DEVICES\"\n"
                                             "    - sleep 4\n"
                                             "    - echo \"$CI_JOB_NAME\" > \"$CI_JOB_NAME.txt\"\n"
                                             "  artifacts: {paths: [\"$CI_JOB_NAME.txt\"]}\n"
                                             "train-b: *t\n"
                                             "train-c: *t\n"
                                             "report:\n"
                                             "  stage: report\n"
                                             "  script: [cat train-a.txt train-b.txt train-c.txt]\n")
                                  .arg(dir)
                                  .toUtf8());
    shell(dir,
          QStringLiteral("git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm i"));
    return ok && QFile::exists(dir + QStringLiteral("/.git"));
}

} // namespace trainyard::test
