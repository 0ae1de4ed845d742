#include "tools/http/write_support.h"

#include <fmt/format.h>

#include <chrono>

#include "engine/domain/access.h"
#include "tools/client/server_url.h"
#include "tools/http/errors.h"
#include "tools/runtime/command_json.h"

namespace paystream::http {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

Error invalid(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

std::string outcome_label(const Result<Outcome>& outcome) {
  if (!outcome) return errc_name(outcome.error().code);
  return outcome->duplicate ? "duplicate" : "applied";
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Result<json> body_json(const ApiRequest& request, const ApiLimits& limits) {
  return parse_json_text(request.body, limits.json_depth_max);
}

Result<json> body_object(const ApiRequest& request, const ApiLimits& limits) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  Result<json> body = body_json(request, limits);
  if (!body) return body.error();
  if (!body->is_object()) return invalid("the request body must be a JSON object");
  return body;
}

Result<Command> command_from_request(const ApiRequest& request, const ApiContext& context,
                                     const Caller& caller, std::string_view type, json from_path) {
  Result<json> body = body_object(request, context.limits);
  if (!body) return body.error();
  if (body->contains("type"))
    return invalid("unknown member \"type\": the endpoint says what the command is");
  if (body->contains("operator")) {
    return invalid("unknown member \"operator\": the operator is the one whose token made the request");
  }
  for (const auto& [key, value] : from_path.items()) {
    if (body->contains(key))
      return invalid(fmt::format("unknown member \"{}\": it is given in the path", key));
    (*body)[key] = value;
  }
  (*body)["type"] = type;
  Result<Command> command = command_from_json(*body, caller.operator_name);
  if (command) command->command_id = agent_command_id(context.backend, caller, command->command_id);
  return command;
}

std::string agent_command_id(const ApiBackend& backend, const Caller& caller, const std::string& given_id) {
  if (caller.access.role != OperatorRole::agent) return given_id;
  if (given_id.empty()) return scoped_command_id(caller.access, generate_command_id());
  const std::string scoped = scoped_command_id(caller.access, given_id);
  if (scoped == given_id) return scoped;
  // A command the agent's operators made in data written without agent ID spaces is stored under
  // the ID as given: its retry must find it rather than be applied again under the scoped ID.
  const std::optional<Result<Outcome>> found = backend.find_outcome(given_id);
  if (!found || !*found || (*found)->events.empty()) return scoped;
  const std::string& maker = (*found)->events.front().operator_name;
  bool made_by_own_agent = false;
  backend.read_control([&](const LedgerState& state) {
    const OperatorSettings* settings = state.find_operator(maker);
    made_by_own_agent = settings != nullptr && settings->role == OperatorRole::agent &&
                        settings->agent_account == caller.access.agent_account;
  });
  return made_by_own_agent ? given_id : scoped;
}

Result<Outcome> submit_counted(ApiContext& context, Command command) {
  const std::string type = command_name(command.body);
  const Clock::time_point start = Clock::now();
  Result<Outcome> outcome = context.backend.submit(std::move(command));
  context.metrics.count_command(type, outcome_label(outcome), seconds_since(start));
  return outcome;
}

std::vector<Result<Outcome>> submit_all_counted(ApiContext& context, std::vector<Command> commands) {
  std::vector<std::string> types;
  types.reserve(commands.size());
  for (const Command& command : commands) types.emplace_back(command_name(command.body));
  const Clock::time_point start = Clock::now();
  std::vector<Result<Outcome>> outcomes = context.backend.submit_all(std::move(commands));
  const double seconds = seconds_since(start);
  for (size_t i = 0; i < outcomes.size(); ++i)
    context.metrics.count_command(types[i], outcome_label(outcomes[i]), seconds);
  return outcomes;
}

ApiResponse json_response(int status, const json& body) {
  ApiResponse response;
  response.status = status;
  // Strings the ledger stored from CLI input may hold invalid UTF-8: replace it, never fail.
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

ApiResponse outcome_response(const std::string& command_id, const Result<Outcome>& outcome) {
  if (is_pending(outcome)) {
    ApiResponse response = json_response(202, outcome_to_json(command_id, outcome));
    response.headers.emplace_back("Location", command_location(command_id));
    return response;
  }
  if (!outcome) return error_response(outcome.error());
  PAYSTREAM_ASSERT(!outcome->events.empty());
  json body = outcome_to_json(outcome->events.front().command_id, outcome);
  body.erase("ok");
  return json_response(outcome->duplicate ? 200 : 201, body);
}

ApiResponse submit_and_respond(ApiContext& context, Command command) {
  if (command.command_id.empty()) command.command_id = generate_command_id();
  const std::string command_id = command.command_id;
  return outcome_response(command_id, submit_counted(context, std::move(command)));
}

std::string command_location(std::string_view command_id) {
  return fmt::format("/v1/commands/{}", path_segment(command_id));
}

Result<std::string> text_member(const nlohmann::json& body, const char* name, bool required) {
  if (!body.contains(name) || body.at(name).is_null()) {
    if (required) return make_error(Errc::invalid_argument, fmt::format("missing \"{}\"", name));
    return std::string();
  }
  if (!body.at(name).is_string()) {
    return make_error(Errc::invalid_argument, fmt::format("\"{}\" must be a string", name));
  }
  return body.at(name).get<std::string>();
}

}  // namespace paystream::http
