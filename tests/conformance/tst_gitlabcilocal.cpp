// Conformance over real files: `trainyard list --json` against gitlab-ci-local 4.60.1
// (`--list-json`, the same shape) for every case in tests/data/gitlab-ci (see its MANIFEST.md).
//
// Each case is staged as GitLab would see it: a git repository on branch main whose root holds
// the file as .gitlab-ci.yml plus its carried local includes. gitlab-ci-local is not GitLab: it
// does not evaluate only/except, ignores workflow:rules, reads YAML 1.2, and more. Where the two
// tools disagree and GitLab's documented behaviour is what trainyard does, the difference is
// listed in kDocumented below, per file, job and field, with the rule; everything else must match.

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <vector>

namespace {

/// A difference between trainyard and gitlab-ci-local that follows GitLab's documentation.
struct DocumentedDifference
{
    const char *file;   ///< case name, e.g. "08-nemo"
    const char *job;    ///< job name, or "*" with field "pipeline" for the whole file
    const char *field;  ///< pipeline, name, order, stage, when, allow_failure or needs
    const char *ours;   ///< trainyard's value (for "pipeline": "ok", or a piece of its error output)
    const char *theirs; ///< gitlab-ci-local's value (for "pipeline": "ok", or a piece of its error output)
    const char *rule;   ///< the GitLab rule trainyard follows
};

// The rules, written once and referenced by the table.
constexpr char kOnlyBranchName[] =
    "only/except: gitlab-ci-local does not evaluate only/except. GitLab: a refs entry that is not a keyword "
    "(branches, tags, a pipeline source) is a branch/tag name or /regex/ matched against the ref, so "
    "`only: [master]` (or a tag regex, or `except: [branches]`) creates no job on a push to main "
    "(docs: ci/yaml only:refs / except:refs)";
constexpr char kOnlyMergeRequests[] =
    "only/except: gitlab-ci-local does not evaluate only/except. GitLab: `only: [merge_requests]` creates the job "
    "in merge request pipelines only, not on a branch push (docs: ci/yaml only:refs, keyword merge_requests)";
constexpr char kOnlyTriggers[] =
    "only/except: gitlab-ci-local does not evaluate only/except. GitLab: `only: [triggers]` creates the job only "
    "in pipelines started with a trigger token, not on a branch push (docs: ci/yaml only:refs, keyword triggers)";
constexpr char kOnlyVariableRef[] =
    "only/except: gitlab-ci-local does not evaluate only/except. GitLab does not expand variables in only:refs: "
    "`only: [$CI_DEFAULT_BRANCH]` is compared literally with the ref and never matches main "
    "(docs: ci/yaml only:refs; lib/gitlab/ci/build/policy/refs.rb matches the pattern text)";
constexpr char kOnlyVariables[] =
    "only/except: gitlab-ci-local does not evaluate only/except. GitLab: `only: variables: [$CI_COMMIT_TAG]` "
    "is false on a branch push (no tag), so the job is not created (docs: ci/yaml only:variables)";
constexpr char kExceptDefaultBranch[] =
    "only/except: gitlab-ci-local does not evaluate only/except. GitLab: "
    "`except: variables: [$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH]` is true on the default branch main, so the "
    "job is not created (docs: ci/yaml except:variables)";
constexpr char kWorkflow[] =
    "workflow:rules: gitlab-ci-local ignores workflow. GitLab evaluates workflow:rules before any job; when no "
    "rule matches a push to main, or the match says when: never, no pipeline is created (docs: ci/yaml "
    "workflow:rules)";
constexpr char kProjectIncludeOffline[] =
    "include:project is fetched from the GitLab server, which neither tool can do offline. trainyard warns that "
    "what the include defines is missing and lists the file's own jobs (none of them uses it); gitlab-ci-local "
    "aborts because its `git archive --remote` fetch fails (docs: ci/yaml include:project)";
constexpr char kYaml11[] =
    "YAML 1.1: GitLab parses with Psych (YAML 1.1), where `allow_failure: yes`/`no` are booleans, and accepts "
    "`dependencies: null` (Entry::Job validates dependencies with allow_nil). gitlab-ci-local reads YAML 1.2 "
    "(`yes` is a string) and its JSON schema rejects both (docs: ci/yaml allow_failure, dependencies)";
constexpr char kPerformanceReport[] =
    "artifacts:reports:performance is still an accepted report in GitLab (Entry::Reports ALLOWED_KEYS lists "
    "performance next to browser_performance and load_performance); gitlab-ci-local's JSON schema rejects it "
    "(docs: ci/yaml artifacts:reports)";
constexpr char kNeedsMatrixInstance[] =
    "needs on one parallel:matrix instance: GitLab names matrix jobs `job: [v1, v2]` and needs refers to job "
    "names, so `needs: ['build-win: [x86_64-w64-mingw32]']` names one generated job (docs: ci/yaml "
    "parallel:matrix, needs); gitlab-ci-local names them `job: [v1,v2]` and does not find the need";
constexpr char kNeedsNotCreated[] =
    "needs on a job that is not created: GitLab refuses to create the pipeline when a job needs a job that rules, "
    "only or except leave out, unless the need is `optional: true` (\"'conda-deploy' job needs 'conda-package' "
    "job, but 'conda-package' does not exist in the pipeline\"; docs: ci/yaml needs:optional). Here conda-package "
    "has `rules: exists: conda/meta.yaml`, a file the case does not carry. gitlab-ci-local lists the need anyway";
constexpr char kDependenciesNull[] =
    "`dependencies:` with no value (null) is accepted by GitLab (Entry::Job validates dependencies with "
    "allow_nil) and means the default; gitlab-ci-local's JSON schema requires an array (docs: ci/yaml "
    "dependencies)";

const DocumentedDifference kDocumented[] = {
    // --- whole files ---
    {"07-lbann", "*", "pipeline", "ok", "Project include could not be fetched", kProjectIncludeOffline},
    {"09-finn", "*", "pipeline", "no pipeline", "ok", kWorkflow},
    {"18-dihydrogen", "*", "pipeline", "ok", "Project include could not be fetched", kProjectIncludeOffline},
    {"20-bob-learn-em", "*", "pipeline", "needs 'conda-package', which is not created in this pipeline", "ok",
     kNeedsNotCreated},
    {"31-ginkgo", "*", "pipeline", "ok", "'allow_failure' property type must be boolean", kYaml11},
    {"32-libceed", "*", "pipeline", "ok", "'performance' property is not expected to be here", kPerformanceReport},
    {"46-redox", "*", "pipeline", "no pipeline", "ok", kWorkflow},
    {"52-dav1d", "*", "pipeline", "ok", "needs: [build-win: [x86_64-w64-mingw32]] for test-win64 could not be found",
     kNeedsMatrixInstance},
    {"60-gitlab-runner-2019", "*", "pipeline", "ok", "'dependencies' property type must be array", kDependenciesNull},
    // --- jobs ---
    {"08-nemo", "pre-commit-checks", "when", "never", "on_success", kOnlyMergeRequests},
    {"12-mace", "bazel_build", "when", "never", "on_success", kOnlyTriggers},
    {"12-mace", "build_android_demo", "when", "never", "on_success", kOnlyTriggers},
    {"12-mace", "mace_cc_benchmark", "when", "never", "on_success", kOnlyTriggers},
    {"12-mace", "dynamic_linking_test", "when", "never", "on_success", kOnlyTriggers},
    {"19-bob-learn-tensorflow", "wheels_linux_27", "when", "never", "on_success", kOnlyBranchName},
    {"19-bob-learn-tensorflow", "deploy_linux_27", "when", "never", "on_success", kOnlyBranchName},
    {"19-bob-learn-tensorflow", "wheels_linux_35", "when", "never", "on_success", kOnlyBranchName},
    {"19-bob-learn-tensorflow", "docs_linux_35", "when", "never", "on_success", kOnlyBranchName},
    {"19-bob-learn-tensorflow", "wheels_linux_36", "when", "never", "on_success", kOnlyBranchName},
    {"21-pytorch-ood", "deploy-master", "when", "never", "manual", kOnlyBranchName},
    {"22-bob-bio-face", "deploy_beta", "when", "never", "on_success", kOnlyBranchName},
    {"22-bob-bio-face", "deploy_stable", "when", "never", "on_success", kOnlyBranchName},
    {"22-bob-bio-face", "pypi", "when", "never", "on_success", kOnlyBranchName},
    {"25-data-table", "pages", "when", "never", "on_success", kOnlyBranchName},
    {"26-cml", "deploy-runner", "when", "never", "on_success", kOnlyBranchName},
    {"26-cml", "test-runner", "when", "never", "on_success", kOnlyBranchName},
    {"26-cml", "test-container", "when", "never", "on_success", kOnlyBranchName},
    {"42-meltano", "runner_edge", "when", "never", "on_success", kOnlyBranchName},
    {"42-meltano", "runner", "when", "never", "on_success", kOnlyVariables},
    {"42-meltano", "pages", "when", "never", "on_success", kOnlyBranchName},
    {"42-meltano", "publish", "when", "never", "on_success", kOnlyVariables},
    {"42-meltano", "meltano_base_edge", "when", "never", "on_success", kOnlyBranchName},
    {"42-meltano", "meltano_base", "when", "never", "on_success", kOnlyVariables},
    {"42-meltano", "meltano_cli_edge", "when", "never", "on_success", kOnlyBranchName},
    {"42-meltano", "meltano_cli", "when", "never", "on_success", kOnlyVariables},
    {"42-meltano", "meltano_edge", "when", "never", "on_success", kOnlyBranchName},
    {"42-meltano", "meltano", "when", "never", "on_success", kOnlyVariables},
    {"42-meltano", "hub_meltano", "when", "never", "on_success", kOnlyVariables},
    {"42-meltano", "hub_meltano_cli", "when", "never", "on_success", kOnlyVariables},
    {"43-unity3d-ci-example", "pages", "when", "never", "on_success", kOnlyVariableRef},
    {"54-pages-hugo-template", "test", "when", "never", "on_success", kExceptDefaultBranch},
    {"55-pages-jekyll-template", "pages", "when", "never", "on_success", kOnlyBranchName},
};

/// One field on which the two tools disagree.
struct Difference
{
    QString job;
    QString field;
    QString ours;
    QString theirs;
};

/// What one tool made of one file.
struct Outcome
{
    bool ok = false;
    QString summary; ///< "ok", or a one-line reason for the failure
    QString detail;  ///< the whole stderr, for matching and for the failure message
    QJsonArray jobs;
};

/// One staged case and the two outcomes.
struct Case
{
    QString name;
    QString repo;
    Outcome ours;
    Outcome theirs;
};

QString needsText(const QJsonObject &job)
{
    if (!job.contains(QLatin1String("needs")))
        return QStringLiteral("(no needs)");
    QStringList items;
    for (const QJsonValue &v : job.value(QLatin1String("needs")).toArray()) {
        const QJsonObject n = v.toObject();
        QString item = n.value(QLatin1String("job")).toString();
        if (n.value(QLatin1String("optional")).toBool())
            item += QStringLiteral(" (optional)");
        if (!n.value(QLatin1String("artifacts")).toBool(true))
            item += QStringLiteral(" (no artifacts)");
        items << item;
    }
    return u'[' + items.join(QStringLiteral("; ")) + u']';
}

QString fieldText(const QJsonObject &job, const QString &field)
{
    if (field == QLatin1String("needs"))
        return needsText(job);
    const QJsonValue v = job.value(field);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.isUndefined() ? QStringLiteral("(missing)") : v.toString();
}

QStringList jobNames(const QJsonArray &jobs)
{
    QStringList names;
    for (const QJsonValue &v : jobs)
        names << v.toObject().value(QLatin1String("name")).toString();
    return names;
}

/// Every field on which two successful outcomes disagree, in job order.
QList<Difference> compareJobs(const QJsonArray &oursArray, const QJsonArray &theirsArray)
{
    QList<Difference> diffs;
    QHash<QString, QJsonObject> ours;
    QHash<QString, QJsonObject> theirs;
    for (const QJsonValue &v : oursArray)
        ours.insert(v.toObject().value(QLatin1String("name")).toString(), v.toObject());
    for (const QJsonValue &v : theirsArray)
        theirs.insert(v.toObject().value(QLatin1String("name")).toString(), v.toObject());

    QStringList commonOurs;
    for (const QString &name : jobNames(oursArray)) {
        if (theirs.contains(name))
            commonOurs << name;
        else
            diffs.push_back({name, QStringLiteral("name"), QStringLiteral("present"), QStringLiteral("absent")});
    }
    QStringList commonTheirs;
    for (const QString &name : jobNames(theirsArray)) {
        if (ours.contains(name))
            commonTheirs << name;
        else
            diffs.push_back({name, QStringLiteral("name"), QStringLiteral("absent"), QStringLiteral("present")});
    }
    for (qsizetype i = 0; i < commonOurs.size(); ++i) {
        if (commonOurs.at(i) != commonTheirs.value(i)) {
            diffs.push_back({QStringLiteral("*"), QStringLiteral("order"),
                             QStringLiteral("#%1 %2").arg(i).arg(commonOurs.at(i)),
                             QStringLiteral("#%1 %2").arg(i).arg(commonTheirs.value(i))});
            break;
        }
    }
    static const QStringList fields{QStringLiteral("stage"), QStringLiteral("when"), QStringLiteral("allow_failure"),
                                    QStringLiteral("needs")};
    for (const QString &name : std::as_const(commonOurs)) {
        for (const QString &field : fields) {
            const QString a = fieldText(ours.value(name), field);
            const QString b = fieldText(theirs.value(name), field);
            if (a != b)
                diffs.push_back({name, field, a, b});
        }
    }
    return diffs;
}

bool matches(const DocumentedDifference &doc, const QString &file, const Difference &d)
{
    if (file != QLatin1String(doc.file) || d.field != QLatin1String(doc.field))
        return false;
    if (d.field == QLatin1String("pipeline")) {
        // "ok" means the tool listed the jobs; anything else is a piece of its reason for failing.
        const auto has = [](const QString &outcome, const char *want) {
            return qstrcmp(want, "ok") == 0 ? outcome == QLatin1String("ok") : outcome.contains(QLatin1String(want));
        };
        return has(d.ours, doc.ours) && has(d.theirs, doc.theirs);
    }
    return d.job == QLatin1String(doc.job) && d.ours == QLatin1String(doc.ours) &&
           d.theirs == QLatin1String(doc.theirs);
}

/// At most a dozen lines of a tool's stderr, indented under the difference.
QString excerpt(const QString &text)
{
    QStringList lines = text.split(u'\n');
    if (lines.size() > 12)
        lines = lines.mid(0, 12) << QStringLiteral("...");
    return lines.join(QStringLiteral("\n      "));
}

QString describe(const Difference &d)
{
    if (d.field == QLatin1String("pipeline"))
        return QStringLiteral("whole file:\n    trainyard: %1\n    gitlab-ci-local: %2")
            .arg(excerpt(d.ours), excerpt(d.theirs));
    return QStringLiteral("job '%1' %2: trainyard %3, gitlab-ci-local %4").arg(d.job, d.field, d.ours, d.theirs);
}

/// Copies the files under from into to, keeping relative paths (hidden ones too: .gitlab/...).
bool copyTree(const QString &from, const QString &to)
{
    const QDir source(from);
    for (const QFileInfo &info :
         source.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name)) {
        const QString target = to + u'/' + info.fileName();
        if (info.isDir()) {
            if (!QDir().mkpath(target) || !copyTree(info.filePath(), target))
                return false;
        } else if (!QFile::copy(info.filePath(), target)) {
            return false;
        }
    }
    return true;
}

} // namespace

class tst_GitlabCiLocal final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void compare_data();
    void compare();
    void cleanupTestCase();

private:
    /// A clean environment: nothing from the user's home, the CI job running us, or the network.
    QProcessEnvironment environment() const;
    bool git(const QString &dir, const QStringList &args) const;
    bool stage(Case &c) const;
    void runTrainyard(Case &c) const;
    /// Runs gitlab-ci-local in every staged case, a few at a time.
    void runGitlabCiLocal(std::vector<Case> &cases) const;
    Outcome readGitlabCiLocal(const Case &c, int exitCode, bool crashed) const;

    QString m_gitlabCiLocal;
    QTemporaryDir m_work;
    std::vector<Case> m_cases;
    int m_agree = 0;
    int m_documentedFiles = 0;
    int m_documentedDifferences = 0;
    int m_failed = 0;
    int m_bothReject = 0; ///< of m_agree: files neither tool can list (mostly includes not available offline)
};

QProcessEnvironment tst_GitlabCiLocal::environment() const
{
    QProcessEnvironment env;
    const QProcessEnvironment system = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PATH"), system.value(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin")));
    env.insert(QStringLiteral("HOME"), m_work.filePath(QStringLiteral("home")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_work.filePath(QStringLiteral("home/.config")));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    // Remote, template and project includes must fail the same way with or without a network:
    // HTTP(S) goes to a closed port and `git archive --remote=ssh://…` cannot start ssh.
    for (const char *proxy : {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"})
        env.insert(QString::fromLatin1(proxy), QStringLiteral("http://127.0.0.1:9"));
    env.insert(QStringLiteral("GIT_SSH_COMMAND"), QStringLiteral("false"));
    return env;
}

bool tst_GitlabCiLocal::git(const QString &dir, const QStringList &args) const
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.setProcessEnvironment(environment());
    const QStringList config{QStringLiteral("-c"), QStringLiteral("user.name=t"),
                             QStringLiteral("-c"), QStringLiteral("user.email=t@t"),
                             QStringLiteral("-c"), QStringLiteral("commit.gpgsign=false"),
                             QStringLiteral("-c"), QStringLiteral("core.autocrlf=false")};
    process.start(QStringLiteral("git"), config + args);
    if (!process.waitForFinished(60'000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        qWarning().noquote() << "git" << args.join(u' ') << "failed in" << dir << ':' << process.errorString()
                             << process.readAllStandardError();
        return false;
    }
    return true;
}

bool tst_GitlabCiLocal::stage(Case &c) const
{
    const QString data = QStringLiteral(TRAINYARD_TEST_DATA "/gitlab-ci/");
    c.repo = m_work.filePath(c.name);
    // rules:changes in gitlab-ci-local needs a base: origin/main at an empty first commit.
    return QDir().mkpath(c.repo) &&
           git(c.repo, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")}) &&
           git(c.repo, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
                        QStringLiteral("-m"), QStringLiteral("base")}) &&
           git(c.repo,
               {QStringLiteral("update-ref"), QStringLiteral("refs/remotes/origin/main"), QStringLiteral("HEAD")}) &&
           QFile::copy(data + c.name + QStringLiteral(".gitlab-ci.yml"), c.repo + QStringLiteral("/.gitlab-ci.yml")) &&
           (!QFileInfo(data + c.name + QStringLiteral(".include")).isDir() ||
            copyTree(data + c.name + QStringLiteral(".include"), c.repo)) &&
           git(c.repo, {QStringLiteral("add"), QStringLiteral("-A")}) &&
           git(c.repo, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("ci")});
}

void tst_GitlabCiLocal::runTrainyard(Case &c) const
{
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(QStringLiteral(TRAINYARD_EXE),
                  {QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("-C"), c.repo});
    const bool finished = process.waitForFinished(120'000);
    c.ours.detail = QString::fromUtf8(process.readAllStandardError()).trimmed();
    if (!finished || process.exitStatus() != QProcess::NormalExit) {
        c.ours.summary = QStringLiteral("crashed or timed out: ") + process.errorString();
        return;
    }
    if (process.exitCode() != 0) {
        // The reason: workflow:rules, else the first error (warnings about offline includes come first).
        const qsizetype at = c.ours.detail.indexOf(QLatin1String("no pipeline would be created"));
        const QStringList lines = c.ours.detail.split(u'\n');
        const auto error = std::find_if(lines.begin(), lines.end(),
                                        [](const QString &l) { return l.contains(QLatin1String(": error: ")); });
        c.ours.summary = at >= 0 ? QStringLiteral("no pipeline: ") + c.ours.detail.mid(at).section(u'\n', 0, 0)
                                 : QStringLiteral("invalid: ") + (error != lines.end() ? *error : lines.value(0));
        return;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(process.readAllStandardOutput(), &error);
    if (!doc.isArray()) {
        c.ours.summary = QStringLiteral("unreadable JSON: ") + error.errorString();
        return;
    }
    c.ours.ok = true;
    c.ours.summary = QStringLiteral("ok");
    c.ours.jobs = doc.array();
}

Outcome tst_GitlabCiLocal::readGitlabCiLocal(const Case &c, int exitCode, bool crashed) const
{
    Outcome out;
    QFile err(c.repo + QStringLiteral(".stderr"));
    if (err.open(QIODevice::ReadOnly))
        out.detail = QString::fromUtf8(err.readAll()).trimmed();
    if (crashed || exitCode != 0) {
        // The first line that says what went wrong, past the chatter about git remotes and timings.
        static const QStringList chatter{QStringLiteral("Using fallback"), QStringLiteral("Unable to retrieve default"),
                                         QStringLiteral("parsing and downloads"),
                                         QStringLiteral("json schema validated"),
                                         QStringLiteral("Invalid .gitlab-ci.yml configuration")};
        QString reason;
        for (const QString &line : out.detail.split(u'\n')) {
            const QString t = line.trimmed();
            if (t.isEmpty() ||
                std::any_of(chatter.begin(), chatter.end(), [&](const QString &p) { return t.contains(p); }))
                continue;
            reason = t;
            break;
        }
        out.summary = (crashed ? QStringLiteral("crashed or timed out: ") : QStringLiteral("error: ")) + reason;
        return out;
    }
    // stdout went to a file: through a pipe, node cuts --list-json off at 128 KiB when it exits.
    QFile file(c.repo + QStringLiteral(".stdout"));
    QByteArray text = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    // Warnings such as "WARN  The job: `x` will be no-op" come before the array.
    if (!text.startsWith('['))
        text = text.mid(text.indexOf("\n[") + 1);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (!doc.isArray()) {
        out.summary = QStringLiteral("unreadable JSON: ") + error.errorString();
        return out;
    }
    out.ok = true;
    out.summary = QStringLiteral("ok");
    out.jobs = doc.array();
    return out;
}

void tst_GitlabCiLocal::runGitlabCiLocal(std::vector<Case> &cases) const
{
    constexpr int kConcurrent = 2;
    constexpr int kTimeoutMs = 120'000;
    QEventLoop loop;
    size_t next = 0;
    int running = 0;
    std::function<void()> startNext = [&] {
        while (running < kConcurrent && next < cases.size()) {
            Case &c = cases[next++];
            auto *process = new QProcess(&loop);
            process->setWorkingDirectory(c.repo);
            process->setProcessEnvironment(environment());
            process->setStandardOutputFile(c.repo + QStringLiteral(".stdout"));
            process->setStandardErrorFile(c.repo + QStringLiteral(".stderr"));
            auto *timer = new QTimer(process);
            timer->setSingleShot(true);
            connect(timer, &QTimer::timeout, process, &QProcess::kill);
            Case *staged = &c;
            const auto done = [&, process, staged](Outcome outcome) {
                staged->theirs = std::move(outcome);
                process->deleteLater();
                --running;
                startNext();
                if (running == 0)
                    loop.quit();
            };
            connect(process, &QProcess::finished, &loop, [=, this](int exitCode, QProcess::ExitStatus status) {
                done(readGitlabCiLocal(*staged, exitCode, status != QProcess::NormalExit));
            });
            connect(process, &QProcess::errorOccurred, &loop, [=](QProcess::ProcessError e) {
                if (e == QProcess::FailedToStart)
                    done({false, QStringLiteral("could not start gitlab-ci-local: ") + process->errorString(), {}, {}});
            });
            ++running;
            process->start(m_gitlabCiLocal, {QStringLiteral("--list-json")});
            timer->start(kTimeoutMs);
        }
    };
    startNext();
    if (running > 0)
        loop.exec();
}

void tst_GitlabCiLocal::initTestCase()
{
    const QString howToInstall = QStringLiteral(
        "install it with `bash tests/conformance/install-gitlab-ci-local.sh build/gitlab-ci-local` (pinned versions "
        "that build on Node 18 and 20) or point GITLAB_CI_LOCAL at its executable; set TRAINYARD_SKIP_CONFORMANCE=1 to "
        "skip this test");
    m_gitlabCiLocal = qEnvironmentVariable("GITLAB_CI_LOCAL");
    if (m_gitlabCiLocal.isEmpty())
        m_gitlabCiLocal = QStringLiteral(TRAINYARD_BINARY_DIR "/gitlab-ci-local/node_modules/.bin/gitlab-ci-local");
    if (!QFileInfo(m_gitlabCiLocal).isExecutable()) {
        const QString message =
            QStringLiteral("gitlab-ci-local not found at %1: %2").arg(m_gitlabCiLocal, howToInstall);
        if (qEnvironmentVariable("TRAINYARD_SKIP_CONFORMANCE") == QLatin1String("1"))
            QSKIP(qPrintable(message));
        QFAIL(qPrintable(message));
    }
    QVERIFY(m_work.isValid());
    QVERIFY(QDir().mkpath(m_work.filePath(QStringLiteral("home/.config"))));

    QProcess version;
    version.setProcessEnvironment(environment());
    version.start(m_gitlabCiLocal, {QStringLiteral("--version")});
    QVERIFY2(version.waitForFinished(60'000) && version.exitCode() == 0,
             qPrintable(QStringLiteral("%1 --version failed (%2 %3): %4")
                            .arg(m_gitlabCiLocal, version.errorString(),
                                 QString::fromUtf8(version.readAllStandardError()), howToInstall)));
    const QString found = QString::fromUtf8(version.readAllStandardOutput()).trimmed();
    QVERIFY2(found == QLatin1String("4.60.1"),
             qPrintable(QStringLiteral("gitlab-ci-local %1 found, the documented differences are for 4.60.1: %2")
                            .arg(found, howToInstall)));

    const QDir data(QStringLiteral(TRAINYARD_TEST_DATA "/gitlab-ci"));
    const QStringList files = data.entryList({QStringLiteral("*.gitlab-ci.yml")}, QDir::Files, QDir::Name);
    QVERIFY2(!files.isEmpty(), "no cases in tests/data/gitlab-ci");
    for (const QString &file : files) {
        Case c;
        c.name = file.chopped(int(sizeof(".gitlab-ci.yml") - 1));
        QVERIFY2(stage(c), qPrintable(QStringLiteral("could not stage ") + c.name));
        m_cases.push_back(std::move(c));
    }

    QElapsedTimer timer;
    timer.start();
    runGitlabCiLocal(m_cases);
    for (Case &c : m_cases)
        runTrainyard(c);
    qInfo("ran gitlab-ci-local and trainyard on %d files in %.1f s", int(m_cases.size()), timer.elapsed() / 1000.0);
}

void tst_GitlabCiLocal::compare_data()
{
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < m_cases.size(); ++i)
        QTest::newRow(qPrintable(m_cases[i].name)) << int(i);
}

void tst_GitlabCiLocal::compare()
{
    QFETCH(int, index);
    const Case &c = m_cases.at(size_t(index));

    QList<Difference> diffs;
    if (!c.ours.ok && !c.theirs.ok) {
        ++m_bothReject;
        qInfo().noquote() << c.name << "both reject it: trainyard" << c.ours.summary << "| gitlab-ci-local"
                          << c.theirs.summary;
    } else if (c.ours.ok != c.theirs.ok) {
        diffs.push_back({QStringLiteral("*"), QStringLiteral("pipeline"),
                         c.ours.ok ? c.ours.summary : c.ours.summary + u'\n' + c.ours.detail,
                         c.theirs.ok ? c.theirs.summary : c.theirs.summary + u'\n' + c.theirs.detail});
    } else {
        diffs = compareJobs(c.ours.jobs, c.theirs.jobs);
    }

    QStringList documented;
    QStringList unexplained;
    QList<const DocumentedDifference *> used;
    for (const Difference &d : std::as_const(diffs)) {
        const auto it = std::find_if(std::begin(kDocumented), std::end(kDocumented),
                                     [&](const DocumentedDifference &doc) { return matches(doc, c.name, d); });
        if (it == std::end(kDocumented)) {
            unexplained << describe(d);
            continue;
        }
        used << it;
        documented << describe({d.job, d.field, d.ours.section(u'\n', 0, 0), d.theirs.section(u'\n', 0, 0)}) +
                          QStringLiteral("\n      GitLab: ") + QLatin1String(it->rule);
    }
    // A table entry that no longer happens is stale: the table must stay precise.
    for (const DocumentedDifference &doc : kDocumented) {
        if (c.name == QLatin1String(doc.file) && !used.contains(&doc))
            unexplained << QStringLiteral("documented difference no longer seen, remove it from the table: %1 %2: "
                                          "trainyard %3, gitlab-ci-local %4")
                               .arg(QLatin1String(doc.job), QLatin1String(doc.field), QLatin1String(doc.ours),
                                    QLatin1String(doc.theirs));
    }

    for (const QString &line : std::as_const(documented))
        qInfo().noquote() << c.name << "documented difference:" << line;
    if (!unexplained.isEmpty()) {
        ++m_failed;
        QFAIL(qPrintable(QStringLiteral("%1 differs from gitlab-ci-local where no GitLab rule explains it:\n  %2")
                             .arg(c.name, unexplained.join(QStringLiteral("\n  ")))));
    }
    if (documented.isEmpty()) {
        ++m_agree;
    } else {
        ++m_documentedFiles;
        m_documentedDifferences += int(documented.size());
    }
}

void tst_GitlabCiLocal::cleanupTestCase()
{
    if (m_cases.empty())
        return;
    qInfo("conformance: %d files agree exactly, %d differ only where documented (%d documented differences), "
          "%d failed",
          m_agree, m_documentedFiles, m_documentedDifferences, m_failed);
    qInfo("conformance: of the %d that agree, %d are rejected by both tools and %d list the same jobs", m_agree,
          m_bothReject, m_agree - m_bothReject);
    QCOMPARE(m_failed, 0);
}

QTEST_GUILESS_MAIN(tst_GitlabCiLocal)
#include "tst_gitlabcilocal.moc"
