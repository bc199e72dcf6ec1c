// bench_edit: keystroke to canvas. An edit in the inspector (a job's image, as typed) goes through
// the undo stack into PipelineDocument, which rewrites the text, reads the pipeline again and
// hands it to the canvas's scene. Measured on the real 38-job file (tests/data/gitlab-ci/
// 11-apex) and on the generated 2,000-job pipeline of bench_list; prints the median and worst
// edit against the targets (< 16 ms, one frame; < 100 ms).
//
// Usage: bench_edit      Exit: 0 when every target is met, 1 when one is not, 2 on a setup error.
#include "benchsupport.h"

#include "canvas/pipelinescene.h"
#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"
#include "support/branchcontext.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <vector>

using namespace trainyard;
using namespace trainyard::bench;

namespace {

/// Times `edits` edits of one job's image on `pipeline`; false on a setup error.
bool benchInput(const QString &label, const QByteArray &pipeline, double targetMs, int edits, bool &met)
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral(".gitlab-ci.yml")));
    if (!file.open(QIODevice::WriteOnly) || file.write(pipeline) != pipeline.size())
        return false;
    file.close();
    auto doc = ui::PipelineDocument::load(dir.path(), trainyard::test::pushToMainContext(dir.path()));
    if (!doc) {
        err() << "bench_edit: " << label << ": " << doc.error().toString() << "\n";
        return false;
    }
    ui::PipelineScene scene;
    // As the window does: every change of the document is shown on the canvas.
    QObject::connect(doc->get(), &ui::PipelineDocument::changed, &scene,
                     [&] { scene.setPipeline((*doc)->pipeline(), (*doc)->lint()); });
    scene.setPipeline((*doc)->pipeline(), (*doc)->lint());
    const std::vector<core::Job> &jobs = (*doc)->pipeline().jobs;
    if (jobs.empty()) {
        err() << "bench_edit: " << label << ": no jobs\n";
        return false;
    }
    const QString job = jobs[jobs.size() / 2].name; // one in the middle of the file
    std::vector<double> ms;
    for (int i = 0; i < edits; ++i) {
        QElapsedTimer timer;
        timer.start();
        (*doc)->push(new ui::SetJobFieldCommand(doc->get(), job, QStringLiteral("image"),
                                                QStringLiteral("python:3.%1").arg(i % 10)));
        ms.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    const double med = median(ms);
    const double worst = *std::max_element(ms.begin(), ms.end());
    const bool ok = med < targetMs;
    met = met && ok;
    out() << QStringLiteral("  %1: %2 jobs, %3 KB; keystroke to canvas: median %4 ms, worst %5 ms over %6 edits "
                            "(target < %7 ms: %8; %9x the target)\n")
                 .arg(label)
                 .arg(jobs.size())
                 .arg(pipeline.size() / 1024)
                 .arg(med, 0, 'f', 2)
                 .arg(worst, 0, 'f', 2)
                 .arg(edits)
                 .arg(targetMs, 0, 'f', 0)
                 .arg(ok ? QStringLiteral("met") : QStringLiteral("NOT met"))
                 .arg(med / targetMs, 0, 'f', 2);
    out().flush();
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    out() << "bench_edit: a job's image edited through the undo stack, the document re-read, the canvas updated\n";
    bool met = true;
    QFile real(QStringLiteral(TRAINYARD_SOURCE_DIR "/tests/data/gitlab-ci/11-apex.gitlab-ci.yml"));
    if (!real.open(QIODevice::ReadOnly)) {
        err() << "bench_edit: cannot read " << real.fileName() << "\n";
        return 2;
    }
    if (!benchInput(QStringLiteral("real (11-apex)"), real.readAll(), 16, 40, met))
        return 2;
    if (!benchInput(QStringLiteral("generated"), generatedPipeline(2000).toUtf8(), 100, 21, met))
        return 2;
    return met ? 0 : 1;
}
