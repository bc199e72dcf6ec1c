// trainyard: with a subcommand it runs headless on QCoreApplication (no display needed);
// with none (or `open DIR`) it opens the workbench window.
#include "applicationidentity.h"
#include "commands/command.h"
#include "window/windowmain.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>

#include <cstdio>

using namespace trainyard;

namespace {

QString topLevelHelp()
{
    QString text = QStringLiteral("Usage: trainyard [SUBCOMMAND] [options]\n"
                                  "Trainyard: a workbench for ML training pipelines written as .gitlab-ci.yml.\n"
                                  "Without a subcommand, opens the workbench window.\n\n"
                                  "Subcommands:\n");
    for (const auto &c : app::commands())
        text += QStringLiteral("  %1  %2\n")
                    .arg(c.name, -10)
                    .arg(c.brief.isEmpty() ? c.summary.section(u'\n', 0, 0) : c.brief);
    const app::Command open = app::openCommand({});
    text += QStringLiteral("  %1  %2\n").arg(open.name, -10).arg(open.brief);
    text += QStringLiteral("\nOptions:\n  -h, --help     Show this help.\n  -v, --version  Show the version.\n\n"
                           "Run 'trainyard SUBCOMMAND --help' for a subcommand's options.\n");
    return text;
}

// The window lives in its own module, loaded here: the subcommands start without Qt's GUI
// libraries.
int runGui(int argc, char **argv, const QString &projectDir, const app::OpenRequest &open = {})
{
    QString error;
    const app::WindowMain windowMain = app::loadWindowMain(error);
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
    const bool isSubcommand = std::any_of(app::commands().cbegin(), app::commands().cend(),
                                          [&](const app::Command &c) { return c.name == first; });
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
    for (const auto &command : app::commands()) {
        if (command.name == first)
            return app::executeCommand(command, QStringList{args[0]} + args.mid(2));
    }
    std::fprintf(stderr, "trainyard: unknown subcommand or option '%s'\n\n%s", qPrintable(first),
                 qPrintable(topLevelHelp()));
    return 2;
}
