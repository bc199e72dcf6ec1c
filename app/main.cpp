// trainyard: with a subcommand it runs headless on QCoreApplication (no display needed);
// with none (or `open DIR`) it opens the workbench window.
#include "commands/command.h"

#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>

#include <cstdio>

using namespace trainyard;

namespace {

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("trainyard"));
    QCoreApplication::setOrganizationName(QStringLiteral("Trainyard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRAINYARD_VERSION));
}

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
    text += QStringLiteral("  %1  %2\n")
                .arg(QStringLiteral("open"), -10)
                .arg(QStringLiteral("Open the window on a project: trainyard open [--run] [--view VIEW] [DIR]"));
    text += QStringLiteral("\nOptions:\n  -h, --help     Show this help.\n  -v, --version  Show the version.\n\n"
                           "Run 'trainyard SUBCOMMAND --help' for a subcommand's options.\n");
    return text;
}

struct OpenOptions
{
    bool run = false;
    QString view;     ///< pipeline, compare or lineage
    QString artifact; ///< show its lineage
    bool review = false;
};

int runGui(int argc, char **argv, const QString &projectDir, const OpenOptions &open = {})
{
    QApplication app(argc, argv);
    setIdentity();
    QGuiApplication::setDesktopFileName(QStringLiteral("org.trainyard.Trainyard"));
    ui::MainWindow window;
    window.show();
    // Once, when the pipeline is shown (it is read on a worker thread).
    QObject::connect(
        &window, &ui::MainWindow::projectShown, &window,
        [&window, open] {
            if (!open.view.isEmpty())
                window.showView(open.view);
            if (!open.artifact.isEmpty())
                window.showArtifactLineage(open.artifact, open.review);
            if (open.run)
                window.runPipeline();
        },
        Qt::SingleShotConnection);
    if (!projectDir.isEmpty())
        window.openProject(projectDir);
    return app.exec();
}

} // namespace

int main(int argc, char **argv)
{
    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (first.isEmpty())
        return runGui(argc, argv, {});
    if (first == QLatin1String("open")) {
        QString dir;
        OpenOptions open;
        QString usage;
        bool help = false;
        for (int i = 2; i < argc; ++i) {
            const QString arg = QString::fromLocal8Bit(argv[i]);
            auto value = [&]() -> QString {
                if (i + 1 >= argc) {
                    usage = QStringLiteral("%1 needs a value").arg(arg);
                    return {};
                }
                return QString::fromLocal8Bit(argv[++i]);
            };
            if (arg == QLatin1String("--help") || arg == QLatin1String("-h"))
                help = true;
            else if (arg == QLatin1String("--run"))
                open.run = true;
            else if (arg == QLatin1String("--view"))
                open.view = value();
            else if (arg == QLatin1String("--artifact"))
                open.artifact = value();
            else if (arg == QLatin1String("--review"))
                open.review = true;
            else if (arg.startsWith(u'-'))
                usage = QStringLiteral("unknown option %1").arg(arg);
            else if (!dir.isEmpty())
                usage = QStringLiteral("one project folder only");
            else
                dir = arg;
        }
        if (usage.isEmpty() && !open.view.isEmpty() &&
            !QStringList{QStringLiteral("pipeline"), QStringLiteral("compare"), QStringLiteral("lineage")}.contains(
                open.view))
            usage = QStringLiteral("--view must be pipeline, compare or lineage, not '%1'").arg(open.view);
        if (usage.isEmpty() && open.review && open.artifact.isEmpty())
            usage = QStringLiteral("--review needs --artifact");
        if (help || !usage.isEmpty()) {
            if (!usage.isEmpty())
                std::fprintf(stderr, "trainyard open: %s\n", qPrintable(usage));
            std::fputs("Usage: trainyard open [--run] [--view VIEW] [--artifact PATH [--review]] [DIR]\n"
                       "Opens the workbench window on the project in DIR (default: the current folder).\n"
                       "  --run              start the pipeline as soon as it is shown\n"
                       "  --view VIEW        show the pipeline, compare or lineage view\n"
                       "  --artifact PATH    show the lineage of an artifact (path, sha256 or file)\n"
                       "  --review           with --artifact: open its release review\n",
                       help ? stdout : stderr);
            return help ? 0 : 2;
        }
        return runGui(argc, argv, dir.isEmpty() ? QStringLiteral(".") : dir, open);
    }

    // A folder, or its .gitlab-ci.yml (a file manager's "Open with", the desktop entry's %F).
    const bool isSubcommand = std::any_of(app::commands().cbegin(), app::commands().cend(),
                                          [&](const app::Command &c) { return c.name == first; });
    if (const QFileInfo path(first); argc == 2 && !isSubcommand && !first.startsWith(u'-') && path.exists())
        return runGui(argc, argv, path.isDir() ? path.absoluteFilePath() : path.absolutePath());

    QCoreApplication app(argc, argv);
    setIdentity();
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
