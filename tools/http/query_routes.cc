// GET /v1/payment-records, /v1/charges and /v1/balances: the CLI's `records`, `charges` and
// `balances` queries, with
// the same filters, paging and formats (docs/api.md "Queries").
#include <fmt/format.h>

#include <charconv>

#include "tools/commands/data_dir.h"
#include "tools/http/auth.h"
#include "tools/http/errors.h"
#include "tools/http/query_params.h"
#include "tools/http/routes.h"
#include "tools/http/row_output.h"
#include "tools/runtime/arguments.h"
#include "tools/runtime/retention.h"

namespace paystream::http {
namespace {

constexpr size_t page_rows_default = 100;

// limit=N: rows per page, 0 for every row. Default: a page for json and table, every row for the
// exports (as the CLI).
Result<size_t> read_limit(const QueryParams& params, OutputFormat format, const ApiLimits& limits) {
  const std::optional<std::string> text = params.get("limit");
  if (!text)
    return format == OutputFormat::csv || format == OutputFormat::xlsx ? size_t{0} : page_rows_default;
  size_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || error != std::errc{} || end != text->data() + text->size() ||
      value > limits.page_rows_max) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("limit: invalid value '{}': expected 0 (every row) to {}", *text, limits.page_rows_max));
  }
  return value;
}

// account, from, to and cursor, as payment-records and charges take them.
template <class Query>
Status read_account_time_filters(const QueryParams& params, Query& query) {
  if (const std::optional<std::string> account = params.get("account")) {
    if (Status valid = account_id_argument("account", *account); !valid) return valid;
    query.account_id = *account;
  }
  if (const std::optional<std::string> from = params.get("from")) {
    Result<Timestamp> time = time_argument("from", *from);
    if (!time) return time.error();
    query.from = *time;
  }
  if (const std::optional<std::string> to = params.get("to")) {
    Result<Timestamp> time = range_end_argument("to", *to);
    if (!time) return time.error();
    query.to = *time;
  }
  if (Status range = check_time_range("from", query.from, "to", query.to); !range) return range;
  query.cursor = params.get("cursor").value_or("");
  return ok_status();
}

Status read_record_filters(const QueryParams& params, RecordQuery& query) {
  if (Status read = read_account_time_filters(params, query); !read) return read;
  if (const std::optional<std::string> type = params.get("type")) {
    Result<PaymentType> parsed = payment_type_argument("type", *type);
    if (!parsed) return parsed.error();
    query.type = *parsed;
  }
  query.operator_name = params.get("operator");
  return ok_status();
}

Status read_balance_filters(const QueryParams& params, BalanceQuery& query) {
  if (const std::optional<std::string> account = params.get("account")) {
    if (Status valid = account_id_argument("account", *account); !valid) return valid;
    query.account_id = *account;
  }
  if (const std::optional<std::string> search = params.get("search")) {
    if (Status valid = search_text_argument("search", *search); !valid) return valid;
    query.search = *search;
  }
  if (const std::optional<std::string> type = params.get("type")) {
    Result<AccountType> parsed = account_type_argument("type", *type);
    if (!parsed) return parsed.error();
    query.type = *parsed;
  }
  for (auto [name, target] : {std::pair{"min", &query.min}, {"max", &query.max}}) {
    const std::optional<std::string> text = params.get(name);
    if (!text) continue;
    Result<Money> amount = money_argument(name, *text);
    if (!amount) return amount.error();
    *target = *amount;
  }
  if (Status range = check_amount_range("min", query.min, "max", query.max); !range) return range;
  query.cursor = params.get("cursor").value_or("");
  return ok_status();
}

// A page: rendered before the response starts; its cursor in the JSON and in a header.
template <class Page, class Cells>
ApiResponse page_response(OutputFormat format, const std::vector<Column>& columns, const Result<Page>& page,
                          Cells cells, std::string_view file_stem, const ExtraMembers& more = {}) {
  if (!page) return error_response(page.error());
  const RowSource source = [&](const CellsVisitor& visit) {
    for (const auto& row : page->rows) visit(cells(row));
    return ok_status();
  };
  ExtraMembers extra = {{"next_cursor", page->next_cursor}};
  extra.insert(extra.end(), more.begin(), more.end());
  ApiResponse response = rows_response(format, columns, source, extra, file_stem);
  if (response.status == 200 && !page->next_cursor.empty()) {
    response.headers.emplace_back("Paystream-Next-Cursor", page->next_cursor);
  }
  return response;
}

// An agent operator reads only its tree: a filter on another account is forbidden (whether or not
// it exists), and every other query is narrowed to the tree by the projections.
template <class Query>
Status restrict_to_caller(const ApiContext& context, const Caller& caller, Query& query) {
  if (query.account_id) {
    if (Status may = check_caller_may_read(context.backend, caller, *query.account_id); !may) return may;
  }
  query.visible_accounts = caller_visible_accounts(context.backend, caller);
  return ok_status();
}

ApiResponse get_records(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params =
      QueryParams::read(request, {"account", "from", "to", "type", "operator", "limit", "cursor", "format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  RecordQuery query;
  Result<size_t> limit = read_limit(*params, *format, context.limits);
  if (!limit) return error_response(limit.error());
  query.limit = *limit;
  if (Status read = read_record_filters(*params, query); !read) return error_response(read.error());
  if (Status may = restrict_to_caller(context, caller, query); !may) return error_response(may.error());
  const Projections& projections = context.backend.projections();
  // Where the records before the last cleanup went (docs/api.md "Maintenance").
  Result<std::optional<CleanedUpNotice>> notice = cleaned_up_notice(projections, query.from);
  if (!notice) return error_response(notice.error());
  ExtraMembers cleaned;
  if (*notice)
    cleaned = {{"cleaned_up_before", (*notice)->before}, {"cleaned_up_export", (*notice)->export_file}};
  const auto with_notice = [&](ApiResponse response) {
    if (*notice && response.status == 200) {
      response.headers.emplace_back("Paystream-Cleaned-Up-Before", (*notice)->before);
    }
    return response;
  };
  if (query.limit > 0) {
    return with_notice(page_response(*format, record_columns(), projections.records(query), record_cells,
                                     "payment-records", cleaned));
  }
  // Checks the filters and the cursor while an error can still have its status.
  RecordQuery probe = query;
  probe.limit = 1;
  if (Result<RecordPage> checked = projections.records(probe); !checked)
    return error_response(checked.error());
  RowSource source = [&projections, query](const CellsVisitor& visit) {
    return projections.for_each_record(query, [&](const RecordRow& row) { visit(record_cells(row)); });
  };
  ExtraMembers extra = {{"next_cursor", ""}};
  extra.insert(extra.end(), cleaned.begin(), cleaned.end());
  return with_notice(every_row_response(*format, record_columns(), std::move(source), extra,
                                        "payment-records", context.limits.page_rows_max));
}

ApiResponse get_charges(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params =
      QueryParams::read(request, {"account", "from", "to", "limit", "cursor", "format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  ChargeQuery query;
  Result<size_t> limit = read_limit(*params, *format, context.limits);
  if (!limit) return error_response(limit.error());
  query.limit = *limit;
  if (Status read = read_account_time_filters(*params, query); !read) return error_response(read.error());
  if (Status may = restrict_to_caller(context, caller, query); !may) return error_response(may.error());
  const Projections& projections = context.backend.projections();
  if (query.limit > 0) {
    return page_response(*format, charge_columns(), projections.charges(query), charge_cells, "charges");
  }
  ChargeQuery probe = query;
  probe.limit = 1;
  if (Result<ChargePage> checked = projections.charges(probe); !checked)
    return error_response(checked.error());
  RowSource source = [&projections, query](const CellsVisitor& visit) {
    return projections.for_each_charge(query, [&](const ChargeRow& row) { visit(charge_cells(row)); });
  };
  return every_row_response(*format, charge_columns(), std::move(source), {{"next_cursor", ""}}, "charges",
                            context.limits.page_rows_max);
}

ApiResponse get_balances(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params =
      QueryParams::read(request, {"account", "search", "type", "min", "max", "limit", "cursor", "format"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  BalanceQuery query;
  query.now = now_utc();
  Result<size_t> limit = read_limit(*params, *format, context.limits);
  if (!limit) return error_response(limit.error());
  query.limit = *limit;
  if (Status read = read_balance_filters(*params, query); !read) return error_response(read.error());
  if (Status may = restrict_to_caller(context, caller, query); !may) return error_response(may.error());
  const Projections& projections = context.backend.projections();
  if (query.limit > 0) {
    return page_response(*format, balance_columns(), projections.balances(query), balance_cells, "balances");
  }
  BalanceQuery probe = query;
  probe.limit = 1;
  if (Result<BalancePage> checked = projections.balances(probe); !checked)
    return error_response(checked.error());
  RowSource source = [&projections, query](const CellsVisitor& visit) {
    return projections.for_each_balance(query, [&](const BalanceRow& row) { visit(balance_cells(row)); });
  };
  // No cursor member, as `paystream balances --format json` prints every row.
  return every_row_response(*format, balance_columns(), std::move(source), {}, "balances",
                            context.limits.page_rows_max);
}

}  // namespace

void add_query_routes(Router& router, ApiContext& context) {
  router.add("GET", "/v1/payment-records", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return get_records(context, request, caller);
             });
  router.add("GET", "/v1/charges", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return get_charges(context, request, caller);
             });
  router.add("GET", "/v1/balances", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return get_balances(context, request, caller);
             });
}

}  // namespace paystream::http
