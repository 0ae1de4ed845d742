// GET /v1/audit/accounts/{id} and GET /v1/audit/events: `paystream audit explain` and
// `audit export` (docs/api.md "Audit"), for admin and auditor operators.
#include <fmt/format.h>

#include "tools/commands/data_dir.h"
#include "tools/http/errors.h"
#include "tools/http/query_params.h"
#include "tools/http/routes.h"
#include "tools/http/row_output.h"
#include "tools/runtime/arguments.h"
#include "tools/runtime/audit.h"

namespace paystream::http {
namespace {

Status check_auditor(const Caller& caller) {
  const OperatorRole role = caller.access.role;
  if (role == OperatorRole::admin || role == OperatorRole::auditor) return ok_status();
  return make_error(Errc::forbidden,
                    fmt::format("operator '{}' ({}) may not read the audit: admin and auditor may",
                                caller.operator_name, operator_role_name(role)));
}

ApiResponse explain(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params = QueryParams::read(request, {"as_of", "format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  if (Status may = check_auditor(caller); !may) return error_response(may.error());
  const std::string account = request.path_param("id");
  if (Status valid = account_id_argument("account", account); !valid) return error_response(valid.error());
  std::optional<Timestamp> as_of;
  if (const std::optional<std::string> text = params->get("as_of")) {
    Result<Timestamp> moment = as_of_argument("as_of", *text);
    if (!moment) return error_response(moment.error());
    as_of = *moment;
  }
  const Projections& projections = context.backend.projections();
  // The account's existence is checked while an error can still have its status; its events are
  // then streamed (a busy account has many).
  BalanceQuery probe;
  probe.account_id = account;
  if (Result<BalancePage> found = projections.balances(probe); !found || found->rows.empty()) {
    return error_response(
        found ? make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", account))
              : found.error());
  }
  RowSource source = [&projections, account, as_of, now = now_utc()](const CellsVisitor& visit) {
    return explain_account(projections, account, as_of, now, visit);
  };
  return every_row_response(*format, explain_columns(), std::move(source), {}, "audit-" + account,
                            context.limits.page_rows_max);
}

ApiResponse export_events(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params = QueryParams::read(request, {"from", "to"});
  if (!params) return error_response(params.error());
  if (Status may = check_auditor(caller); !may) return error_response(may.error());
  std::optional<Timestamp> from, to;
  if (Status range = time_range_arguments("from", params->get("from"), "to", params->get("to"), from, to);
      !range) {
    return error_response(range.error());
  }
  const Projections& projections = context.backend.projections();
  ApiResponse response;
  response.content_type = "application/x-ndjson";
  // Streamed as read: a failure midway cuts the connection, so a short export never looks whole.
  response.stream = [&projections, from, to](ByteSink& sink) {
    bool open = true;
    Status read = projections.for_each_log_event(from, to, [&](const Event& event, std::string_view encoded) {
      if (open) open = sink.write(audit_event_line(event, encoded) + "\n");
    });
    return read.ok() && open;
  };
  return response;
}

ApiResponse operations(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params = QueryParams::read(request, {"operator", "account", "from", "to", "format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  if (Status may = check_auditor(caller); !may) return error_response(may.error());
  OperationsQuery query;
  query.operator_name = params->get("operator");
  if (const std::optional<std::string> account = params->get("account")) {
    if (Status valid = account_id_argument("account", *account); !valid) return error_response(valid.error());
    query.account_id = *account;
  }
  if (Status range =
          time_range_arguments("from", params->get("from"), "to", params->get("to"), query.from, query.to);
      !range) {
    return error_response(range.error());
  }
  const Projections& projections = context.backend.projections();
  RowSource source = [&projections, query](const CellsVisitor& visit) {
    return list_operations(projections, query, visit);
  };
  return every_row_response(*format, operations_columns(), std::move(source), {}, "audit-operations",
                            context.limits.page_rows_max);
}

}  // namespace

void add_audit_routes(Router& router, ApiContext& context) {
  router.add("GET", "/v1/audit/accounts/{id}", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return explain(context, request, caller);
             });
  router.add("GET", "/v1/audit/operations", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return operations(context, request, caller);
             });
  router.add("GET", "/v1/audit/events", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return export_events(context, request, caller);
             });
}

}  // namespace paystream::http
