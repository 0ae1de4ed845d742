// CSV as RFC 4180 describes it, except that lines end in LF rather than CRLF (what Unix tools and
// every spreadsheet accept). A field is quoted when it holds a comma, a quote, CR or LF, and a
// quote inside it is doubled; a line break inside a quoted field is kept as it is.
#include "projections/row_writers.h"

namespace paystream {
namespace {

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
    write_line(cells);
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
