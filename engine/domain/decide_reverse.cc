// Reversal: undoes one earlier payment record exactly once, as a compensating record that names it.
#include <fmt/format.h>

#include <algorithm>

#include "engine/domain/decide_support.h"

namespace paystream {

using namespace decide_support;

namespace {

Status reverse_money(const AccountState& account, const Event& target, Event& event) {
  // Payment, phone card, adjustment: take the amount back. Make zero: give back what it removed
  // (its record amount is minus that). Either way the compensating amount is -(record amount).
  const std::optional<Money> amount = target.amount.checked_negate();
  const std::optional<Money> after = amount ? account.balance.checked_add(*amount) : std::nullopt;
  if (!after) {
    return reject(Errc::balance_would_overflow,
                  fmt::format("reversing record {} would overflow the balance of '{}'", target.position.value,
                              account.id));
  }
  event.amount = *amount;
  event.balance_after = *after;
  return ok_status();
}

Status reverse_credit(const AccountState& account, const Event& target, Event& event) {
  // Restoring an older limit over a newer credit would silently undo the newer one.
  if (account.overdraft != target.overdraft_after) {
    return reject(Errc::record_not_reversible,
                  fmt::format("credit record {} is no longer the limit in force on '{}' (now {}); set a new "
                              "credit instead",
                              target.position.value, account.id, account.overdraft.to_string()));
  }
  event.amount = target.overdraft_before;
  event.overdraft_after = target.overdraft_before;
  return ok_status();
}

}  // namespace

// A refusal after the event is added leaves it to decide_into() to take it back out.
Status decide_reverse(const LedgerState& state, const Command& command, const Reverse& reverse,
                      const Context& context, Events& events) {
  const Event* target = context.reversal_target;
  if (target == nullptr || !is_payment_record(target->type)) {
    return reject(Errc::record_not_found,
                  fmt::format("payment record {} does not exist", reverse.record.value));
  }
  PAYSTREAM_ASSERT(target->position == reverse.record);
  if (target->type == EventType::reversal_recorded) {
    return reject(Errc::record_not_reversible,
                  fmt::format("record {} is itself a reversal and cannot be reversed", reverse.record.value));
  }
  const AccountState* account = state.find(target->account_id);
  PAYSTREAM_ASSERT(account != nullptr);  // a record's account exists for ever
  if (std::binary_search(account->reversed_records.begin(), account->reversed_records.end(),
                         reverse.record.value)) {
    return reject(Errc::record_already_reversed,
                  fmt::format("record {} has already been reversed", reverse.record.value));
  }
  Event& event =
      add_record_event(events, EventType::reversal_recorded, command, context, *account, reverse.memo);
  event.reverses = reverse.record;
  event.reversed_type = payment_type_of(target->type);
  return target->type == EventType::credit_set ? reverse_credit(*account, *target, event)
                                               : reverse_money(*account, *target, event);
}

}  // namespace paystream
