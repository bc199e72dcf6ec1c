#pragma once

// The evaluation context of a push to `main` in `dir`, with no project files and no changed files
// known: what the document and canvas tests, and bench_edit, read pipelines in.

#include "pipeline/evaluationcontext.h"

#include <QString>

#include <optional>

namespace trainyard::test {

inline core::EvaluationContext pushToMainContext(const QString &dir)
{
    core::EvaluationContext ctx;
    ctx.projectDir = dir;
    ctx.branch = QStringLiteral("main");
    ctx.predefined.insert(QStringLiteral("CI_COMMIT_BRANCH"), ctx.branch);
    ctx.predefined.insert(QStringLiteral("CI_COMMIT_REF_NAME"), ctx.branch);
    ctx.predefined.insert(QStringLiteral("CI_DEFAULT_BRANCH"), QStringLiteral("main"));
    ctx.predefined.insert(QStringLiteral("CI_PIPELINE_SOURCE"), QStringLiteral("push"));
    ctx.setProjectFiles({});
    ctx.setChangedFiles(std::nullopt);
    return ctx;
}

} // namespace trainyard::test
