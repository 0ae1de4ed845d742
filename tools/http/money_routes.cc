// The commands that move money: payments, credit (overdraft limit), make-zero, adjustments and
// reversals. Each is an apply line (docs/cli.md) whose account or record comes from the path.
#include <nlohmann/json.hpp>

#include "tools/http/errors.h"
#include "tools/http/routes.h"
#include "tools/http/write_support.h"
#include "tools/runtime/arguments.h"

namespace paystream::http {
namespace {

using json = nlohmann::json;

// A route that submits the command of `type` for the account in the path.
void add_account_command(Router& router, ApiContext& context, const std::string& pattern, std::string type) {
  router.add(
      "POST", pattern, Auth::required, [&context, type](const ApiRequest& request, const Caller& caller) {
        if (Status valid = account_id_argument("account ID", request.path_param("id")); !valid) {
          return error_response(valid.error());
        }
        Result<Command> command =
            command_from_request(request, context, caller, type, {{"account", request.path_param("id")}});
        if (!command) return error_response(command.error());
        return submit_and_respond(context, std::move(command).value());
      });
}

ApiResponse reverse(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<uint64_t> record = positive_integer_argument("record ID", request.path_param("record_id"));
  if (!record) return error_response(record.error());
  Result<Command> command = command_from_request(request, context, caller, "reverse", {{"record", *record}});
  if (!command) return error_response(command.error());
  return submit_and_respond(context, std::move(command).value());
}

}  // namespace

void add_money_routes(Router& router, ApiContext& context) {
  add_account_command(router, context, "/v1/accounts/{id}/payments", "pay");
  add_account_command(router, context, "/v1/accounts/{id}/credit", "credit");
  add_account_command(router, context, "/v1/accounts/{id}/make-zero", "make_zero");
  add_account_command(router, context, "/v1/accounts/{id}/adjustments", "adjust");
  // A phone card's value into the account: {"card","pin","memo","command_id"}.
  add_account_command(router, context, "/v1/accounts/{id}/card-payments", "redeem_card");
  router.add("POST", "/v1/records/{record_id}/reversal", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return reverse(context, request, caller);
             });
}

}  // namespace paystream::http
