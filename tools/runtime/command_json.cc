#include "tools/runtime/command_json.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "engine/domain/ledger_state.h"
#include "events/codec.h"
#include "tools/runtime/strict_json_builder.h"

namespace paystream {
namespace {

using json = nlohmann::json;

Error invalid(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

// The rule of the CLI's --operator: names may be UTF-8 or hold spaces; control characters would
// break table and CSV output. The engine records whatever it is given, so JSON input checks here.
Status check_operator(std::string_view name) {
  bool valid = !name.empty() && name.size() <= 64;
  for (char c : name) valid = valid && (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  if (valid) return ok_status();
  return invalid(fmt::format("\"operator\" must be 1-64 bytes without control characters (got {})",
                             json(std::string(name)).dump(-1, ' ', false, json::error_handler_t::replace)));
}

// Reads members of one object, remembering which were used so leftovers can be refused.
class Members {
 public:
  explicit Members(const json& object) : object_(object) {}

  bool has(const char* name) {
    used_.insert(name);
    return object_.contains(name) && !object_.at(name).is_null();
  }
  bool is_null(const char* name) {
    used_.insert(name);
    return object_.contains(name) && object_.at(name).is_null();
  }

  Result<std::string> text(const char* name, bool required) {
    if (!has(name)) {
      if (required) return invalid(fmt::format("missing \"{}\"", name));
      return std::string();
    }
    const json& value = object_.at(name);
    if (!value.is_string()) return invalid(fmt::format("\"{}\" must be a string", name));
    return value.get<std::string>();
  }

  Result<Money> money(const char* name) {
    if (!has(name)) return invalid(fmt::format("missing \"{}\"", name));
    const json& value = object_.at(name);
    if (value.is_number_integer()) return Money::parse(value.dump());
    if (value.is_number_float()) {
      return make_error(
          Errc::invalid_amount,
          fmt::format("\"{}\": {} is a JSON number with a fraction, which cannot carry money exactly; "
                      "give it as a decimal string like \"12.50\"",
                      name, value.dump()));
    }
    if (!value.is_string()) {
      return make_error(
          Errc::invalid_amount,
          fmt::format("\"{}\" must be a decimal string like \"12.50\" (got {})", name, value.dump()));
    }
    return Money::parse(value.get<std::string>());
  }

  Result<bool> boolean(const char* name) {
    const json& value = object_.at(name);
    if (!value.is_boolean())
      return invalid(fmt::format("\"{}\" must be true or false (got {})", name, value.dump()));
    return value.get<bool>();
  }

  Result<std::optional<Money>> optional_money(const char* name) {
    if (!has(name)) return std::optional<Money>{};
    Result<Money> value = money(name);
    if (!value) return value.error();
    return std::optional<Money>{*value};
  }

  Status check_no_others(const std::string& type) {
    for (const auto& [key, value] : object_.items()) {
      if (!used_.count(key)) return invalid(fmt::format("unknown member \"{}\" for a {} command", key, type));
    }
    return ok_status();
  }

 private:
  const json& object_;
  std::set<std::string, std::less<>> used_;
};

#define PAYSTREAM_TRY_ASSIGN(target, expression) \
  do {                                           \
    auto result_ = (expression);                 \
    if (!result_) return result_.error();        \
    target = std::move(result_).value();         \
  } while (false)

Result<AccountSettings> settings_from(Members& members) {
  AccountSettings settings;
  PAYSTREAM_TRY_ASSIGN(settings.name, members.text("name", true));
  std::string type;
  PAYSTREAM_TRY_ASSIGN(type, members.text("account_type", false));
  if (!type.empty()) {
    const std::optional<AccountType> parsed = parse_account_type(type);
    if (!parsed)
      return invalid(fmt::format("unknown account type '{}': expected direct, agent or clearing", type));
    settings.type = *parsed;
  }
  PAYSTREAM_TRY_ASSIGN(settings.parent, members.text("parent", false));
  if (members.has("monthly_min")) PAYSTREAM_TRY_ASSIGN(settings.monthly_min, members.money("monthly_min"));
  if (members.has("monthly_max")) PAYSTREAM_TRY_ASSIGN(settings.monthly_max, members.money("monthly_max"));
  std::string expires;
  PAYSTREAM_TRY_ASSIGN(expires, members.text("expires", false));
  if (!expires.empty()) PAYSTREAM_TRY_ASSIGN(settings.expires_on, parse_date(expires));
  if (members.has("locked")) PAYSTREAM_TRY_ASSIGN(settings.locked, members.boolean("locked"));
  return settings;
}

Result<CommandBody> open_from(Members& members) {
  OpenAccount open;
  PAYSTREAM_TRY_ASSIGN(open.account_id, members.text("account", true));
  PAYSTREAM_TRY_ASSIGN(open.settings, settings_from(members));
  PAYSTREAM_TRY_ASSIGN(open.overdraft, members.optional_money("overdraft"));
  PAYSTREAM_TRY_ASSIGN(open.initial_balance, members.optional_money("balance"));
  return CommandBody{open};
}

Result<CommandBody> update_from(Members& members) {
  UpdateAccount update;
  PAYSTREAM_TRY_ASSIGN(update.account_id, members.text("account", true));
  if (members.has("name")) PAYSTREAM_TRY_ASSIGN(update.name, members.text("name", true));
  if (members.has("account_type")) {
    std::string type;
    PAYSTREAM_TRY_ASSIGN(type, members.text("account_type", true));
    update.type = parse_account_type(type);
    if (!update.type) return invalid(fmt::format("unknown account type '{}'", type));
  }
  if (members.is_null("parent")) {
    update.parent = std::string();  // null removes the parent, as "" does
  } else if (members.has("parent")) {
    PAYSTREAM_TRY_ASSIGN(update.parent, members.text("parent", true));
  }
  if (members.has("monthly_min")) PAYSTREAM_TRY_ASSIGN(update.monthly_min, members.money("monthly_min"));
  if (members.has("monthly_max")) PAYSTREAM_TRY_ASSIGN(update.monthly_max, members.money("monthly_max"));
  if (members.is_null("expires")) {
    update.expires_on = std::optional<Date>{};
  } else if (members.has("expires")) {
    std::string expires;
    PAYSTREAM_TRY_ASSIGN(expires, members.text("expires", true));
    Result<Date> date = parse_date(expires);
    if (!date) return date.error();
    update.expires_on = std::optional<Date>{*date};
  }
  if (members.has("locked")) PAYSTREAM_TRY_ASSIGN(update.locked, members.boolean("locked"));
  return CommandBody{update};
}

Result<CommandBody> pay_from(Members& members) {
  Pay pay;
  PAYSTREAM_TRY_ASSIGN(pay.account_id, members.text("account", true));
  PAYSTREAM_TRY_ASSIGN(pay.amount, members.money("amount"));
  PAYSTREAM_TRY_ASSIGN(pay.memo, members.text("memo", false));
  std::string method;
  PAYSTREAM_TRY_ASSIGN(method, members.text("method", false));
  if (!method.empty()) {
    const std::optional<PaymentMethod> parsed = parse_payment_method(method);
    if (!parsed)
      return invalid(fmt::format("unknown payment method '{}': expected cash, card or other", method));
    pay.method = *parsed;
  }
  return CommandBody{pay};
}

Result<CommandBody> charge_from(Members& members, const json& object) {
  Charge charge;
  PAYSTREAM_TRY_ASSIGN(charge.cdr_id, members.text("cdr_id", true));
  if (charge.cdr_id.empty()) return invalid("\"cdr_id\" must not be empty");
  PAYSTREAM_TRY_ASSIGN(charge.account_id, members.text("account", true));
  PAYSTREAM_TRY_ASSIGN(charge.amount, members.money("amount"));
  std::string start;
  PAYSTREAM_TRY_ASSIGN(start, members.text("start_time", true));
  PAYSTREAM_TRY_ASSIGN(charge.call_start, parse_timestamp(start));
  if (members.has("duration_seconds")) {
    const json& duration = object.at("duration_seconds");
    if (!duration.is_number_unsigned() || duration.get<uint64_t>() > UINT32_MAX) {
      return invalid(
          fmt::format("\"duration_seconds\" must be a whole number of seconds (got {})", duration.dump()));
    }
    charge.duration_seconds = duration.get<uint32_t>();
  }
  PAYSTREAM_TRY_ASSIGN(charge.caller, members.text("caller", false));
  PAYSTREAM_TRY_ASSIGN(charge.callee, members.text("callee", false));
  return CommandBody{charge};
}

Result<CommandBody> reverse_from(Members& members, const json& object) {
  Reverse reverse;
  if (!members.has("record") || !object.at("record").is_number_unsigned() ||
      object.at("record").get<uint64_t>() == 0) {
    return invalid(
        fmt::format("\"record\" must be the record ID, a positive integer (got {})",
                    object.contains("record") ? object.at("record").dump() : std::string("nothing")));
  }
  reverse.record = LogPosition{object.at("record").get<uint64_t>()};
  PAYSTREAM_TRY_ASSIGN(reverse.memo, members.text("memo", false));
  return CommandBody{reverse};
}

// The members each type takes besides type, command_id and operator. Checked before the members
// are read, so a misspelt member is named even when it makes a required one missing.
struct TypeMembers {
  std::string_view type;
  std::vector<std::string_view> members;
};
const std::vector<TypeMembers>& type_members() {
  static const std::vector<TypeMembers> table = {
      {"open_account",
       {"account", "name", "account_type", "parent", "monthly_min", "monthly_max", "expires", "overdraft",
        "balance", "locked"}},
      {"update_account",
       {"account", "name", "account_type", "parent", "monthly_min", "monthly_max", "expires", "locked"}},
      {"pay", {"account", "amount", "memo", "method"}},
      {"credit", {"account", "limit", "memo"}},
      {"make_zero", {"account", "memo"}},
      {"reverse", {"record", "memo"}},
      {"adjust", {"account", "amount", "memo"}},
      {"set_parameter", {"name", "value"}},
      {"charge", {"cdr_id", "account", "amount", "start_time", "duration_seconds", "caller", "callee"}},
      {"minimum_charge", {"account", "month"}},
      {"redeem_card", {"account", "card", "pin", "memo"}},
      {"disable_card", {"card", "memo"}},
  };
  return table;
}

Status check_members(const std::string& type, const json& object) {
  const TypeMembers* known = nullptr;
  for (const TypeMembers& entry : type_members()) {
    if (entry.type == type) known = &entry;
  }
  if (known == nullptr) {
    return invalid(
        fmt::format("unknown command type '{}': expected open_account, update_account, pay, credit, "
                    "make_zero, reverse, adjust, set_parameter, charge, minimum_charge, redeem_card or "
                    "disable_card",
                    type));
  }
  for (const auto& [key, value] : object.items()) {
    if (key == "type" || key == "command_id" || key == "operator") continue;
    bool found = false;
    for (std::string_view member : known->members) found = found || member == key;
    if (!found) {
      return invalid(fmt::format("unknown member \"{}\" for a {} command (it takes {}, command_id, operator)",
                                 key, type, fmt::join(known->members, ", ")));
    }
  }
  return ok_status();
}

Result<CommandBody> body_from(const std::string& type, Members& members, const json& object) {
  if (type == "open_account") return open_from(members);
  if (type == "update_account") return update_from(members);
  if (type == "pay") return pay_from(members);
  if (type == "reverse") return reverse_from(members, object);
  if (type == "charge") return charge_from(members, object);
  if (type == "minimum_charge") {
    MinimumCharge minimum;
    PAYSTREAM_TRY_ASSIGN(minimum.account_id, members.text("account", true));
    std::string month;
    PAYSTREAM_TRY_ASSIGN(month, members.text("month", true));
    PAYSTREAM_TRY_ASSIGN(minimum.month, parse_month(month));
    return CommandBody{minimum};
  }
  if (type == "redeem_card") {
    RedeemCard redeem;
    PAYSTREAM_TRY_ASSIGN(redeem.account_id, members.text("account", true));
    PAYSTREAM_TRY_ASSIGN(redeem.number, members.text("card", true));
    PAYSTREAM_TRY_ASSIGN(redeem.pin, members.text("pin", true));
    PAYSTREAM_TRY_ASSIGN(redeem.memo, members.text("memo", false));
    return CommandBody{redeem};
  }
  if (type == "disable_card") {
    DisableCard disable;
    PAYSTREAM_TRY_ASSIGN(disable.number, members.text("card", true));
    PAYSTREAM_TRY_ASSIGN(disable.memo, members.text("memo", false));
    return CommandBody{disable};
  }
  if (type == "credit") {
    SetCredit credit;
    PAYSTREAM_TRY_ASSIGN(credit.account_id, members.text("account", true));
    PAYSTREAM_TRY_ASSIGN(credit.limit, members.money("limit"));
    PAYSTREAM_TRY_ASSIGN(credit.memo, members.text("memo", false));
    return CommandBody{credit};
  }
  if (type == "make_zero") {
    MakeZero zero;
    PAYSTREAM_TRY_ASSIGN(zero.account_id, members.text("account", true));
    PAYSTREAM_TRY_ASSIGN(zero.memo, members.text("memo", false));
    return CommandBody{zero};
  }
  if (type == "adjust") {
    Adjust adjust;
    PAYSTREAM_TRY_ASSIGN(adjust.account_id, members.text("account", true));
    PAYSTREAM_TRY_ASSIGN(adjust.amount, members.money("amount"));
    PAYSTREAM_TRY_ASSIGN(adjust.memo, members.text("memo", false));
    return CommandBody{adjust};
  }
  if (type == "set_parameter") {
    SetParameter set;
    PAYSTREAM_TRY_ASSIGN(set.name, members.text("name", true));
    // The value as a string ("30", "12.50") or a whole JSON number (30).
    std::string value;
    if (members.has("value") && object.at("value").is_number_integer()) {
      value = object.at("value").dump();
    } else {
      PAYSTREAM_TRY_ASSIGN(value, members.text("value", true));
    }
    const ParameterInfo* info = find_parameter(set.name);
    if (info == nullptr)
      return make_error(Errc::unknown_parameter, fmt::format("unknown parameter '{}'", set.name));
    PAYSTREAM_TRY_ASSIGN(set.value, parse_parameter_value(*info, value));
    return CommandBody{set};
  }
  return invalid(
      fmt::format("unknown command type '{}': expected open_account, update_account, pay, credit, "
                  "make_zero, reverse, adjust, set_parameter, charge, minimum_charge, redeem_card or "
                  "disable_card",
                  type));
}

}  // namespace

Result<Command> command_from_json(const json& object, const std::string& default_operator) {
  if (!object.is_object()) return invalid("a command must be a JSON object");
  Members members(object);
  std::string type;
  PAYSTREAM_TRY_ASSIGN(type, members.text("type", true));
  if (Status known = check_members(type, object); !known) return known.error();
  Command command;
  PAYSTREAM_TRY_ASSIGN(command.command_id, members.text("command_id", false));
  if (members.has("command_id") && command.command_id.empty()) {
    // An empty key would be replaced by a generated one, and a re-run would apply the command again.
    return invalid("\"command_id\" must not be empty (leave it out to have one generated)");
  }
  if (members.has("operator")) {
    PAYSTREAM_TRY_ASSIGN(command.operator_name, members.text("operator", true));
    if (Status valid = check_operator(command.operator_name); !valid) return valid.error();
  } else {
    command.operator_name = default_operator;
  }
  PAYSTREAM_TRY_ASSIGN(command.body, body_from(type, members, object));
  // A charge's key is its CDR ID, never a generated one: a resent CDR must be a duplicate.
  if (const auto* charge = std::get_if<Charge>(&command.body); charge && command.command_id.empty()) {
    command.command_id = charge_command_id(charge->cdr_id);
  }
  // So is a month's minimum: once per account and month, whoever runs it.
  if (const auto* minimum = std::get_if<MinimumCharge>(&command.body);
      minimum && command.command_id.empty()) {
    command.command_id = minimum_command_id(minimum->account_id, minimum->month);
  }
  // Every member the table allows is read above; this catches a table and a parser that disagree.
  if (Status status = members.check_no_others(type); !status) return status.error();
  return command;
}

namespace {

// The deepest nesting of arrays and objects in JSON text, counted outside strings. Malformed text
// gets some count; the parser then refuses it.
size_t nesting_depth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Result<json> parse_json_text(std::string_view text, size_t depth_max) {
  if (nesting_depth(text) > depth_max) {
    return invalid(fmt::format("malformed JSON: arrays and objects nest deeper than {} levels", depth_max));
  }
  StrictJsonBuilder builder;
  if (json::sax_parse(text.begin(), text.end(), &builder)) return std::move(builder.document());
  if (const std::optional<std::string>& repeated = builder.repeated_member()) {
    return invalid(fmt::format("malformed JSON: the member {} appears more than once in an object",
                               json(*repeated).dump()));
  }
  // The error is "[json.exception.parse_error.101] parse error at line 1, column 9: ..."; keep what
  // follows "parse error". A JSON line is line 1, so then only the column is worth saying.
  std::string_view why = builder.parse_error_text();
  constexpr std::string_view parse_error = "parse error", first_line = " at line 1, column";
  if (const size_t at = why.find(parse_error); at != std::string_view::npos) {
    why.remove_prefix(at + parse_error.size());
  }
  std::string prefix;
  if (why.substr(0, first_line.size()) == first_line) {
    why.remove_prefix(first_line.size());
    prefix = " at column";
  }
  return invalid(fmt::format("malformed JSON{}{}", prefix, why));
}

Result<Command> command_from_json_text(std::string_view text, const std::string& default_operator) {
  Result<json> object = parse_json_text(text);
  if (!object) return object.error();
  return command_from_json(*object, default_operator);
}

std::string sha256_hex(std::string_view digest) {
  PAYSTREAM_ASSERT(digest.size() == Sha256{}.size());
  Sha256 bytes{};
  std::copy(digest.begin(), digest.end(), bytes.begin());
  return to_hex(bytes);
}

json cleanup_to_json(const RecordsCleanup& cleanup) {
  json out = json::object();
  if (cleanup.from.micros != 0) out["from"] = format_timestamp(cleanup.from);
  out["before"] = format_timestamp(cleanup.before);
  out["count"] = cleanup.count;
  out["export_file"] = cleanup.export_file;
  out["export_sha256"] = sha256_hex(cleanup.export_sha256);
  return out;
}

json event_to_json(const Event& event) {
  json out = {{"position", event.position.value},
              {"event", event_type_name(event.type)},
              {"time", format_timestamp(event.time)},
              {"command_id", event.command_id},
              {"operator", event.operator_name}};
  if (!event.account_id.empty()) out["account"] = event.account_id;
  if (is_payment_record(event.type)) {
    out["payment_type"] = payment_type_name(payment_type_of(event.type));
    out["amount"] = event.amount.to_string();
    out["balance_before"] = event.balance_before.to_string();
    out["balance_after"] = event.balance_after.to_string();
    out["overdraft_after"] = event.overdraft_after.to_string();
    out["memo"] = event.memo;
    if (event.type == EventType::payment_recorded || event.type == EventType::card_payment_recorded) {
      out["method"] = payment_method_name(event.method);
    }
    if (event.type == EventType::reversal_recorded) out["reverses"] = event.reverses.value;
    if (event.type == EventType::minimum_charged) out["month"] = format_month(event.minimum_month);
  }
  if (event.type == EventType::charge_recorded) {
    out["cdr_id"] =
        event.command_id.substr(std::min(event.command_id.size(), charge_command_id_prefix.size()));
    out["amount"] = event.amount.to_string();
    out["balance_before"] = event.balance_before.to_string();
    out["balance_after"] = event.balance_after.to_string();
    out["start_time"] = format_timestamp(event.call_start);
    if (event.call_duration_seconds) out["duration_seconds"] = *event.call_duration_seconds;
    out["caller"] = event.caller;
    out["callee"] = event.callee;
  }
  if (!event.card_number.empty()) out["card"] = event.card_number;
  if (event.type == EventType::card_issued) {
    out["batch"] = event.card_batch;
    out["value"] = event.amount.to_string();
    out["expires"] = format_date(*event.expires_after);
  }
  if (event.type == EventType::card_redeemed) {
    out["paid_account"] = event.card_account;
    out["value"] = event.amount.to_string();
  }
  if (event.type == EventType::card_pin_failed) out["pin_failures"] = event.card_pin_failures;
  if (event.type == EventType::card_disabled) out["memo"] = event.memo;
  if (event.type == EventType::records_cleaned_up) out["cleanup"] = cleanup_to_json(event.cleanup);
  if (event.type == EventType::parameter_set) {
    out["parameter"] = event.parameter_name;
    out["value"] = event.parameter_value;
  }
  if (event.type == EventType::operator_added || event.type == EventType::operator_updated) {
    // The credential stays out: a salted hash is still not for display.
    const OperatorSettings& settings = event.operator_settings;
    out["operator_settings"] = {{"name", settings.name},
                                {"role", operator_role_name(settings.role)},
                                {"agent", settings.agent_account},
                                {"allow", permissions_text(settings.permissions)},
                                {"disabled", settings.disabled}};
  }
  return out;
}

json outcome_to_json(const std::string& command_id, const Result<Outcome>& outcome) {
  json out = {{"command_id", command_id}, {"ok", outcome.ok()}};
  if (outcome) {
    out["duplicate"] = outcome->duplicate;
    json events = json::array();
    for (const Event& event : outcome->events) events.push_back(event_to_json(event));
    out["events"] = std::move(events);
  } else {
    out["error"] = {{"code", errc_name(outcome.error().code)}, {"message", outcome.error().message}};
  }
  return out;
}

}  // namespace paystream
