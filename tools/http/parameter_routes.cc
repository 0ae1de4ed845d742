// GET /v1/parameters (every system parameter in force, parameter_catalog()) and PUT /v1/parameters/{name}.
#include <nlohmann/json.hpp>

#include "tools/http/auth.h"
#include "tools/http/errors.h"
#include "tools/http/query_params.h"
#include "tools/http/routes.h"
#include "tools/http/row_output.h"
#include "tools/http/write_support.h"
#include "tools/runtime/rows.h"

namespace paystream::http {
namespace {

// As `paystream param list` prints them: {"rows":[{"name","value","meaning"},...]} (or table, csv).
ApiResponse list_parameters(ApiContext& context, const ApiRequest& request, const Caller& /*caller*/) {
  Result<QueryParams> params = QueryParams::read(request, {"format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  if (*format == OutputFormat::xlsx) {
    return error_response(make_error(
        Errc::invalid_argument,
        "format=xlsx is for the row listings: payment-records, charges, balances, cards and reports"));
  }
  std::vector<std::vector<std::string>> rows;
  context.backend.read_control([&](const LedgerState& state) {
    for (const ParameterInfo& info : parameter_catalog()) {
      rows.push_back(parameter_cells(info, parameter_value(state.parameters, info.name)));
    }
  });
  const RowSource source = [&](const CellsVisitor& visit) {
    for (const std::vector<std::string>& row : rows) visit(row);
    return ok_status();
  };
  return rows_response(*format, parameter_columns(), source, {}, "parameters");
}

ApiResponse set_parameter(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<Command> command =
      command_from_request(request, context, caller, "set_parameter", {{"name", request.path_param("name")}});
  if (!command) return error_response(command.error());
  return submit_and_respond(context, std::move(command).value());
}

}  // namespace

void add_parameter_routes(Router& router, ApiContext& context) {
  router.add("GET", "/v1/parameters", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return list_parameters(context, request, caller);
             });
  router.add("PUT", "/v1/parameters/{name}", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return set_parameter(context, request, caller);
             });
}

}  // namespace paystream::http
