#include "tools/cli/app.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/commands/exit_codes.h"

namespace paystream {

CLI::App* add_leaf_command(CLI::App& parent, const std::string& name, const std::string& description,
                           Cli& cli, WithOperator with_operator) {
  CLI::App* command = parent.add_subcommand(name, description);
  add_global_options(*command, cli.globals, with_operator);
  return command;
}

void set_callback(CLI::App& command, std::function<void()> callback) {
  command.callback(std::move(callback));
}

void add_command_id_option(CLI::App& command, std::string& command_id) {
  command
      .add_option("--command-id", command_id, "Idempotency key: a retry with the same key changes nothing")
      ->type_name("K");
}

Result<Command> command_with_id(const std::string& command_id, CommandBody body) {
  if (!command_id.empty()) {
    if (Status valid = command_id_argument(command_id); !valid) return valid.error();
  }
  return Command{command_id, "", std::move(body)};
}

namespace {

void build(CLI::App& app, Cli& cli) {
  app.require_subcommand(1);
  add_global_options(app, cli.globals);
  add_account_commands(app, cli);
  add_money_commands(app, cli);
  add_charge_commands(app, cli);
  add_minimum_command(app, cli);
  add_card_commands(app, cli);
  add_param_commands(app, cli);
  add_query_commands(app, cli);
  add_admin_commands(app, cli);
  add_apply_command(app, cli);
  add_operator_commands(app, cli);
  add_bench_http_command(app, cli);
  add_serve_command(app, cli);
  add_kafka_commands(app, cli);
}

// CLI11 says "A subcommand is required" for a misspelt command; name the word it did not know.
std::string describe(const CLI::App& app, const CLI::ParseError& error) {
  const CLI::App* chosen = &app;
  while (!chosen->get_subcommands().empty()) chosen = chosen->get_subcommands().front();
  const std::vector<std::string> unknown = chosen->remaining();
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr && chosen->get_subcommands().empty() &&
      !unknown.empty() && !chosen->get_subcommands({}).empty()) {
    const std::string where = chosen == &app ? std::string() : " of '" + chosen->get_name() + "'";
    return "unknown command '" + unknown.front() + "'" + where;
  }
  return error.what();
}

// CLI11 reports through exceptions; they stop here, as one "paystream: ..." line and exit 2.
int parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return -1;
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    std::cerr << "paystream: " << describe(app, error) << " (see paystream --help)\n";
    return static_cast<int>(ExitCode::usage);
  }
}

}  // namespace

int run_cli(int argc, char** argv) {
  try {
    Cli cli;
    CLI::App app{"paystream: an event-sourced ledger of VoIP account balances", "paystream"};
    build(app, cli);
    const int parsed = parse(app, argc, argv);
    if (parsed >= 0) return parsed;
    read_server_environment(cli.globals);
    PAYSTREAM_ASSERT(cli.action != nullptr);
    return cli.action();
  } catch (const std::exception& error) {
    // Only a library we call can get here (bad_alloc, a filesystem error): report, do not abort.
    std::cerr << "paystream: " << error.what() << '\n';
    return static_cast<int>(ExitCode::failure);
  }
}

}  // namespace paystream
