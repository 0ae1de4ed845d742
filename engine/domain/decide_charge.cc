// decide for Charge and MinimumCharge, what moves consumption and what it leads to.
// A completed call's charge (domain.md "Consumption"): the call happened, so its charge is never
// refused for lack of funds; it may take the balance below the overdraft limit, and the account's
// status then blocks further calls. Only malformed or impossible input is refused.
#include <fmt/format.h>

#include "engine/domain/decide_support.h"

namespace paystream {
namespace {

using namespace decide_support;

constexpr size_t number_bytes_max = 128;  // caller and callee
// A softswitch's clock may run ahead of ours; a call starting later than this is not a CDR.
constexpr int64_t call_start_ahead_micros_max = int64_t{3600} * 1'000'000;

Status check_call(const Command& command, const Charge& charge, const Context& context) {
  if (charge.cdr_id.empty() || command.command_id != charge_command_id(charge.cdr_id)) {
    return reject(
        Errc::invalid_argument,
        fmt::format("a charge's command ID is '{}' followed by its CDR ID ('{}'), not '{}'",
                    charge_command_id_prefix, charge_command_id(charge.cdr_id), command.command_id));
  }
  if (charge.caller.size() > number_bytes_max || charge.callee.size() > number_bytes_max) {
    return reject(Errc::invalid_argument,
                  fmt::format("caller and callee are at most {} bytes each", number_bytes_max));
  }
  if (charge.call_start.micros <= 0) {
    return reject(Errc::invalid_argument, "the call's start time must be after 1970-01-01T00:00:00Z");
  }
  if (charge.call_start.micros - context.now.micros > call_start_ahead_micros_max) {
    return reject(Errc::invalid_argument,
                  fmt::format("the call starts at {}, more than an hour after the ledger's time {}",
                              format_timestamp(charge.call_start), format_timestamp(context.now)));
  }
  return ok_status();
}

}  // namespace

Status decide_charge(const LedgerState& state, const Command& command, const Charge& charge,
                     const Context& context, Events& events) {
  if (Status status = check_call(command, charge, context); !status) return status;
  const AccountState* account = state.find(charge.account_id);
  if (account == nullptr) return account_not_found(charge.account_id);
  if (charge.amount < Money::zero()) {
    return reject(Errc::amount_must_not_be_negative,
                  fmt::format("a call's charge must not be negative, got {}", charge.amount.to_string()));
  }
  const std::optional<Money> after = account->balance.checked_sub(charge.amount);
  if (!after || !add_consumption(account->consumption, month_of(charge.call_start), charge.amount)) {
    return reject(Errc::balance_would_overflow,
                  fmt::format("charging {} to '{}' would overflow its balance or its month's consumption",
                              charge.amount.to_string(), account->id));
  }
  Event& event = add_record_event(events, EventType::charge_recorded, command, context, *account, "");
  event.amount = charge.amount;
  event.balance_after = *after;
  event.call_start = charge.call_start;
  event.call_duration_seconds = charge.duration_seconds;
  event.caller = charge.caller;
  event.callee = charge.callee;
  return ok_status();
}

}  // namespace paystream

namespace paystream {

// The monthly minimum (domain.md "Monthly minimum"): once the month's charge time has come, an
// account whose consumption of the month stayed below its minimum is charged the difference, once.
// Everything it depends on is in the state and the command, so a replay decides the same.
Status decide_minimum_charge(const LedgerState& state, const Command& command, const MinimumCharge& minimum,
                             const Context& context, Events& events) {
  const std::string month = format_month(minimum.month);
  if (command.command_id != minimum_command_id(minimum.account_id, minimum.month)) {
    return reject(Errc::invalid_argument,
                  fmt::format("a minimum charge's command ID is '{}', not '{}'",
                              minimum_command_id(minimum.account_id, minimum.month), command.command_id));
  }
  const AccountState* account = state.find(minimum.account_id);
  if (account == nullptr) return account_not_found(minimum.account_id);
  const Parameters& parameters = state.parameters;
  if (parameters.minimum_consumption_enabled != 1) {
    return reject(Errc::nothing_to_change,
                  "monthly minimum charging is off (SERVER_MINIMUM_CONSUMPTION_ENABLED = 0)");
  }
  const Timestamp due = minimum_due_time(minimum.month, parameters.minimum_consumption_charge_hour);
  if (context.now < due) {
    return reject(Errc::nothing_to_change,
                  fmt::format("the minimum of {} is not due until {}", month, format_timestamp(due)));
  }
  const MinimumShortfall owed = minimum_shortfall(*account, minimum.month);
  switch (owed.verdict) {
    case MinimumVerdict::charge:
      break;
    case MinimumVerdict::already_charged:
      return reject(Errc::nothing_to_change,
                    fmt::format("the minimum of '{}' was charged for {} already", account->id,
                                format_month(account->minimum_charged_month)));
    case MinimumVerdict::opened_after:
      return reject(Errc::nothing_to_change,
                    fmt::format("account '{}' was opened after {} ended", account->id, month));
    case MinimumVerdict::consumption_gone:
      return reject(Errc::nothing_to_change,
                    fmt::format("the consumption of '{}' in {} is no longer kept (calls of {} were charged "
                                "since): its minimum can no longer be decided",
                                account->id, month, format_month(account->consumption.month)));
    case MinimumVerdict::reached:
      return reject(Errc::nothing_to_change,
                    fmt::format("'{}' consumed {} in {}, not below its minimum {}", account->id,
                                owed.consumed.to_string(), month, account->settings.monthly_min.to_string()));
  }
  const std::optional<Money> after = account->balance.checked_sub(owed.shortfall);
  if (!after) {
    return reject(
        Errc::balance_would_overflow,
        fmt::format("charging the minimum of {} to '{}' would overflow its balance", month, account->id));
  }
  Event& event =
      add_record_event(events, EventType::minimum_charged, command, context, *account,
                       fmt::format("monthly minimum {}: consumed {} of {}", month, owed.consumed.to_string(),
                                   account->settings.monthly_min.to_string()));
  event.amount = Money::from_micros(-owed.shortfall.micros());
  event.balance_after = *after;
  event.minimum_month = minimum.month;
  return ok_status();
}

}  // namespace paystream
