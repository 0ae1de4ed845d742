#include "tools/commands/cdr_csv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>

namespace paystream {
namespace {

Error invalid(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

constexpr std::string_view required_columns[] = {"cdr_id", "account", "amount", "start_time"};
constexpr std::string_view optional_columns[] = {"duration_seconds", "caller", "callee"};

bool is_known(std::string_view name) {
  return std::find(std::begin(required_columns), std::end(required_columns), name) !=
             std::end(required_columns) ||
         std::find(std::begin(optional_columns), std::end(optional_columns), name) !=
             std::end(optional_columns);
}

}  // namespace

Result<std::vector<std::string>> split_csv_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> fields(1);
  bool quoted = false;
  bool field_was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == ',') {
      fields.emplace_back();
      field_was_quoted = false;
    } else if (c == '"' && fields.back().empty() && !field_was_quoted) {
      quoted = field_was_quoted = true;
    } else if (field_was_quoted) {
      return invalid(fmt::format("a character after a quoted field's closing quote at column {}", i + 1));
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return invalid("a quoted field is not closed on its line");
  return fields;
}

Result<CdrColumns> CdrColumns::from_header(std::string_view header) {
  Result<std::vector<std::string>> names = split_csv_line(header);
  if (!names) return invalid("the header line: " + names.error().message);
  CdrColumns columns;
  for (std::string& name : *names) {
    // Spreadsheets write a byte order mark before the first column's name.
    if (&name == &names->front() && name.starts_with("\xEF\xBB\xBF")) name.erase(0, 3);
    if (!is_known(name)) {
      return invalid(fmt::format("the header names an unknown column '{}' (columns: {}, and optionally {})",
                                 name, fmt::join(required_columns, ", "), fmt::join(optional_columns, ", ")));
    }
    if (std::find(columns.names_.begin(), columns.names_.end(), name) != columns.names_.end()) {
      return invalid(fmt::format("the header names the column '{}' twice", name));
    }
    columns.names_.push_back(std::move(name));
  }
  for (std::string_view required : required_columns) {
    if (std::find(columns.names_.begin(), columns.names_.end(), required) == columns.names_.end()) {
      return invalid(fmt::format("the header has no '{}' column (it needs {})", required,
                                 fmt::join(required_columns, ", ")));
    }
  }
  return columns;
}

Result<nlohmann::json> CdrColumns::charge_of(std::string_view line) const {
  Result<std::vector<std::string>> fields = split_csv_line(line);
  if (!fields) return fields.error();
  if (fields->size() != names_.size()) {
    return invalid(fmt::format("{} fields, but the header names {} columns", fields->size(), names_.size()));
  }
  nlohmann::json charge = {{"type", "charge"}};
  for (size_t i = 0; i < names_.size(); ++i) {
    const std::string& name = names_[i];
    std::string& value = (*fields)[i];
    if (value.empty()) {
      if (is_known(name) && std::find(std::begin(optional_columns), std::end(optional_columns), name) !=
                                std::end(optional_columns)) {
        continue;  // an optional column left empty on this line
      }
      return invalid(fmt::format("the {} column is empty", name));
    }
    if (name == "duration_seconds") {
      uint32_t seconds = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (error != std::errc() || end != value.data() + value.size()) {
        return invalid(fmt::format("duration_seconds '{}' is not a whole number of seconds", value));
      }
      charge[name] = seconds;
    } else {
      charge[name] = std::move(value);
    }
  }
  return charge;
}

}  // namespace paystream
