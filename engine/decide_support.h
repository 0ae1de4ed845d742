#pragma once
// Internal to decide*.cc: building events and rejections the same way for every command.
#include <string>
#include <string_view>

#include "engine/decide.h"

namespace paystream::decide_support {

Error reject(Errc code, std::string message);
Error account_not_found(std::string_view id);
Event base_event(EventType type, const Command& command, const Context& context, std::string memo);
// Copies the account's current money fields into before and after; the caller changes what moves.
Event record_event(EventType type, const Command& command, const Context& context, const AccountState& account,
                   std::string memo);
// A command's single event, moved into the result: `std::vector<Event>{event}` would copy it
// (an initializer list holds const elements), and Event carries several strings.
std::vector<Event> one_event(Event&& event);

}  // namespace paystream::decide_support
