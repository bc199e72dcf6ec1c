#include "commandcatalog.h"

#include "commandsmodule.h"
#include "modules/appmodule.h"

#include <algorithm>

namespace trainyard::app {

const QStringList &commandNames()
{
    static const QStringList names{
        QStringLiteral("validate"), QStringLiteral("list"),      QStringLiteral("run"),     QStringLiteral("gpus"),
        QStringLiteral("cluster"),  QStringLiteral("doctor"),    QStringLiteral("scalars"), QStringLiteral("runs"),
        QStringLiteral("annotate"), QStringLiteral("lineage"),   QStringLiteral("review"),  QStringLiteral("sbom"),
        QStringLiteral("scan"),     QStringLiteral("reproduce"), QStringLiteral("sync"),    QStringLiteral("store")};
    return names;
}

namespace {

const std::vector<Command> &builtInCommands()
{
    static const std::vector<Command> builtIn{validateCommand(), listCommand(), scalarsCommand()};
    return builtIn;
}

} // namespace

const Command *builtInCommand(const QString &name)
{
    const std::vector<Command> &builtIn = builtInCommands();
    const auto found = std::find_if(builtIn.cbegin(), builtIn.cend(), [&](const Command &c) { return c.name == name; });
    return found == builtIn.cend() ? nullptr : &*found;
}

const std::vector<Command> *allCommands(QString &error)
{
    static std::vector<Command> all;
    if (!all.empty())
        return &all;
    const auto moduleCommands =
        reinterpret_cast<ModuleCommands>(resolveModuleSymbol(kCommandsModuleName, kCommandsSymbol, error));
    if (!moduleCommands)
        return nullptr;
    const std::vector<Command> &loaded = *moduleCommands();
    // In commandNames()' order. A command missing there could not be run (`trainyard NAME` would
    // call it unknown): debug builds (every test's) stop.
    Q_ASSERT_X(builtInCommands().size() + loaded.size() == size_t(commandNames().size()), "allCommands",
               "the subcommands and commandNames() differ");
    for (const QString &name : commandNames()) {
        const auto found =
            std::find_if(loaded.cbegin(), loaded.cend(), [&](const Command &c) { return c.name == name; });
        if (found != loaded.cend())
            all.push_back(*found);
        else if (const Command *builtIn = builtInCommand(name))
            all.push_back(*builtIn);
    }
    return &all;
}

const Command *findCommand(const QString &name, QString &error)
{
    if (const Command *builtIn = builtInCommand(name))
        return builtIn;
    const std::vector<Command> *all = allCommands(error);
    if (!all)
        return nullptr;
    const auto found = std::find_if(all->cbegin(), all->cend(), [&](const Command &c) { return c.name == name; });
    if (found != all->cend())
        return &*found;
    error = QStringLiteral("no such subcommand");
    return nullptr;
}

} // namespace trainyard::app
