// An HTTP request target (path and query) of arbitrary text, as any client may send it: split and
// percent-decoded without a crash; decoding is total (a malformed escape stays as it is).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/result.h"
#include "tools/http/request_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const paystream::http::RequestTarget target = paystream::http::parse_request_target(text);
  PAYSTREAM_ASSERT(target.path.size() <= text.size());
  for (const auto& [name, value] : target.query) PAYSTREAM_ASSERT(name.size() + value.size() <= text.size());
  (void)paystream::http::percent_decoded(text, true);
  return 0;
}
