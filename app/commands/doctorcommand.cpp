#include "command.h"

#include "engine/environmentcheck.h"
#include "lineage/lineagestore.h"
#include "lineage/runrecordimport.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace trainyard::app {

using namespace trainyard::core;

Command doctorCommand()
{
    Command c;
    c.name = QStringLiteral("doctor");
    c.brief = QStringLiteral(
        "Check this machine for Trainyard (Docker, permissions, GPUs) and print the fix for what is missing.");
    c.summary = QStringLiteral("Check this machine for Trainyard: Docker engine and permission to use it, NVIDIA GPUs\n"
                               "and the NVIDIA container runtime; prints the fix for what is missing.\n"
                               "Exit status 0 when jobs can run in containers, 1 when something is missing.\n"
                               "--check-db checks every page of a project's lineage database instead (opening it\n"
                               "does not: it costs the same at 10 runs as at a million), exit status 1 when damaged;\n"
                               "--rebuild-db rebuilds a lost or damaged one.");
    c.addOptions = [](QCommandLineParser &p) {
        p.addOption(QCommandLineOption(QStringLiteral("json"),
                                       QStringLiteral("Print [{\"name\", \"state\", \"detail\", \"fix\"}] as JSON.")));
        p.addOption(
            QCommandLineOption(QStringLiteral("rebuild-db"),
                               QStringLiteral("Rebuild the project's lineage database, when it is empty or damaged,\n"
                                              "from the run records in .trainyard/runs/ (the old file is kept).")));
        p.addOption(QCommandLineOption(QStringLiteral("check-db"),
                                       QStringLiteral("Check all of the project's lineage database (PRAGMA "
                                                      "integrity_check).")));
        addProjectOption(p);
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        if (p.isSet(QStringLiteral("check-db"))) {
            const QString path = LineageStore::defaultPath(p.value(QStringLiteral("C")));
            if (!QFileInfo::exists(path)) {
                err << "trainyard doctor --check-db: " << path
                    << " does not exist: this project has no runs recorded\n";
                return int(ExitFailed);
            }
            LineageStore::Options options;
            options.integrity = LineageStore::IntegrityCheck::Full;
            options.recoverInterrupted = false; // a check marks no run
            QElapsedTimer timer;
            timer.start();
            auto store = LineageStore::open(path, options);
            if (!store) {
                err << "trainyard doctor --check-db: " << store.error().toString() << "\n";
                return int(ExitFailed);
            }
            if ((*store)->isDamaged()) {
                err << "trainyard doctor --check-db: " << (*store)->readOnlyReason() << "\n";
                return int(ExitFailed);
            }
            out << path << ": ok (integrity_check of " << QFileInfo(path).size() << " bytes in " << timer.elapsed()
                << " ms)\n";
            if ((*store)->isReadOnly()) // not damaged, but not writable here (permissions, a newer schema)
                out << "note: " << (*store)->readOnlyReason() << "\n";
            return int(ExitOk);
        }
        if (p.isSet(QStringLiteral("rebuild-db"))) {
            const QString project = p.value(QStringLiteral("C"));
            auto rebuilt = RunRecordImport::rebuildDatabase(project);
            if (!rebuilt) {
                err << "trainyard doctor --rebuild-db: " << rebuilt.error().toString() << "\n";
                return int(ExitFailed);
            }
            for (const QString &problem : rebuilt->report.problems)
                err << "warning: not imported: " << problem << "\n";
            out << "Rebuilt " << LineageStore::defaultPath(project) << ": " << rebuilt->report.imported
                << " run(s) from .trainyard/runs/";
            if (!rebuilt->keptAs.isEmpty())
                out << "; the old file is kept as " << rebuilt->keptAs;
            out << "\nSign-offs, data versions, reproductions and scalars were only in the old file: they are not "
                   "back.\n";
            return rebuilt->report.problems.isEmpty() ? int(ExitOk) : int(ExitFailed);
        }
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
            const QString mark = item.state == CheckItem::State::Ok          ? QStringLiteral("ok     ")
                                 : item.state == CheckItem::State::Warning   ? QStringLiteral("warning")
                                 : item.state == CheckItem::State::NotNeeded ? QStringLiteral("-      ")
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
