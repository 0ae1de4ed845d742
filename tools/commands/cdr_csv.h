#pragma once
// CDR files for `paystream charge --file`: CSV whose header line names the columns (cdr_id,
// account, amount, start_time, and optionally duration_seconds, caller, callee, in any order).
// Each data line becomes the JSON form of a Charge command (tools/runtime/command_json.h), so a
// CDR goes through the same parser whether it came from a file, `apply`, HTTP or Kafka.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"

namespace paystream {

// One CSV line split into fields (RFC 4180 quoting; a quoted field may hold commas and doubled
// quotes, not line breaks). A trailing '\r' is dropped.
Result<std::vector<std::string>> split_csv_line(std::string_view line);

class CdrColumns {
 public:
  // From the header line: every required column once, no unknown or repeated column.
  static Result<CdrColumns> from_header(std::string_view header);
  // The charge command of one data line, as a JSON object; invalid_argument naming the column.
  Result<nlohmann::json> charge_of(std::string_view line) const;

 private:
  std::vector<std::string> names_;  // the header's columns, in file order
};

}  // namespace paystream
