// minimum run --month YYYY-MM: charges a month's minimum consumption by hand, locally or on a
// server, and reports each account's outcome. The same commands as `serve`'s schedule: charging
// once per account and month is the engine's rule, so running it again changes nothing.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/server.h"
#include "tools/cli/submit.h"
#include "tools/client/http_client.h"
#include "tools/client/remote_apply.h"
#include "tools/commands/apply.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"

namespace paystream {
namespace {

using json = nlohmann::json;

struct MinimumArgs {
  std::string month;
};

std::string command_line(const std::string& account_id, int32_t month) {
  return json{{"type", "minimum_charge"}, {"account", account_id}, {"month", format_month(month)}}.dump();
}

// The accounts a server shows with a monthly minimum (the engine decides which are due).
Result<std::vector<std::string>> server_accounts(HttpClient& client) {
  Result<HttpAnswer> answer = client.get("/v1/balances", {{"format", "json"}, {"limit", "0"}});
  if (!answer) return answer.error();
  if (answer->status != 200) return answer_error(*answer, client.url());
  const json page = json::parse(answer->body, nullptr, false);
  if (!page.is_object() || !page.value("rows", json()).is_array()) {
    return make_error(Errc::io_error,
                      fmt::format("server {} answered balances that are not", client.url().text));
  }
  std::vector<std::string> accounts;
  for (const json& row : page.at("rows")) {
    const Result<Money> minimum = Money::parse(row.value("monthly_min", ""));
    if (minimum && *minimum > Money::zero()) accounts.push_back(row.value("account_id", ""));
  }
  return accounts;
}

const std::vector<Column>& minimum_columns() {
  static const std::vector<Column> columns = {{"Account ID", "account", CellKind::text},
                                              {"Month", "month", CellKind::text},
                                              {"Outcome", "outcome", CellKind::text},
                                              {"Amount", "amount", CellKind::amount},
                                              {"Detail", "detail", CellKind::text}};
  return columns;
}

// The row of one account's outcome: charged (with the record's amount and memo), already charged
// (a duplicate), or not charged and why.
Cells outcome_cells(const std::string& account_id, int32_t month, const json& outcome) {
  const std::string month_text = format_month(month);
  if (!outcome.value("ok", false)) {
    const json error = outcome.value("error", json::object());
    return {account_id, month_text, "not charged", "", error.is_object() ? error.value("message", "") : ""};
  }
  const json events = outcome.value("events", json::array());
  const json event = events.is_array() && !events.empty() ? events.at(0) : json::object();
  return {account_id, month_text, outcome.value("duplicate", false) ? "already charged" : "charged",
          event.value("amount", ""), event.value("memo", "")};
}

int run_minimum(const GlobalOptions& options, const MinimumArgs& args) {
  Result<int32_t> month = parse_month(args.month);
  if (!month) return report_error(month.error(), std::cerr);
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  std::vector<std::string> accounts;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<HttpClient> client;
  ApplyChunk apply;
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) {
    Result<std::unique_ptr<HttpClient>> created = HttpClient::create((*login)->url, (*login)->token);
    if (!created) return report_error(created.error(), std::cerr);
    client = std::move(*created);
    Result<std::vector<std::string>> listed = server_accounts(*client);
    if (!listed) return report_error(listed.error(), std::cerr);
    accounts = std::move(*listed);
    apply = remote_apply_chunk(*client);
  } else {
    Result<std::unique_ptr<Runtime>> opened = open_data_dir(options, DataDirUse::must_exist);
    if (!opened) return report_error(opened.error(), std::cerr);
    runtime = std::move(*opened);
    // Every account with a minimum, as a server lists them: the engine says why one is not charged.
    runtime->ledger->read_state([&](const LedgerState& state) {
      for (const auto& [id, account] : state.accounts) {
        if (account.settings.monthly_min > Money::zero()) accounts.push_back(id);
      }
    });
    std::sort(accounts.begin(), accounts.end());
    ApplyOptions apply_options;
    apply_options.default_operator = options.operator_name;
    apply = local_apply_chunk(*runtime->ledger, apply_options);
  }
  std::vector<std::string> lines;
  for (const std::string& account : accounts) lines.push_back(command_line(account, *month));
  std::vector<Cells> rows;
  bool failed = false;
  if (!lines.empty()) {
    Result<std::vector<json>> outcomes = apply(lines);
    if (!outcomes) return report_error(outcomes.error(), std::cerr);
    for (size_t i = 0; i < outcomes->size(); ++i) {
      const json& outcome = (*outcomes)[i];
      const std::optional<Errc> code =
          outcome.value("ok", false)
              ? std::nullopt
              : errc_from_name(outcome.value("error", json::object()).value("code", ""));
      failed = failed || (code && !is_rejection(*code) && !is_usage_error(*code));
      rows.push_back(outcome_cells(accounts[i], *month, outcome));
    }
  }
  if (runtime) {
    if (Status closed = runtime->ledger->close(); !closed) return report_error(closed.error(), std::cerr);
  }
  if (Status printed = print_rows(options, minimum_columns(), rows, {}); !printed) {
    return report_error(printed.error(), std::cerr);
  }
  return static_cast<int>(failed ? ExitCode::failure : ExitCode::ok);
}

}  // namespace

void add_minimum_command(CLI::App& app, Cli& cli) {
  CLI::App* minimum = app.add_subcommand("minimum", "Charge the monthly minimum consumption");
  minimum->require_subcommand(1);
  auto args = std::make_shared<MinimumArgs>();
  CLI::App* run = add_leaf_command(
      *minimum, "run", "Charge a month's minimum now, to every account below it (once per month)", cli);
  run->add_option("--month", args->month, "The month whose minimum is charged")
      ->type_name("YYYY-MM")
      ->required();
  set_action(*run, cli, args, &run_minimum);
}

}  // namespace paystream
