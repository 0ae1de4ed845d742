// account open | update | show
#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/local_ledger.h"
#include "tools/cli/output.h"
#include "tools/cli/server.h"
#include "tools/cli/submit.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"

namespace paystream {
namespace {

struct OpenArgs {
  std::string account_id;
  std::string name;
  std::string type;
  std::string parent;
  std::optional<std::string> overdraft, monthly_min, monthly_max, expires, balance;
  bool locked = false;
  std::string command_id;
};

// Sets `target` from an optional amount argument; an absent one leaves it unchanged.
Status read_money(const char* what, const std::optional<std::string>& text, Money& target) {
  if (!text) return ok_status();
  Result<Money> money = money_argument(what, *text);
  if (!money) return money.error();
  target = *money;
  return ok_status();
}

Result<Command> open_command(const OpenArgs& args) {
  OpenAccount open{.account_id = args.account_id, .settings = {}, .overdraft = {}, .initial_balance = {}};
  if (Status valid = account_id_argument("ID", args.account_id); !valid) return valid.error();
  Result<AccountType> type = account_type_argument("--type", args.type);
  if (!type) return type.error();
  if (!args.parent.empty()) {
    if (Status valid = account_id_argument("--parent", args.parent); !valid) return valid.error();
  }
  open.settings = AccountSettings{.name = args.name,
                                  .type = *type,
                                  .parent = args.parent,
                                  .monthly_min = {},
                                  .monthly_max = {},
                                  .expires_on = {},
                                  .locked = args.locked};
  for (Status read : {read_money("--monthly-min", args.monthly_min, open.settings.monthly_min),
                      read_money("--monthly-max", args.monthly_max, open.settings.monthly_max)}) {
    if (!read) return read.error();
  }
  Money amount;
  if (args.overdraft) {
    if (Status read = read_money("--overdraft", args.overdraft, amount); !read) return read.error();
    open.overdraft = amount;
  }
  if (args.balance) {
    if (Status read = read_money("--balance", args.balance, amount); !read) return read.error();
    open.initial_balance = amount;
  }
  if (args.expires) {
    Result<Date> date = date_argument("--expires", *args.expires);
    if (!date) return date.error();
    open.settings.expires_on = *date;
  }
  return command_with_id(args.command_id, std::move(open));
}

int run_open(const GlobalOptions& options, const OpenArgs& args) {
  Result<Command> command = open_command(args);
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::account);
}

void add_open(CLI::App& account, Cli& cli) {
  auto args = std::make_shared<OpenArgs>();
  CLI::App* open = add_leaf_command(account, "open", "Open an account", cli);
  open->add_option("ID", args->account_id, "Account ID: 1-64 of A-Z a-z 0-9 . _ -")->required();
  open->add_option("--name", args->name, "Account name")->required();
  open->add_option("--type", args->type, "direct, agent or clearing")->required()->type_name("TYPE");
  open->add_option("--parent", args->parent, "Parent agent account")->type_name("AGENT");
  open->add_option("--overdraft", args->overdraft,
                   "Overdraft limit (default SERVER_CUSTOMER_OVERDRAFT_LIMIT)")
      ->type_name("X");
  open->add_option("--monthly-min", args->monthly_min, "Monthly minimum consumption")->type_name("X");
  open->add_option("--monthly-max", args->monthly_max, "Monthly maximum consumption (0: none)")
      ->type_name("X");
  open->add_option("--expires", args->expires, "Expiration date")->type_name("YYYY-MM-DD");
  open->add_option("--balance", args->balance, "Initial balance, recorded as a payment")->type_name("X");
  open->add_flag("--locked", args->locked, "Open the account locked");
  add_command_id_option(*open, args->command_id);
  set_action(*open, cli, args, &run_open);
}

// From the server, the embedded ledger, or (a data directory without one) Kafka mode's projections.
Result<Cells> show_account(const GlobalOptions& options, const std::string& account_id) {
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return login.error();
  if (!*login && QuerySource::is_kafka(options)) {
    Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
    if (!source) return source.error();
    return account_row((*source)->projections(), account_id);
  }
  Result<std::unique_ptr<LedgerAccess>> ledger = open_ledger_access(options, DataDirUse::must_exist);
  if (!ledger) return ledger.error();
  return (*ledger)->account(account_id);
}

struct ShowArgs {
  std::string account_id;
};

int run_show(const GlobalOptions& options, const ShowArgs& args) {
  if (Status valid = account_id_argument("ID", args.account_id); !valid)
    return report_error(valid.error(), std::cerr);
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<Cells> account = show_account(options, args.account_id);
  if (!account) return report_error(account.error(), std::cerr);
  if (Status printed = print_rows(options, account_columns(), {*account}, {}); !printed) {
    return report_error(printed.error(), std::cerr);
  }
  return static_cast<int>(ExitCode::ok);
}

void add_show(CLI::App& account, Cli& cli) {
  auto args = std::make_shared<ShowArgs>();
  CLI::App* show = add_leaf_command(account, "show", "Show one account", cli);
  show->add_option("ID", args->account_id, "Account ID")->required();
  set_action(*show, cli, args, &run_show);
}

}  // namespace

void add_account_commands(CLI::App& app, Cli& cli) {
  CLI::App* account = app.add_subcommand("account", "Open, update or show an account");
  account->require_subcommand(1);
  add_open(*account, cli);
  add_account_update(*account, cli);
  add_show(*account, cli);
}

}  // namespace paystream
