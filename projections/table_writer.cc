// The aligned text table for terminals. It must see every row before it knows the column widths,
// so it is the one writer that buffers; exports of any size use CSV, JSON or XLSX.
#include <algorithm>

#include "projections/row_writers.h"

namespace paystream {
namespace {

constexpr std::string_view column_gap = "  ";

// A line break or tab inside a cell would break the table's lines, so each becomes a space.
std::string single_line(std::string_view text) {
  std::string line(text);
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return line;
}

class TableWriter final : public RowWriter {
 public:
  TableWriter(std::ostream& out, std::vector<Column> columns) : out_(out), columns_(std::move(columns)) {
    std::vector<std::string> titles;
    for (const Column& column : columns_) titles.push_back(column.title);
    rows_.push_back(std::move(titles));
  }

  void row(const std::vector<std::string>& cells) override {
    PAYSTREAM_ASSERT(cells.size() == columns_.size());
    std::vector<std::string> line;
    for (const std::string& cell : cells) line.push_back(single_line(cell));
    rows_.push_back(std::move(line));
  }

  // `extra` is for JSON; a table's caller prints any cursor itself.
  Status finish(const std::vector<std::pair<std::string, std::string>>& /*extra*/) override {
    std::vector<size_t> widths(columns_.size(), 0);
    for (const auto& line : rows_) {
      for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], code_point_count(line[i]));
    }
    write_line(rows_.front(), widths);
    std::vector<std::string> rule;
    for (size_t width : widths) rule.emplace_back(width, '-');
    write_line(rule, widths);
    for (size_t r = 1; r < rows_.size(); ++r) write_line(rows_[r], widths);
    rows_.clear();
    out_.flush();
    if (!out_) return output_error("writing the table failed");
    return ok_status();
  }

 private:
  void write_line(const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string padding(widths[i] - code_point_count(cells[i]), ' ');
      if (i > 0) line += column_gap;
      const bool last = i + 1 == cells.size();
      if (columns_[i].is_number) {
        line += padding + cells[i];  // amounts right-aligned, so their decimal points line up
      } else {
        line += cells[i];
        if (!last) line += padding;  // no trailing spaces
      }
    }
    out_ << line << '\n';
  }

  std::ostream& out_;
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // the header first
};

}  // namespace

std::unique_ptr<RowWriter> make_table_writer(std::ostream& out, std::vector<Column> columns) {
  return std::make_unique<TableWriter>(out, std::move(columns));
}

}  // namespace paystream
