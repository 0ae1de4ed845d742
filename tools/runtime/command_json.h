#pragma once
// Commands as JSON objects: the form of `paystream apply` input lines (and, later, of the HTTP
// API's command batches). Amounts are decimal strings ("12.50") or whole JSON integers; a JSON
// number with a fraction is refused, since binary floating point cannot carry money exactly.
// Unknown members are refused, so a misspelt field never silently does nothing.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "engine/embedded/ledger.h"
#include "events/command.h"

namespace paystream {

// {"type":"pay","account":"1001","amount":"12.50","memo":"...","command_id":"k-1","operator":"admin"}
// Types: open_account, update_account, pay, credit, make_zero, reverse, adjust, set_parameter; the
// members of each are in docs/cli.md. `default_operator` is used when the object names none.
Result<Command> command_from_json(const nlohmann::json& object, const std::string& default_operator);
Result<Command> command_from_json_text(std::string_view text, const std::string& default_operator);

// The object command_from_json reads back as `command` (operator commands have no such form:
// invalid_argument). Members left at their defaults may be written out; amounts as strings.
Result<nlohmann::json> command_to_json(const Command& command);

// Parses JSON text; a malformed document is Errc::invalid_argument "malformed JSON at column N: ...",
// and so is an object that names a member twice ({"amount":"5","amount":"6"}): every JSON a client
// sends (HTTP bodies, `apply` and `publish` lines) is read through here.
// The parser recurses once per level: text nesting arrays and objects deeper than `depth_max` is
// refused before parsing, so no input can exhaust the stack.
inline constexpr size_t json_depth_max = 32;
Result<nlohmann::json> parse_json_text(std::string_view text, size_t depth_max = json_depth_max);

// One event as JSON, as outcome lines list them: {"position":12,"event":"PaymentRecorded","time":..,
// "command_id":..,"operator":..,"account":..} plus, for payment records, the payment type, amount,
// balances, memo (and method or reverses), and for parameter_set the parameter and value.
// Amounts are strings. (The outcome line around the events is run_apply's: docs/cli.md.)
nlohmann::json event_to_json(const Event& event);

// A records cleanup as JSON: {"from":..,"before":..,"count":..,"export_file":..,"export_sha256":hex}
// ("from" omitted for the first cleanup).
nlohmann::json cleanup_to_json(const RecordsCleanup& cleanup);
// The 64 lowercase hex digits of a 32-byte SHA-256 held in a string.
std::string sha256_hex(std::string_view digest);

// The outcome of one command as apply prints it, without the line number: {"command_id":..,"ok":true,
// "duplicate":..,"events":[..]} or {"command_id":..,"ok":false,"error":{"code":..,"message":..}}.
nlohmann::json outcome_to_json(const std::string& command_id, const Result<Outcome>& outcome);

}  // namespace paystream
