#pragma once
// The cursor of a page of payment records or charges: the log position of the last row returned,
// as decimal text (`next_cursor`). Apart from the queries, so the fuzz build can read any text
// through it without RocksDB.
#include <charconv>
#include <cstdint>
#include <string>

#include "events/result.h"

namespace paystream::row_scan {

// "" is the first page (0); anything but a decimal position above 0 without leading zeros is refused.
inline Result<uint64_t> parse_cursor(const std::string& cursor) {
  if (cursor.empty()) return uint64_t{0};
  uint64_t position = 0;
  const char* end = cursor.data() + cursor.size();
  const auto [stop, error] = std::from_chars(cursor.data(), end, position);
  if (error != std::errc() || stop != end || position == 0 || cursor[0] == '0') {
    return make_error(Errc::invalid_argument,
                      "invalid cursor '" + cursor + "': pass a previous page's next_cursor");
  }
  return position;
}

}  // namespace paystream::row_scan
