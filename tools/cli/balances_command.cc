// balances: the balance query, streamed to the chosen format.
#include <CLI/CLI.hpp>
#include <iostream>
#include <tuple>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/remote_query.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"

namespace paystream {
namespace {

struct BalancesArgs {
  std::optional<std::string> account, search, type, min, max;
};

Status read_filters(const BalancesArgs& args, BalanceQuery& query) {
  if (args.account) {
    if (Status valid = account_id_argument("--account", *args.account); !valid) return valid;
    query.account_id = *args.account;
  }
  if (args.search) {
    if (Status valid = search_text_argument("--search", *args.search); !valid) return valid;
    query.search = *args.search;
  }
  if (args.type) {
    Result<AccountType> type = account_type_argument("--type", *args.type);
    if (!type) return type.error();
    query.type = *type;
  }
  for (auto [what, text, target] :
       {std::tuple{"--min", &args.min, &query.min}, {"--max", &args.max, &query.max}}) {
    if (!*text) continue;
    Result<Money> amount = money_argument(what, **text);
    if (!amount) return amount.error();
    *target = *amount;
  }
  return check_amount_range("--min", query.min, "--max", query.max);
}

// The filters as given (the server reads them as the CLI does); every row, as locally.
UrlParams remote_params(const BalancesArgs& args) {
  UrlParams params;
  for (auto [name, value] : {std::pair{"account", &args.account},
                             {"search", &args.search},
                             {"type", &args.type},
                             {"min", &args.min},
                             {"max", &args.max}}) {
    if (*value) params.emplace_back(name, **value);
  }
  params.emplace_back("limit", "0");
  return params;
}

int run_balances(const GlobalOptions& options, const BalancesArgs& args) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::allowed); !format) {
    return report_error(format.error(), std::cerr);
  }
  BalanceQuery query;
  query.now = now_utc();
  if (Status read = read_filters(args, query); !read) return report_error(read.error(), std::cerr);
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) return print_remote_query(options, **login, "/v1/balances", remote_params(args));
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, balance_columns(), XlsxUse::allowed);
  if (!printer) return report_error(printer.error(), std::cerr);
  Status streamed = (*source)->projections().for_each_balance(
      query, [&](const BalanceRow& row) { (*printer)->row(balance_cells(row)); });
  if (!streamed) return report_error(streamed.error(), std::cerr);
  if (Status finished = (*printer)->finish(); !finished) return report_error(finished.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

}  // namespace

void add_balances_command(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<BalancesArgs>();
  CLI::App* balances = add_leaf_command(app, "balances", "Query account balances", cli);
  balances->add_option("--account", args->account, "Only this account")->type_name("ID");
  balances->add_option("--search", args->search, "Only accounts whose ID or name holds TEXT (any case)")
      ->type_name("TEXT");
  balances->add_option("--type", args->type, "Only accounts of this type: direct, agent or clearing")
      ->type_name("TYPE");
  balances->add_option("--min", args->min, "Balance at least X")->type_name("X");
  balances->add_option("--max", args->max, "Balance at most X")->type_name("X");
  set_action(*balances, cli, args, &run_balances);
}

}  // namespace paystream
