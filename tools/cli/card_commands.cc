// card issue | show | list | disable, and pay-card: phone cards (domain.md "Phone cards").
// Numbers and PINs are made where the ledger is (here, or on the server for --server); a PIN is
// printed once, to standard output or --pins-output, and the ledger keeps only its salted hash.
#include <fmt/format.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/remote_ledger.h"
#include "tools/cli/remote_query.h"
#include "tools/cli/server.h"
#include "tools/cli/submit.h"
#include "tools/client/http_client.h"
#include "tools/client/server_url.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"
#include "tools/runtime/arguments.h"
#include "tools/runtime/card_batch.h"
#include "tools/runtime/card_rows.h"

namespace paystream {
namespace {

using json = nlohmann::json;

struct IssueArgs {
  uint64_t count = 0;
  std::string value;
  std::string expires;
  std::string batch;
  std::string pins_output;
};

// The cards a batch issue gave: all of them, or those of the chunks applied before a refusal.
struct IssuedBatch {
  std::string batch;
  std::vector<NewCard> cards;
  std::optional<Error> refusal;
};

IssuedBatch issue_locally(Ledger& ledger, const CardBatch& batch) {
  BatchIssue issue = submit_card_batch(
      batch, [&](std::vector<Command> commands) { return ledger.submit_all(std::move(commands)); });
  return IssuedBatch{batch.batch, std::move(issue.cards), std::move(issue.refusal)};
}

Result<IssuedBatch> issue_remotely(const ServerLogin& login, const CardBatchSpec& spec) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::create(login.url, login.token);
  if (!client) return client.error();
  json body = {
      {"count", spec.count}, {"value", spec.value.to_string()}, {"expires", format_date(spec.expires)}};
  if (!spec.batch.empty()) body["batch"] = spec.batch;
  Result<HttpAnswer> answer = (*client)->post("/v1/cards/batches", body.dump());
  if (!answer) return answer.error();
  const json document = json::parse(answer->body, nullptr, false);
  if (!document.is_object() || !document.contains("cards")) return answer_error(*answer, login.url);
  IssuedBatch issued{document.value("batch", ""), {}, std::nullopt};
  for (const json& card : document.at("cards")) {
    issued.cards.push_back(NewCard{card.value("number", ""), card.value("pin", "")});
  }
  if (answer->status != 201) issued.refusal = answer_error(*answer, login.url);
  return issued;
}

// Where the PINs go: --pins-output (CSV or XLSX by its extension, readable by its owner only), or
// standard output in --format. Opened before anything is issued, so a PIN never has nowhere to go.
Result<std::unique_ptr<Printer>> open_pin_printer(const GlobalOptions& options, const std::string& path) {
  if (path.empty()) {
    if (Result<OutputFormat> format = check_output_options(options, XlsxUse::allowed); !format) {
      return format.error();
    }
    return Printer::open(options, new_card_columns(), XlsxUse::allowed);
  }
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension != ".csv" && extension != ".xlsx") {
    return make_error(Errc::invalid_argument,
                      fmt::format("--pins-output '{}': name a .csv or .xlsx file", path));
  }
  GlobalOptions to_file = options;
  to_file.output = path;
  to_file.format = extension.substr(1);
  std::error_code ignored;
  if (std::filesystem::exists(path, ignored)) {
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ignored);
  }
  const mode_t before = ::umask(077);  // a new file is created 0600
  Result<std::unique_ptr<Printer>> printer = Printer::open(to_file, new_card_columns(), XlsxUse::allowed);
  ::umask(before);
  return printer;
}

int run_issue(const GlobalOptions& options, const IssueArgs& args) {
  CardBatchSpec spec;
  spec.count = args.count;
  spec.batch = args.batch;
  Result<Money> value = money_argument("--value", args.value);
  if (!value) return report_error(value.error(), std::cerr);
  spec.value = *value;
  Result<Date> expires = date_argument("--expires", args.expires);
  if (!expires) return report_error(expires.error(), std::cerr);
  spec.expires = *expires;
  Result<std::unique_ptr<Printer>> printer = open_pin_printer(options, args.pins_output);
  if (!printer) return report_error(printer.error(), std::cerr);
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  Result<IssuedBatch> issued = make_error(Errc::io_error, "");
  if (*login) {
    issued = issue_remotely(**login, spec);
  } else {
    Result<std::unique_ptr<Runtime>> runtime = open_data_dir(options, DataDirUse::must_exist);
    if (!runtime) return report_error(runtime.error(), std::cerr);
    Result<CardBatch> batch = make_card_batch(spec, options.operator_name, now_utc());
    if (!batch) return report_error(batch.error(), std::cerr);
    issued = issue_locally(*(*runtime)->ledger, *batch);
    if (Status closed = (*runtime)->ledger->close(); !closed) return report_error(closed.error(), std::cerr);
  }
  if (!issued) return report_error(issued.error(), std::cerr);
  for (const NewCard& card : issued->cards) (*printer)->row(new_card_cells(card, spec.value, spec.expires));
  // Nothing issued, nothing printed (a --pins-output file stays empty).
  const Status printed = issued->cards.empty() ? ok_status() : (*printer)->finish({{"batch", issued->batch}});
  if (issued->cards.empty() && !args.pins_output.empty()) {
    std::error_code ignored;
    std::filesystem::remove(args.pins_output, ignored);  // opened empty before the refusal
  }
  if (issued->refusal) {
    if (!issued->cards.empty()) {
      std::cerr << fmt::format(
          "paystream: {} cards of batch {} were issued (printed above) before a "
          "refusal; disable them or keep them\n",
          issued->cards.size(), issued->batch);
    }
    return report_error(*issued->refusal, std::cerr);
  }
  if (!printed) return report_error(printed.error(), std::cerr);
  if (!args.pins_output.empty()) {
    std::cerr << fmt::format("paystream: issued {} cards in batch {}; their PINs are in {} (mode 0600)\n",
                             issued->cards.size(), issued->batch, args.pins_output);
  }
  return static_cast<int>(ExitCode::ok);
}

struct ShowArgs {
  std::string number;
};

// The --operator's right to read cards on a data directory: an unregistered operator has none.
Status may_read_cards(const LedgerState& state, const std::string& operator_name) {
  Result<Access> access = access_of(state, operator_name);
  if (!access) return access.error();
  return check_may_read_cards(*access);
}

int run_show(const GlobalOptions& options, const ShowArgs& args) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  std::vector<Cells> rows;
  if (*login) {
    Result<std::unique_ptr<HttpClient>> client = HttpClient::create((*login)->url, (*login)->token);
    if (!client) return report_error(client.error(), std::cerr);
    Result<Cells> cells = remote_row(**client, "/v1/cards/" + path_segment(args.number), card_columns());
    if (!cells) return report_error(cells.error(), std::cerr);
    rows.push_back(std::move(cells).value());
  } else {
    Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
    if (!source) return report_error(source.error(), std::cerr);
    const Date today = date_of(now_utc());
    Status may = ok_status();
    Status read = (*source)->read_control([&](const LedgerState& state) {
      may = may_read_cards(state, options.operator_name);
      if (!may) return;
      if (const CardState* card = state.find_card(args.number)) rows.push_back(card_cells(*card, today));
    });
    if (!read) return report_error(read.error(), std::cerr);
    if (!may) return report_error(may.error(), std::cerr);
  }
  if (rows.empty()) {
    return report_error(make_error(Errc::card_not_found, fmt::format("no card {}", args.number)), std::cerr);
  }
  if (Status printed = print_rows(options, card_columns(), rows, {}); !printed) {
    return report_error(printed.error(), std::cerr);
  }
  return static_cast<int>(ExitCode::ok);
}

struct ListArgs {
  std::string batch;
  std::string state;
};

int run_list(const GlobalOptions& options, const ListArgs& args) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::allowed); !format) {
    return report_error(format.error(), std::cerr);
  }
  CardFilter filter;
  if (!args.batch.empty()) filter.batch = args.batch;
  if (!args.state.empty()) {
    Result<CardStatus> status = card_status_argument(args.state);
    if (!status)
      return report_error(make_error(Errc::invalid_argument, "--state: " + status.error().message),
                          std::cerr);
    filter.status = *status;
  }
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) {
    UrlParams params;
    if (filter.batch) params.emplace_back("batch", *filter.batch);
    if (!args.state.empty()) params.emplace_back("state", args.state);
    return print_remote_query(options, **login, "/v1/cards", params);
  }
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  const Date today = date_of(now_utc());
  std::vector<CardState> cards;
  Status may = ok_status();
  Status read = (*source)->read_control([&](const LedgerState& state) {
    may = may_read_cards(state, options.operator_name);
    if (may) select_cards(state, filter, today, cards);
  });
  if (!read) return report_error(read.error(), std::cerr);
  if (!may) return report_error(may.error(), std::cerr);
  sort_cards(cards);
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, card_columns(), XlsxUse::allowed);
  if (!printer) return report_error(printer.error(), std::cerr);
  for (const CardState& card : cards) (*printer)->row(card_cells(card, today));
  if (Status printed = (*printer)->finish(); !printed) return report_error(printed.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

struct DisableArgs {
  std::string number;
  std::string memo;
  std::string command_id;
};

int run_disable(const GlobalOptions& options, const DisableArgs& args) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<Command> command = command_with_id(args.command_id, DisableCard{args.number, args.memo});
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::card);
}

struct PayCardArgs {
  std::string account_id;
  std::string number;
  std::string pin;
  std::string memo;
  std::string command_id;
};

int run_pay_card(const GlobalOptions& options, const PayCardArgs& args) {
  if (Status valid = account_id_argument("ACCOUNT", args.account_id); !valid)
    return report_error(valid.error(), std::cerr);
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  std::string pin = args.pin;
  if (pin == "-") {
    // Read from standard input, so that the PIN is in neither the shell's history nor `ps`.
    std::getline(std::cin, pin);
    if (!pin.empty() && pin.back() == '\r') pin.pop_back();
  }
  Result<Command> command =
      command_with_id(args.command_id, RedeemCard{args.number, std::move(pin), args.account_id, args.memo});
  if (!command) return report_error(command.error(), std::cerr);
  return submit_and_print(options, std::move(command).value(), Shows::records);
}

}  // namespace

void add_card_commands(CLI::App& app, Cli& cli) {
  CLI::App* group = app.add_subcommand("card", "Issue, show, list and disable phone cards");
  group->require_subcommand(1);

  auto issue_args = std::make_shared<IssueArgs>();
  CLI::App* issue =
      add_leaf_command(*group, "issue", "Issue a batch of phone cards; prints each PIN once", cli);
  issue->add_option("--count", issue_args->count, "How many cards")->required()->type_name("N");
  issue->add_option("--value", issue_args->value, "Each card's value, e.g. 10.00")
      ->required()
      ->type_name("X");
  issue->add_option("--expires", issue_args->expires, "The last day a card can be redeemed")
      ->required()
      ->type_name("YYYY-MM-DD");
  issue->add_option("--batch", issue_args->batch, "The batch's name (default: batch-<date>-<time>)")
      ->type_name("NAME");
  issue
      ->add_option("--pins-output", issue_args->pins_output,
                   "Write the numbers and PINs to this .csv or .xlsx file (mode 0600) instead of stdout")
      ->type_name("FILE");
  set_action(*issue, cli, issue_args, &run_issue);

  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = add_leaf_command(*group, "show", "Show one card (never its PIN)", cli);
  show->add_option("NUMBER", show_args->number, "Card number")->required();
  set_action(*show, cli, show_args, &run_show);

  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = add_leaf_command(*group, "list", "List cards, by batch then number", cli);
  list->add_option("--batch", list_args->batch, "Only this batch")->type_name("NAME");
  list->add_option("--state", list_args->state, "Only unused, used, disabled, locked or expired cards")
      ->type_name("STATE");
  set_action(*list, cli, list_args, &run_list);

  auto disable_args = std::make_shared<DisableArgs>();
  CLI::App* disable = add_leaf_command(*group, "disable", "Disable an unused card (lost, stolen)", cli);
  disable->add_option("NUMBER", disable_args->number, "Card number")->required();
  disable->add_option("--memo", disable_args->memo, "Why")->type_name("TEXT");
  add_command_id_option(*disable, disable_args->command_id);
  set_action(*disable, cli, disable_args, &run_disable);

  auto pay_args = std::make_shared<PayCardArgs>();
  CLI::App* pay = add_leaf_command(app, "pay-card", "Pay a phone card's value into an account", cli);
  pay->add_option("ACCOUNT", pay_args->account_id, "Account ID")->required();
  pay->add_option("NUMBER", pay_args->number, "Card number")->required();
  pay->add_option("PIN", pay_args->pin, "The card's PIN; - reads it from standard input")->required();
  pay->add_option("--memo", pay_args->memo, "Memo of the payment record")->type_name("TEXT");
  add_command_id_option(*pay, pay_args->command_id);
  set_action(*pay, cli, pay_args, &run_pay_card);
}

}  // namespace paystream
