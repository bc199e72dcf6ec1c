// The window's team store: Settings ▸ Team store (what it refuses, what it saves, its Test), and
// TeamSync pushing a project's queued runs to a real PostgreSQL server, and again once it answers.
#include "compare/comparemodel.h"
#include "compare/compareview.h"
#include "lineageview/lineageview.h"
#include "runcontrol/teamsync.h"
#include "runs/runslist.h"
#include "settings/teamstoredialog.h"

#include "core/lineage/lineagesample.h"
#include "lineage/lineagestore.h"
#include "support/cli.h"
#include "support/demoproject.h"
#include "support/registryserver.h"
#include "support/scalarsproject.h"
#include "support/testserver.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <QTreeWidget>
#include <tuple>

using namespace trainyard;
using namespace trainyard::core;
using ui::TeamStoreDialog;
using ui::TeamSync;

namespace {

const QString kUnreachable = QStringLiteral("postgresql://nobody@127.0.0.1:1/lineage?connect_timeout=2");

QString hex64(char c)
{
    return QString(64, QLatin1Char(c));
}

/// Records a sample run `id` in the project `dir` (which queues it for the team).
bool recordRun(const QString &dir, const QString &id, char model)
{
    auto store = LineageStore::open(LineageStore::defaultPath(dir));
    if (!store)
        return false;
    test::writeSampleRun(**store, id, QString(40, u'a'), hex64('d'), hex64(model));
    return true;
}

size_t teamRuns()
{
    auto team = LineageStore::open(test::testServerUrl());
    return team ? (*team)->runs()->size() : 0;
}

/// On the team's store: a run of this project (ml/demo) from another machine ("ada on
/// elsewhere"), and one of another project (ml/other), with artifacts of their own.
bool teamRunsOfTwoProjects()
{
    auto team = LineageStore::open(test::testServerUrl());
    if (!team)
        return false;
    for (const auto &[id, project, model] :
         {std::tuple{QStringLiteral("20240501-120000-0001"), QStringLiteral("ml/demo"), '5'},
          std::tuple{QStringLiteral("20240501-120000-0002"), QStringLiteral("ml/other"), '6'}}) {
        test::writeSampleRun(**team, id, QString(40, u'a'), hex64('d'), hex64(model));
        auto run = (*team)->run(id);
        if (!run || !*run)
            return false;
        LineageRun changed = **run;
        changed.projectPath = project;
        if (!(*team)->recordRun(changed))
            return false;
    }
    return true;
}

} // namespace

class tst_TeamSync final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settings.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
        QCoreApplication::setOrganizationName(QStringLiteral("TrainyardTests"));
        qunsetenv("TRAINYARD_LINEAGE_URL");
        qunsetenv("TRAINYARD_REGISTRY");
    }
    void init()
    {
        test::emptyTestServer();
        TeamStoreDialog::save({});
    }
    void dialogRefusesSecretsAndSaves();
    void dialogTestsTheStore();
    void pushesAsRunsEndAndAgainOnceTheStoreAnswers();
    void lineageViewShowsTheTeamsRuns();
    void runsListShowsTheTeamsRuns();
    void compareViewShowsTheTeamsRuns();

private:
    QTemporaryDir m_settings;
};

void tst_TeamSync::dialogRefusesSecretsAndSaves()
{
    TeamStoreDialog dialog;
    QSignalSpy changed(&dialog, &TeamStoreDialog::changed);
    // A password would be kept in the settings file: refused, and not repeated.
    dialog.storeEdit()->setText(QStringLiteral("postgresql://ada:s3cr3t-pw@db.example.org/lineage"));
    QVERIFY(!dialog.apply());
    QVERIFY2(dialog.resultLabel()->text().contains(QStringLiteral("carries a password")),
             qPrintable(dialog.resultLabel()->text()));
    QVERIFY(!dialog.resultLabel()->text().contains(QStringLiteral("s3cr3t-pw")));
    for (const char *secret : {"postgresql://ada:s3cr3t#pw@db.example.org/lineage",
                               "postgresql://ada@db.example.org/lineage?sslpassword=s3cr3t-pw"}) {
        dialog.storeEdit()->setText(QString::fromLatin1(secret));
        QVERIFY(!dialog.apply());
        QVERIFY2(dialog.resultLabel()->text().contains(QStringLiteral("carries a password")), secret);
    }
    dialog.storeEdit()->setText(QStringLiteral("mysql://ada@db.example.org/lineage"));
    QVERIFY(!dialog.apply());
    QVERIFY(dialog.resultLabel()->text().contains(QStringLiteral("not a PostgreSQL URL")));
    dialog.storeEdit()->setText(QStringLiteral("postgresql://ada@db.example.org/lineage"));
    dialog.registryEdit()->setText(QStringLiteral("ada:pw@registry.example.org/ml/demo"));
    QVERIFY(!dialog.apply());
    QVERIFY(dialog.resultLabel()->text().contains(QStringLiteral("carries a login")));
    dialog.registryEdit()->setText(QStringLiteral("registry.example.org/ML"));
    QVERIFY(!dialog.apply());
    QVERIFY2(dialog.resultLabel()->text().contains(QStringLiteral("lower-case")),
             qPrintable(dialog.resultLabel()->text()));
    QCOMPARE(changed.count(), 0);
    QVERIFY(TeamStoreDialog::saved().storeUrl.isEmpty());

    dialog.registryEdit()->setText(QStringLiteral("registry.example.org/ml/demo"));
    QVERIFY(dialog.apply());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(TeamStoreDialog::saved().storeUrl, QStringLiteral("postgresql://ada@db.example.org/lineage"));
    QCOMPARE(TeamStoreDialog::saved().registryUrl, QStringLiteral("registry.example.org/ml/demo"));
    // The saved setting is where the window pushes, unless the environment says otherwise.
    QTemporaryDir project;
    QCOMPARE(TeamPush::configured(project.path(), TeamStoreDialog::saved()).storeUrl,
             QStringLiteral("postgresql://ada@db.example.org/lineage"));
    qputenv("TRAINYARD_LINEAGE_URL", "postgresql://env@db.example.org/lineage");
    QCOMPARE(TeamPush::configured(project.path(), TeamStoreDialog::saved()).storeUrl,
             QStringLiteral("postgresql://env@db.example.org/lineage"));
    qunsetenv("TRAINYARD_LINEAGE_URL");
    // A new dialog shows what was saved.
    TeamStoreDialog again;
    QCOMPARE(again.storeEdit()->text(), QStringLiteral("postgresql://ada@db.example.org/lineage"));
}

void tst_TeamSync::dialogTestsTheStore()
{
    TeamStoreDialog dialog;
    QSignalSpy tested(&dialog, &TeamStoreDialog::tested);
    dialog.storeEdit()->setText(test::testServerUrl());
    dialog.test();
    QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, 20000);
    QVERIFY2(tested.last().at(1).toBool(), qPrintable(tested.last().at(0).toString()));
    QVERIFY2(tested.last().at(0).toString().contains(QStringLiteral("answers: schema version")),
             qPrintable(tested.last().at(0).toString()));
    dialog.storeEdit()->setText(kUnreachable);
    dialog.test();
    QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 2, 20000);
    QVERIFY(!tested.last().at(1).toBool());
    QVERIFY2(dialog.resultLabel()->text().contains(QStringLiteral("127.0.0.1")),
             qPrintable(dialog.resultLabel()->text()));
}

void tst_TeamSync::pushesAsRunsEndAndAgainOnceTheStoreAnswers()
{
    QTemporaryDir project;
    TeamSync sync;
    QSignalSpy pushed(&sync, &TeamSync::pushed);
    QSignalSpy said(&sync, &TeamSync::message);
    sync.setProjectDir(project.path());

    // No team store set: nothing is asked, nothing said.
    QVERIFY(recordRun(project.path(), QStringLiteral("20240501-120000-0001"), '5'));
    sync.pushNow();
    QTRY_VERIFY_WITH_TIMEOUT(!sync.isPushing(), 10000);
    QCOMPARE(pushed.count(), 0);
    QCOMPARE(said.count(), 0);

    // The store cannot be reached: the run stays queued, the window says so and tries again.
    TeamStoreDialog::save({kUnreachable, {}});
    sync.setRetryInterval(60000);
    sync.pushNow();
    QTRY_COMPARE_WITH_TIMEOUT(pushed.count(), 1, 20000);
    QVERIFY(!pushed.last().at(0).value<TeamPush::Outcome>().ok);
    QVERIFY(said.last().at(1).toBool());
    QVERIFY2(said.last().at(0).toString().contains(QStringLiteral("1 run(s) stay queued")) &&
                 said.last().at(0).toString().contains(QStringLiteral("Trying again")),
             qPrintable(said.last().at(0).toString()));
    QVERIFY(sync.isRetryPending());

    // It answers (here: the setting is mended); the retry pushes what waited, with the next run.
    TeamStoreDialog::save({test::testServerUrl(), {}});
    QVERIFY(recordRun(project.path(), QStringLiteral("20240501-120000-0002"), '6'));
    sync.setRetryInterval(100); // the waiting retry, due sooner: nothing else asks for a push
    QTRY_COMPARE_WITH_TIMEOUT(pushed.count(), 2, 20000);
    const auto outcome = pushed.last().at(0).value<TeamPush::Outcome>();
    QVERIFY2(outcome.ok, qPrintable(outcome.problems.join(u'\n')));
    QCOMPARE(outcome.pushed, 2);
    QCOMPARE(teamRuns(), size_t(2));
    QVERIFY(!said.last().at(1).toBool());
    QVERIFY2(said.last().at(0).toString().contains(QStringLiteral("pushed 2 run(s)")),
             qPrintable(said.last().at(0).toString()));
    QVERIFY(!sync.isRetryPending());

    // Nothing waits: the next push asks nothing and says nothing.
    sync.pushNow();
    QTRY_VERIFY_WITH_TIMEOUT(!sync.isPushing(), 10000);
    QCOMPARE(pushed.count(), 2);
}

void tst_TeamSync::lineageViewShowsTheTeamsRuns()
{
    QVERIFY(teamRunsOfTwoProjects());
    QTemporaryDir project;
    test::shell(project.path(), QStringLiteral("git init -q -b main && git remote add origin "
                                               "https://gitlab.example.org/ml/demo.git"));
    ui::LineageView view;
    QSignalSpy checked(&view, &ui::LineageView::teamStoreChecked);
    view.setProjectDir(project.path());
    QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 1, 10000);
    QVERIFY(!checked.last().at(0).toBool()); // no team store set: the Team scope is off
    QVERIFY(!view.scopeBox()->isEnabled());
    QVERIFY(!view.setTeamScope(true));

    TeamStoreDialog::save({test::testServerUrl(), {}});
    view.checkTeamStore();
    QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 2, 10000);
    QVERIFY(view.scopeBox()->isEnabled());
    view.scopeBox()->setCurrentIndex(1); // Team
    QVERIFY(view.isTeamScope());
    QTRY_COMPARE_WITH_TIMEOUT(view.artifactList()->topLevelItemCount(), 1, 10000); // ml/other's run is not shown
    const QString heading = view.artifactList()->topLevelItem(0)->text(0);
    QVERIFY2(heading.contains(QStringLiteral("ada on elsewhere")), qPrintable(heading)); // who ran it, where
    QVERIFY2(view.statusLabel()->text().contains(QStringLiteral("in the team's store")),
             qPrintable(view.statusLabel()->text()));
    // The review of an artifact of that run, from the team's store.
    QSignalSpy shown(&view, &ui::LineageView::reviewShown);
    view.showArtifact(hex64('5'));
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    QCOMPARE(view.current()->provenance.artifact.runId, QStringLiteral("20240501-120000-0001"));

    // Back to the project's own store, which has recorded nothing.
    view.scopeBox()->setCurrentIndex(0);
    QVERIFY(!view.isTeamScope());
    QTRY_VERIFY_WITH_TIMEOUT(view.statusLabel()->text().contains(QStringLiteral("No lineage is recorded")), 10000);
    QCOMPARE(view.artifactList()->topLevelItemCount(), 0);
}

void tst_TeamSync::runsListShowsTheTeamsRuns()
{
    QVERIFY(teamRunsOfTwoProjects());
    QTemporaryDir project;
    test::shell(project.path(), QStringLiteral("git init -q -b main && git remote add origin "
                                               "https://gitlab.example.org/ml/demo.git"));
    QVERIFY(recordRun(project.path(), QStringLiteral("20240601-120000-0009"), '7')); // one of this machine's
    ui::RunsList list;
    QSignalSpy checked(&list, &ui::RunsList::teamStoreChecked);
    QSignalSpy refreshed(&list, &ui::RunsList::refreshed);
    list.setProjectDir(project.path());
    QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 1, 10000);
    QVERIFY(!list.scopeBox()->isEnabled()); // no team store set
    QTRY_COMPARE_WITH_TIMEOUT(list.tree()->topLevelItemCount(), 1, 10000);

    TeamStoreDialog::save({test::testServerUrl(), {}});
    list.checkTeamStore();
    QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 2, 10000);
    QVERIFY(list.scopeBox()->isEnabled());
    list.scopeBox()->setCurrentIndex(1);
    QVERIFY(list.isTeamScope());
    // The team's run of ml/demo, with who ran it and where; not ml/other's, not this machine's own.
    QTRY_VERIFY_WITH_TIMEOUT(
        list.tree()->topLevelItemCount() == 1 &&
            list.tree()->topLevelItem(0)->text(ui::RunsList::RunColumn).contains(QStringLiteral("ada on elsewhere")),
        10000);
    // Read only: logs, Compare, Reproduce and names need the run recorded here.
    std::unique_ptr<QMenu> menu(list.createContextMenu(list.tree()->topLevelItem(0), nullptr));
    for (const char *name : {"openLogs", "compareRuns", "reproduceRun", "annotateRun"}) {
        auto *action = menu->findChild<QAction *>(QLatin1String(name));
        QVERIFY2(action && !action->isEnabled(), name);
    }
    QVERIFY(menu->findChild<QAction *>(QStringLiteral("copyRunId"))->isEnabled());

    // Back to this machine's runs.
    list.scopeBox()->setCurrentIndex(0);
    QTRY_VERIFY_WITH_TIMEOUT(
        list.tree()->topLevelItemCount() == 1 &&
            !list.tree()->topLevelItem(0)->text(ui::RunsList::RunColumn).contains(QStringLiteral(" on ")),
        10000);
}

// Compare in Team scope on the clone of an engineer who ran nothing: the other engineer's run,
// its parameters from the team's store, its curves from the team's registry once one is set.
void tst_TeamSync::compareViewShowsTheTeamsRuns()
{
    QTemporaryDir tmp;
    QVERIFY(QDir().mkpath(tmp.filePath(QStringLiteral("docker")))); // no login of the tester's is read
    qputenv("DOCKER_CONFIG", QFile::encodeName(tmp.filePath(QStringLiteral("docker"))));
    test::RegistryServer registry(tmp.filePath(QStringLiteral("registry")));
    QVERIFY2(registry.error().isEmpty(), qPrintable(registry.error()));
    const QString prefix = registry.host() + QStringLiteral("/ml/demo");
    const QString a = tmp.filePath(QStringLiteral("a"));
    const QString b = tmp.filePath(QStringLiteral("b"));
    const QString remote = QStringLiteral("https://gitlab.example.org/ml/demo.git");
    QVERIFY(test::writeScalarsProject(a, remote));
    QVERIFY(test::writeScalarsProject(b, remote));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TRAINYARD_LINEAGE_URL"), test::testServerUrl());
    env.insert(QStringLiteral("TRAINYARD_REGISTRY"), prefix);
    const auto ran = test::runTrainyard(
        {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("shell"), QStringLiteral("-C"), a}, env);
    QVERIFY2(ran.exitCode == 0, qPrintable(ran.out + ran.err));

    ui::CompareView view;
    QSignalSpy checked(&view, &ui::CompareView::teamStoreChecked);
    QSignalSpy problems(&view, &ui::CompareView::problemFound);
    view.setProjectDir(b);
    QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 1, 10000);
    QVERIFY(!view.scopeBox()->isEnabled()); // no team store set
    QVERIFY(!view.setTeamScope(true));
    QTRY_VERIFY_WITH_TIMEOUT(!view.model()->isLoading(), 10000);
    QVERIFY(view.model()->runs().empty()); // B ran nothing

    // A team store but no registry: A's run is listed with its parameters; its curves cannot be had.
    TeamStoreDialog::save({test::testServerUrl(), {}});
    view.checkTeamStore();
    QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 2, 10000);
    QVERIFY(view.scopeBox()->isEnabled());
    view.scopeBox()->setCurrentIndex(1); // Team
    QVERIFY(view.isTeamScope());
    const auto problemSaid = [&](const QString &words) {
        for (const QList<QVariant> &args : std::as_const(problems)) {
            if (args.at(0).value<Error>().message.contains(words))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(view.model()->runs().size() == 1 && !view.model()->isLoading(), 20000);
    {
        const ui::CompareRun &run = view.model()->runs().front();
        QCOMPARE(run.group, ui::CompareModel::teamGroup());
        QVERIFY2(run.name.startsWith(QStringLiteral("#1 train (")) && run.name.contains(QStringLiteral(" on ")),
                 qPrintable(run.name));
        QVERIFY(run.recorded);
        QVERIFY(std::find(run.parameters.variables.cbegin(), run.parameters.variables.cend(),
                          std::pair{QStringLiteral("LEARNING_RATE"), QStringLiteral("0.05")}) !=
                run.parameters.variables.cend());
        QVERIFY(run.scalars && run.scalars->series.empty());
    }
    QVERIFY(problemSaid(QStringLiteral("set the team's registry")));
    QTRY_VERIFY_WITH_TIMEOUT(view.placeholderText().contains(QStringLiteral("team's registry")), 10000);

    // The registry set: the curve arrives, downloaded into B's artifact store.
    TeamStoreDialog::save({test::testServerUrl(), prefix});
    view.checkTeamStore();
    QTRY_COMPARE_WITH_TIMEOUT(checked.count(), 3, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(view.model()->runs().size() == 1 && view.model()->runs().front().scalars &&
                                 view.model()->runs().front().scalars->series.count(QStringLiteral("loss")),
                             20000);
    QCOMPARE(view.model()->runs().front().scalars->series.at(QStringLiteral("loss")).size(), qsizetype(5));
    QTRY_VERIFY_WITH_TIMEOUT(view.shownTags().contains(QStringLiteral("loss")), 10000);

    // Back to this machine's runs: none.
    view.scopeBox()->setCurrentIndex(0);
    QVERIFY(!view.isTeamScope());
    QTRY_VERIFY_WITH_TIMEOUT(!view.model()->isLoading(), 10000);
    QVERIFY(view.model()->runs().empty());
    qunsetenv("DOCKER_CONFIG");
}

QTEST_MAIN(tst_TeamSync)
#include "tst_teamsync.moc"
