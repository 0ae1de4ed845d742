// The inverse of command_from_json: what a client sends for a command it built (the CLI talking to
// a server). command_from_json(command_to_json(c)) == c for every command it accepts.
#include <nlohmann/json.hpp>

#include "engine/domain/ledger_state.h"
#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

using json = nlohmann::json;

void put_settings(json& out, const AccountSettings& settings) {
  out["name"] = settings.name;
  out["account_type"] = account_type_name(settings.type);
  if (!settings.parent.empty()) out["parent"] = settings.parent;
  out["monthly_min"] = settings.monthly_min.to_string();
  out["monthly_max"] = settings.monthly_max.to_string();
  if (settings.expires_on) out["expires"] = format_date(*settings.expires_on);
  out["locked"] = settings.locked;
}

struct BodyWriter {
  json& out;

  Status operator()(const OpenAccount& open) {
    out["type"] = "open_account";
    out["account"] = open.account_id;
    put_settings(out, open.settings);
    if (open.overdraft) out["overdraft"] = open.overdraft->to_string();
    if (open.initial_balance) out["balance"] = open.initial_balance->to_string();
    return ok_status();
  }
  Status operator()(const UpdateAccount& update) {
    out["type"] = "update_account";
    out["account"] = update.account_id;
    if (update.name) out["name"] = *update.name;
    if (update.type) out["account_type"] = account_type_name(*update.type);
    if (update.parent) out["parent"] = *update.parent;
    if (update.monthly_min) out["monthly_min"] = update.monthly_min->to_string();
    if (update.monthly_max) out["monthly_max"] = update.monthly_max->to_string();
    if (update.expires_on) {
      out["expires"] = *update.expires_on ? json(format_date(**update.expires_on)) : json(nullptr);
    }
    if (update.locked) out["locked"] = *update.locked;
    return ok_status();
  }
  Status operator()(const Pay& pay) {
    out["type"] = "pay";
    out["account"] = pay.account_id;
    out["amount"] = pay.amount.to_string();
    out["memo"] = pay.memo;
    out["method"] = payment_method_name(pay.method);
    return ok_status();
  }
  Status operator()(const SetCredit& credit) {
    out["type"] = "credit";
    out["account"] = credit.account_id;
    out["limit"] = credit.limit.to_string();
    out["memo"] = credit.memo;
    return ok_status();
  }
  Status operator()(const MakeZero& zero) {
    out["type"] = "make_zero";
    out["account"] = zero.account_id;
    out["memo"] = zero.memo;
    return ok_status();
  }
  Status operator()(const Reverse& reverse) {
    out["type"] = "reverse";
    out["record"] = reverse.record.value;
    out["memo"] = reverse.memo;
    return ok_status();
  }
  Status operator()(const Adjust& adjust) {
    out["type"] = "adjust";
    out["account"] = adjust.account_id;
    out["amount"] = adjust.amount.to_string();
    out["memo"] = adjust.memo;
    return ok_status();
  }
  Status operator()(const SetParameter& set) {
    out["type"] = "set_parameter";
    out["name"] = set.name;
    const ParameterInfo* info = find_parameter(set.name);
    out["value"] = info != nullptr ? format_parameter_value(*info, set.value) : std::to_string(set.value);
    return ok_status();
  }
  Status operator()(const Charge& charge) {
    out["type"] = "charge";
    out["cdr_id"] = charge.cdr_id;
    out["account"] = charge.account_id;
    out["amount"] = charge.amount.to_string();
    out["start_time"] = format_timestamp(charge.call_start);
    if (charge.duration_seconds) out["duration_seconds"] = *charge.duration_seconds;
    if (!charge.caller.empty()) out["caller"] = charge.caller;
    if (!charge.callee.empty()) out["callee"] = charge.callee;
    return ok_status();
  }
  Status operator()(const MinimumCharge& minimum) {
    out["type"] = "minimum_charge";
    out["account"] = minimum.account_id;
    out["month"] = format_month(minimum.month);
    return ok_status();
  }
  Status operator()(const RedeemCard& redeem) {
    out["type"] = "redeem_card";
    out["account"] = redeem.account_id;
    out["card"] = redeem.number;
    out["pin"] = redeem.pin;
    if (!redeem.memo.empty()) out["memo"] = redeem.memo;
    return ok_status();
  }
  Status operator()(const DisableCard& disable) {
    out["type"] = "disable_card";
    out["card"] = disable.number;
    if (!disable.memo.empty()) out["memo"] = disable.memo;
    return ok_status();
  }
  Status operator()(const IssueCards&) {
    return make_error(
        Errc::invalid_argument,
        "a card batch has no JSON line form: use paystream card issue, or POST /v1/cards/batches");
  }
  // The count and checksum must come from an export the tool made itself.
  Status operator()(const CleanUpRecords&) {
    return make_error(Errc::invalid_argument,
                      "a records cleanup has no JSON line form: use paystream records cleanup, or "
                      "POST /v1/maintenance/records-cleanup");
  }
  // A token credential is made where the token is shown: operators are added over HTTP with
  // POST /v1/operators, which makes the token on the server.
  template <class OperatorCommand>
  Status operator()(const OperatorCommand&) {
    return make_error(
        Errc::invalid_argument,
        "operator commands have no JSON line form: use paystream operator, or POST /v1/operators");
  }
};

}  // namespace

Result<json> command_to_json(const Command& command) {
  json out = json::object();
  if (!command.command_id.empty()) out["command_id"] = command.command_id;
  if (!command.operator_name.empty()) out["operator"] = command.operator_name;
  if (Status written = std::visit(BodyWriter{out}, command.body); !written) return written.error();
  return out;
}

}  // namespace paystream
