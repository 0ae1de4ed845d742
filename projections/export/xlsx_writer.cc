// XLSX through libxlsxwriter in constant-memory mode: each row goes to a temporary file as it is
// written, so an export of any size holds one row in memory. Every return code is checked; the
// first failure is kept and reported by finish() as Errc::io_error.
//
// Text is always written with worksheet_write_string, which makes a string cell: a memo "=1+1" is
// shown as that text and never run as a formula.
#include <xlsxwriter.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <utility>

#include "projections/export/row_writers.h"

namespace paystream {
namespace {

// Integers up to 2^53 are exact doubles, and so is the correctly rounded quotient micros / 10^6
// the nearest double to the decimal. Larger amounts would lose digits: they are written as text.
constexpr int64_t exact_micros_max = int64_t{1} << 53;
constexpr uint64_t exact_integer_max = uint64_t{1} << 53;
constexpr double column_width_max = 60;
// Excel counts days from 1899-12-30 (its serial 1 is 1900-01-01, with a 29 February 1900 that never
// was); from 1900-03-01 on, the Unix epoch is serial 25569. Earlier times are written as text.
constexpr double excel_serial_of_unix_epoch = 25569;
constexpr int32_t first_exact_excel_day = -25508;  // 1900-03-01, in days since the Unix epoch
constexpr double micros_per_day = 86'400'000'000.0;

// The Excel serial number of a time (days and a fraction of a day, UTC), or nothing before 1900-03-01.
std::optional<double> excel_serial(Timestamp time) {
  if (date_of(time).days < first_exact_excel_day) return std::nullopt;
  return excel_serial_of_unix_epoch + static_cast<double>(time.micros) / micros_per_day;
}

std::optional<double> excel_serial(Date date) {
  if (date.days < first_exact_excel_day) return std::nullopt;
  return excel_serial_of_unix_epoch + date.days;
}

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
    time_ = workbook_add_format(workbook_);
    date_ = workbook_add_format(workbook_);
    if (bold_ == nullptr || amount_ == nullptr || time_ == nullptr || date_ == nullptr) {
      return output_error("XLSX export: cannot add a cell format");
    }
    format_set_bold(bold_);
    format_set_num_format(amount_, "0.000000");
    format_set_num_format(time_, "yyyy-mm-dd hh:mm:ss.000");
    format_set_num_format(date_, "yyyy-mm-dd");
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
    if (const std::optional<std::pair<double, lxw_format*>> number = number_of(columns_[col].kind, cell)) {
      return worksheet_write_number(sheet_, row_, col, number->first, number->second);
    }
    return worksheet_write_string(sheet_, row_, col, cell.c_str(), nullptr);
  }

  // The number a cell of this kind is written as, with its format; nothing for text, and for a
  // value a double cannot hold exactly (or Excel cannot date), which is then written as text.
  std::optional<std::pair<double, lxw_format*>> number_of(CellKind kind, const std::string& cell) const {
    switch (kind) {
      case CellKind::text:
        return std::nullopt;
      case CellKind::amount: {
        const Result<Money> amount = Money::parse(cell);
        if (!amount || std::llabs(amount->micros()) > exact_micros_max) return std::nullopt;
        const double units =
            static_cast<double>(amount->micros()) / static_cast<double>(Money::micros_per_unit);
        return std::pair{units, amount_};
      }
      case CellKind::integer: {
        uint64_t value = 0;
        const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
        const bool whole = error == std::errc{} && end == cell.data() + cell.size();
        if (!whole || value > exact_integer_max) return std::nullopt;
        return std::pair{static_cast<double>(value), nullptr};
      }
      case CellKind::time: {
        const Result<Timestamp> time = parse_timestamp(cell);
        if (!time) return std::nullopt;
        const std::optional<double> serial = excel_serial(*time);
        if (!serial) return std::nullopt;
        return std::pair{*serial, time_};
      }
      case CellKind::date: {
        const Result<Date> date = parse_date(cell);
        if (!date) return std::nullopt;
        const std::optional<double> serial = excel_serial(*date);
        if (!serial) return std::nullopt;
        return std::pair{*serial, date_};
      }
    }
    return std::nullopt;
  }

  lxw_workbook* workbook_;
  lxw_worksheet* sheet_;
  std::vector<Column> columns_;
  lxw_format* bold_ = nullptr;
  lxw_format* amount_ = nullptr;
  lxw_format* time_ = nullptr;
  lxw_format* date_ = nullptr;
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
