// param set | list: the system parameters of domain.md. A change is an event, so a replay sees
// the values that were in force.
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

struct SetArgs {
  std::string name;
  std::string value;
  std::string command_id;
};

std::string known_parameters() {
  std::string names;
  for (const ParameterInfo& info : parameter_catalog())
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  return names;
}

int run_set(const GlobalOptions& options, const SetArgs& args) {
  const ParameterInfo* info = find_parameter(args.name);
  if (info == nullptr) {
    const Error error = make_error(Errc::unknown_parameter, fmt::format("unknown parameter '{}'; known: {}",
                                                                        args.name, known_parameters()));
    return report_error(error, std::cerr);
  }
  Result<int64_t> value = parse_parameter_value(*info, args.value);
  if (!value) return report_error(value.error(), std::cerr);
  Result<Command> command = command_with_id(args.command_id, SetParameter{args.name, *value});
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::parameter);
}

struct ListArgs {};

int run_list(const GlobalOptions& options, const ListArgs&) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) return print_remote_query(options, **login, "/v1/parameters", {});
  return print_state_listing(options, parameter_columns(), [](const LedgerState& state, Printer& printer) {
    for (const ParameterInfo& info : parameter_catalog()) {
      printer.row(parameter_cells(info, parameter_value(state.parameters, info.name)));
    }
  });
}

}  // namespace

void add_param_commands(CLI::App& app, Cli& cli) {
  CLI::App* param = app.add_subcommand("param", "Set or list system parameters");
  param->require_subcommand(1);

  auto set_args = std::make_shared<SetArgs>();
  CLI::App* set = add_leaf_command(*param, "set", "Set a system parameter", cli);
  set->add_option("NAME", set_args->name, "e.g. SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY")->required();
  set->add_option("VALUE", set_args->value,
                  "A whole number, or an amount for SERVER_CUSTOMER_OVERDRAFT_LIMIT")
      ->required();
  add_command_id_option(*set, set_args->command_id);
  set_action(*set, cli, set_args, &run_set);

  CLI::App* list = add_leaf_command(*param, "list", "List the system parameters in force", cli);
  set_action(*list, cli, std::make_shared<ListArgs>(), &run_list);
}

}  // namespace paystream
