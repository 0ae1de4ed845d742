// operator add | list | disable | rotate: who may act on the ledger. Operators are events like
// everything else; a token is printed once and only its salted hash is recorded.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/remote_query.h"
#include "tools/cli/submit.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"

namespace paystream {
namespace {

struct AddArgs {
  std::string name;
  std::string role;
  std::string agent;
  std::string allow;
  std::string command_id;
};

Result<OperatorSettings> settings_of(const AddArgs& args) {
  if (Status valid = check_operator_name(args.name); !valid) return valid.error();
  const std::optional<OperatorRole> role = parse_operator_role(args.role);
  if (!role) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("--role: unknown role '{}': expected admin, finance, agent or auditor", args.role));
  }
  Result<uint32_t> permissions = parse_permissions(args.allow);
  if (!permissions) return make_error(Errc::invalid_argument, "--allow: " + permissions.error().message);
  if (*role == OperatorRole::agent && args.agent.empty()) {
    return make_error(Errc::invalid_argument, "--agent ACCOUNT is required for the agent role");
  }
  if (*role != OperatorRole::agent && (!args.agent.empty() || *permissions != 0)) {
    return make_error(Errc::invalid_argument, "--agent and --allow are only for the agent role");
  }
  OperatorSettings settings;
  settings.name = args.name;
  settings.role = *role;
  settings.agent_account = args.agent;
  settings.permissions = *permissions;
  return settings;
}

int run_add(const GlobalOptions& options, const AddArgs& args) {
  Result<OperatorSettings> settings = settings_of(args);
  if (!settings) return report_error(settings.error(), std::cerr);
  // The token is made where the ledger is (LedgerAccess::submit): here, or on the server.
  Result<Command> command = command_with_id(args.command_id, AddOperator{std::move(settings).value()});
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::operator_settings);
}

struct NameArgs {
  std::string name;
  std::string command_id;
};

int run_disable(const GlobalOptions& options, const NameArgs& args) {
  Result<Command> command = command_with_id(args.command_id, DisableOperator{args.name});
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::operator_settings);
}

int run_rotate(const GlobalOptions& options, const NameArgs& args) {
  Result<Command> command = command_with_id(args.command_id, RotateOperatorToken{args.name, {}});
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::operator_settings);
}

struct ListArgs {};

int run_list(const GlobalOptions& options, const ListArgs&) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) return print_remote_query(options, **login, "/v1/operators", {});
  return print_state_listing(options, operator_columns(false),
                             [](const LedgerState& state, Printer& printer) {
                               for (const auto& [name, settings] : state.operators)
                                 printer.row(operator_cells(settings));
                             });
}

}  // namespace

void add_operator_commands(CLI::App& app, Cli& cli) {
  CLI::App* group = app.add_subcommand("operator", "Add, list, disable operators and rotate their tokens");
  group->require_subcommand(1);

  auto add_args = std::make_shared<AddArgs>();
  CLI::App* add =
      add_leaf_command(*group, "add", "Add an operator and print its bearer token (shown once)", cli);
  add->add_option("NAME", add_args->name, "1-64 characters of A-Za-z0-9._-")->required();
  add->add_option("--role", add_args->role, "admin, finance, agent or auditor")->required();
  add->add_option("--agent", add_args->agent, "agent role: the agent account it acts for");
  add->add_option("--allow", add_args->allow,
                  "agent role: comma-separated pay-self, pay-sub-accounts, set-overdraft, adjust, "
                  "set-own-overdraft, reverse, reverse-any");
  add_command_id_option(*add, add_args->command_id);
  set_action(*add, cli, add_args, &run_add);

  auto disable_args = std::make_shared<NameArgs>();
  CLI::App* disable =
      add_leaf_command(*group, "disable", "Disable an operator: its token stops working", cli);
  disable->add_option("NAME", disable_args->name, "the operator")->required();
  add_command_id_option(*disable, disable_args->command_id);
  set_action(*disable, cli, disable_args, &run_disable);

  auto rotate_args = std::make_shared<NameArgs>();
  CLI::App* rotate =
      add_leaf_command(*group, "rotate", "Give an operator a new token; the old one stops working", cli);
  rotate->add_option("NAME", rotate_args->name, "the operator")->required();
  add_command_id_option(*rotate, rotate_args->command_id);
  set_action(*rotate, cli, rotate_args, &run_rotate);

  CLI::App* list = add_leaf_command(*group, "list", "List the operators (never their tokens)", cli);
  set_action(*list, cli, std::make_shared<ListArgs>(), &run_list);
}

}  // namespace paystream
