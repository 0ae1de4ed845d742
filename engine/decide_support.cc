#include "engine/decide_support.h"

#include <fmt/format.h>

namespace paystream::decide_support {

Error reject(Errc code, std::string message) { return make_error(code, std::move(message)); }

Error account_not_found(std::string_view id) {
  return reject(Errc::account_not_found, fmt::format("account '{}' does not exist", id));
}

Event base_event(EventType type, const Command& command, const Context& context, std::string memo) {
  Event event;
  event.type = type;
  event.time = context.now;
  event.command_id = command.command_id;
  event.operator_name = command.operator_name;
  event.memo = std::move(memo);
  return event;
}

Event record_event(EventType type, const Command& command, const Context& context, const AccountState& account,
                   std::string memo) {
  Event event = base_event(type, command, context, std::move(memo));
  event.account_id = account.id;
  event.balance_before = event.balance_after = account.balance;
  event.overdraft_before = event.overdraft_after = account.overdraft;
  event.expires_before = event.expires_after = account.settings.expires_on;
  return event;
}

std::vector<Event> one_event(Event&& event) {
  std::vector<Event> events;
  events.push_back(std::move(event));
  return events;
}

}  // namespace paystream::decide_support
