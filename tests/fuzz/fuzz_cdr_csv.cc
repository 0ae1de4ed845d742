// A CDR file (`paystream charge --file`): the first line as the header, the rest as data lines, on
// arbitrary text; errors name what is wrong, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tools/commands/cdr_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t end = text.find('\n');
  const paystream::Result<paystream::CdrColumns> columns =
      paystream::CdrColumns::from_header(text.substr(0, end));
  if (!columns || end == std::string_view::npos) return 0;
  text.remove_prefix(end + 1);
  while (!text.empty()) {
    const size_t line_end = text.find('\n');
    const paystream::Result<nlohmann::json> charge = columns->charge_of(text.substr(0, line_end));
    if (!charge) PAYSTREAM_ASSERT(!charge.error().message.empty());
    if (line_end == std::string_view::npos) break;
    text.remove_prefix(line_end + 1);
  }
  return 0;
}
