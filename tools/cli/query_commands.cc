// records, charges, balances: the queries everyone uses, streamed to the chosen format.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <functional>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/remote_query.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"
#include "tools/runtime/retention.h"

namespace paystream {
namespace {

struct RecordsArgs {
  std::optional<std::string> account, from, to, type, operator_name, limit;
  std::string cursor;
};

Result<size_t> limit_argument(const std::optional<std::string>& text, OutputFormat format) {
  // Exports want every row; a screen wants one page.
  if (!text) return format == OutputFormat::csv || format == OutputFormat::xlsx ? size_t{0} : size_t{100};
  size_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || error != std::errc{} || end != text->data() + text->size()) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("--limit: invalid value '{}': expected a whole number (0: no limit)", *text));
  }
  return value;
}

// --account, --from, --to and --cursor, as records and charges take them.
template <class Args, class Query>
Status read_account_time_filters(const Args& args, Query& query) {
  if (args.account) {
    if (Status valid = account_id_argument("--account", *args.account); !valid) return valid;
    query.account_id = *args.account;
  }
  if (args.from) {
    Result<Timestamp> from = time_argument("--from", *args.from);
    if (!from) return from.error();
    query.from = *from;
  }
  if (args.to) {
    Result<Timestamp> to = range_end_argument("--to", *args.to);
    if (!to) return to.error();
    query.to = *to;
  }
  if (Status range = check_time_range("--from", query.from, "--to", query.to); !range) return range;
  query.cursor = args.cursor;
  return ok_status();
}

Status read_filters(const RecordsArgs& args, RecordQuery& query) {
  if (Status read = read_account_time_filters(args, query); !read) return read;
  if (args.type) {
    Result<PaymentType> type = payment_type_argument("--type", *args.type);
    if (!type) return type.error();
    query.type = *type;
  }
  query.operator_name = args.operator_name;
  return ok_status();
}

// One page, or with limit 0 every row streamed, of a paged query (records, charges).
template <class Query, class Page, class Row>
Status print_paged_query(
    const GlobalOptions& options, const std::vector<Column>& columns, const Query& query,
    const std::function<Result<Page>(const Query&)>& page_of,
    const std::function<Status(const Query&, const std::function<void(const Row&)>&)>& each,
    std::vector<std::string> (*cells)(const Row&)) {
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, columns, XlsxUse::allowed);
  if (!printer) return printer.error();
  if (query.limit == 0) {
    Status streamed = each(query, [&](const Row& row) { (*printer)->row(cells(row)); });
    if (!streamed) return streamed;
    return (*printer)->finish({{"next_cursor", ""}});
  }
  Result<Page> page = page_of(query);
  if (!page) return page.error();
  for (const Row& row : page->rows) (*printer)->row(cells(row));
  Status finished = (*printer)->finish({{"next_cursor", page->next_cursor}});
  // JSON carries the cursor in the document; the other formats keep stdout pure rows.
  if (finished && !page->next_cursor.empty() && (*printer)->format() != OutputFormat::json) {
    std::cerr << "next page: --cursor " << page->next_cursor << '\n';
  }
  return finished;
}

Status print_record_query(Projections& projections, const GlobalOptions& options, const RecordQuery& query) {
  // Where the records before the last cleanup went: said on stderr, so stdout stays rows.
  Result<std::optional<CleanedUpNotice>> notice = cleaned_up_notice(projections, query.from);
  if (!notice) return notice.error();
  if (*notice) std::cerr << "paystream: " << (*notice)->sentence << '\n';
  return print_paged_query<RecordQuery, RecordPage, RecordRow>(
      options, record_columns(), query, [&](const RecordQuery& q) { return projections.records(q); },
      [&](const RecordQuery& q, const std::function<void(const RecordRow&)>& visit) {
        return projections.for_each_record(q, visit);
      },
      &record_cells);
}

// The filters as given (the server reads them as the CLI does), and the page size chosen here.
UrlParams remote_params(const RecordsArgs& args, size_t limit) {
  UrlParams params;
  for (auto [name, value] : {std::pair{"account", &args.account},
                             {"from", &args.from},
                             {"to", &args.to},
                             {"type", &args.type},
                             {"operator", &args.operator_name}}) {
    if (*value) params.emplace_back(name, **value);
  }
  params.emplace_back("limit", std::to_string(limit));
  if (!args.cursor.empty()) params.emplace_back("cursor", args.cursor);
  return params;
}

int run_records(const GlobalOptions& options, const RecordsArgs& args) {
  Result<OutputFormat> format = check_output_options(options, XlsxUse::allowed);
  if (!format) return report_error(format.error(), std::cerr);
  RecordQuery query;
  Result<size_t> limit = limit_argument(args.limit, *format);
  if (!limit) return report_error(limit.error(), std::cerr);
  query.limit = *limit;
  if (Status read = read_filters(args, query); !read) return report_error(read.error(), std::cerr);
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login)
    return print_remote_query(options, **login, "/v1/payment-records", remote_params(args, query.limit));
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  if (Status printed = print_record_query((*source)->projections(), options, query); !printed) {
    return report_error(printed.error(), std::cerr);
  }
  return static_cast<int>(ExitCode::ok);
}

struct ChargesArgs {
  std::optional<std::string> account, from, to, limit;
  std::string cursor;
};

Status print_charge_query(Projections& projections, const GlobalOptions& options, const ChargeQuery& query) {
  return print_paged_query<ChargeQuery, ChargePage, ChargeRow>(
      options, charge_columns(), query, [&](const ChargeQuery& q) { return projections.charges(q); },
      [&](const ChargeQuery& q, const std::function<void(const ChargeRow&)>& visit) {
        return projections.for_each_charge(q, visit);
      },
      &charge_cells);
}

int run_charges(const GlobalOptions& options, const ChargesArgs& args) {
  Result<OutputFormat> format = check_output_options(options, XlsxUse::allowed);
  if (!format) return report_error(format.error(), std::cerr);
  ChargeQuery query;
  Result<size_t> limit = limit_argument(args.limit, *format);
  if (!limit) return report_error(limit.error(), std::cerr);
  query.limit = *limit;
  if (Status read = read_account_time_filters(args, query); !read)
    return report_error(read.error(), std::cerr);
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) {
    UrlParams params;
    for (auto [name, value] : {std::pair{"account", &args.account}, {"from", &args.from}, {"to", &args.to}}) {
      if (*value) params.emplace_back(name, **value);
    }
    params.emplace_back("limit", std::to_string(query.limit));
    if (!args.cursor.empty()) params.emplace_back("cursor", args.cursor);
    return print_remote_query(options, **login, "/v1/charges", params);
  }
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  if (Status printed = print_charge_query((*source)->projections(), options, query); !printed) {
    return report_error(printed.error(), std::cerr);
  }
  return static_cast<int>(ExitCode::ok);
}

void add_charges(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ChargesArgs>();
  CLI::App* charges = add_leaf_command(app, "charges", "Query call charges (not payment records)", cli);
  charges->add_option("--account", args->account, "Only this account")->type_name("ID");
  charges->add_option("--from", args->from, "Recorded from this time, inclusive (UTC unless a zone is given)")
      ->type_name("T");
  charges->add_option("--to", args->to, "Recorded before this time; a date alone: to the end of that day")
      ->type_name("T");
  charges->add_option("--limit", args->limit, "Rows per page (default 100; csv/xlsx: all; 0: all)")
      ->type_name("N");
  charges->add_option("--cursor", args->cursor, "Resume after the page that printed this cursor")
      ->type_name("C");
  set_action(*charges, cli, args, &run_charges);
}

void add_records(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<RecordsArgs>();
  // Here --operator is the filter: a query records no operator, so the global option is left out.
  CLI::App* records = add_leaf_command(app, "records", "Query payment records", cli, WithOperator::no);
  records->add_option("--account", args->account, "Only this account")->type_name("ID");
  records->add_option("--from", args->from, "From this time, inclusive (UTC unless a zone is given)")
      ->type_name("T");
  records->add_option("--to", args->to, "Up to this time, exclusive; a date alone: to the end of that day")
      ->type_name("T");
  records->add_option("--type", args->type, "payment, credit, make_zero, reversal, adjustment, ...")
      ->type_name("TYPE");
  records->add_option("--operator", args->operator_name, "Only records made by this operator")
      ->type_name("O");
  records->add_option("--limit", args->limit, "Rows per page (default 100; csv/xlsx: all; 0: all)")
      ->type_name("N");
  records->add_option("--cursor", args->cursor, "Resume after the page that printed this cursor")
      ->type_name("C");
  // `records cleanup` is a command of its own: CLI11 runs the parent's callback after it, which must
  // then leave the chosen action alone.
  set_callback(*records, [records, &cli, args] {
    if (!records->get_subcommands().empty()) return;
    cli.action = [&cli, args] { return run_records(cli.globals, *args); };
  });
  add_records_cleanup(*records, cli);
}

}  // namespace

void add_query_commands(CLI::App& app, Cli& cli) {
  add_records(app, cli);
  add_charges(app, cli);
  add_balances_command(app, cli);
  add_report_command(app, cli);
  add_audit_commands(app, cli);
}

}  // namespace paystream
