#pragma once

// Test support: a shell-engine project whose `train` job writes TensorBoard scalars (an event
// file of its own, committed with the project) and collects them, for the team's Compare scope.

#include "support/demoproject.h"
#include "support/eventfilewriter.h"
#include "support/files.h"

#include <QFile>
#include <QString>

namespace trainyard::test {

/// The loss values the `train` job writes: steps 0…count-1, value = step * 10.
inline QByteArray lossEvents(int count)
{
    QList<QByteArray> payloads{fileVersionEvent(1000)};
    for (int step = 0; step < count; ++step)
        payloads.append(summaryEvent(1000 + step, step, {simpleValue("loss", float(step * 10))}));
    return records(payloads);
}

/// Writes the project into `dir` (its train job writes `points` loss values to
/// logs/events.out.tfevents.1.a and collects logs/), commits it on main with `remote` as "origin".
/// False when the repository was not made.
inline bool writeScalarsProject(const QString &dir, const QString &remote, int points = 5)
{
    writeFile(dir + QStringLiteral("/.gitlab-ci.yml"), ".trainyard:\n"
                                                       "  jobs:\n"
                                                       "    train:\n"
                                                       "      tensorboard: logs\n"
                                                       "stages: [train]\n"
                                                       "train:\n"
                                                       "  stage: train\n"
                                                       "  variables:\n"
                                                       "    LEARNING_RATE: \"0.05\"\n"
                                                       "  script:\n"
                                                       "    - mkdir -p logs\n"
                                                       "    - cp events.bin logs/events.out.tfevents.1.a\n"
                                                       "  artifacts:\n"
                                                       "    paths: [logs/]\n");
    writeFile(dir + QStringLiteral("/.gitignore"), ".trainyard/\n");
    writeFile(dir + QStringLiteral("/events.bin"), lossEvents(points));
    shell(dir, QStringLiteral("git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm "
                              "init && git remote add origin '%1'")
                   .arg(remote));
    return QFile::exists(dir + QStringLiteral("/.git"));
}

} // namespace trainyard::test
