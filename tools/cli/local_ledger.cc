#include "tools/cli/local_ledger.h"

#include <fmt/format.h>

#include <algorithm>

#include "tools/cli/output.h"
#include "tools/runtime/card_rows.h"
#include "tools/runtime/operator_tokens.h"

namespace paystream {
namespace {

// The rows as the records query shows them; built from the events if the projection lacks one.
std::vector<Cells> records_of(Runtime& runtime, const std::vector<Event>& events) {
  std::vector<Cells> rows;
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
        rows.push_back(record_cells(*found));
        continue;
      }
    }
    // One account's name, read without copying the whole state.
    std::string name;
    runtime.ledger->read_state([&](const LedgerState& state) {
      if (const AccountState* account = state.find(event.account_id)) name = account->settings.name;
    });
    rows.push_back(record_cells(record_row_of(event, name)));
  }
  return rows;
}

// Operator add and rotate: the token is made here, where it is shown; the ledger keeps its hash.
Result<std::string> issue_token_for(Command& command) {
  TokenCredential* credential = nullptr;
  if (auto* add = std::get_if<AddOperator>(&command.body)) credential = &add->settings.token;
  if (auto* rotate = std::get_if<RotateOperatorToken>(&command.body)) credential = &rotate->token;
  if (credential == nullptr) return std::string();
  Result<IssuedToken> issued = issue_operator_token();
  if (!issued) return issued.error();
  *credential = issued->credential;
  return issued->token;
}

}  // namespace

Result<std::unique_ptr<LedgerAccess>> LocalLedger::open(const GlobalOptions& options, DataDirUse use) {
  Result<std::unique_ptr<Runtime>> runtime = open_data_dir(options, use);
  if (!runtime) return runtime.error();
  return std::unique_ptr<LedgerAccess>(new LocalLedger(std::move(runtime).value(), options.operator_name));
}

Result<Written> LocalLedger::submit(Command command, Shows shows) {
  Result<std::string> token = issue_token_for(command);
  if (!token) return token.error();
  command.operator_name = operator_name_;
  Result<Outcome> outcome = runtime_->ledger->submit(std::move(command));
  if (!outcome) return outcome.error();
  PAYSTREAM_ASSERT(!outcome->events.empty());
  Written written;
  written.command_id = outcome->events.front().command_id;
  written.duplicate = outcome->duplicate;
  // A duplicate's token is not this run's: the first run's token is the one that was recorded.
  if (!outcome->duplicate) written.token = *token;
  Result<std::vector<Cells>> rows = rows_of(*outcome, shows, written.token);
  if (!rows) return rows.error();
  written.rows = std::move(rows).value();
  return written;
}

Result<std::vector<Cells>> LocalLedger::rows_of(const Outcome& outcome, Shows shows,
                                                const std::string& token) {
  const Event& first = outcome.events.front();
  switch (shows) {
    case Shows::records:
      return records_of(*runtime_, outcome.events);
    case Shows::account: {
      Result<Cells> cells = account(first.account_id);
      if (!cells) return cells.error();
      return std::vector<Cells>{std::move(cells).value()};
    }
    case Shows::operator_settings:
      return std::vector<Cells>{operator_cells(first.operator_settings, token)};
    case Shows::parameter: {
      const ParameterInfo* info = find_parameter(first.parameter_name);
      PAYSTREAM_ASSERT(info != nullptr);
      return std::vector<Cells>{parameter_cells(*info, first.parameter_value)};
    }
    case Shows::card: {
      std::vector<Cells> rows;
      const Date today = date_of(now_utc());
      runtime_->ledger->read_state([&](const LedgerState& state) {
        if (const CardState* card = state.find_card(first.card_number))
          rows.push_back(card_cells(*card, today));
      });
      return rows;
    }
  }
  PAYSTREAM_ASSERT(false);
  return std::vector<Cells>{};
}

Result<Cells> account_row(const Projections& projections, const std::string& account_id) {
  BalanceQuery query;
  query.account_id = account_id;
  query.now = now_utc();
  Result<BalancePage> page = projections.balances(query);
  if (!page) return page.error();
  if (page->rows.empty()) {
    return make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", account_id));
  }
  return account_cells(page->rows.front());
}

Result<Cells> LocalLedger::account(const std::string& account_id) {
  return account_row(runtime_->projections(), account_id);
}

Status LocalLedger::close() { return runtime_->ledger->close(); }

}  // namespace paystream
