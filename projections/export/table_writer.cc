// The aligned text table for terminals. It must see every row before it knows the column widths,
// so it is the one writer that buffers; exports of any size use CSV, JSON or XLSX.
#include <fmt/format.h>

#include <algorithm>

#include "projections/export/row_writers.h"

namespace paystream {
namespace {

constexpr std::string_view column_gap = "  ";

// The length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 when it is not one.
size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// A cell as a terminal may show it: text from agents must not move the cursor, ring the bell or
// start an escape sequence, nor break the table's lines. A line break or tab becomes a space; any
// other C0 control or DEL becomes \xHH; a C1 control (U+0080-U+009F, CSI among them) becomes
// \u00HH; a byte that is not part of well-formed UTF-8 becomes U+FFFD.
std::string terminal_safe(std::string_view text) {
  std::string safe;
  safe.reserve(text.size());
  while (!text.empty()) {
    const auto lead = static_cast<uint8_t>(text.front());
    const size_t length = utf8_sequence_length(text);
    if (length == 0) {
      safe += "\xEF\xBF\xBD";  // U+FFFD
      text.remove_prefix(1);
      continue;
    }
    if (lead == '\n' || lead == '\r' || lead == '\t') {
      safe += ' ';
    } else if (lead < 0x20 || lead == 0x7F) {
      safe += fmt::format("\\x{:02x}", lead);
    } else if (lead == 0xC2 && static_cast<uint8_t>(text[1]) < 0xA0) {
      safe += fmt::format("\\u{:04x}", static_cast<uint8_t>(text[1]));
    } else {
      safe.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
  return safe;
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
    for (const std::string& cell : cells) line.push_back(terminal_safe(cell));
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
      if (columns_[i].kind == CellKind::amount) {
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
