#include "command.h"

#include "engine/environmentcheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace trainyard::app {

using namespace trainyard::core;

Command doctorCommand()
{
    Command c;
    c.name = QStringLiteral("doctor");
    c.brief = QStringLiteral("Check this machine for Trainyard (Docker, permissions, GPUs) and print the fix for what is missing.");
    c.summary = QStringLiteral("Check this machine for Trainyard: Docker engine and permission to use it, NVIDIA GPUs\n"
                               "and the NVIDIA container runtime; prints the fix for what is missing.\n"
                               "Exit status 0 when jobs can run in containers, 1 when something is missing.");
    c.addOptions = [](QCommandLineParser &p) {
        p.addOption(QCommandLineOption(QStringLiteral("json"),
                                       QStringLiteral("Print [{\"name\", \"state\", \"detail\", \"fix\"}] as JSON.")));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &) {
        const std::vector<CheckItem> items = EnvironmentCheck::run();
        bool missing = false;
        for (const CheckItem &item : items)
            missing = missing || item.state == CheckItem::State::Missing;
        if (p.isSet(QStringLiteral("json"))) {
            QJsonArray array;
            for (const CheckItem &item : items) {
                array.append(QJsonObject{{QStringLiteral("name"), item.name},
                                         {QStringLiteral("state"), EnvironmentCheck::stateText(item.state)},
                                         {QStringLiteral("detail"), item.detail},
                                         {QStringLiteral("fix"), item.fix}});
            }
            out << QJsonDocument(array).toJson(QJsonDocument::Indented);
            return missing ? int(ExitFailed) : int(ExitOk);
        }
        for (const CheckItem &item : items) {
            const QString mark = item.state == CheckItem::State::Ok        ? QStringLiteral("ok     ")
                                 : item.state == CheckItem::State::Warning ? QStringLiteral("warning")
                                                                           : QStringLiteral("MISSING");
            out << mark << "  " << item.name << ": " << item.detail << '\n';
            if (!item.fix.isEmpty())
                out << "           fix: " << item.fix << '\n';
        }
        return missing ? int(ExitFailed) : int(ExitOk);
    };
    return c;
}

} // namespace trainyard::app
