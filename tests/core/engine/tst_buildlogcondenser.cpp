// Docker's classic build output, as the Engine API streams it for the offline demo's image: a
// fully cached rebuild says so in one line; a real build streams every step's own output.
#include "engine/buildlogcondenser.h"

#include <QTest>

using namespace trainyard::core;

class tst_BuildLogCondenser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void condense_data();
    void condense();
};

void tst_BuildLogCondenser::condense_data()
{
    QTest::addColumn<QStringList>("input");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("ok");
    QTest::newRow("all cached")
        << QStringList{QStringLiteral("Step 1/4 : FROM scratch"),
                       QStringLiteral(" ---> "),
                       QStringLiteral("Step 2/4 : COPY busybox /bin/busybox"),
                       QStringLiteral(" ---> Using cache"),
                       QStringLiteral(" ---> 466c07295546"),
                       QStringLiteral("Step 3/4 : RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]"),
                       QStringLiteral(" ---> Using cache"),
                       QStringLiteral(" ---> 42c7533ae22f"),
                       QStringLiteral("Step 4/4 : WORKDIR /builds"),
                       QStringLiteral(" ---> Using cache"),
                       QStringLiteral(" ---> e3993471ba1e"),
                       QStringLiteral("Successfully built e3993471ba1e"),
                       QStringLiteral("Successfully tagged trainyard-demo/trainer:1")}
        << QStringList{QStringLiteral("Successfully built e3993471ba1e"),
                       QStringLiteral("Successfully tagged trainyard-demo/trainer:1"),
                       QStringLiteral("3 of 3 build step(s) came from the build cache")}
        << true;
    QTest::newRow("one step rebuilt") << QStringList{QStringLiteral("Step 1/3 : FROM scratch"),
                                                     QStringLiteral(" ---> "),
                                                     QStringLiteral("Step 2/3 : COPY trainer /usr/local/bin/trainer"),
                                                     QStringLiteral(" ---> 63f209afdbba"),
                                                     QStringLiteral("Step 3/3 : RUN make"),
                                                     QStringLiteral(" ---> Running in 0a1b2c3d4e5f"),
                                                     QStringLiteral("cc -o trainer trainer.c"),
                                                     QStringLiteral("Removing intermediate container 0a1b2c3d4e5f"),
                                                     QStringLiteral(" ---> 9f8e7d6c5b4a"),
                                                     QStringLiteral("Successfully built 9f8e7d6c5b4a")}
                                      << QStringList{QStringLiteral("Step 2/3 : COPY trainer /usr/local/bin/trainer"),
                                                     QStringLiteral(" ---> 63f209afdbba"),
                                                     QStringLiteral("Step 3/3 : RUN make"),
                                                     QStringLiteral(" ---> Running in 0a1b2c3d4e5f"),
                                                     QStringLiteral("cc -o trainer trainer.c"),
                                                     QStringLiteral("Removing intermediate container 0a1b2c3d4e5f"),
                                                     QStringLiteral(" ---> 9f8e7d6c5b4a"),
                                                     QStringLiteral("Successfully built 9f8e7d6c5b4a")}
                                      << true; // FROM is no build step: nothing came from the cache
    QTest::newRow("an error is never hidden")
        << QStringList{QStringLiteral("Step 1/2 : COPY missing /x"),
                       QStringLiteral("COPY failed: file not found in build context")}
        << QStringList{QStringLiteral("Step 1/2 : COPY missing /x"),
                       QStringLiteral("COPY failed: file not found in build context")}
        << true;
    // Docker sends a failure as an errorDetail message, not a stream line: the step it stopped in
    // is shown, and no cache summary.
    QTest::newRow("failed build") << QStringList{QStringLiteral("Step 1/3 : FROM scratch"),
                                                 QStringLiteral(" ---> "),
                                                 QStringLiteral("Step 2/3 : COPY busybox /bin/busybox"),
                                                 QStringLiteral(" ---> Using cache"),
                                                 QStringLiteral(" ---> 466c07295546"),
                                                 QStringLiteral("Step 3/3 : COPY missing /x")}
                                  << QStringList{QStringLiteral("Step 3/3 : COPY missing /x")} << false;
    QTest::newRow("not a classic build log")
        << QStringList{QStringLiteral("#1 [internal] load build definition")}
        << QStringList{QStringLiteral("#1 [internal] load build definition")} << true;
}

void tst_BuildLogCondenser::condense()
{
    QFETCH(QStringList, input);
    QFETCH(QStringList, expected);
    QFETCH(bool, ok);
    QStringList out;
    BuildLogCondenser c([&](const QString &line) { out << line; });
    for (const QString &line : input)
        c.addLine(line);
    c.finish(ok);
    QCOMPARE(out, expected);
}

QTEST_GUILESS_MAIN(tst_BuildLogCondenser)
#include "tst_buildlogcondenser.moc"
