#include "tools/cli_output.h"

#include <iostream>

#include <fmt/format.h>

#include "tools/cli_exit.h"
#include "tools/cli_session.h"

namespace paystream {

Result<OutputFormat> check_output_options(const GlobalOptions& options, XlsxUse xlsx) {
  Result<OutputFormat> format = parse_output_format(options.format);
  if (!format) {
    return make_error(Errc::invalid_argument,
                      fmt::format("--format: invalid value '{}': expected table, json, csv or xlsx", options.format));
  }
  if (*format != OutputFormat::xlsx) return format;
  if (xlsx == XlsxUse::refused) {
    return make_error(Errc::invalid_argument, "--format xlsx: only `records` and `balances` export to Excel");
  }
  if (options.output.empty()) return make_error(Errc::invalid_argument, "--format xlsx needs --output FILE");
  return format;
}

Result<std::unique_ptr<Printer>> Printer::open(const GlobalOptions& options, std::vector<Column> columns,
                                               XlsxUse xlsx) {
  Result<OutputFormat> format = check_output_options(options, xlsx);
  if (!format) return format.error();
  auto printer = std::make_unique<Printer>();
  printer->format_ = *format;
  if (*format != OutputFormat::xlsx && !options.output.empty()) {
    printer->file_.open(options.output, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!printer->file_) return make_error(Errc::io_error, fmt::format("--output: cannot write '{}'", options.output));
  }
  std::ostream& out = printer->file_.is_open() ? static_cast<std::ostream&>(printer->file_) : std::cout;
  Result<std::unique_ptr<RowWriter>> writer = RowWriter::create(*format, out, options.output, std::move(columns));
  if (!writer) return writer.error();
  printer->writer_ = std::move(writer).value();
  return printer;
}

Status Printer::finish(const ExtraMembers& extra) {
  Status status = writer_->finish(extra);
  if (!status) return status;
  std::ostream& out = file_.is_open() ? static_cast<std::ostream&>(file_) : std::cout;
  out.flush();
  if (!out) return make_error(Errc::io_error, "writing the output failed");
  return ok_status();
}

const std::vector<Column>& account_columns() {
  static const std::vector<Column> columns = [] {
    std::vector<Column> all = balance_columns();
    all.push_back(Column{"Parent Agent", "parent", CellKind::text});
    all.push_back(Column{"Locked", "locked", CellKind::text});
    return all;
  }();
  return columns;
}

std::vector<std::string> account_cells(const BalanceRow& row) {
  std::vector<std::string> cells = balance_cells(row);
  cells.push_back(row.parent);
  cells.push_back(row.locked ? "yes" : "no");
  return cells;
}

const std::vector<Column>& parameter_columns() {
  static const std::vector<Column> columns = {
      {"Parameter", "name", CellKind::text},
      {"Value", "value", CellKind::amount},  // a decimal or a whole number: never neutralised in CSV
      {"Meaning", "meaning", CellKind::text}};
  return columns;
}

std::vector<std::string> parameter_cells(const ParameterInfo& info, int64_t value) {
  return {info.name, format_parameter_value(info, value), info.meaning};
}

int print_state_listing(const GlobalOptions& options, std::vector<Column> columns,
                        const std::function<void(const LedgerState&, Printer&)>& rows) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, std::move(columns), XlsxUse::refused);
  if (!printer) return report_error(printer.error(), std::cerr);
  Status read = (*source)->read_control([&](const LedgerState& state) { rows(state, **printer); });
  if (!read) return report_error(read.error(), std::cerr);
  if (Status printed = (*printer)->finish(); !printed) return report_error(printed.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

std::vector<Column> operator_columns(bool with_token) {
  std::vector<Column> columns = {{"Operator", "name", CellKind::text}, {"Role", "role", CellKind::text},
                                 {"Agent", "agent", CellKind::text},   {"Allow", "allow", CellKind::text},
                                 {"Status", "status", CellKind::text}, {"Token ID", "token_id", CellKind::text}};
  if (with_token) columns.push_back({"Token", "token", CellKind::text});
  return columns;
}

std::vector<std::string> operator_cells(const OperatorSettings& settings, const std::string& token) {
  std::vector<std::string> cells = {settings.name,
                                    operator_role_name(settings.role),
                                    settings.agent_account,
                                    permissions_text(settings.permissions),
                                    settings.disabled ? "disabled" : "enabled",
                                    settings.token.id};
  if (!token.empty()) cells.push_back(token);
  return cells;
}

RecordRow record_row_of(const Event& event, const std::string& account_name) {
  RecordRow row;
  row.id = event.position;
  row.account_id = event.account_id;
  row.account_name = account_name;
  row.type = payment_type_of(event.type);
  row.amount = event.amount;
  row.balance_before = event.balance_before;
  row.balance_after = event.balance_after;
  row.time = event.time;
  row.operator_name = event.operator_name;
  row.memo = event.memo;
  row.method = event.method;
  row.reverses = event.reverses;
  return row;
}

}  // namespace paystream
