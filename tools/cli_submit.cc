#include "tools/cli_submit.h"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "tools/cli_exit.h"
#include "tools/cli_output.h"
#include "tools/cli_session.h"

namespace paystream {
namespace {

// The rows as the records query shows them; built from the events if the projection lacks one.
std::vector<RecordRow> records_of(Runtime& runtime, const std::vector<Event>& events) {
  std::vector<RecordRow> rows;
  for (const Event& event : events) {
    if (!is_payment_record(event.type)) continue;
    RecordQuery query;
    query.account_id = event.account_id;
    query.from = event.time;
    query.to = Timestamp{event.time.micros + 1};
    query.limit = 0;
    Result<RecordPage> page = runtime.projections().records(query);
    if (page) {
      const auto found = std::find_if(page->rows.begin(), page->rows.end(),
                                      [&](const RecordRow& row) { return row.id == event.position; });
      if (found != page->rows.end()) {
        rows.push_back(*found);
        continue;
      }
    }
    std::string name;
    runtime.ledger->read_state([&](const LedgerState& state) {
      if (const AccountState* account = state.find(event.account_id)) name = account->settings.name;
    });
    rows.push_back(record_row_of(event, name));
  }
  return rows;
}

Status print_outcome(const GlobalOptions& options, Runtime& runtime, const Outcome& outcome, Shows shows,
                     const std::string& token) {
  PAYSTREAM_ASSERT(!outcome.events.empty());
  const Event& first = outcome.events.front();
  const ExtraMembers extra = {{"command_id", first.command_id}};
  if (shows == Shows::records) return print_records(options, records_of(runtime, outcome.events), extra);
  if (shows == Shows::account) {
    BalanceQuery query;
    query.account_id = first.account_id;
    query.now = now_utc();
    Result<BalancePage> page = runtime.projections().balances(query);
    if (!page) return page.error();
    return print_accounts(options, page->rows, extra);
  }
  if (shows == Shows::operator_settings) {
    Result<std::unique_ptr<Printer>> printer = Printer::open(options, operator_columns(!token.empty()),
                                                             XlsxUse::refused);
    if (!printer) return printer.error();
    (*printer)->row(operator_cells(first.operator_settings, token));
    return (*printer)->finish(extra);
  }
  const ParameterInfo* info = find_parameter(first.parameter_name);
  PAYSTREAM_ASSERT(info != nullptr);
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, parameter_columns(), XlsxUse::refused);
  if (!printer) return printer.error();
  (*printer)->row(parameter_cells(*info, first.parameter_value));
  return (*printer)->finish(extra);
}

}  // namespace

int submit_and_print(const GlobalOptions& options, Command command, Shows shows, const std::string& token) {
  if (Status valid = operator_argument(options.operator_name); !valid) return report_error(valid.error(), std::cerr);
  // Checked before opening the data directory, so a bad format changes nothing.
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  command.operator_name = options.operator_name;
  Result<std::unique_ptr<Runtime>> runtime = open_data_dir(options, DataDirUse::create_if_missing);
  if (!runtime) return report_error(runtime.error(), std::cerr);
  Result<Outcome> outcome = (*runtime)->ledger->submit(std::move(command));
  if (!outcome) return report_error(outcome.error(), std::cerr);
  if (outcome->duplicate) {
    std::cerr << "paystream: (already applied) command ID '" << outcome->events.front().command_id
              << "' was applied before; nothing changed, this is its first outcome\n";
  }
  // A duplicate's token is not this run's: the first run's token is the one that was recorded.
  Status printed = print_outcome(options, **runtime, *outcome, shows, outcome->duplicate ? "" : token);
  Status closed = (*runtime)->ledger->close();
  if (!printed) return report_error(printed.error(), std::cerr);
  if (!closed) return report_error(closed.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

}  // namespace paystream
