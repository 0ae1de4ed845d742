// POST /v1/commands: a batch of commands of any kind, as `paystream apply` lines, applied in order
// through the backend's submit_all (group-committed), one outcome each. The fast path for upstream
// systems; the batch is 200 even when some commands were refused, each outcome says.
// GET /v1/commands/{id}: the outcome a command got, by its ID (after a pending answer, or a lost
// connection).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tools/http/auth.h"
#include "tools/http/errors.h"
#include "tools/http/routes.h"
#include "tools/http/write_support.h"
#include "tools/runtime/command_json.h"

namespace paystream::http {
namespace {

using json = nlohmann::json;

Error invalid(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

// The command_id a refused command names, so the caller can match its outcome ("" when none).
std::string command_id_of(const json& element) {
  if (!element.is_object() || !element.contains("command_id") || !element.at("command_id").is_string())
    return "";
  return element.at("command_id").get<std::string>();
}

Result<Command> command_of(const ApiBackend& backend, const json& element, const Caller& caller) {
  // A command may name its operator (apply lines do), but only the caller: a token acts for one.
  if (element.is_object() && element.contains("operator") &&
      !(element.at("operator").is_string() &&
        element.at("operator").get<std::string>() == caller.operator_name)) {
    return make_error(
        Errc::forbidden,
        fmt::format("\"operator\" must be the token's operator '{}' (or be left out)", caller.operator_name));
  }
  Result<Command> command = command_from_json(element, caller.operator_name);
  if (command) command->command_id = agent_command_id(backend, caller, command->command_id);
  return command;
}

// The account an applied outcome is about ("" when none): the first its events name, else the
// account a card paid (a card's own events, CardRedeemed first, name no account).
std::string outcome_account(const Outcome& outcome) {
  for (const Event& event : outcome.events) {
    if (!event.account_id.empty()) return event.account_id;
  }
  for (const Event& event : outcome.events) {
    if (!event.card_account.empty()) return event.card_account;
  }
  return "";
}

// The batch document: {"commands":[...]} and nothing else.
Result<json> batch_of(const ApiRequest& request, const ApiLimits& limits) {
  Result<json> body = body_json(request, limits);
  if (!body) return body.error();
  if (!body->is_object() || !body->contains("commands") || !body->at("commands").is_array()) {
    return invalid(
        "the body must be {\"commands\":[{...},...]}, each command an object as `paystream apply` takes");
  }
  for (const auto& [key, value] : body->items()) {
    if (key != "commands")
      return invalid(fmt::format("unknown member \"{}\" (the body takes only \"commands\")", key));
  }
  return std::move(body->at("commands"));
}

ApiResponse post_commands(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<json> batch = batch_of(request, context.limits);
  if (!batch) return error_response(batch.error());
  if (batch->size() > context.limits.batch_commands_max) {
    return error_response(413, "batch_too_large",
                          fmt::format("{} commands in one batch; at most {}: split it", batch->size(),
                                      context.limits.batch_commands_max));
  }
  std::vector<Result<Command>> parsed;
  std::vector<Command> commands;
  parsed.reserve(batch->size());
  for (const json& element : *batch) {
    parsed.push_back(command_of(context.backend, element, caller));
    if (parsed.back()) commands.push_back(*parsed.back());
  }
  // Named before submission, so that a pending outcome (Kafka mode) says which command to look up;
  // a refused one names only the ID its caller gave, as `paystream apply` prints it.
  std::vector<std::string> given_ids;
  for (Command& command : commands) {
    given_ids.push_back(command.command_id);
    if (command.command_id.empty()) command.command_id = generate_command_id();
  }
  std::vector<std::string> submitted_ids;
  for (const Command& command : commands) submitted_ids.push_back(command.command_id);
  std::vector<Result<Outcome>> outcomes = submit_all_counted(context, std::move(commands));
  json results = json::array();
  size_t next = 0;
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (!parsed[i]) {
      results.push_back(outcome_to_json(command_id_of((*batch)[i]), parsed[i].error()));
      continue;
    }
    const Result<Outcome>& outcome = outcomes[next];
    const bool pending = is_pending(outcome);
    results.push_back(outcome_to_json(
        outcome ? outcome->events.front().command_id : (pending ? submitted_ids[next] : given_ids[next]),
        outcome));
    ++next;
  }
  return json_response(200, {{"outcomes", std::move(results)}});
}

// 200 with the outcome as one element of POST /v1/commands' outcomes ("ok", then "events" or
// "error"); 404 command_not_found when no command of that ID is known.
ApiResponse get_command(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  const std::string given_id = request.path_param("id");
  if (Status valid = check_command_id(given_id); !valid) return error_response(valid.error());
  // An agent looks up IDs in its own agent's ID space, as it submitted them.
  const std::string command_id = agent_command_id(context.backend, caller, given_id);
  const Error not_found =
      make_error(Errc::command_not_found, fmt::format("no command with ID '{}' is known ({})", given_id,
                                                      context.backend.unknown_command_reason()));
  std::optional<Result<Outcome>> outcome = context.backend.find_outcome(command_id);
  if (!outcome) return error_response(not_found);
  if (caller.access.role == OperatorRole::agent) {
    // An agent sees the outcomes of commands on its tree only; any other is answered as unknown, so
    // that no outcome tells it what exists outside its tree.
    const std::string account = *outcome ? outcome_account(outcome->value()) : std::string();
    if (Status may = check_caller_may_read(context.backend, caller, account); !may)
      return error_response(not_found);
  }
  json body = outcome_to_json(command_id, *outcome);
  body.erase("duplicate");
  return json_response(200, body);
}

}  // namespace

void add_command_routes(Router& router, ApiContext& context) {
  router.add("POST", "/v1/commands", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return post_commands(context, request, caller);
             });
  router.add("GET", "/v1/commands/{id}", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return get_command(context, request, caller);
             });
}

}  // namespace paystream::http
