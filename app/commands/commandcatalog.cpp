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
    all = builtInCommands();
    const std::vector<Command> &loaded = *moduleCommands();
    all.insert(all.end(), loaded.cbegin(), loaded.cend());
    // A command missing from commandNames() could not be run: `trainyard NAME` would call it
    // unknown. Debug builds (every test's) stop here.
    for ([[maybe_unused]] const Command &c : all)
        Q_ASSERT_X(commandNames().contains(c.name), "allCommands", "a subcommand is missing from commandNames()");
    // In commandNames()' order; a name missing there (a module built from other sources) last.
    const auto rank = [](const Command &c) {
        const qsizetype i = commandNames().indexOf(c.name);
        return i < 0 ? commandNames().size() : i;
    };
    std::stable_sort(all.begin(), all.end(), [&](const Command &a, const Command &b) { return rank(a) < rank(b); });
    return &all;
}

} // namespace trainyard::app
