#pragma once
// Commands as JSON objects: the form of `paystream apply` input lines (and, later, of the HTTP
// API's command batches). Amounts are decimal strings ("12.50") or whole JSON integers; a JSON
// number with a fraction is refused, since binary floating point cannot carry money exactly.
// Unknown members are refused, so a misspelt field never silently does nothing.
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "events/command.h"

namespace paystream {

// {"type":"pay","account":"1001","amount":"12.50","memo":"...","command_id":"k-1","operator":"admin"}
// Types: open_account, update_account, pay, credit, make_zero, reverse, adjust, set_parameter.
// `default_operator` is used when the object names none.
Result<Command> command_from_json(const nlohmann::json& object, const std::string& default_operator);
Result<Command> command_from_json_text(std::string_view text, const std::string& default_operator);

// The outcome of one command as JSON: {"command_id":..,"ok":true,"duplicate":false,"events":[...]}
// or {"command_id":..,"ok":false,"error":{"code":..,"message":..}}.
nlohmann::json event_to_json(const Event& event);

}  // namespace paystream
