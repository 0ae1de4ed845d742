// pay, credit, zero, reverse, adjust: the commands that make payment records.
#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/submit.h"
#include "tools/commands/exit_codes.h"

namespace paystream {
namespace {

struct MoneyArgs {
  std::string account_id;  // reverse: the record ID
  std::string amount;      // pay, credit, adjust
  std::string memo;
  std::string method = "cash";  // pay
  std::string command_id;
};

using BuildBody = Result<CommandBody> (*)(const MoneyArgs& args);

Result<CommandBody> pay_body(const MoneyArgs& args) {
  Result<Money> amount = money_argument("AMOUNT", args.amount);
  if (!amount) return amount.error();
  Result<PaymentMethod> method = payment_method_argument("--method", args.method);
  if (!method) return method.error();
  return CommandBody{Pay{args.account_id, *amount, args.memo, *method}};
}

Result<CommandBody> credit_body(const MoneyArgs& args) {
  Result<Money> limit = money_argument("LIMIT", args.amount);
  if (!limit) return limit.error();
  return CommandBody{SetCredit{args.account_id, *limit, args.memo}};
}

Result<CommandBody> zero_body(const MoneyArgs& args) {
  return CommandBody{MakeZero{args.account_id, args.memo}};
}

Result<CommandBody> adjust_body(const MoneyArgs& args) {
  Result<Money> amount = money_argument("SIGNED_AMOUNT", args.amount);
  if (!amount) return amount.error();
  return CommandBody{Adjust{args.account_id, *amount, args.memo}};
}

int run_money_command(const GlobalOptions& options, const MoneyArgs& args, BuildBody build) {
  if (Status valid = account_id_argument("ID", args.account_id); !valid)
    return report_error(valid.error(), std::cerr);
  Result<CommandBody> body = build(args);
  if (!body) return report_error(body.error(), std::cerr);
  Result<Command> command = command_with_id(args.command_id, std::move(body).value());
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::records);
}

int run_pay(const GlobalOptions& options, const MoneyArgs& args) {
  return run_money_command(options, args, &pay_body);
}
int run_credit(const GlobalOptions& options, const MoneyArgs& args) {
  return run_money_command(options, args, &credit_body);
}
int run_zero(const GlobalOptions& options, const MoneyArgs& args) {
  return run_money_command(options, args, &zero_body);
}
int run_adjust(const GlobalOptions& options, const MoneyArgs& args) {
  return run_money_command(options, args, &adjust_body);
}

int run_reverse(const GlobalOptions& options, const MoneyArgs& args) {
  Result<uint64_t> record = positive_integer_argument("RECORD_ID", args.account_id);
  if (!record) return report_error(record.error(), std::cerr);
  Result<Command> command = command_with_id(args.command_id, Reverse{LogPosition{*record}, args.memo});
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::records);
}

// The shape shared by all five: a first positional, maybe an amount, --memo and --command-id.
CLI::App* add_money_command(CLI::App& app, Cli& cli, const char* name, const char* description,
                            std::shared_ptr<MoneyArgs> args,
                            int (*run)(const GlobalOptions&, const MoneyArgs&)) {
  CLI::App* command = add_leaf_command(app, name, description, cli);
  if (run == &run_reverse) {
    command->add_option("RECORD_ID", args->account_id, "ID of the payment record to undo")->required();
  } else {
    command->add_option("ID", args->account_id, "Account ID")->required();
  }
  command->add_option("--memo", args->memo, "Free text kept with the record")->type_name("M");
  add_command_id_option(*command, args->command_id);
  set_action(*command, cli, args, run);
  return command;
}

}  // namespace

void add_money_commands(CLI::App& app, Cli& cli) {
  auto pay = std::make_shared<MoneyArgs>();
  CLI::App* pay_command = add_money_command(app, cli, "pay", "Pay an amount into an account", pay, &run_pay);
  pay_command->add_option("AMOUNT", pay->amount, "Amount > 0, e.g. 12.50")->required();
  pay_command->add_option("--method", pay->method, "cash, card or other (default cash)")->type_name("METHOD");

  auto credit = std::make_shared<MoneyArgs>();
  add_money_command(app, cli, "credit", "Set an account's overdraft limit", credit, &run_credit)
      ->add_option("LIMIT", credit->amount, "New overdraft limit >= 0")
      ->required();

  add_money_command(app, cli, "zero", "Make an account's balance zero", std::make_shared<MoneyArgs>(),
                    &run_zero);
  add_money_command(app, cli, "reverse", "Undo one payment record, once", std::make_shared<MoneyArgs>(),
                    &run_reverse);

  auto adjust = std::make_shared<MoneyArgs>();
  add_money_command(app, cli, "adjust", "Add a signed amount to a balance", adjust, &run_adjust)
      ->add_option("SIGNED_AMOUNT", adjust->amount, "e.g. 5 or -3.10 (negative numbers need no --)")
      ->required();
}

}  // namespace paystream
