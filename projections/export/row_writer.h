#pragma once
// Writers for query results: an aligned text table, JSON, CSV (RFC 4180) and XLSX (libxlsxwriter).
// Rows are streamed: CSV, JSON and XLSX never hold more than one row (the table buffers, to align).
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"
#include "projections/projections.h"

namespace paystream {

enum class OutputFormat { table, json, csv, xlsx };
Result<OutputFormat> parse_output_format(std::string_view text);

// What a column's cells hold, which decides how each format writes them (docs/storage.md
// "Export columns"). JSON writes every kind as a string.
enum class CellKind {
  text,     // CSV: neutralised against formula injection; XLSX: a string cell
  amount,   // a decimal (Money::to_string): right-aligned; XLSX: a number cell
  integer,  // a whole number (a record ID): XLSX: a number cell
  time,     // format_timestamp's text: XLSX: an Excel date-time (UTC)
  date,     // YYYY-MM-DD or empty: XLSX: an Excel date
};

struct Column {
  std::string title;  // "Balance Before": table, CSV and XLSX headers
  std::string key;    // "balance_before": JSON member name
  CellKind kind = CellKind::text;
};

class RowWriter {
 public:
  // xlsx_path is required for OutputFormat::xlsx (and ignored otherwise).
  static Result<std::unique_ptr<RowWriter>> create(OutputFormat format, std::ostream& out,
                                                   const std::string& xlsx_path, std::vector<Column> columns);
  virtual ~RowWriter() = default;
  // cells.size() == columns.size(); an empty optional-like cell is an empty string.
  virtual void row(const std::vector<std::string>& cells) = 0;
  // JSON: `extra` members (e.g. "next_cursor") appended to the top-level object.
  [[nodiscard]] virtual Status finish(const std::vector<std::pair<std::string, std::string>>& extra = {}) = 0;
};

const std::vector<Column>& record_columns();
std::vector<std::string> record_cells(const RecordRow& row);
// The charges query's columns (`paystream charges`, GET /v1/charges).
const std::vector<Column>& charge_columns();
std::vector<std::string> charge_cells(const ChargeRow& row);
const std::vector<Column>& balance_columns();
std::vector<std::string> balance_cells(const BalanceRow& row);

}  // namespace paystream
