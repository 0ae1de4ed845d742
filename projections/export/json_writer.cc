// JSON streamed row by row: {"rows":[{...},...], <extra members>}. Every cell is a JSON string,
// amounts included, so no reader turns 0.1 into a binary fraction.
#include <nlohmann/json.hpp>

#include "projections/export/row_writers.h"

namespace paystream {
namespace {

// A JSON string literal. Bytes that are not UTF-8 become U+FFFD rather than failing the export.
std::string json_string(std::string_view text) {
  return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class JsonWriter final : public RowWriter {
 public:
  JsonWriter(std::ostream& out, std::vector<Column> columns) : out_(out), columns_(std::move(columns)) {
    for (const Column& column : columns_) keys_.push_back(json_string(column.key) + ':');
    out_ << "{\"rows\":[";
  }

  void row(const std::vector<std::string>& cells) override {
    PAYSTREAM_ASSERT(cells.size() == columns_.size());
    out_ << (rows_ == 0 ? "\n{" : ",\n{");
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out_ << ',';
      out_ << keys_[i] << json_string(cells[i]);
    }
    out_ << '}';
    ++rows_;
  }

  Status finish(const std::vector<std::pair<std::string, std::string>>& extra) override {
    out_ << (rows_ == 0 ? "]" : "\n]");
    for (const auto& [key, value] : extra) out_ << ',' << json_string(key) << ':' << json_string(value);
    out_ << "}\n";
    out_.flush();
    if (!out_) return output_error("writing the JSON output failed");
    return ok_status();
  }

 private:
  std::ostream& out_;
  std::vector<Column> columns_;
  std::vector<std::string> keys_;  // quoted once, with the colon
  size_t rows_ = 0;
};

}  // namespace

std::unique_ptr<RowWriter> make_json_writer(std::ostream& out, std::vector<Column> columns) {
  return std::make_unique<JsonWriter>(out, std::move(columns));
}

}  // namespace paystream
