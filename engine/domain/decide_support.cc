#include "engine/domain/decide_support.h"

#include <fmt/format.h>

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

}  // namespace paystream::decide_support
