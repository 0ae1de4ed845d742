// XLSX through libxlsxwriter in constant-memory mode: each row goes to a temporary file as it is
// written, so an export of any size holds one row in memory. Every return code is checked; the
// first failure is kept and reported by finish() as Errc::io_error.
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>

#include "projections/row_writers.h"

namespace paystream {
namespace {

// Integers up to 2^53 are exact doubles, and so is the correctly rounded quotient micros / 10^6
// the nearest double to the decimal. Larger amounts would lose digits: they are written as text.
constexpr int64_t exact_micros_max = int64_t{1} << 53;
constexpr double column_width_max = 60;

Error xlsx_error(const std::string& doing, lxw_error code) {
  return output_error("XLSX export: " + doing + ": " + lxw_strerror(code));
}

class XlsxWriter final : public RowWriter {
 public:
  XlsxWriter(lxw_workbook* workbook, lxw_worksheet* sheet, std::vector<Column> columns)
      : workbook_(workbook), sheet_(sheet), columns_(std::move(columns)) {}
  ~XlsxWriter() override {
    if (workbook_ != nullptr) lxw_workbook_free(workbook_);  // never finished: write no file
  }
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  Status start() {
    bold_ = workbook_add_format(workbook_);
    amount_ = workbook_add_format(workbook_);
    if (bold_ == nullptr || amount_ == nullptr) return output_error("XLSX export: cannot add a cell format");
    format_set_bold(bold_);
    format_set_num_format(amount_, "0.000000");
    for (size_t i = 0; i < columns_.size(); ++i) {
      const auto col = static_cast<lxw_col_t>(i);
      const double width = std::min(column_width_max, static_cast<double>(columns_[i].title.size() + 4));
      if (const lxw_error code = worksheet_set_column(sheet_, col, col, width, nullptr);
          code != LXW_NO_ERROR) {
        return xlsx_error("setting a column width", code);
      }
      if (const lxw_error code = worksheet_write_string(sheet_, 0, col, columns_[i].title.c_str(), bold_);
          code != LXW_NO_ERROR) {
        return xlsx_error("writing the header", code);
      }
    }
    return ok_status();
  }

  void row(const std::vector<std::string>& cells) override {
    PAYSTREAM_ASSERT(cells.size() == columns_.size());
    if (failure_) return;  // report the first failure only
    ++row_;
    for (size_t i = 0; i < cells.size() && !failure_; ++i) {
      const lxw_error code = write_cell(static_cast<lxw_col_t>(i), cells[i]);
      if (code != LXW_NO_ERROR) failure_ = xlsx_error("writing row " + std::to_string(row_), code);
    }
  }

  Status finish(const std::vector<std::pair<std::string, std::string>>& /*extra*/) override {
    lxw_workbook* workbook = std::exchange(workbook_, nullptr);
    if (failure_) {
      lxw_workbook_free(workbook);
      return *failure_;
    }
    // workbook_close writes the file and frees the workbook, also when it fails.
    if (const lxw_error code = workbook_close(workbook); code != LXW_NO_ERROR) {
      return xlsx_error("writing the file", code);
    }
    return ok_status();
  }

 private:
  lxw_error write_cell(lxw_col_t col, const std::string& cell) {
    if (cell.empty()) return LXW_NO_ERROR;  // a blank cell
    if (columns_[col].is_number) {
      const Result<Money> amount = Money::parse(cell);
      if (amount && std::llabs(amount->micros()) <= exact_micros_max) {
        const double value =
            static_cast<double>(amount->micros()) / static_cast<double>(Money::micros_per_unit);
        return worksheet_write_number(sheet_, row_, col, value, amount_);
      }
    }
    return worksheet_write_string(sheet_, row_, col, cell.c_str(), nullptr);
  }

  lxw_workbook* workbook_;
  lxw_worksheet* sheet_;
  std::vector<Column> columns_;
  lxw_format* bold_ = nullptr;
  lxw_format* amount_ = nullptr;
  lxw_row_t row_ = 0;  // the header is row 0
  std::optional<Error> failure_;
};

}  // namespace

Result<std::unique_ptr<RowWriter>> make_xlsx_writer(const std::string& path, std::vector<Column> columns) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) return output_error("XLSX export: cannot create a workbook for " + path);
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, nullptr);
  if (sheet == nullptr) {
    lxw_workbook_free(workbook);
    return output_error("XLSX export: cannot add a worksheet (is the temporary directory writable?)");
  }
  auto writer = std::make_unique<XlsxWriter>(workbook, sheet, std::move(columns));
  if (Status started = writer->start(); !started) return started.error();
  return std::unique_ptr<RowWriter>(std::move(writer));
}

}  // namespace paystream
