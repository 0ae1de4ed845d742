#pragma once
// Internal to decide*.cc: building events and rejections the same way for every command.
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/decide.h"

namespace paystream::decide_support {

using Events = std::vector<Event>;

Error reject(Errc code, std::string message);
Error account_not_found(std::string_view id);
// The command's next event, appended to `events` and filled in there: an Event carries a dozen
// strings, and building one apart then moving it into the vector cost a move of each per event.
// The reference is valid until the next append.
Event& add_base_event(Events& events, EventType type, const Command& command, const Context& context,
                      std::string memo);
// Copies the account's current money fields into before and after; the caller changes what moves.
Event& add_record_event(Events& events, EventType type, const Command& command, const Context& context,
                        const AccountState& account, std::string memo);

// SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY: the account's expiration after a payment at context.now.
std::optional<Date> extended_expiry(const AccountState& account, const Context& context,
                                    const Parameters& parameters);

}  // namespace paystream::decide_support
