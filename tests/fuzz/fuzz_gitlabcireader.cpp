// libFuzzer harness: arbitrary bytes through the pipeline reader, the rules:if expression parser
// and the glob matcher. Built only in the separate clang tree (-DTRAINYARD_FUZZ=ON); see
// run_fuzz.sh next to this file.
#include "pipeline/evaluationcontext.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/globpattern.h"
#include "pipeline/ruleexpression.h"

#include <QByteArray>
#include <QDir>
#include <QString>
#include <QTemporaryDir>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace trainyard::core;

namespace {

// Qt's warnings (bad UTF-8 and the like) would flood the fuzzer's log; fatal ones still abort,
// because Qt aborts after the handler returns.
void quietMessages(QtMsgType, const QMessageLogContext &, const QString &) {}

// The context every input is read against: a push to main of a project whose tree is empty and
// has no base to compare changes with. Built once: the directory must outlive every input.
const EvaluationContext &fuzzContext()
{
    static QTemporaryDir emptyProject(QDir::tempPath() + QStringLiteral("/trainyard-fuzz-XXXXXX"));
    static const EvaluationContext context = [] {
        if (!emptyProject.isValid())
            std::abort(); // no place to point projectDir at: nothing meaningful to fuzz
        EvaluationContext c;
        c.projectDir = emptyProject.path();
        c.branch = QStringLiteral("main");
        c.defaultBranch = QStringLiteral("main");
        c.sha = QString(40, u'a');
        c.predefined = {
            {QStringLiteral("CI"), QStringLiteral("true")},
            {QStringLiteral("CI_PIPELINE_SOURCE"), QStringLiteral("push")},
            {QStringLiteral("CI_COMMIT_BRANCH"), QStringLiteral("main")},
            {QStringLiteral("CI_COMMIT_REF_NAME"), QStringLiteral("main")},
            {QStringLiteral("CI_DEFAULT_BRANCH"), QStringLiteral("main")},
            {QStringLiteral("CI_COMMIT_SHA"), c.sha},
            {QStringLiteral("CI_PROJECT_PATH"), QStringLiteral("fuzz/project")},
            {QStringLiteral("EMPTY"), QString()},
        };
        c.setProjectFiles({});
        c.setChangedFiles(std::nullopt);
        return c;
    }();
    return context;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    qInstallMessageHandler(quietMessages);
    fuzzContext();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const EvaluationContext &context = fuzzContext();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    const Pipeline pipeline = GitlabCiReader::readText(bytes, QStringLiteral("fuzz.yml"), context);
    (void)pipeline;

    const QString text = QString::fromUtf8(bytes);
    if (auto expression = RuleExpression::parse(text, SourceLocation{QStringLiteral("fuzz.yml"), 1, 1}))
        (void)expression->evaluate(context.predefined);

    const qsizetype half = bytes.size() / 2;
    const QString pattern = QString::fromUtf8(bytes.left(half));
    const QString path = QString::fromUtf8(bytes.mid(half));
    (void)GlobPattern::isLiteral(pattern);
    (void)GlobPattern::match(pattern, path);
    return 0;
}
