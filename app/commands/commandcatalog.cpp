#include "commandcatalog.h"

#include "commandsmodule.h"
#include "modules/appmodule.h"

#include <algorithm>
#include <map>
#include <string>

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
    static const std::vector<Command> builtIn{scalarsCommand()};
    return builtIn;
}

/// The module that holds the subcommand `name`, which is not built in.
const char *moduleOf(const QString &name)
{
    return name == QLatin1String("validate") || name == QLatin1String("list") ? kPipelineCommandsModuleName
                                                                              : kCommandsModuleName;
}

/// The subcommands of one module, loaded on first use (and kept); nullptr, with the reason in
/// `error`, when it cannot be loaded.
const std::vector<Command> *moduleCommands(const char *module, QString &error)
{
    static std::map<std::string, const std::vector<Command> *> loaded;
    if (const auto it = loaded.find(module); it != loaded.end())
        return it->second;
    const auto entry = reinterpret_cast<ModuleCommands>(resolveModuleSymbol(module, kCommandsSymbol, error));
    if (!entry)
        return nullptr;
    return loaded[module] = entry();
}

const Command *named(const std::vector<Command> &commands, const QString &name)
{
    const auto found =
        std::find_if(commands.cbegin(), commands.cend(), [&](const Command &c) { return c.name == name; });
    return found == commands.cend() ? nullptr : &*found;
}

} // namespace

const Command *builtInCommand(const QString &name)
{
    return named(builtInCommands(), name);
}

const std::vector<Command> *allCommands(QString &error)
{
    static std::vector<Command> all;
    if (!all.empty())
        return &all;
    std::vector<Command> listed;
    for (const QString &name : commandNames()) {
        const Command *command = builtInCommand(name);
        if (!command) {
            const std::vector<Command> *commands = moduleCommands(moduleOf(name), error);
            if (!commands)
                return nullptr;
            command = named(*commands, name);
        }
        // Every name has its subcommand: debug builds (every test's) stop where one is missing
        // (`trainyard NAME` would call it unknown).
        Q_ASSERT_X(command, "allCommands", "a name of commandNames() has no subcommand");
        if (command)
            listed.push_back(*command);
    }
    // And every subcommand has its name (else --help would not list it).
    Q_ASSERT_X(listed.size() == builtInCommands().size() + moduleCommands(kPipelineCommandsModuleName, error)->size() +
                                    moduleCommands(kCommandsModuleName, error)->size(),
               "allCommands", "a subcommand is missing from commandNames()");
    all = std::move(listed);
    return &all;
}

const Command *findCommand(const QString &name, QString &error)
{
    if (const Command *builtIn = builtInCommand(name))
        return builtIn;
    const std::vector<Command> *commands = moduleCommands(moduleOf(name), error);
    if (!commands)
        return nullptr;
    if (const Command *command = named(*commands, name))
        return command;
    error = QStringLiteral("no such subcommand");
    return nullptr;
}

} // namespace trainyard::app
