// Operators over HTTP: GET /v1/operators (the list, as `paystream operator list`; admin and
// auditor), POST /v1/operators (add one; its token is in the response, shown once),
// POST /v1/operators/{name}/disable and POST /v1/operators/{name}/token (a new token; the old one
// stops working), and GET /v1/me (the caller itself). The engine decides who may change them
// (admin); tokens are made here, at the edge, and only their credential reaches the ledger
// (tools/runtime/operator_tokens.h).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tools/http/errors.h"
#include "tools/http/query_params.h"
#include "tools/http/routes.h"
#include "tools/http/row_output.h"
#include "tools/http/write_support.h"
#include "tools/runtime/operator_tokens.h"
#include "tools/runtime/rows.h"

namespace paystream::http {
namespace {

using json = nlohmann::json;

Error invalid(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

Status check_members(const json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || name == key;
    if (!known)
      return invalid(fmt::format("unknown member \"{}\": it takes {}", key, fmt::join(allowed, ", ")));
  }
  return ok_status();
}

// "allow": ["pay-self","adjust"] or "pay-self,adjust".
Result<uint32_t> permissions_member(const json& body) {
  if (!body.contains("allow") || body.at("allow").is_null()) return uint32_t{0};
  const json& allow = body.at("allow");
  if (allow.is_string()) return parse_permissions(allow.get<std::string>());
  if (!allow.is_array())
    return invalid("\"allow\" must be a list of permissions, e.g. [\"pay-self\",\"adjust\"]");
  std::string joined;
  for (const json& item : allow) {
    if (!item.is_string()) return invalid("\"allow\" must be a list of permission names (strings)");
    if (!joined.empty()) joined += ',';
    joined += item.get<std::string>();
  }
  return parse_permissions(joined);
}

// The command with the caller as operator; the command_id from the body when it has one.
Result<Command> operator_command(const json& body, const Caller& caller, CommandBody command_body) {
  Result<std::string> command_id = text_member(body, "command_id", false);
  if (!command_id) return command_id.error();
  if (body.contains("command_id") && !body.at("command_id").is_null()) {
    if (Status valid = check_command_id(*command_id); !valid) return valid.error();
  }
  return Command{*command_id, caller.operator_name, std::move(command_body)};
}

// 201 with the outcome and the token, which is never shown again.
ApiResponse with_token(ApiContext& context, Command command, const std::string& token) {
  if (command.command_id.empty()) command.command_id = generate_command_id();
  const std::string command_id = command.command_id;
  const Result<Outcome> outcome = submit_counted(context, std::move(command));
  ApiResponse response = outcome_response(command_id, outcome);
  // A pending operator command may still be applied: its token must not be lost.
  const bool pending = is_pending(outcome);
  if ((!outcome && !pending) || (outcome && outcome->duplicate)) return response;
  json body = json::parse(response.body);
  body["token"] = token;
  ApiResponse with = json_response(response.status, body);
  with.headers = response.headers;
  return with;
}

Result<OperatorSettings> settings_of(const json& body) {
  OperatorSettings settings;
  Result<std::string> name = text_member(body, "name", true);
  if (!name) return name.error();
  settings.name = *name;
  Result<std::string> role = text_member(body, "role", true);
  if (!role) return role.error();
  const std::optional<OperatorRole> parsed = parse_operator_role(*role);
  if (!parsed)
    return invalid(fmt::format("unknown role '{}': expected admin, finance, agent or auditor", *role));
  settings.role = *parsed;
  Result<std::string> agent = text_member(body, "agent", false);
  if (!agent) return agent.error();
  settings.agent_account = *agent;
  Result<uint32_t> permissions = permissions_member(body);
  if (!permissions) return permissions.error();
  settings.permissions = *permissions;
  return settings;
}

ApiResponse add_operator(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<json> body = body_object(request, context.limits);
  if (!body) return error_response(body.error());
  if (Status known = check_members(*body, {"name", "role", "agent", "allow", "command_id"}); !known) {
    return error_response(known.error());
  }
  Result<OperatorSettings> settings = settings_of(*body);
  if (!settings) return error_response(settings.error());
  Result<IssuedToken> issued = issue_operator_token();
  if (!issued) return error_response(issued.error());
  settings->token = issued->credential;
  Result<Command> command = operator_command(*body, caller, AddOperator{*settings});
  if (!command) return error_response(command.error());
  return with_token(context, std::move(command).value(), issued->token);
}

ApiResponse disable_operator(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<json> body = body_object(request, context.limits);
  if (!body) return error_response(body.error());
  if (Status known = check_members(*body, {"command_id"}); !known) return error_response(known.error());
  Result<Command> command = operator_command(*body, caller, DisableOperator{request.path_param("name")});
  if (!command) return error_response(command.error());
  return submit_and_respond(context, std::move(command).value());
}

ApiResponse rotate_token(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<json> body = body_object(request, context.limits);
  if (!body) return error_response(body.error());
  if (Status known = check_members(*body, {"command_id"}); !known) return error_response(known.error());
  Result<IssuedToken> issued = issue_operator_token();
  if (!issued) return error_response(issued.error());
  Result<Command> command =
      operator_command(*body, caller, RotateOperatorToken{request.path_param("name"), issued->credential});
  if (!command) return error_response(command.error());
  return with_token(context, std::move(command).value(), issued->token);
}

// As `paystream operator list` prints them (never a token): admin and auditor only, since the
// list names every operator, its role and its agent.
ApiResponse list_operators(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params = QueryParams::read(request, {"format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  if (*format == OutputFormat::xlsx) {
    return error_response(make_error(
        Errc::invalid_argument,
        "format=xlsx is for the row listings: payment-records, charges, balances, cards and reports"));
  }
  const OperatorRole role = caller.access.role;
  if (role != OperatorRole::admin && role != OperatorRole::auditor) {
    return error_response(make_error(
        Errc::forbidden, fmt::format("operator '{}' ({}) may not list the operators: admin and auditor may",
                                     caller.operator_name, operator_role_name(role))));
  }
  std::vector<std::vector<std::string>> rows;
  context.backend.read_control([&](const LedgerState& state) {
    for (const auto& [name, settings] : state.operators) rows.push_back(operator_cells(settings));
  });
  const RowSource source = [&](const CellsVisitor& visit) {
    for (const std::vector<std::string>& row : rows) visit(row);
    return ok_status();
  };
  return rows_response(*format, operator_columns(false), source, {}, "operators");
}

// Who the token is and what it may do, for a client that shapes itself to it (the console hides
// what the operator may not do; the engine still refuses it). Any operator may ask about itself.
ApiResponse describe_caller(const ApiRequest& request, const Caller& caller) {
  if (Result<QueryParams> params = QueryParams::read(request, {}); !params)
    return error_response(params.error());
  const Access& access = caller.access;
  json allow = json::array();
  const std::string names = permissions_text(access.permissions);
  for (size_t begin = 0; begin < names.size();) {
    const size_t comma = std::min(names.find(',', begin), names.size());
    allow.push_back(names.substr(begin, comma - begin));
    begin = comma + 1;
  }
  return json_response(200, {{"operator", caller.operator_name},
                             {"role", operator_role_name(access.role)},
                             {"agent", access.agent_account},
                             {"allow", std::move(allow)}});
}

}  // namespace

void add_operator_routes(Router& router, ApiContext& context) {
  router.add("GET", "/v1/me", Auth::required, [](const ApiRequest& request, const Caller& caller) {
    return describe_caller(request, caller);
  });
  router.add("GET", "/v1/operators", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return list_operators(context, request, caller);
             });
  router.add("POST", "/v1/operators", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return add_operator(context, request, caller);
             });
  router.add("POST", "/v1/operators/{name}/disable", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return disable_operator(context, request, caller);
             });
  router.add("POST", "/v1/operators/{name}/token", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return rotate_token(context, request, caller);
             });
}

}  // namespace paystream::http
