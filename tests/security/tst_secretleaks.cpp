// Adversarial: secrets that try to leak (hardening issue, H2). A key of several lines (PEM, a JSON
// key file) comes from the environment; the job prints it every way it can. No line of it may
// reach the console, the job's log file or the lineage database. A value that cannot be masked
// refuses the run instead of printing it.
#include "support/cli.h"
#include "support/files.h"

#include <QDir>
#include <QDirIterator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::test;

namespace {

#ifdef TRAINYARD_SECURITY_DOCKER
constexpr bool kDocker = true;
#else
constexpr bool kDocker = false;
#endif

const QString kPem = QStringLiteral("-----BEGIN PRIVATE KEY-----\n"
                                    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
                                    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n"
                                    "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\n"
                                    "-----END PRIVATE KEY-----\n");
const QString kJson = QStringLiteral("{\n"
                                     "  \"type\": \"service_account\",\n"
                                     "  \"private_key_id\": \"5f0c3e9a7d1b4c2e8f6a\",\n"
                                     "  \"client_email\": \"trainer@example-project.iam.example.com\"\n"
                                     "}\n");

/// The lines of a secret that say something of it (what must never be printed).
QStringList secretLines(const QString &value)
{
    QStringList out;
    for (const QString &line : value.split(u'\n'))
        if (line.trimmed().size() >= 4)
            out << line.trimmed();
    return out;
}

/// Every file under `dir`, read whole.
QByteArray everything(const QString &dir)
{
    QByteArray all;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}

} // namespace

class tst_SecretLeaks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void multiLineSecretsNeverShow();
    void unmaskableValueRefusesTheRun();
    void shortSecretIsWarnedAbout();
    void secretsFileThroughALinkIsRefused();
    void secretsExpandInVariablesAndRules();

private:
    bool makeProject(const QString &dir, const QByteArray &secrets, const QStringList &script);
    QProcessEnvironment env() const;
    QStringList runArgs(const QString &project) const;

    std::unique_ptr<QTemporaryDir> m_tmp;
};

void tst_SecretLeaks::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
}

QProcessEnvironment tst_SecretLeaks::env() const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("XDG_CONFIG_HOME"), m_tmp->filePath(QStringLiteral("config")));
    e.insert(QStringLiteral("DEPLOY_KEY"), kPem);
    e.insert(QStringLiteral("SA_JSON"), kJson);
    return e;
}

QStringList tst_SecretLeaks::runArgs(const QString &project) const
{
    QStringList args{QStringLiteral("run"), QStringLiteral("-C"), project};
    if (!kDocker)
        args << QStringLiteral("--engine") << QStringLiteral("shell");
    return args;
}

bool tst_SecretLeaks::makeProject(const QString &dir, const QByteArray &secrets, const QStringList &script)
{
    QByteArray yaml = "stages: [deploy]\n"
                      ".trainyard:\n"
                      "  secrets: [" +
                      secrets + "]\n";
    if (kDocker) {
        // A shell image built by the run itself, offline: FROM scratch and a static busybox.
        yaml += "  images:\n    trainyard-test/secrets-busybox:1:\n      context: image\n";
        if (!QDir().mkpath(dir + QStringLiteral("/image")) ||
            !QFile::copy(QStringLiteral("/bin/busybox"), dir + QStringLiteral("/image/busybox")))
            return false;
        if (!writeFile(
                dir + QStringLiteral("/image/Dockerfile"),
                "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"))
            return false;
    }
    yaml += "deploy:\n  stage: deploy\n  image: trainyard-test/secrets-busybox:1\n  script:\n";
    for (const QString &line : script)
        yaml += "    - '" + line.toUtf8().replace('\'', "''") + "'\n";
    return writeFile(dir + QStringLiteral("/.gitlab-ci.yml"), yaml) && commitAll(dir);
}

void tst_SecretLeaks::multiLineSecretsNeverShow()
{
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    QVERIFY(makeProject(project, "DEPLOY_KEY, SA_JSON",
                        {QStringLiteral("echo \"$DEPLOY_KEY\""), QStringLiteral("echo \"$SA_JSON\" >&2"),
                         QStringLiteral("printf '%s' \"$DEPLOY_KEY\" | tr '\\n' ' '; echo"),
                         QStringLiteral("echo \"key=$SA_JSON\" | sed 's/^/  > /'")}));
    const CliResult run = runTrainyard(runArgs(project), env());
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY2(run.out.contains(QLatin1String("[MASKED]")), qPrintable(run.out));

    const QByteArray logs = everything(project + QStringLiteral("/.trainyard/logs"));
    QVERIFY(logs.contains("[MASKED]"));
    const QByteArray database = everything(project + QStringLiteral("/.trainyard")); // lineage.db and its WAL, records
    for (const QString &line : secretLines(kPem) + secretLines(kJson)) {
        if (line.startsWith(u'-') || line.startsWith(u'{')) // BEGIN/END markers and braces say nothing of the key
            continue;
        QVERIFY2(!run.out.contains(line), qPrintable(QStringLiteral("console shows: ") + line));
        QVERIFY2(!run.err.contains(line), qPrintable(QStringLiteral("console (stderr) shows: ") + line));
        QVERIFY2(!logs.contains(line.toUtf8()), qPrintable(QStringLiteral("log file holds: ") + line));
        QVERIFY2(!database.contains(line.toUtf8()), qPrintable(QStringLiteral(".trainyard/ holds: ") + line));
    }
}

void tst_SecretLeaks::unmaskableValueRefusesTheRun()
{
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    QVERIFY(makeProject(project, "TOKEN", {QStringLiteral("echo \"$TOKEN\"")}));
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("TOKEN"), QStringLiteral("first-part-of-the-token\nXy7\nlast-part-of-the-token"));
    const CliResult run = runTrainyard(runArgs(project), e);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("secret variable TOKEN cannot be masked safely: line 2 of its 3 lines")),
             qPrintable(run.err));
    QVERIFY(!run.out.contains(QLatin1String("Xy7")) && !run.err.contains(QLatin1String("Xy7")));
    QVERIFY(!run.err.contains(QLatin1String("first-part")));
    QVERIFY(!QFileInfo::exists(project + QStringLiteral("/.trainyard/logs")));
}

void tst_SecretLeaks::shortSecretIsWarnedAbout()
{
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    QVERIFY(makeProject(project, "PIN", {QStringLiteral("true")}));
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("PIN"), QStringLiteral("042"));
    const CliResult run = runTrainyard(runArgs(project), e);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(
        run.err.contains(QLatin1String("warning: secret variable PIN is not masked: it is shorter than 4 characters")),
        qPrintable(run.err));
    QVERIFY(!run.err.contains(QLatin1String("042")));
}

void tst_SecretLeaks::secretsFileThroughALinkIsRefused()
{
    // A repository that carries .trainyard/secrets.env as a link would read any file of the user's.
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    QVERIFY(makeProject(project, "", {QStringLiteral("env")}));
    QVERIFY(writeFile(m_tmp->filePath(QStringLiteral("elsewhere.env")), "STOLEN=from-elsewhere\n"));
    QVERIFY(QDir().mkpath(project + QStringLiteral("/.trainyard")));
    QVERIFY(QFile::link(m_tmp->filePath(QStringLiteral("elsewhere.env")),
                        project + QStringLiteral("/.trainyard/secrets.env")));
    const CliResult run = runTrainyard(runArgs(project), env());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("secrets.env is a symbolic link")), qPrintable(run.err));
    QVERIFY(!run.out.contains(QLatin1String("from-elsewhere")));
}

// The hardening issue: secrets in `variables:` and `rules:` expanded to empty, so the pipeline
// behaved unlike GitLab, where they are the project's CI/CD variables. Now they expand, masked
// wherever printed.
void tst_SecretLeaks::secretsExpandInVariablesAndRules()
{
    const QString project = m_tmp->filePath(QStringLiteral("project"));
    QByteArray yaml = "variables:\n  AUTH: \"Bearer $TOKEN\"\n"
                      ".trainyard:\n  secrets: [API_KEY]\n";
    if (kDocker)
        yaml += "  images:\n    trainyard-test/secrets-busybox:1:\n      context: image\n"
                "default:\n  image: trainyard-test/secrets-busybox:1\n";
    yaml += "deploy:\n  rules:\n    - if: $API_KEY == \"k-123456\"\n  script: ['echo \"auth=$AUTH\"']\n"
            "never:\n  rules:\n    - if: $TOKEN == \"wrong\"\n  script: [echo never-ran]\n";
    QVERIFY(writeFile(project + QStringLiteral("/.gitlab-ci.yml"), yaml));
    if (kDocker) {
        QVERIFY(QDir().mkpath(project + QStringLiteral("/image")));
        QVERIFY(QFile::copy(QStringLiteral("/bin/busybox"), project + QStringLiteral("/image/busybox")));
        QVERIFY(writeFile(
            project + QStringLiteral("/image/Dockerfile"),
            "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"));
    }
    QVERIFY(writeFile(project + QStringLiteral("/.gitignore"), ".trainyard/\n"));
    QVERIFY(commitAll(project));
    QVERIFY(writeFile(project + QStringLiteral("/.trainyard/secrets.env"), "TOKEN=abcd1234\n"));
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("API_KEY"), QStringLiteral("k-123456"));

    const CliResult list = runTrainyard({QStringLiteral("list"), QStringLiteral("-C"), project}, e);
    QCOMPARE(list.exitCode, 0);
    // deploy is created (its rule tests API_KEY); never is not (TOKEN is not "wrong", not empty).
    QVERIFY2(list.out.contains(QRegularExpression(QStringLiteral("deploy +test +on_success"))) &&
                 list.out.contains(QRegularExpression(QStringLiteral("never +test +never"))),
             qPrintable(list.out));

    const CliResult run = runTrainyard(runArgs(project), e);
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY2(run.out.contains(QLatin1String("auth=Bearer [MASKED]")), qPrintable(run.out));
    QVERIFY(!run.out.contains(QLatin1String("never-ran")));
    QVERIFY(!run.out.contains(QLatin1String("abcd1234")) && !run.err.contains(QLatin1String("abcd1234")));
    QVERIFY(!everything(project + QStringLiteral("/.trainyard/logs")).contains("abcd1234"));
    QFile db(project + QStringLiteral("/.trainyard/lineage.db"));
    QVERIFY(db.open(QIODevice::ReadOnly));
    QVERIFY(!db.readAll().contains("abcd1234")); // the recorded AUTH is masked
    const CliResult lineage =
        runTrainyard({QStringLiteral("runs"), QStringLiteral("-C"), project, QStringLiteral("--json")}, e);
    QVERIFY(!lineage.out.contains(QLatin1String("abcd1234")));
}

QTEST_GUILESS_MAIN(tst_SecretLeaks)
#include "tst_secretleaks.moc"
