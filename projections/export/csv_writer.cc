// CSV as RFC 4180 describes it, except that lines end in LF rather than CRLF (what Unix tools and
// every spreadsheet accept). A field is quoted when it holds a comma, a quote, CR or LF, and a
// quote inside it is doubled; a line break inside a quoted field is kept as it is.
//
// A spreadsheet opening the file runs a cell that starts with = + - @ (or a tab or CR before one)
// as a formula, so a memo "=HYPERLINK(...)" written by an agent would act on the accountant's
// machine. Text cells starting with one of those get a leading apostrophe, as OWASP's "CSV
// Injection" page advises; a number in an amount or record ID column ("-3.10") is written as it
// is, so it stays a number.
#include "projections/export/row_writers.h"

namespace paystream {
namespace {

bool may_start_a_formula(std::string_view cell) {
  return !cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos;
}

// -?digits(.digits)?: any amount, also a report's total beyond Money's range.
bool is_plain_decimal(std::string_view cell) {
  if (cell.starts_with('-')) cell.remove_prefix(1);
  const size_t point = cell.find('.');
  const auto digits = [](std::string_view part) {
    return !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return point == std::string_view::npos ? digits(cell)
                                         : digits(cell.substr(0, point)) && digits(cell.substr(point + 1));
}

bool is_number(const Column& column, const std::string& cell) {
  return (column.kind == CellKind::amount || column.kind == CellKind::integer) && is_plain_decimal(cell);
}

// The cell as a spreadsheet must see it: text that would start a formula gets a leading apostrophe.
std::string neutralised(const Column& column, const std::string& cell) {
  if (!may_start_a_formula(cell) || is_number(column, cell)) return cell;
  return "'" + cell;
}

void write_field(std::ostream& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << field;
    return;
  }
  out << '"';
  for (char c : field) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

class CsvWriter final : public RowWriter {
 public:
  CsvWriter(std::ostream& out, std::vector<Column> columns) : out_(out), columns_(std::move(columns)) {
    std::vector<std::string> titles;
    for (const Column& column : columns_) titles.push_back(column.title);
    write_line(titles);
  }

  void row(const std::vector<std::string>& cells) override {
    PAYSTREAM_ASSERT(cells.size() == columns_.size());
    std::vector<std::string> fields;
    fields.reserve(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) fields.push_back(neutralised(columns_[i], cells[i]));
    write_line(fields);
  }

  // `extra` is for JSON: CSV has nowhere to put it without breaking its one-table shape.
  Status finish(const std::vector<std::pair<std::string, std::string>>& /*extra*/) override {
    out_.flush();
    if (!out_) return output_error("writing the CSV output failed");
    return ok_status();
  }

 private:
  void write_line(const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out_ << ',';
      write_field(out_, cells[i]);
    }
    out_ << '\n';
  }

  std::ostream& out_;
  std::vector<Column> columns_;
};

}  // namespace

std::unique_ptr<RowWriter> make_csv_writer(std::ostream& out, std::vector<Column> columns) {
  return std::make_unique<CsvWriter>(out, std::move(columns));
}

}  // namespace paystream
