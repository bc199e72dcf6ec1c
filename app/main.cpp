// trainyard: with a subcommand it runs headless on QCoreApplication (no display needed);
// with none (or `open DIR`) it opens the workbench window.
#include "applicationidentity.h"
#include "commands/command.h"
#include "commands/commandcatalog.h"
#include "modules/appmodule.h"
#include "window/windowmain.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>

using namespace trainyard;

namespace {

QString helpLine(const app::Command &c)
{
    return QStringLiteral("  %1  %2\n")
        .arg(c.name, -10)
        .arg(c.brief.isEmpty() ? c.summary.section(u'\n', 0, 0) : c.brief);
}

QString topLevelHelp()
{
    QString text = QStringLiteral("Usage: trainyard [SUBCOMMAND] [options]\n"
                                  "Trainyard: a workbench for ML training pipelines written as .gitlab-ci.yml.\n"
                                  "Without a subcommand, opens the workbench window.\n\n"
                                  "Subcommands:\n");
    QString error;
    if (const std::vector<app::Command> *all = app::allCommands(error)) {
        for (const app::Command &c : *all)
            text += helpLine(c);
    } else {
        for (const QString &name : app::commandNames()) {
            if (const app::Command *c = app::builtInCommand(name))
                text += helpLine(*c);
        }
        std::fprintf(stderr, "trainyard: only the built-in subcommands are listed: %s\n", qPrintable(error));
    }
    const app::Command open = app::openCommand({});
    text += helpLine(open);
    text += QStringLiteral("\nOptions:\n  -h, --help     Show this help.\n  -v, --version  Show the version.\n\n"
                           "Run 'trainyard SUBCOMMAND --help' for a subcommand's options.\n");
    return text;
}

// The window lives in its own module, loaded here: the subcommands start without Qt's GUI
// libraries.
int runGui(int argc, char **argv, const QString &projectDir, const app::OpenRequest &open = {})
{
    QString error;
    const auto windowMain = reinterpret_cast<app::WindowMain>(
        app::resolveModuleSymbol(app::kWindowModuleName, app::kWindowMainSymbol, error));
    if (!windowMain) {
        std::fprintf(stderr, "trainyard: cannot open the window: %s\n", qPrintable(error));
        return 1;
    }
    return windowMain(argc, argv, projectDir, open);
}

} // namespace

int main(int argc, char **argv)
{
    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (first.isEmpty())
        return runGui(argc, argv, {});
    if (first == QLatin1String("open")) {
        // Parsed before any application object: `--help` and a bad option need no display.
        QStringList args{QStringLiteral("trainyard")};
        for (int i = 2; i < argc; ++i)
            args << QString::fromLocal8Bit(argv[i]);
        const app::Command open = app::openCommand(
            [argc, argv](const app::OpenRequest &request) { return runGui(argc, argv, request.dir, request); });
        return app::executeCommand(open, args);
    }

    // A folder, or its .gitlab-ci.yml (a file manager's "Open with", the desktop entry's %F).
    const bool isSubcommand = app::commandNames().contains(first);
    if (const QFileInfo path(first); argc == 2 && !isSubcommand && !first.startsWith(u'-') && path.exists())
        return runGui(argc, argv, path.isDir() ? path.absoluteFilePath() : path.absolutePath());

    QCoreApplication app(argc, argv);
    app::setApplicationIdentity();
    const QStringList args = QCoreApplication::arguments();
    if (first == QLatin1String("-h") || first == QLatin1String("--help") || first == QLatin1String("help")) {
        std::fputs(qPrintable(topLevelHelp()), stdout);
        return 0;
    }
    if (first == QLatin1String("-v") || first == QLatin1String("--version")) {
        std::printf("trainyard %s\n", TRAINYARD_VERSION);
        return 0;
    }
    // scalars runs from the executable; the others from their modules (commandsmodule.h).
    if (isSubcommand) {
        QString error;
        const app::Command *command = app::findCommand(first, error);
        if (!command) {
            std::fprintf(stderr, "trainyard %s: %s\n", qPrintable(first), qPrintable(error));
            return 1;
        }
        return app::executeCommand(*command, QStringList{args[0]} + args.mid(2));
    }
    std::fprintf(stderr, "trainyard: unknown subcommand or option '%s'\n\n%s", qPrintable(first),
                 qPrintable(topLevelHelp()));
    return 2;
}
