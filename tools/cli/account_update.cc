// account update: only the settings given change.
#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/submit.h"
#include "tools/commands/exit_codes.h"

namespace paystream {
namespace {

struct UpdateArgs {
  std::string account_id;
  std::optional<std::string> name, type, parent, monthly_min, monthly_max, expires;
  bool no_parent = false, no_expiry = false, lock = false, unlock = false;
  std::string command_id;
};

Status read_money(const char* what, const std::optional<std::string>& text, std::optional<Money>& target) {
  if (!text) return ok_status();
  Result<Money> money = money_argument(what, *text);
  if (!money) return money.error();
  target = *money;
  return ok_status();
}

Status read_relations(const UpdateArgs& args, UpdateAccount& update) {
  if (args.type) {
    Result<AccountType> type = account_type_argument("--type", *args.type);
    if (!type) return type.error();
    update.type = *type;
  }
  if (args.parent) {
    if (Status valid = account_id_argument("--parent", *args.parent); !valid) return valid;
    update.parent = *args.parent;
  }
  if (args.no_parent) update.parent = std::string();
  if (args.expires) {
    Result<Date> date = date_argument("--expires", *args.expires);
    if (!date) return date.error();
    update.expires_on = std::optional<Date>(*date);
  }
  if (args.no_expiry) update.expires_on = std::optional<Date>();
  if (args.lock || args.unlock) update.locked = args.lock;
  return ok_status();
}

Result<Command> update_command(const UpdateArgs& args) {
  UpdateAccount update;
  update.account_id = args.account_id;
  if (Status valid = account_id_argument("ID", args.account_id); !valid) return valid.error();
  update.name = args.name;
  if (Status read = read_relations(args, update); !read) return read.error();
  for (Status read : {read_money("--monthly-min", args.monthly_min, update.monthly_min),
                      read_money("--monthly-max", args.monthly_max, update.monthly_max)}) {
    if (!read) return read.error();
  }
  UpdateAccount unchanged;
  unchanged.account_id = args.account_id;
  if (update == unchanged) {
    return make_error(Errc::invalid_argument,
                      "account update: nothing to change; give at least one of --name, --type, --parent, "
                      "--no-parent, --monthly-min, --monthly-max, --expires, --no-expiry, --lock, --unlock");
  }
  return command_with_id(args.command_id, std::move(update));
}

int run_update(const GlobalOptions& options, const UpdateArgs& args) {
  Result<Command> command = update_command(args);
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::account);
}

}  // namespace

void add_account_update(CLI::App& account, Cli& cli) {
  auto args = std::make_shared<UpdateArgs>();
  CLI::App* update = add_leaf_command(account, "update", "Change an account's settings", cli);
  update->add_option("ID", args->account_id, "Account ID")->required();
  update->add_option("--name", args->name, "New name")->type_name("N");
  update->add_option("--type", args->type, "direct, agent or clearing")->type_name("TYPE");
  CLI::Option* parent = update->add_option("--parent", args->parent, "New parent agent")->type_name("AGENT");
  update->add_flag("--no-parent", args->no_parent, "Remove the parent agent")->excludes(parent);
  update->add_option("--monthly-min", args->monthly_min, "Monthly minimum consumption")->type_name("X");
  update->add_option("--monthly-max", args->monthly_max, "Monthly maximum consumption (0: none)")
      ->type_name("X");
  CLI::Option* expires =
      update->add_option("--expires", args->expires, "New expiration date")->type_name("YYYY-MM-DD");
  update->add_flag("--no-expiry", args->no_expiry, "Remove the expiration date")->excludes(expires);
  CLI::Option* lock = update->add_flag("--lock", args->lock, "Lock the account");
  update->add_flag("--unlock", args->unlock, "Unlock the account")->excludes(lock);
  add_command_id_option(*update, args->command_id);
  set_action(*update, cli, args, &run_update);
}

}  // namespace paystream
