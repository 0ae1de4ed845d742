#pragma once
// The subcommands of `paystream`. Each add_* function declares its subcommands' arguments with
// CLI11; parsing only fills in values and picks the action, which main() runs after parsing, so
// CLI11's exceptions never meet the ledger.
#include <functional>
#include <memory>
#include <string>

#include "events/command.h"
#include "tools/cli/options.h"

namespace CLI {
class App;
}

namespace paystream {

struct Cli {
  GlobalOptions globals;
  std::function<int()> action;  // set by the chosen subcommand; returns the exit code
};

// A subcommand that does something (not a group like `account`): it takes the global options.
CLI::App* add_leaf_command(CLI::App& parent, const std::string& name, const std::string& description,
                           Cli& cli, WithOperator with_operator = WithOperator::yes);

// Makes `command` run `run(globals, *args)` when it is the one chosen. `args` is filled by CLI11.
template <class Args>
void set_action(CLI::App& command, Cli& cli, std::shared_ptr<Args> args,
                int (*run)(const GlobalOptions&, const Args&));

// --command-id K, for every command that changes something.
void add_command_id_option(CLI::App& command, std::string& command_id);
// A command with the given idempotency key (empty: the ledger generates one); usage error if invalid.
Result<Command> command_with_id(const std::string& command_id, CommandBody body);

void add_account_commands(CLI::App& app, Cli& cli);     // account open | update | show
void add_account_update(CLI::App& account, Cli& cli);   // account update (account_update.cc)
void add_money_commands(CLI::App& app, Cli& cli);       // pay, credit, zero, reverse, adjust
void add_param_commands(CLI::App& app, Cli& cli);       // param set | list
void add_query_commands(CLI::App& app, Cli& cli);       // records, balances
void add_records_cleanup(CLI::App& records, Cli& cli);  // records cleanup (records_cleanup_command.cc)
void add_balances_command(CLI::App& app, Cli& cli);     // balances (balances_command.cc)
void add_report_command(CLI::App& app, Cli& cli);       // report NAME (report_command.cc)
void add_audit_commands(CLI::App& app, Cli& cli);       // audit explain | export | verify
void add_admin_commands(CLI::App& app, Cli& cli);       // replay, bench
void add_apply_command(CLI::App& app, Cli& cli);        // apply (JSON lines)
void add_operator_commands(CLI::App& app, Cli& cli);    // operator add | list | disable | rotate
void add_bench_http_command(CLI::App& app, Cli& cli);   // bench-http (bench_http_command.cc)
void add_serve_command(CLI::App& app, Cli& cli);        // serve (the HTTP API, serve_command.cc)
void add_charge_commands(CLI::App& app, Cli& cli);      // charge, authorize (charge_commands.cc)
void add_card_commands(CLI::App& app, Cli& cli);        // card issue | show | list | disable, pay-card
void add_minimum_command(CLI::App& app, Cli& cli);      // minimum run (minimum_command.cc)
void add_kafka_commands(CLI::App& app, Cli& cli);       // publish, dev-broker (kafka_commands.cc)

void set_callback(CLI::App& command, std::function<void()> callback);

template <class Args>
void set_action(CLI::App& command, Cli& cli, std::shared_ptr<Args> args,
                int (*run)(const GlobalOptions&, const Args&)) {
  set_callback(command,
               [&cli, args, run] { cli.action = [&cli, args, run] { return run(cli.globals, *args); }; });
}

}  // namespace paystream
