// Export formats and the column sets of the two queries (docs/storage.md lists them).
#include "projections/export/row_writer.h"

#include "projections/export/row_writers.h"

namespace paystream {

Error output_error(std::string_view what) { return make_error(Errc::io_error, std::string(what)); }

size_t code_point_count(std::string_view text) {
  size_t count = 0;
  for (char byte : text) {
    if ((static_cast<uint8_t>(byte) & 0xC0) != 0x80) ++count;
  }
  return count;
}

Result<OutputFormat> parse_output_format(std::string_view text) {
  if (text == "table") return OutputFormat::table;
  if (text == "json") return OutputFormat::json;
  if (text == "csv") return OutputFormat::csv;
  if (text == "xlsx") return OutputFormat::xlsx;
  return make_error(Errc::invalid_argument,
                    "unknown output format '" + std::string(text) + "': expected table, json, csv or xlsx");
}

Result<std::unique_ptr<RowWriter>> RowWriter::create(OutputFormat format, std::ostream& out,
                                                     const std::string& xlsx_path,
                                                     std::vector<Column> columns) {
  switch (format) {
    case OutputFormat::table:
      return make_table_writer(out, std::move(columns));
    case OutputFormat::csv:
      return make_csv_writer(out, std::move(columns));
    case OutputFormat::json:
      return make_json_writer(out, std::move(columns));
    case OutputFormat::xlsx:
      if (xlsx_path.empty()) return make_error(Errc::invalid_argument, "an XLSX export needs an output file");
      return make_xlsx_writer(xlsx_path, std::move(columns));
  }
  return make_error(Errc::invalid_argument, "unknown output format");
}

const std::vector<Column>& record_columns() {
  static const std::vector<Column> columns = {
      {"Record ID", "record_id", CellKind::integer},
      {"Account ID", "account_id", CellKind::text},
      {"Account Name", "account_name", CellKind::text},
      {"Payment Type", "payment_type", CellKind::text},
      {"Amount", "amount", CellKind::amount},
      {"Balance Before", "balance_before", CellKind::amount},
      {"Balance After", "balance_after", CellKind::amount},
      {"Payment Time", "payment_time", CellKind::time},
      {"Operator", "operator", CellKind::text},
      {"Memo", "memo", CellKind::text},
      {"Method", "method", CellKind::text},
      {"Reverses", "reverses", CellKind::integer},
      {"New Expiration", "new_expiration", CellKind::date},
  };
  return columns;
}

std::vector<std::string> record_cells(const RecordRow& row) {
  // A method means something for money paid in (cash, card...); a credit or an adjustment has none.
  const bool paid_in = row.type == PaymentType::payment || row.type == PaymentType::phone_card;
  return {std::to_string(row.id.value),
          row.account_id,
          row.account_name,
          payment_type_name(row.type),
          row.amount.to_string(),
          row.balance_before.to_string(),
          row.balance_after.to_string(),
          format_timestamp(row.time),
          row.operator_name,
          row.memo,
          paid_in ? payment_method_name(row.method) : "",
          row.type == PaymentType::reversal ? std::to_string(row.reverses.value) : "",
          row.new_expiry ? format_date(*row.new_expiry) : ""};
}

const std::vector<Column>& charge_columns() {
  static const std::vector<Column> columns = {
      {"Charge ID", "charge_id", CellKind::integer},
      {"Account ID", "account_id", CellKind::text},
      {"CDR ID", "cdr_id", CellKind::text},
      {"Amount", "amount", CellKind::amount},
      {"Balance Before", "balance_before", CellKind::amount},
      {"Balance After", "balance_after", CellKind::amount},
      {"Call Start", "call_start", CellKind::time},
      {"Duration", "duration_seconds", CellKind::integer},
      {"Caller", "caller", CellKind::text},
      {"Callee", "callee", CellKind::text},
      {"Recorded", "recorded", CellKind::time},
      {"Operator", "operator", CellKind::text},
  };
  return columns;
}

std::vector<std::string> charge_cells(const ChargeRow& row) {
  return {std::to_string(row.id.value),
          row.account_id,
          row.cdr_id,
          row.amount.to_string(),
          row.balance_before.to_string(),
          row.balance_after.to_string(),
          format_timestamp(row.call_start),
          row.duration_seconds ? std::to_string(*row.duration_seconds) : std::string(),
          row.caller,
          row.callee,
          format_timestamp(row.time),
          row.operator_name};
}

const std::vector<Column>& balance_columns() {
  static const std::vector<Column> columns = {
      {"Account ID", "account_id", CellKind::text},
      {"Account Name", "account_name", CellKind::text},
      {"Account Type", "account_type", CellKind::text},
      {"Current Balance", "current_balance", CellKind::amount},
      {"Overdraft Limit", "overdraft_limit", CellKind::amount},
      {"Available Credit", "available_credit", CellKind::amount},
      {"Monthly Consumption", "monthly_consumption", CellKind::amount},
      {"Monthly Min", "monthly_min", CellKind::amount},
      {"Monthly Max", "monthly_max", CellKind::amount},
      {"Expiration Date", "expiration_date", CellKind::date},
      {"Account Status", "account_status", CellKind::text},
  };
  return columns;
}

std::vector<std::string> balance_cells(const BalanceRow& row) {
  return {row.account_id,
          row.account_name,
          account_type_name(row.type),
          row.balance.to_string(),
          row.overdraft.to_string(),
          row.available.to_string(),
          row.month_consumption.to_string(),
          row.monthly_min.to_string(),
          row.monthly_max.to_string(),
          row.expires_on ? format_date(*row.expires_on) : std::string(),
          row.status};
}

}  // namespace paystream
