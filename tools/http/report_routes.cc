// GET /v1/reports/{account-balance,clearing-balance,agent-income,settlement}: the CLI's
// `paystream report NAME`, with the same options (as_of for --as-of) and formats.
#include <fmt/format.h>

#include "tools/commands/data_dir.h"
#include "tools/http/auth.h"
#include "tools/http/errors.h"
#include "tools/http/query_params.h"
#include "tools/http/routes.h"
#include "tools/http/row_output.h"
#include "tools/runtime/reports.h"

namespace paystream::http {
namespace {

ApiResponse get_report(ApiContext& context, const ApiRequest& request, const Caller& caller,
                       const std::string& name) {
  Result<QueryParams> params =
      QueryParams::read(request, {"from", "to", "as_of", "by", "type", "agent", "format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  const ReportOptions options{.from = params->get("from"),
                              .to = params->get("to"),
                              .as_of = params->get("as_of"),
                              .by = params->get("by"),
                              .type = params->get("type"),
                              .agent = params->get("agent")};
  Result<PreparedReport> report = prepare_report(name, options, ReportOptionNames{""}, now_utc(),
                                                 caller_visible_accounts(context.backend, caller));
  if (!report) return error_response(report.error());
  const Projections& projections = context.backend.projections();
  const std::string file_stem = "report-" + name;
  if (name == "account-balance") {
    // A row per account: streamed, as GET /v1/balances with limit=0.
    RowSource source = [&projections, rows = report->rows](const CellsVisitor& visit) {
      return rows(projections, visit);
    };
    return every_row_response(*format, report->columns, std::move(source), {}, file_stem,
                              context.limits.page_rows_max);
  }
  // A few rows per period or agent: read in full first, so that an error still gets its status.
  std::vector<std::vector<std::string>> rows;
  if (Status read =
          report->rows(projections, [&](const std::vector<std::string>& cells) { rows.push_back(cells); });
      !read) {
    return error_response(read.error());
  }
  const RowSource source = [&rows](const CellsVisitor& visit) {
    for (const std::vector<std::string>& cells : rows) visit(cells);
    return ok_status();
  };
  return rows_response(*format, report->columns, source, {}, file_stem);
}

}  // namespace

void add_report_routes(Router& router, ApiContext& context) {
  for (const std::string& name : report_names()) {
    router.add("GET", "/v1/reports/" + name, Auth::required,
               [&context, name](const ApiRequest& request, const Caller& caller) {
                 return get_report(context, request, caller, name);
               });
  }
}

}  // namespace paystream::http
