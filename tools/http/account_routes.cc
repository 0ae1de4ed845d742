// POST /v1/accounts, GET /v1/accounts/{id}, PATCH /v1/accounts/{id}: open, show, update.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tools/commands/data_dir.h"
#include "tools/http/errors.h"
#include "tools/http/query_params.h"
#include "tools/http/routes.h"
#include "tools/http/row_output.h"
#include "tools/http/write_support.h"
#include "tools/runtime/arguments.h"
#include "tools/runtime/rows.h"

namespace paystream::http {
namespace {

using json = nlohmann::json;

ApiResponse open_account(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<Command> command = command_from_request(request, context, caller, "open_account", json::object());
  if (!command) return error_response(command.error());
  const std::string account_id = std::get<OpenAccount>(command->body).account_id;
  ApiResponse response = submit_and_respond(context, std::move(command).value());
  if (response.status == 201 || response.status == 200) {
    response.headers.emplace_back("Location", "/v1/accounts/" + account_id);
  }
  return response;
}

ApiResponse update_account(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  if (Status valid = account_id_argument("account ID", request.path_param("id")); !valid) {
    return error_response(valid.error());
  }
  Result<Command> command = command_from_request(request, context, caller, "update_account",
                                                 {{"account", request.path_param("id")}});
  if (!command) return error_response(command.error());
  return submit_and_respond(context, std::move(command).value());
}

// The account as `paystream account show` prints it: the balance row, then parent and lock. JSON is
// the bare object (every value a string, as in the CLI's rows); table and csv are the CLI's bytes.
ApiResponse show_account(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params = QueryParams::read(request, {"format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  if (*format == OutputFormat::xlsx) {
    return error_response(make_error(
        Errc::invalid_argument,
        "format=xlsx is for the row listings: payment-records, charges, balances, cards and reports"));
  }
  const std::string account_id = request.path_param("id");
  // Before the lookup, so an agent operator cannot tell an account outside its tree from none.
  if (Status may = check_caller_may_read(context.backend, caller, account_id); !may) {
    return error_response(may.error());
  }
  BalanceQuery query;
  query.account_id = account_id;
  query.now = now_utc();
  Result<BalancePage> page = context.backend.projections().balances(query);
  if (!page) return error_response(page.error());
  if (page->rows.empty()) {
    return error_response(
        make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", account_id)));
  }
  const std::vector<std::string> cells = account_cells(page->rows.front());
  if (*format == OutputFormat::json) {
    json account = json::object();
    for (size_t i = 0; i < cells.size(); ++i) account[account_columns()[i].key] = cells[i];
    return json_response(200, account);
  }
  const RowSource source = [&](const CellsVisitor& visit) {
    visit(cells);
    return ok_status();
  };
  return rows_response(*format, account_columns(), source, {}, "account");
}

// May the account place a call now, and for how much at most: from the engine's state in memory
// (the account's partition in Kafka mode), without a disk read.
ApiResponse authorize(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params = QueryParams::read(request, {});
  if (!params) return error_response(params.error());
  const std::string account_id = request.path_param("id");
  if (Status valid = account_id_argument("account ID", account_id); !valid)
    return error_response(valid.error());
  if (Status may = check_caller_may_read(context.backend, caller, account_id); !may) {
    return error_response(may.error());
  }
  std::optional<CallAuthorization> authorization;
  const Timestamp now = now_utc();
  context.backend.read_accounts_of(account_id, [&](const LedgerState& state) {
    if (const AccountState* account = state.find(account_id)) authorization = authorize_call(*account, now);
  });
  if (!authorization) {
    return error_response(
        make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", account_id)));
  }
  return json_response(200, authorization_json(account_id, *authorization));
}

}  // namespace

void add_account_routes(Router& router, ApiContext& context) {
  router.add("POST", "/v1/accounts", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return open_account(context, request, caller);
             });
  router.add("GET", "/v1/accounts/{id}", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return show_account(context, request, caller);
             });
  router.add("GET", "/v1/accounts/{id}/authorization", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return authorize(context, request, caller);
             });
  router.add("PATCH", "/v1/accounts/{id}", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return update_account(context, request, caller);
             });
}

}  // namespace paystream::http
