// charge (one CDR, or a CDR file) and authorize: the softswitch's side of the ledger.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/server.h"
#include "tools/cli/submit.h"
#include "tools/client/http_client.h"
#include "tools/client/remote_apply.h"
#include "tools/commands/charge_import.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"
#include "tools/runtime/rows.h"

namespace paystream {
namespace {

struct ChargeArgs {
  std::string account_id;
  std::string amount;
  std::string cdr_id;
  std::string start;
  std::optional<uint32_t> duration;
  std::string caller;
  std::string callee;
  std::string file;
  size_t chunk = ChargeImportOptions{}.chunk_commands_max;
};

Result<Command> charge_command(const ChargeArgs& args) {
  if (args.account_id.empty() || args.amount.empty() || args.cdr_id.empty() || args.start.empty()) {
    return make_error(Errc::invalid_argument,
                      "charge needs ACCOUNT AMOUNT --cdr-id ID --start TIME, or --file CDRS.csv");
  }
  if (Status valid = account_id_argument("ACCOUNT", args.account_id); !valid) return valid.error();
  Result<Money> amount = money_argument("AMOUNT", args.amount);
  if (!amount) return amount.error();
  Result<Timestamp> start = time_argument("--start", args.start);
  if (!start) return start.error();
  Charge charge{.cdr_id = args.cdr_id,
                .account_id = args.account_id,
                .amount = *amount,
                .call_start = *start,
                .duration_seconds = args.duration,
                .caller = args.caller,
                .callee = args.callee};
  const std::string command_id = charge_command_id(args.cdr_id);
  if (Status valid = command_id_argument(command_id); !valid) {
    return make_error(Errc::invalid_argument,
                      fmt::format("--cdr-id: 1-{} printable ASCII characters",
                                  command_id_bytes_max - charge_command_id_prefix.size()));
  }
  return Command{command_id, "", std::move(charge)};
}

int run_import(const GlobalOptions& options, const ChargeArgs& args) {
  if (args.chunk == 0) return report_usage_error("--chunk: must be greater than 0", std::cerr);
  if (!args.account_id.empty() || !args.cdr_id.empty()) {
    return report_usage_error("--file takes the CDRs from the file: give no ACCOUNT or --cdr-id", std::cerr);
  }
  std::ifstream file;
  Result<std::istream*> input = open_input_file(args.file, file);
  if (!input) return report_error(input.error(), std::cerr);
  std::istream& in = **input;
  ChargeImportOptions import;
  import.chunk_commands_max = args.chunk;
  import.json_output = options.format == "json";
  import.progress = ::isatty(STDERR_FILENO) == 1;
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) {
    Result<std::unique_ptr<HttpClient>> client = HttpClient::create((*login)->url, (*login)->token);
    if (!client) return report_error(client.error(), std::cerr);
    return run_charge_import(remote_apply_chunk(**client), import, in, std::cout, std::cerr);
  }
  Result<std::unique_ptr<Runtime>> runtime = open_data_dir(options, DataDirUse::must_exist);
  if (!runtime) return report_error(runtime.error(), std::cerr);
  ApplyOptions apply;
  apply.default_operator = options.operator_name;
  const int code =
      run_charge_import(local_apply_chunk(*(*runtime)->ledger, apply), import, in, std::cout, std::cerr);
  if (Status closed = (*runtime)->ledger->close(); !closed) return report_error(closed.error(), std::cerr);
  return code;
}

int run_charge(const GlobalOptions& options, const ChargeArgs& args) {
  if (Status valid = operator_argument(options.operator_name); !valid)
    return report_error(valid.error(), std::cerr);
  if (!args.file.empty()) return run_import(options, args);
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<Command> command = charge_command(args);
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::account);
}

struct AuthorizeArgs {
  std::string account_id;
};

// From the server (its engine's state in memory), or else the data directory's balance row, which
// holds what the authorization needs as of now (embedded or Kafka mode's projections). In the JSON
// form of GET /v1/accounts/{id}/authorization either way.
Result<nlohmann::json> authorization(const GlobalOptions& options, const std::string& account_id) {
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return login.error();
  if (*login) {
    Result<std::unique_ptr<HttpClient>> client = HttpClient::create((*login)->url, (*login)->token);
    if (!client) return client.error();
    Result<HttpAnswer> answer =
        (*client)->get("/v1/accounts/" + path_segment(account_id) + "/authorization", {});
    if (!answer) return answer.error();
    if (answer->status != 200) return answer_error(*answer, (*login)->url);
    nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
    if (!body.is_object() || !body.value("allowed", nlohmann::json()).is_boolean()) {
      return make_error(Errc::io_error, fmt::format("server {} answered an authorization that is not one",
                                                    (*login)->url.text));
    }
    return body;
  }
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return source.error();
  BalanceQuery query;
  query.account_id = account_id;
  query.now = now_utc();
  Result<BalancePage> page = (*source)->projections().balances(query);
  if (!page) return page.error();
  if (page->rows.empty()) {
    return make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", account_id));
  }
  return authorization_json(account_id, authorization_of(page->rows.front(), query.now));
}

int run_authorize(const GlobalOptions& options, const AuthorizeArgs& args) {
  if (Status valid = account_id_argument("ID", args.account_id); !valid)
    return report_error(valid.error(), std::cerr);
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<nlohmann::json> answer = authorization(options, args.account_id);
  if (!answer) return report_error(answer.error(), std::cerr);
  if (options.format == "json") {
    std::cout << answer->dump() << "\n";
    return static_cast<int>(ExitCode::ok);
  }
  const Cells cells = {args.account_id, answer->value("allowed", false) ? "yes" : "no",
                       answer->value("reason", ""), answer->value("max_spend", "")};
  if (Status printed = print_rows(options, authorization_columns(), {cells}, {}); !printed) {
    return report_error(printed.error(), std::cerr);
  }
  return static_cast<int>(ExitCode::ok);
}

}  // namespace

void add_charge_commands(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ChargeArgs>();
  CLI::App* charge = add_leaf_command(
      app, "charge", "Record a completed call's charge (a CDR), or a file of them with --file", cli);
  charge->add_option("ACCOUNT", args->account_id, "Account ID");
  charge->add_option("AMOUNT", args->amount, "Charge >= 0, e.g. 0.35");
  charge->add_option("--cdr-id", args->cdr_id, "The CDR's ID: a resent CDR is applied once")->type_name("ID");
  charge->add_option("--start", args->start, "The call's start time, RFC 3339")->type_name("TIME");
  charge->add_option("--duration", args->duration, "The call's duration in seconds")->type_name("S");
  charge->add_option("--caller", args->caller, "Calling number")->type_name("N");
  charge->add_option("--callee", args->callee, "Called number")->type_name("N");
  charge
      ->add_option("--file", args->file,
                   "A CSV file of CDRs (header: cdr_id,account,amount,start_time[,duration_seconds,caller,"
                   "callee]); - for standard input")
      ->type_name("FILE");
  charge->add_option("--chunk", args->chunk, "CDRs per group commit with --file (default 1024)")
      ->type_name("N");
  set_action(*charge, cli, args, &run_charge);

  auto authorize_args = std::make_shared<AuthorizeArgs>();
  CLI::App* authorize =
      add_leaf_command(app, "authorize", "May this account place a call now, and for how much at most", cli);
  authorize->add_option("ID", authorize_args->account_id, "Account ID")->required();
  set_action(*authorize, cli, authorize_args, &run_authorize);
}

}  // namespace paystream
