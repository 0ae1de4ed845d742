#include "tools/runtime/audit.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "events/codec.h"
#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

// What an event moved the account's balance by: records and charges carry it; the opening of an
// account (balance zero) and its updates move nothing.
bool moves_balance(EventType type) { return is_payment_record(type) || type == EventType::charge_recorded; }

const char* check_text(bool ok) { return ok ? "ok" : "MISMATCH"; }

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

}  // namespace

const std::vector<Column>& explain_columns() {
  static const std::vector<Column> columns = {
      {"Position", "position", CellKind::integer},
      {"Time", "time", CellKind::time},
      {"Event", "event", CellKind::text},
      {"Payment Type", "payment_type", CellKind::text},
      {"Amount", "amount", CellKind::amount},
      {"Moved", "moved", CellKind::amount},
      {"Balance After", "balance_after", CellKind::amount},
      {"Running Balance", "running_balance", CellKind::amount},
      {"Operator", "operator", CellKind::text},
      {"Command ID", "command_id", CellKind::text},
      {"Memo", "memo", CellKind::text},
      {"Check", "check", CellKind::text},
  };
  return columns;
}

Status explain_account(const Projections& projections, std::string_view account_id,
                       std::optional<Timestamp> as_of, Timestamp now, const ReportCells& cells) {
  Micros128 running = 0;
  Status read = projections.for_each_account_event(account_id, as_of, [&](const Event& event) {
    const bool moves = moves_balance(event.type);
    const Micros128 moved =
        moves ? Micros128{event.balance_after.micros()} - event.balance_before.micros() : 0;
    running += moved;
    cells({std::to_string(event.position.value), format_timestamp(event.time), event_type_name(event.type),
           is_payment_record(event.type) ? payment_type_name(payment_type_of(event.type)) : "",
           moves ? event.amount.to_string() : "", moves ? format_micros(moved) : "",
           moves ? event.balance_after.to_string() : "", format_micros(running), event.operator_name,
           event.command_id, event.memo, moves ? check_text(running == event.balance_after.micros()) : ""});
  });
  if (!read) return read;
  BalanceQuery query;
  query.account_id = std::string(account_id);
  query.now = now;
  query.as_of = as_of;
  Result<BalancePage> row = projections.balances(query);
  if (!row) return row.error();
  if (row->rows.empty()) {
    if (as_of) return ok_status();  // the account did not exist yet: no events, no balance
    return make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", account_id));
  }
  const Money balance = row->rows.front().balance;
  cells({"", format_timestamp(as_of.value_or(now)), "balance = sum of events", "", "", "",
         balance.to_string(), format_micros(running), "", "", "", check_text(running == balance.micros())});
  return ok_status();
}

std::string audit_event_line(const Event& event, std::string_view encoded) {
  nlohmann::json line = event_to_json(event);
  line["hash"] = to_hex(sha256(encoded));
  line["prev_hash"] = to_hex(event.prev_hash);
  line["encoded"] = base64(encoded);
  return line.dump();
}

}  // namespace paystream
