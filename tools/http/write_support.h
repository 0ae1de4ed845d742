#pragma once
// The write path every write endpoint shares: the request body as an apply-line object
// (tools/runtime/command_json.h) completed with what the path and the token say, submitted through the
// backend (durable when it returns; Kafka mode: or pending), answered with the outcome as
// `paystream apply` prints it.
#include <nlohmann/json.hpp>
#include <string_view>

#include "tools/http/api_context.h"
#include "tools/http/auth.h"
#include "tools/http/http_api.h"

namespace paystream::http {

// The body's JSON object ({} for an empty body). invalid_argument for malformed JSON, a document
// that is not an object, or one nested deeper than limits.json_depth_max (checked before parsing,
// so a hostile body cannot exhaust the stack).
Result<nlohmann::json> body_object(const ApiRequest& request, const ApiLimits& limits);
Result<nlohmann::json> body_json(const ApiRequest& request, const ApiLimits& limits);  // any document

// The command of type `type` from the body plus `from_path` (e.g. {"account":"C-1"}), acting as
// the caller. A body member the path gives, "type" or "operator" is refused (invalid_argument). An
// agent caller's command ID is scoped (agent_command_id).
Result<Command> command_from_request(const ApiRequest& request, const ApiContext& context,
                                     const Caller& caller, std::string_view type, nlohmann::json from_path);

// The ID an agent caller's command is submitted and looked up under: in its agent's ID space
// (engine/domain/access.h scoped_command_id; one generated first when it has none), except an unscoped ID
// that an operator of the same agent used in data written without agent ID spaces (so its retry
// finds it). Other callers' IDs are returned as given.
std::string agent_command_id(const ApiBackend& backend, const Caller& caller, const std::string& given_id);

// ApiBackend::submit, counted in the metrics.
Result<Outcome> submit_counted(ApiContext& context, Command command);
// submit_all, likewise (one duration for the batch's commands: they are acknowledged together).
std::vector<Result<Outcome>> submit_all_counted(ApiContext& context, std::vector<Command> commands);

// 201 and the outcome ({"command_id","duplicate","events"}) for a new change, 200 for a duplicate
// (the first outcome again); 202 for an outcome still pending (Kafka mode: {"command_id","ok":false,
// "error":{"code":"outcome_pending",...}} and a Location header to look it up), the error otherwise.
ApiResponse outcome_response(const std::string& command_id, const Result<Outcome>& outcome);
// Gives the command an ID when it has none, so that a pending outcome can be looked up.
ApiResponse submit_and_respond(ApiContext& context, Command command);
// Where a command's outcome can be looked up: /v1/commands/{id}, the ID percent-encoded.
std::string command_location(std::string_view command_id);

ApiResponse json_response(int status, const nlohmann::json& body);

// A string member of a request body: "" when absent or null and not required; invalid_argument
// when required and absent, or not a string.
Result<std::string> text_member(const nlohmann::json& body, const char* name, bool required);

}  // namespace paystream::http
