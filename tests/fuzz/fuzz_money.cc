// Money::parse on arbitrary text: never a crash or an overflow, and what it accepts prints back to
// text that parses to the same amount (the exactness non-negotiable, from the other side).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/money.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const paystream::Result<paystream::Money> parsed = paystream::Money::parse(text);
  if (!parsed) return 0;
  const paystream::Result<paystream::Money> again = paystream::Money::parse(parsed->to_string());
  PAYSTREAM_ASSERT(again.ok() && *again == *parsed);
  return 0;
}
