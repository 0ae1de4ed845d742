#include "tools/runtime/audit.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <map>
#include <set>

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

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

const char* yes_no(bool value) { return value ? "yes" : "no"; }

Fields account_fields(const AccountSettings& settings) {
  return {{"name", settings.name},
          {"type", account_type_name(settings.type)},
          {"parent", settings.parent},
          {"monthly_min", settings.monthly_min.to_string()},
          {"monthly_max", settings.monthly_max.to_string()},
          {"expires", settings.expires_on ? format_date(*settings.expires_on) : ""},
          {"locked", yes_no(settings.locked)}};
}

Fields operator_fields(const OperatorSettings& settings) {
  return {{"role", operator_role_name(settings.role)},
          {"agent", settings.agent_account},
          {"allow", permissions_text(settings.permissions)},
          {"disabled", yes_no(settings.disabled)},
          {"token", settings.token.id}};  // the token's public id, never its hash
}

std::string joined(const Fields& fields) {
  std::string text;
  for (const auto& [name, value] : fields)
    text += fmt::format("{}{}={}", text.empty() ? "" : "; ", name, value);
  return text;
}

// The fields that differ, as before and after texts.
std::pair<std::string, std::string> changes(const Fields& before, const Fields& after) {
  Fields was, is;
  for (size_t i = 0; i < after.size(); ++i) {
    if (i < before.size() && before[i] == after[i]) continue;
    if (i < before.size()) was.push_back(before[i]);
    is.push_back(after[i]);
  }
  return {joined(was), joined(is)};
}

// What the log said last about each subject, so that a change can say what it replaced.
struct Replaced {
  std::map<std::string, AccountSettings> accounts;
  std::map<std::string, int64_t> parameters;
  std::map<std::string, OperatorSettings> operators;
  std::set<std::string> cleanups;  // Kafka mode: every partition applies a cleanup; it is listed once
};

struct Operation {
  const char* what = nullptr;  // nullptr: not an operation
  std::string subject, before, after;
};

Operation operation_of(const Event& event, Replaced& replaced) {
  switch (event.type) {
    case EventType::account_opened:
      replaced.accounts[event.account_id] = event.settings;
      return {"account opened", event.account_id, "", joined(account_fields(event.settings))};
    case EventType::account_updated: {
      const auto [before, after] =
          changes(account_fields(replaced.accounts[event.account_id]), account_fields(event.settings));
      replaced.accounts[event.account_id] = event.settings;
      return {"account changed", event.account_id, before, after};
    }
    case EventType::parameter_set: {
      const auto found = replaced.parameters.find(event.parameter_name);
      const std::string before =
          found == replaced.parameters.end() ? "(default)" : std::to_string(found->second);
      replaced.parameters[event.parameter_name] = event.parameter_value;
      return {"parameter set", event.parameter_name, before, std::to_string(event.parameter_value)};
    }
    case EventType::operator_added:
      replaced.operators[event.operator_settings.name] = event.operator_settings;
      return {"operator added", event.operator_settings.name, "",
              joined(operator_fields(event.operator_settings))};
    case EventType::operator_updated: {
      const auto [before, after] = changes(operator_fields(replaced.operators[event.operator_settings.name]),
                                           operator_fields(event.operator_settings));
      replaced.operators[event.operator_settings.name] = event.operator_settings;
      return {"operator changed", event.operator_settings.name, before, after};
    }
    case EventType::card_disabled:
      return {"card disabled", event.card_number, "", ""};
    case EventType::records_cleaned_up: {
      if (!replaced.cleanups.insert(event.command_id).second) return {};
      const RecordsCleanup& cleanup = event.cleanup;
      return {
          "records cleaned up", cleanup.export_file, "",
          fmt::format("from={}; before={}; records={}; sha256={}",
                      cleanup.from.micros != 0 ? format_timestamp(cleanup.from) : "",
                      format_timestamp(cleanup.before), cleanup.count, sha256_hex(cleanup.export_sha256))};
    }
    default:
      // A payment may extend the expiration: what a later change of the account replaced.
      if (is_payment_record(event.type)) replaced.accounts[event.account_id].expires_on = event.expires_after;
      return {};
  }
}

}  // namespace

const std::vector<Column>& operations_columns() {
  static const std::vector<Column> columns = {
      {"Position", "position", CellKind::integer},
      {"Time", "time", CellKind::time},
      {"Operation", "operation", CellKind::text},
      {"Subject", "subject", CellKind::text},
      {"Operator", "operator", CellKind::text},
      {"Command ID", "command_id", CellKind::text},
      {"Before", "before", CellKind::text},
      {"After", "after", CellKind::text},
      {"Memo", "memo", CellKind::text},
  };
  return columns;
}

Status list_operations(const Projections& projections, const OperationsQuery& query,
                       const ReportCells& cells) {
  Replaced replaced;
  const auto wanted = [&](const Event& event) {
    return (!query.from || event.time >= *query.from) &&
           (!query.operator_name || event.operator_name == *query.operator_name) &&
           (!query.account_id || event.account_id == *query.account_id);
  };
  // A batch's cards come as one chunk per command (up to 1,000 cards): one row per chunk.
  std::optional<Event> chunk;
  uint64_t chunk_cards = 0;
  const auto flush_chunk = [&] {
    if (!chunk) return;
    if (wanted(*chunk)) {
      cells({std::to_string(chunk->position.value), format_timestamp(chunk->time), "cards issued",
             chunk->card_batch, chunk->operator_name, chunk->command_id, "",
             fmt::format("cards={}; value={}; expires={}", chunk_cards, chunk->amount.to_string(),
                         chunk->expires_after ? format_date(*chunk->expires_after) : ""),
             chunk->memo});
    }
    chunk.reset();
    chunk_cards = 0;
  };
  Status listed =
      projections.for_each_log_event(std::nullopt, query.to, [&](const Event& event, std::string_view) {
        if (event.type == EventType::card_issued) {
          if (chunk && chunk->command_id != event.command_id) flush_chunk();
          if (!chunk) chunk = event;
          ++chunk_cards;
          return;
        }
        flush_chunk();
        const Operation operation = operation_of(event, replaced);
        if (operation.what == nullptr || !wanted(event)) return;
        cells({std::to_string(event.position.value), format_timestamp(event.time), operation.what,
               operation.subject, event.operator_name, event.command_id, operation.before, operation.after,
               event.memo});
      });
  if (!listed) return listed;
  flush_chunk();
  return ok_status();
}

std::string audit_event_line(const Event& event, std::string_view encoded) {
  nlohmann::json line = event_to_json(event);
  line["hash"] = to_hex(sha256(encoded));
  line["prev_hash"] = to_hex(event.prev_hash);
  line["encoded"] = base64(encoded);
  // A memo or name taken from a shell may be Latin-1: the export must still write every event.
  // The exact bytes are in "encoded", which is what the hash chain covers.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace paystream
