// bench_list: wall time of `trainyard list --json` against `gitlab-ci-local --list-json`, end to
// end (process start included), on a generated 2,000-job pipeline and on the largest real file
// of tests/data/gitlab-ci that gitlab-ci-local can list offline. Prints both medians and the ratio.
//
// Usage: bench_list   (GITLAB_CI_LOCAL=PATH overrides where gitlab-ci-local is; BENCH_KEEP_REPOS=1
//                      keeps the generated repositories)
// Exit: 0 when every run succeeded and every ratio met its target (>= 20x), 1 when a tool failed on
// an input or a ratio fell below, 2 when gitlab-ci-local is missing.
#include "benchsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <optional>
#include <vector>

using namespace trainyard::bench;

namespace {

constexpr int kGeneratedJobs = 2000;
constexpr int kStages = 10;
constexpr int kTrainyardRuns = 5;
constexpr int kGitlabCiLocalRuns = 3;
// 06-warp, 49-cmake, 52-dav1d, 31-ginkgo, 35-mfem are larger, but they include files from other
// projects, which gitlab-ci-local cannot fetch offline; this is the largest one it lists.
const char *const kRealFile = "25-data-table.gitlab-ci.yml";

/// The number of jobs `trainyard list --json` or `gitlab-ci-local --list-json` printed, or -1.
qsizetype jobsListed(const QByteArray &output)
{
    const QJsonDocument json = QJsonDocument::fromJson(output);
    return json.isArray() ? json.array().size() : -1;
}

/// Times both tools on `pipeline`; false when one failed or trainyard is not 20x faster.
bool benchInput(const QString &title, const QByteArray &pipeline, const QString &trainyard,
                const QString &gitlabCiLocal)
{
    out() << "\n== " << title << " (" << pipeline.size() << " bytes)\n";
    out().flush();
    QTemporaryDir repo;
    if (!repo.isValid() || !stageRepo(repo.path(), pipeline))
        return false;
    if (qEnvironmentVariableIsSet("BENCH_KEEP_REPOS")) { // to look at what was measured
        repo.setAutoRemove(false);
        out() << "  repository kept: " << repo.path() << "\n";
    }
    const TimedRuns ty = timeRuns(QStringLiteral("trainyard list --json"), trainyard,
                                  {QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("-C"), repo.path()},
                                  repo.path(), kTrainyardRuns);
    const TimedRuns gcl = timeRuns(QStringLiteral("gitlab-ci-local --list-json"), gitlabCiLocal,
                                   {QStringLiteral("--list-json")}, repo.path(), kGitlabCiLocalRuns);
    if (ty.ok)
        out() << QStringLiteral("  trainyard list --json        median %1 s of %2 runs, %3 jobs\n")
                     .arg(ty.medianSeconds, 0, 'f', 3)
                     .arg(kTrainyardRuns)
                     .arg(jobsListed(ty.output));
    if (gcl.ok)
        out() << QStringLiteral("  gitlab-ci-local --list-json  median %1 s of %2 runs, %3 jobs\n")
                     .arg(gcl.medianSeconds, 0, 'f', 3)
                     .arg(kGitlabCiLocalRuns)
                     .arg(jobsListed(gcl.output));
    if (!ty.ok || !gcl.ok)
        return false;
    if (jobsListed(ty.output) != jobsListed(gcl.output))
        out() << "  note: the two tools list a different number of jobs; the times compare unequal work\n";
    const double ratio = gcl.medianSeconds / std::max(ty.medianSeconds, 1e-9);
    out() << QStringLiteral("  trainyard is %1\u00d7 faster than gitlab-ci-local (target \u2265 20\u00d7)%2\n")
                 .arg(ratio, 0, 'f', 1)
                 .arg(ratio >= 20 ? QString() : QStringLiteral(": BELOW TARGET"));
    out().flush();
    return ratio >= 20;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString trainyard = QStringLiteral(TRAINYARD_EXE);
    const QString gitlabCiLocal = gitlabCiLocalPath(QStringLiteral(GITLAB_CI_LOCAL_DEFAULT));
    if (!QFileInfo(gitlabCiLocal).isExecutable()) {
        err() << "bench_list: gitlab-ci-local not found at " << gitlabCiLocal << "\n"
              << "Install it (pinned versions that build on Node 18 and 20):\n"
              << "  bash tests/conformance/install-gitlab-ci-local.sh " << QStringLiteral(GITLAB_CI_LOCAL_PREFIX)
              << "\n"
              << "or set GITLAB_CI_LOCAL to its path.\n";
        return 2;
    }
    if (!QFileInfo(trainyard).isExecutable()) {
        err() << "bench_list: trainyard not found at " << trainyard << "; build the 'trainyard' target\n";
        return 1;
    }
    out() << "trainyard:       " << trainyard << "\ngitlab-ci-local: " << gitlabCiLocal << "\n";

    bool ok = benchInput(QStringLiteral("generated: %1 jobs, %2 stages, extends, needs, rules, parallel:matrix")
                             .arg(kGeneratedJobs)
                             .arg(kStages),
                         generatedPipeline(kGeneratedJobs, kStages).toUtf8(), trainyard, gitlabCiLocal);

    const QString realPath = QStringLiteral(TRAINYARD_SOURCE_DIR "/tests/data/gitlab-ci/") + QLatin1String(kRealFile);
    QFile real(realPath);
    if (real.open(QIODevice::ReadOnly)) {
        ok =
            benchInput(QStringLiteral("real: ") + QLatin1String(kRealFile), real.readAll(), trainyard, gitlabCiLocal) &&
            ok;
    } else {
        err() << "bench_list: cannot read " << realPath << ": " << real.errorString() << "\n";
        ok = false;
    }
    return ok ? 0 : 1;
}
