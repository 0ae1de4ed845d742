#pragma once
// The options every `paystream` subcommand takes, bound to CLI11. The options themselves
// (tools/runtime/global_options.h) and the conversions of their text (tools/runtime/arguments.h)
// are below the CLI, so the HTTP API shares them.
#include "tools/runtime/arguments.h"
#include "tools/runtime/global_options.h"

namespace CLI {
class App;
}

namespace paystream {

// Adds --data, --operator, --format and --output to `app`, bound to `options`. Called for the
// root and for every leaf subcommand, so they may appear before or after the subcommand.
enum class WithOperator { yes, no };  // no: the command has its own --operator (a filter)
void add_global_options(CLI::App& app, GlobalOptions& options,
                        WithOperator with_operator = WithOperator::yes);

// Fills in server and token from PAYSTREAM_SERVER and PAYSTREAM_TOKEN where the command line gave
// none (an empty variable counts as unset). Called once, after parsing.
void read_server_environment(GlobalOptions& options);

}  // namespace paystream
