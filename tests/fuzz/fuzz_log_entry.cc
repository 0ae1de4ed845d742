// A log entry's bytes (a group commit's events, as the embedded log and a Kafka batch hold them):
// decode_log_entry and its partial reads on arbitrary bytes, never a crash, and they agree.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const paystream::Result<std::vector<std::string>> events = paystream::decode_log_entry(bytes);
  const paystream::Result<size_t> count = paystream::decode_log_entry_size(bytes);
  if (events && count) PAYSTREAM_ASSERT(*count == events->size());
  if (events) {
    for (const std::string& event : *events) (void)paystream::decode_event(event);
  }
  return 0;
}
