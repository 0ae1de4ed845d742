#include "engine/domain/decide_support.h"

#include <fmt/format.h>

#include <algorithm>

namespace paystream::decide_support {

Error reject(Errc code, std::string message) { return make_error(code, std::move(message)); }

Error account_not_found(std::string_view id) {
  return reject(Errc::account_not_found, fmt::format("account '{}' does not exist", id));
}

Event& add_base_event(Events& events, EventType type, const Command& command, const Context& context,
                      std::string memo) {
  Event& event = events.emplace_back();
  event.type = type;
  event.time = context.now;
  event.command_id = command.command_id;
  event.operator_name = command.operator_name;
  event.memo = std::move(memo);
  return event;
}

Event& add_record_event(Events& events, EventType type, const Command& command, const Context& context,
                        const AccountState& account, std::string memo) {
  Event& event = add_base_event(events, type, command, context, std::move(memo));
  event.account_id = account.id;
  event.balance_before = event.balance_after = account.balance;
  event.overdraft_before = event.overdraft_after = account.overdraft;
  event.expires_before = event.expires_after = account.settings.expires_on;
  return event;
}

// SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY: extend from the later of the current expiration and the
// payment day, so a paying customer whose date has passed becomes usable again. An account without
// an expiration date never expires, and a payment does not give it one.
std::optional<Date> extended_expiry(const AccountState& account, const Context& context,
                                    const Parameters& parameters) {
  const std::optional<Date>& current = account.settings.expires_on;
  if (!current || parameters.pay_delay_expire_days <= 0) return current;
  const Date from = std::max(*current, date_of(context.now));
  return add_days(from, static_cast<int32_t>(parameters.pay_delay_expire_days));
}

}  // namespace paystream::decide_support
