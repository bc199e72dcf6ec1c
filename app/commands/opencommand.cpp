#include "command.h"

#include <QDir>

namespace trainyard::app {

Command openCommand(std::function<int(const OpenRequest &)> show)
{
    Command c;
    c.name = QStringLiteral("open");
    c.summary = QStringLiteral("Open the workbench window on a project.\n"
                               "The project is DIR, or -C DIR (default: the current folder).");
    c.brief = QStringLiteral("Open the window on a project: trainyard open [--run] [--view VIEW] [DIR]");
    c.arguments = QStringLiteral("[DIR]");
    c.addOptions = [](QCommandLineParser &p) {
        addProjectOption(p);
        p.addOption(
            QCommandLineOption(QStringLiteral("run"), QStringLiteral("Start the pipeline as soon as it is shown.")));
        p.addOption(QCommandLineOption(QStringLiteral("view"),
                                       QStringLiteral("Show the pipeline, compare or lineage view."),
                                       QStringLiteral("VIEW")));
        p.addOption(QCommandLineOption(QStringLiteral("artifact"),
                                       QStringLiteral("Show the lineage of an artifact (path, sha256 or file)."),
                                       QStringLiteral("PATH")));
        p.addOption(
            QCommandLineOption(QStringLiteral("review"), QStringLiteral("With --artifact: open its release review.")));
        p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Project directory (the same as -C DIR)."));
    };
    c.run = [show = std::move(show)](const QCommandLineParser &p, QTextStream &, QTextStream &err) {
        const auto refuse = [&err](const QString &why) {
            err << "trainyard open: " << why << "\nTry 'trainyard open --help'.\n";
            return int(ExitUsage);
        };
        OpenRequest request;
        const QStringList dirs = p.positionalArguments();
        if (dirs.size() > 1)
            return refuse(QStringLiteral("one project folder only"));
        if (!dirs.isEmpty() && p.isSet(QStringLiteral("C")))
            return refuse(QStringLiteral("give the project as DIR or as -C DIR, not both"));
        request.dir = dirs.isEmpty() ? p.value(QStringLiteral("C")) : dirs.front();
        request.run = p.isSet(QStringLiteral("run"));
        request.view = p.value(QStringLiteral("view"));
        request.artifact = p.value(QStringLiteral("artifact"));
        request.review = p.isSet(QStringLiteral("review"));
        if (p.isSet(QStringLiteral("view")) &&
            !QStringList{QStringLiteral("pipeline"), QStringLiteral("compare"), QStringLiteral("lineage")}.contains(
                request.view))
            return refuse(QStringLiteral("--view must be pipeline, compare or lineage, not '%1'").arg(request.view));
        if (request.review && request.artifact.isEmpty())
            return refuse(QStringLiteral("--review needs --artifact"));
        return show(request);
    };
    return c;
}

} // namespace trainyard::app
