// The entry point of trainyard-pipeline-commands.so: the subcommands that read a pipeline and
// run nothing (see commandsmodule.h).
#include "commandsmodule.h"

#include <type_traits>

extern "C" Q_DECL_EXPORT const std::vector<trainyard::app::Command> *trainyardCommands()
{
    using namespace trainyard::app;
    static const std::vector<Command> all{validateCommand(), listCommand()};
    return &all;
}

// The entry point has the type `trainyard` expects.
static_assert(std::is_same_v<decltype(&trainyardCommands), trainyard::app::ModuleCommands>);
